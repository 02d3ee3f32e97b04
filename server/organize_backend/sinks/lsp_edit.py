"""The editor sink: a ChangeSet as one LSP WorkspaceEdit, in the order a client applies it.

    CreateFile (new __init__.py)  ->  TextDocumentEdit (old URIs)  ->  RenameFile  ->  DeleteFile

Text edits replace whole lines (ranges at column 0), so they mean the same in every
position encoding. Each edit carries a change annotation naming why it is there. Every
certain kind (packages, moves, imports, file-relative paths, module paths in strings,
config, docs) is applied as the preview opens; the review-only suggestions (strings that
only look like module paths) and the README's structure section (text the tool adds) ask
for confirmation, so VS Code opens its Refactor Preview with them unticked, and Apply as it
opens leaves a working project. A client that cannot
show annotations gets no suggestion at all: it could not ask, and they are never applied
silently.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from lsprotocol import types as lsp

from organize_backend.model import Category, ChangeSet, decode
from organize_backend.source_text import split_lines

LABELS = {
    Category.PACKAGE: "Create packages",
    Category.MOVE: "Move modules",
    Category.IMPORTS: "Update imports",
    Category.PATHS: "Adjust file-relative paths",
    Category.STRINGS: "Update module paths in strings",
    Category.CONFIG: "Update configuration files",
    Category.DOCS: "Update documentation",
    Category.STRUCTURE: "README: the project structure tree (a block of its own)",
    Category.REVIEW: "Review: strings that may not name a module",
}


@dataclass(frozen=True)
class EditTarget:
    """What the client can apply, read from its capabilities."""

    annotations: bool = True
    versions: Mapping[str, int] | None = None  # open documents: workspace path -> version


def to_workspace_edit(changes: ChangeSet, target: EditTarget = EditTarget()) -> lsp.WorkspaceEdit:
    root = changes.root
    operations: list = []
    used: set[Category] = set()

    def note(category: Category) -> str | None:
        used.add(category)
        return category.value if target.annotations else None

    for change in changes.files:
        if change.old_path is None:
            operations.append(lsp.CreateFile(uri=uri(root, change.new_path), annotation_id=note(Category.PACKAGE)))
    for change in changes.files:
        suggested = change.suggested if target.annotations else change.after
        if change.old_path is None:
            edits = _edits(b"", change.after, suggested, change.steps, note)
            path, version = change.new_path, None
        elif change.edited or suggested != change.after:
            edits = _edits(change.before, change.after, suggested, change.steps, note)
            path, version = change.old_path, (target.versions or {}).get(change.old_path)
        else:
            continue
        if edits:
            document = lsp.OptionalVersionedTextDocumentIdentifier(uri=uri(root, path), version=version)
            operations.append(lsp.TextDocumentEdit(text_document=document, edits=edits))
    for change in changes.files:
        if change.moved:
            operations.append(lsp.RenameFile(old_uri=uri(root, change.old_path), new_uri=uri(root, change.new_path),
                                             annotation_id=note(Category.MOVE)))
    for change in changes.files:
        if change.new_path is None:
            operations.append(lsp.DeleteFile(uri=uri(root, change.old_path), annotation_id=note(Category.MOVE)))
    annotations = {
        category.value: lsp.ChangeAnnotation(label=LABELS[category], needs_confirmation=category.needs_confirmation)
        for category in Category if category in used
    } if target.annotations else None
    return lsp.WorkspaceEdit(document_changes=operations, change_annotations=annotations or None)


def uri(root: Path, path: str) -> str:
    return (root / path).as_uri()


def _edits(before: bytes, after: bytes, suggested: bytes, steps, note) -> list:
    """Line edits from `before` to `after`, then the review-only lines of `suggested` on top.

    A review suggestion sits on a line the applied edits leave alone, as its own one-line
    edit. On a line that an applied edit changes too (a rare line holding a patch target
    and an event name), the applied edit wins and the suggestion stays out of the edit: two
    edits of one line cannot be ticked apart, and the certain one must not wait for a tick
    (the command line and the plan still report it)."""
    old_lines = split_lines(decode(before))
    new_lines = split_lines(decode(after))
    origin = _line_origins(before, [step for step in steps if not step[0].needs_review])
    edits = []
    unchanged: dict[int, int] = {}  # line of `after` -> the same line of `before`
    for tag, old_start, old_end, new_start, new_end in _opcodes(old_lines, new_lines):
        if tag == "equal":
            unchanged.update(zip(range(new_start, new_end), range(old_start, old_end)))
            continue
        inserted = new_lines[new_start:new_end]
        category = _riskiest(origin.get(line, Category.IMPORTS) for line in inserted or old_lines[old_start:old_end])
        edits.append((old_start, _edit(old_lines, old_start, old_end, "".join(inserted), note(category))))
    if suggested != after:
        suggested_lines = split_lines(decode(suggested))
        if len(suggested_lines) == len(new_lines):
            for index, (line, new) in enumerate(zip(new_lines, suggested_lines)):
                if line != new and index in unchanged:
                    old = unchanged[index]
                    edits.append((old, _edit(old_lines, old, old + 1, new, note(Category.REVIEW))))
    return [edit for _, edit in sorted(edits, key=lambda pair: pair[0])]


def _edit(old_lines: list[str], start: int, end: int, new_text: str, annotation: str | None):
    range_ = lsp.Range(start=_position(old_lines, start), end=_position(old_lines, end))
    if annotation is None:
        return lsp.TextEdit(range=range_, new_text=new_text)
    return lsp.AnnotatedTextEdit(range=range_, new_text=new_text, annotation_id=annotation)


def _opcodes(old_lines: list[str], new_lines: list[str]):
    """Line ranges, equal or changed; N lines replaced by N become N one-line changes, each
    reviewable alone.

    The lines both ends share are left out before matching: an edit of a thousand files
    changes a few lines near the top of each, and matching whole files was most of the time."""
    shorter = min(len(old_lines), len(new_lines))
    head = 0
    while head < shorter and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < shorter - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    yield "equal", 0, head, 0, head
    old_middle, new_middle = old_lines[head:len(old_lines) - tail], new_lines[head:len(new_lines) - tail]
    matcher = difflib.SequenceMatcher(a=old_middle, b=new_middle, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        old_start, old_end, new_start, new_end = old_start + head, old_end + head, new_start + head, new_end + head
        if tag == "replace" and old_end - old_start == new_end - new_start:
            for offset in range(old_end - old_start):
                yield tag, old_start + offset, old_start + offset + 1, new_start + offset, new_start + offset + 1
        else:
            yield tag, old_start, old_end, new_start, new_end
    yield "equal", len(old_lines) - tail, len(old_lines), len(new_lines) - tail, len(new_lines)


def _line_origins(before: bytes, steps) -> dict[str, Category]:
    """Which pass first wrote each line that the final text has and the original did not."""
    seen = set(split_lines(decode(before)))
    origin: dict[str, Category] = {}
    for category, data in steps:
        lines = split_lines(decode(data))
        for line in lines:
            if line not in seen:
                origin.setdefault(line, category)
        seen.update(lines)
    return origin


def _riskiest(categories) -> Category:
    """A hunk that mixes kinds is shown as the one that needs the most review."""
    found = list(categories) or [Category.IMPORTS]
    reviewed = [c for c in found if c.needs_confirmation]
    return reviewed[0] if reviewed else found[0]


def _position(lines: list[str], index: int) -> lsp.Position:
    if index < len(lines) or not lines or lines[-1].endswith(("\n", "\r")):
        return lsp.Position(line=index, character=0)
    # End of a file without a final line break: the end of its last line, in UTF-16 units.
    last = lines[-1]
    return lsp.Position(line=len(lines) - 1, character=len(last.encode("utf-16-le")) // 2)
