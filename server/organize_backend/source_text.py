"""Python source as text: positions from `ast`, spans to replace, dotted names.

The standard parser counts lines by "\\r\\n", "\\r" and "\\n" only (not form feeds, as
`str.splitlines` would) and columns in UTF-8 bytes; text edits count characters.
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import Callable

_LINE_END = re.compile(r"\r\n|\r|\n")


class LineOffsets:
    """Converts (line, UTF-8 byte column) pairs from `ast` into offsets in the source string."""

    def __init__(self, source: str):
        self.source = source
        self.starts = [0, 0] + [match.end() for match in _LINE_END.finditer(source)]

    def offset(self, lineno: int, byte_column: int) -> int:
        if lineno >= len(self.starts):
            return len(self.source)
        start = self.starts[lineno]
        # Every character is at least one byte: the first `byte_column` characters hold the bytes.
        head = self.source[start:start + byte_column]
        if head.isascii():
            return start + byte_column
        encoded = head.encode("utf-8", errors="surrogatepass")[:byte_column]
        return start + len(encoded.decode("utf-8", errors="surrogatepass"))

    def line_of(self, offset: int) -> int:
        """The line (from 1, as the parser counts) that holds the character at `offset`."""
        return bisect.bisect_right(self.starts, offset, 1) - 1

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def line_span(self, node: ast.AST) -> tuple[int, int]:
        """The whole lines a statement occupies, line break included."""
        return self.line_bounds(node.lineno)[0], self.line_bounds(node.end_lineno)[1]

    def line_bounds(self, line: int) -> tuple[int, int]:
        """Where line `line` (from 1) starts, and where the next one does."""
        following = line + 1
        return self.starts[line], self.starts[following] if following < len(self.starts) else len(self.source)

    def newline(self) -> str:
        match = _LINE_END.search(self.source)
        return match.group() if match else "\n"


_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """Lines with their line breaks, broken where Python and the LSP break them."""
    if not _OTHER_BREAKS.search(text):  # `str.splitlines` breaks at these too; without them it agrees
        return text.splitlines(keepends=True)
    lines, start = [], 0
    for match in _LINE_END.finditer(text):
        lines.append(text[start:match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def line_shift(offsets: LineOffsets, replacements: list[tuple[int, int, str]]) -> Callable[[int], int]:
    """Where a line of `offsets.source` starts in the text the replacements make of it (a line
    that a replacement spans: where that replacement's text starts)."""
    steps = []  # (first line, last line, lines added before the next one)
    for start, end, text in sorted(replacements):
        first, last = offsets.line_of(start), offsets.line_of(end)
        steps.append((first, last, len(_LINE_END.findall(text)) - (last - first)))

    def moved_to(line: int) -> int:
        shift = 0
        for first, last, added in steps:
            if line < first:
                break
            if line <= last:
                return first + shift
            shift += added
        return line + shift

    return moved_to


def replace_spans(source: str, replacements: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, text) replacements, from the end backwards."""
    for start, end, text in sorted(replacements, reverse=True):
        source = source[:start] + text + source[end:]
    return source


def dotted_name(node: ast.AST) -> str | None:
    """"os.path.dirname" for that expression; None for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = dotted_name(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return None
