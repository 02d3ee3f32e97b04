"""Python source as text: positions from `ast`, spans to replace, dotted names.

The standard parser counts lines by "\\r\\n", "\\r" and "\\n" only (not form feeds, as
`str.splitlines` would) and columns in UTF-8 bytes; text edits count characters.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RelativeLoad:
    """A relative import written as a call: `import_module(".users", __package__)` or
    `__import__("users", globals(), locals(), ["x"], 1)`. It resolves against the calling module's
    own package, so no string rule can read it as a module path; the import rewriter recomputes it."""
    level: int
    name: str  # after the dots
    name_node: ast.Constant
    level_node: ast.Constant | None  # `__import__`'s level argument; None where the name's dots carry it
    # Whether a rewrite keeps what the call gives. `__import__` with an empty `fromlist` returns the
    # first part of its name, which a longer name would change; without `globals()` its package is unknown.
    follows_moves: bool


def relative_load(call: ast.AST) -> RelativeLoad | None:
    if not isinstance(call, ast.Call) or any(isinstance(argument, ast.Starred) for argument in call.args):
        return None  # with `*args` the positions are unknown
    function = dotted_name(call.func) or ""
    name = call_argument(call, 0, "name")
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
        return None
    if function.endswith("import_module") and name.value.startswith("."):
        level = len(name.value) - len(name.value.lstrip("."))
        package = call_argument(call, 1, "package")
        own_package = isinstance(package, ast.Name) and package.id == "__package__"
        return RelativeLoad(level, name.value[level:], name, None, own_package)
    level = call_argument(call, 4, "level")
    if function in ("__import__", "builtins.__import__") and isinstance(level, ast.Constant) \
            and type(level.value) is int and level.value > 0 and name.value and not name.value.startswith("."):
        scope, fromlist = call_argument(call, 1, "globals"), call_argument(call, 3, "fromlist")
        own_package = isinstance(scope, ast.Call) and dotted_name(scope.func) == "globals" and not scope.args
        named = isinstance(fromlist, (ast.List, ast.Tuple)) and bool(fromlist.elts)
        return RelativeLoad(level.value, name.value, name, level, own_package and named)
    return None


# The fields of a statement that hold statements (an except handler's and a match case's too):
# what a walk over statements only, never into expressions, follows.
STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")


def call_argument(call: ast.Call, position: int, keyword_name: str) -> ast.expr | None:
    """The argument at `position`, or passed as `keyword_name`."""
    if len(call.args) > position:
        return call.args[position]
    return next((keyword.value for keyword in call.keywords if keyword.arg == keyword_name), None)


# An IPython line: a magic (`%load_ext autoreload`, `%%time`) or a shell escape (`!pip install x`)
# as the first thing on its line, as VS Code's and Spyder's `# %%` cell scripts hold them.
_IPYTHON_LINE = r"^([ \t]*)[%!](?=[A-Za-z%])"
_IPYTHON_LINE_IN_TEXT = re.compile(_IPYTHON_LINE, re.MULTILINE)
_IPYTHON_LINE_IN_BYTES = re.compile(_IPYTHON_LINE.encode(), re.MULTILINE)


def parse_python(source: str | bytes) -> ast.Module:
    """`ast.parse`, reading an IPython cell script too: its magic and shell lines count as
    comments, each `%` or `!` read as `#`, so every line and column stays where it is and the
    Python around them is read (and rewritten) as it is. Raises the plain parse's error when the
    text does not parse either way, or when such a line turns out to be inside a string."""
    try:
        return ast.parse(source)
    except SyntaxError as error:
        masked, lines = _without_ipython_lines(source)
        if not lines:
            raise
        try:
            tree = ast.parse(masked)
        except SyntaxError:
            raise error from None
        if any(_inside_a_string(tree, line) for line in lines):
            raise error from None  # a string's text would be read with `#` for its `%`
        return tree


def _without_ipython_lines(source: str | bytes) -> tuple[str | bytes, list[int]]:
    """The source with each IPython line's `%` or `!` made `#`, and those lines' numbers."""
    pattern, comment = (_IPYTHON_LINE_IN_BYTES, rb"\1#") if isinstance(source, bytes) else (_IPYTHON_LINE_IN_TEXT, r"\1#")
    newline = b"\n" if isinstance(source, bytes) else "\n"
    lines = [source.count(newline, 0, match.start()) + 1 for match in pattern.finditer(source)]
    return pattern.sub(comment, source), lines


def _inside_a_string(tree: ast.Module, line: int) -> bool:
    return any(isinstance(node, (ast.Constant, ast.JoinedStr)) and node.lineno < line <= (node.end_lineno or 0)
               for node in ast.walk(tree))


# A line's code, the spaces before its trailing comment, and the comment. Only lines without
# quotes: there a `#` cannot be inside a string (imports, and import lines of docs code blocks).
_COMMENTED_LINE = re.compile(r"(?P<code>[^'\"#\r\n]*?\S)(?P<pad>[ \t]{2,})(?P<comment>#[^\r\n]*)")


def keep_comment_columns(before: str, after: str) -> str:
    """`after` with each renamed line's trailing comment back in the column it had in `before`
    (`from app.adapi import ADAPI       # Basic API`, aligned with its neighbours), as far as two
    spaces before it allow. Lines are paired by position, so only when no line was added or removed."""
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old_lines) != len(new_lines):
        return after
    for index, (old, new) in enumerate(zip(old_lines, new_lines)):
        if old == new:
            continue
        old_match, new_match = _COMMENTED_LINE.match(old), _COMMENTED_LINE.match(new)
        if old_match is None or new_match is None or old_match["comment"] != new_match["comment"] \
                or len(old_match["pad"]) <= 2:  # two spaces is the usual minimum, not an alignment
            continue
        column = len(old_match["code"]) + len(old_match["pad"])
        pad = " " * max(2, column - len(new_match["code"]))
        new_lines[index] = new_match["code"] + pad + new[new_match.start("comment"):]
    return "".join(new_lines)
