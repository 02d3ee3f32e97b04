"""The editor sink: applying the WorkspaceEdit as a client would gives the ChangeSet's result."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp

from organize_backend.model import Category, ChangeSet, FileChange
from organize_backend.sinks.lsp_edit import EditTarget, to_workspace_edit
from organize_backend.source_text import split_lines

ROOT = Path("/work/space")


def path_of(uri: str) -> str:
    return Path(unquote(urlparse(uri).path)).relative_to(ROOT).as_posix()


def apply_like_a_client(files: dict[str, str], edit: lsp.WorkspaceEdit) -> dict[str, str]:
    """Apply documentChanges in order, as VS Code and Neovim do."""
    files = dict(files)
    for operation in edit.document_changes:
        if isinstance(operation, lsp.CreateFile):
            files.setdefault(path_of(operation.uri), "")
        elif isinstance(operation, lsp.RenameFile):
            files[path_of(operation.new_uri)] = files.pop(path_of(operation.old_uri))
        elif isinstance(operation, lsp.DeleteFile):
            del files[path_of(operation.uri)]
        else:
            path = path_of(operation.text_document.uri)
            lines = split_lines(files[path])
            for text_edit in sorted(operation.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
                start, end = text_edit.range.start, text_edit.range.end
                assert start.character == 0 and (end.character == 0 or end.line == len(lines) - 1)
                stop = end.line if end.character == 0 else end.line + 1
                lines[start.line:stop] = split_lines(text_edit.new_text)
            files[path] = "".join(lines)
    return files


def change_set() -> tuple[dict[str, str], ChangeSet]:
    before = {
        "main.py": "import agent\r\nfrom database import get_db\r\n\r\nprint(agent.run(get_db()))\r\n",
        "agent.py": "def run(db):\n    return db\n",
        "test_agent.py": 'from unittest import mock\nPATCH = mock.patch("agent.run")\nEVENT = "agent.run"\nx = 1',
        "database.py": "def get_db():\n    return 1\n",
        "events.py": 'EVENT = "agent.run"\n',
    }
    imports = "from agents import agent\r\nfrom database.database import get_db\r\n\r\nprint(agent.run(get_db()))\r\n"
    test_imports = 'from unittest import mock\nPATCH = mock.patch("agent.run")\nEVENT = "agent.run"\nx = 2'
    test_strings = 'from unittest import mock\nPATCH = mock.patch("agents.agent.run")\nEVENT = "agent.run"\nx = 2'
    test_review = 'from unittest import mock\nPATCH = mock.patch("agents.agent.run")\nEVENT = "agents.agent.run"\nx = 2'
    events_review = 'EVENT = "agents.agent.run"\n'
    files = (
        FileChange(None, "agents/__init__.py", None, b"", ((Category.PACKAGE, b""),)),
        FileChange(None, "database/__init__.py", None, b"", ((Category.PACKAGE, b""),)),
        FileChange("main.py", "main.py", before["main.py"].encode(), imports.encode(), ((Category.IMPORTS, imports.encode()),)),
        FileChange("agent.py", "agents/agent.py", before["agent.py"].encode(), before["agent.py"].encode()),
        FileChange("database.py", "database/database.py", before["database.py"].encode(), before["database.py"].encode()),
        # as compute.py records them: `after` is the last step's content, review included
        FileChange("test_agent.py", "tests/test_agent.py", before["test_agent.py"].encode(), test_review.encode(),
                   ((Category.IMPORTS, test_imports.encode()), (Category.STRINGS, test_strings.encode()),
                    (Category.REVIEW, test_review.encode()))),
        FileChange("events.py", "events.py", before["events.py"].encode(), events_review.encode(),
                   ((Category.REVIEW, events_review.encode()),)),
    )
    return before, ChangeSet(root=ROOT, files=files)


def expected_after(changes: ChangeSet, suggested: bool = False) -> dict[str, str]:
    return {c.new_path: (c.suggested if suggested else c.after).decode() for c in changes.files if c.new_path}


def without_confirmation(edit: lsp.WorkspaceEdit) -> lsp.WorkspaceEdit:
    """What VS Code's Refactor Preview applies as it opens: every change that needs confirmation left out."""
    asks = {name for name, annotation in (edit.change_annotations or {}).items() if annotation.needs_confirmation}
    operations = []
    for operation in edit.document_changes:
        if isinstance(operation, lsp.TextDocumentEdit):
            kept = [e for e in operation.edits if getattr(e, "annotation_id", None) not in asks]
            operations.append(lsp.TextDocumentEdit(text_document=operation.text_document, edits=kept))
        elif getattr(operation, "annotation_id", None) not in asks:
            operations.append(operation)
    return lsp.WorkspaceEdit(document_changes=operations, change_annotations=edit.change_annotations)


