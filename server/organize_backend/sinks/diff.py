"""Render a ChangeSet as a git-style unified diff (the dry-run sink).

The output is meant for people and for `git apply`: renames use git's extended headers,
so a move shows as a move and not as a deletion plus a creation. Content is diffed line
by line on "\\n" only, keeping any "\\r", so CRLF files round-trip through `git apply`;
bytes that are not UTF-8 come out as surrogate escapes (encode the result with
`errors="surrogateescape"` to get them back).
"""

from __future__ import annotations

import difflib
from typing import Iterator, Sequence

from organize_backend.model import ChangeSet, FileChange

CONTEXT_LINES = 3
NO_NEWLINE = "\\ No newline at end of file\n"


def render_diff(changes: ChangeSet) -> str:
    shown = sorted((change for change in changes.files if _changes_something(change)), key=_order)
    return "".join(_file_diff(change) for change in shown)


def _changes_something(change: FileChange) -> bool:
    created, deleted = change.old_path is None, change.new_path is None
    return change.moved or change.edited or (created != deleted)


def _order(change: FileChange) -> str:
    # a file sorts by where it was; a new file by where it will be
    return change.old_path or change.new_path or ""


def _file_diff(change: FileChange) -> str:
    old_path, new_path = change.old_path, change.new_path
    a_name = old_path if old_path is not None else new_path
    b_name = new_path if new_path is not None else old_path
    assert a_name is not None and b_name is not None
    before = (change.before or b"") if old_path is not None else b""
    after = _after(change) if new_path is not None else b""
    lines = [f"diff --git {_quoted('a/' + a_name)} {_quoted('b/' + b_name)}\n"]
    lines += _extended_headers(change, before == after)
    if before != after:
        lines += _content_diff(old_path, new_path, before, after)
    return "".join(lines)


def _after(change: FileChange) -> bytes:
    if change.after is not None:
        return change.after
    # no new content given: the file travels unchanged (a pure move)
    return (change.before or b"") if change.old_path is not None else b""


def _extended_headers(change: FileChange, same_content: bool) -> list[str]:
    if change.old_path is None:
        return ["new file mode 100644\n"]
    if change.new_path is None:
        return ["deleted file mode 100644\n"]
    if not change.moved:
        return []
    similarity = ["similarity index 100%\n"] if same_content else []
    return [*similarity, f"rename from {_quoted(change.old_path)}\n", f"rename to {_quoted(change.new_path)}\n"]


def _content_diff(old_path: str | None, new_path: str | None, before: bytes, after: bytes) -> list[str]:
    old_label = "/dev/null" if old_path is None else _quoted("a/" + old_path)
    new_label = "/dev/null" if new_path is None else _quoted("b/" + new_path)
    if b"\0" in before or b"\0" in after:
        # git's own verdict for such files; `git apply` needs --binary patches for them
        return [f"Binary files {old_label} and {new_label} differ\n"]
    header = [f"--- {old_label}{_tab_if_spaced(old_label)}\n", f"+++ {new_label}{_tab_if_spaced(new_label)}\n"]
    return header + list(_hunks(_split_lines(before), _split_lines(after)))


def _tab_if_spaced(label: str) -> str:
    # git ends a name holding a space with a tab, so readers know where the name stops
    return "\t" if " " in label else ""


def _split_lines(data: bytes) -> list[bytes]:
    """Lines ending in b"\\n" (kept), and a last line without one if the file has it.

    Not `bytes.splitlines`: that also splits on a lone "\\r", which git does not.
    """
    pieces = data.split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def _hunks(before: Sequence[bytes], after: Sequence[bytes]) -> Iterator[str]:
    # autojunk off: its heuristic treats frequent lines (blank lines in big files) as noise
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                yield from _prefixed(" ", before[old_start:old_end])
                continue
            yield from _prefixed("-", before[old_start:old_end])
            yield from _prefixed("+", after[new_start:new_end])


def _range(start: int, end: int) -> str:
    """A hunk's line range: 1-based start, count; an empty range names the line before it."""
    count = end - start
    if count == 1:
        return str(start + 1)
    return f"{start + 1 if count else start},{count}"


def _prefixed(prefix: str, lines: Sequence[bytes]) -> Iterator[str]:
    for line in lines:
        text = line.decode("utf-8", errors="surrogateescape")
        yield prefix + text if text.endswith("\n") else prefix + text + "\n" + NO_NEWLINE


# --- path quoting, the way git writes names ----------------------------------------------

_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r",
            0x22: '\\"', 0x5C: "\\\\"}


def _quoted(name: str) -> str:
    """`name` as git prints it: bare when plain, else C-quoted with octal for other bytes."""
    raw = name.encode("utf-8", errors="surrogateescape")
    if not any(_needs_escape(byte) for byte in raw):
        return name
    return '"' + "".join(_escaped(byte) for byte in raw) + '"'


def _needs_escape(byte: int) -> bool:
    return byte < 0x20 or byte >= 0x7F or byte in (0x22, 0x5C)


def _escaped(byte: int) -> str:
    if byte in _ESCAPES:
        return _ESCAPES[byte]
    return f"\\{byte:03o}" if _needs_escape(byte) else chr(byte)
