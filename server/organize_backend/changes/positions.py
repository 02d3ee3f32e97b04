"""Source positions: the standard parser counts UTF-8 bytes per line, text edits count characters."""

from __future__ import annotations

import ast


class LineOffsets:
    """Converts (line, UTF-8 byte column) pairs from `ast` into offsets in the source string."""

    def __init__(self, source: str):
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.starts = [0, 0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, byte_column: int) -> int:
        if lineno > len(self.lines):
            return self.starts[-1]
        line = self.lines[lineno - 1]
        if line.isascii():
            return self.starts[lineno] + byte_column
        prefix = line.encode("utf-8", errors="surrogatepass")[:byte_column]
        return self.starts[lineno] + len(prefix.decode("utf-8", errors="surrogatepass"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def line_span(self, node: ast.AST) -> tuple[int, int]:
        """The whole lines a statement occupies, line break included."""
        return self.starts[node.lineno], self.starts[min(node.end_lineno + 1, len(self.starts) - 1)]

    def newline(self) -> str:
        return "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"


def replace_spans(source: str, replacements: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, text) replacements."""
    for start, end, text in sorted(replacements, reverse=True):
        source = source[:start] + text + source[end:]
    return source