def test_review_steps_are_not_part_of_what_is_applied():
    before, changes = change_set()
    test_agent = next(c for c in changes.files if c.old_path == "test_agent.py")
    assert b'EVENT = "agent.run"' in test_agent.after and b'EVENT = "agents.agent.run"' in test_agent.suggested
    assert b'mock.patch("agents.agent.run")' in test_agent.after
    events = next(c for c in changes.files if c.old_path == "events.py")
    assert events.after == events.before and not events.edited
    assert [(s.path, s.line, s.suggested) for s in changes.suggestions()] == [
        ("events.py", 1, 'EVENT = "agents.agent.run"'), ("tests/test_agent.py", 3, 'EVENT = "agents.agent.run"')]


def test_applying_the_whole_edit_gives_the_suggestions_too():
    before, changes = change_set()
    edit = to_workspace_edit(changes)
    assert apply_like_a_client(before, edit) == expected_after(changes, suggested=True)


def test_applying_as_the_preview_opens_gives_the_change_sets_result():
    before, changes = change_set()
    edit = without_confirmation(to_workspace_edit(changes))
    assert apply_like_a_client(before, edit) == expected_after(changes)


def test_operations_come_in_apply_order_and_address_old_uris():
    _, changes = change_set()
    kinds = [type(op).__name__ for op in to_workspace_edit(changes).document_changes]
    assert kinds == sorted(kinds, key=["CreateFile", "TextDocumentEdit", "RenameFile", "DeleteFile"].index)
    edited = [op.text_document.uri for op in to_workspace_edit(changes).document_changes
              if isinstance(op, lsp.TextDocumentEdit)]
    assert (ROOT / "test_agent.py").as_uri() in edited


def test_certain_groups_are_ready_and_only_review_needs_confirmation():
    _, changes = change_set()
    edit = to_workspace_edit(changes)
    assert {k: v.needs_confirmation for k, v in edit.change_annotations.items()} == {
        "package": False, "move": False, "imports": False, "strings": False, "review": True}
    test_edit = next(op for op in edit.document_changes
                     if isinstance(op, lsp.TextDocumentEdit) and op.text_document.uri.endswith("test_agent.py"))
    by_text = {e.new_text: e.annotation_id for e in test_edit.edits}
    assert by_text['PATCH = mock.patch("agents.agent.run")\n'] == "strings"
    assert by_text['EVENT = "agents.agent.run"\n'] == "review"
    assert by_text["x = 2"] == "imports"


def test_on_a_line_both_change_the_certain_edit_wins():
    before = b'patch("agent.run"); EVENT = "agent.run"\n'
    certain = b'patch("agents.agent.run"); EVENT = "agent.run"\n'
    review = b'patch("agents.agent.run"); EVENT = "agents.agent.run"\n'
    change = FileChange("t.py", "t.py", before, review, ((Category.STRINGS, certain), (Category.REVIEW, review)))
    edit = to_workspace_edit(ChangeSet(root=ROOT, files=(change,)))
    [text_edit] = edit.document_changes[0].edits
    assert (text_edit.new_text, text_edit.annotation_id) == (certain.decode(), "strings")
    assert [s.line for s in change.suggestions()] == [1]  # still reported


def test_clients_without_annotations_get_plain_edits_and_versions_are_carried():
    before, changes = change_set()
    edit = to_workspace_edit(changes, EditTarget(annotations=False, versions={"main.py": 7}))
    assert edit.change_annotations is None
    for operation in edit.document_changes:
        assert getattr(operation, "annotation_id", None) is None
        if isinstance(operation, lsp.TextDocumentEdit):
            assert all(type(e) is lsp.TextEdit for e in operation.edits)
            if operation.text_document.uri.endswith("/main.py"):
                assert operation.text_document.version == 7
            assert not operation.text_document.uri.endswith("/events.py")  # nothing but a suggestion there
    assert apply_like_a_client(before, edit) == expected_after(changes)  # suggestions are never applied silently


def test_only_review_suggestions_need_confirmation():
    # every rule behind the other kinds is certain; the preview must apply them as it opens
    assert [category for category in Category if category.needs_review] == [Category.REVIEW]
