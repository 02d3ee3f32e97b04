"""Importers whose update is a plain renaming of the module, done without rope's analysis.

For each file that mentions a moved module, rope parses it two to four times, builds its
scopes and resolves every occurrence of the name: about 7 ms a file, so 190 importers cost
1.3 s a move on 1,600 modules (bench/). In most importers every mention has one of three
shapes, and rope's answer for them is to put the new dotted name in place of the old one:

    from old.name import x        ->  from new.name import x        (at any depth)
    import old.name               ->  import new.name               (at module level, alone)
    old.name.attr  (in code)      ->  new.name.attr                 (with that import)

The mentions are found the way rope finds them (the name as a word, comments and strings
skipped: `code_mentions` reads a file as rope's textual search does, tested on the standard
library), so a mention rope would not look at is not touched here either. Each mention is
then read from its line, without parsing the file: parsing was most of this pass's time,
and the plan has already refused any file that does not parse (`check_syntax`), which is
what makes a line-level reading exact. A file with any other mention (a binding of the
name, a relative or star import, `from pkg import name`, an alias, a mention in an
f-string, an indented `import name`, ...) returns None and goes to rope as before. The
unit tests compare the answers with rope's, byte for byte.
"""

from __future__ import annotations

import functools
import re


def renamed_in_plain_importer(text: str, old: str, new: str) -> str | None:
    """`text` with module `old` renamed `new` as rope would, or None when rope must decide.

    `text` is a file that parses, as rope reads it (line breaks as "\\n")."""
    name = old.rsplit(".", 1)[-1]
    if name not in text:
        return text
    found = code_mentions(text, name)
    if found is None:
        return None
    mentions, comments = found
    if not mentions:
        return text
    if _STAR_IMPORT.search(text):  # it may bind the name as well: rope resolves which one wins
        return None
    if not _import_block_kept(text):
        return None
    replacements = _replacements(text, mentions, comments, old, new)
    if replacements is None:
        return None
    for start, end in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def code_mentions(text: str, name: str) -> tuple[list[int], dict[int, int]] | None:
    """What rope's textual search (`occurrences._TextualFinder`, docs=False) finds: the
    offsets of `name` as a word in code, strings and comments skipped; with the comments
    met on the way (end -> start). None when an f-string mentions the name (rope reads the
    code inside it) or when the name could be read as a string prefix.

    The same reading as rope's pattern, with each string matched from its quote by an
    unrolled pattern: rope's pattern tries four alternatives at every character of a
    string, about 1 ms a file."""
    if name.lower() in _STRING_PREFIXES:
        return None
    mentions, comments = [], {}
    for match in _reading(name).finditer(text):
        kind = match.lastgroup
        if kind == "name":
            mentions.append(match.start())
        elif kind == "comment":
            comments[match.end()] = match.start()
        elif kind == "lone_quote":  # not in a file that parses; stay on the safe side
            return None
        elif _is_f_string(text, match.start()) and re.search(rf"\b{re.escape(name)}\b", match.group()):
            return None
    return mentions, comments


_STRING_PREFIXES = {"r", "u", "b", "f", "br", "rb", "fr", "rf", "ur"}
# rope's four string bodies (codeanalyze.get_string_pattern), each loop unrolled.
_STRING = re.compile(
    r'"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"
    r'|"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"'
    r"|'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"
)


@functools.lru_cache(maxsize=64)
def _reading(name: str) -> re.Pattern:
    """Comments, strings and the name, each matched whole, in the order they come. (The
    lookahead on their first characters lets the engine skip the rest at once: 4x faster.)"""
    return re.compile(rf"(?=[#'\"{re.escape(name[0])}])(?:(?P<comment>#[^\n]*)|(?P<string>{_STRING.pattern})"
                      rf"|(?P<lone_quote>['\"])|(?P<name>\b{re.escape(name)}\b))")


def _is_f_string(text: str, quote: int) -> bool:
    """rope's reading of a prefix: an f (or an f then an r) right before the quote."""
    before = text[max(0, quote - 2):quote]
    return before[-1:] in ("f", "F") or (before[-1:] in ("r", "R") and before[-2:-1] in ("f", "F"))


_STAR_IMPORT = re.compile(r"\bimport[ \t(\\]*\*")


def _replacements(text: str, mentions: list[int], comments: dict[int, int], old: str, new: str) -> list[tuple[int, int]] | None:
    """The spans that become `new`, or None if a mention is of another shape."""
    name_length = len(old.rsplit(".", 1)[-1])
    from_import, plain_import = _import_patterns(old)
    spans, uses, imported = [], [], False
    for position in mentions:
        line_start = text.rfind("\n", 0, position) + 1
        if text.endswith("\\\n", 0, line_start):
            return None  # the line goes on from the one before: not the start of a statement
        if (match := from_import.match(text, line_start)) and match.start(1) <= position < match.end(1):
            spans.append(match.span(1))
        elif "." not in old and (match := plain_import.match(text, line_start)) and match.start(1) == position:
            spans.append(match.span(1))
            imported = True
        elif "." not in old and text.startswith(".", position + name_length) and not _after_a_dot(text, position, comments):
            uses.append((position, position + name_length))
        else:
            return None
    if uses and not imported:
        return None  # the name comes from somewhere rope must resolve
    return spans + uses


@functools.lru_cache(maxsize=64)
def _import_patterns(old: str) -> tuple[re.Pattern, re.Pattern]:
    """`from old... import` and `import old...` (alone) at the start of a line, per module:
    compiled once, not once per file."""
    return (re.compile(rf"[ \t]*from[ \t]+({re.escape(old)})(?:\.\w+)*[ \t]+import\b"),
            re.compile(rf"import[ \t]+({re.escape(old)})(?:\.\w+)*[ \t]*(?:#[^\n]*)?(?:\n|$)"))


def _after_a_dot(text: str, position: int, comments: dict[int, int]) -> bool:
    """Whether the name at `position` follows a dot (`x.name`, or `x.` then a line break,
    blanks and comments inside brackets): then it is an attribute, not the module."""
    while position > 0:
        if text[position - 1] in " \t\n\\":
            position -= 1
        elif position in comments:  # a comment ends here: skip back to its `#`
            position = comments[position]
        else:
            return text[position - 1] == "."
    return False


def _import_block_kept(text: str) -> bool:
    """Whether rope would leave this file's layout as it is.

    rope rebuilds the module-level import block of every file that MoveModule changes
    (`ModuleImports.get_changed_source`): the imports go together, after the docstring, each
    kept with the blank lines before it; whatever stood between them goes below; leading
    blank lines go, and so do the blank lines right above the first statement of a file
    without imports. The layout survives that only in this canonical form:

        [comments] ["docstring"] [blanks, comments] import ... [blanks] import ... [blanks] body

    with no import further down, no `;` or backslash in an import, and a first line that is
    not blank. When nothing but blank lines follows the imports (or the docstring), the last
    line must not be blank and must end with a line break.
    """
    if not text[:1].strip():
        return False
    leading = _leading_statements(text)
    if leading is None:
        return False
    first = 1 if leading and _is_docstring(text, leading[0][0]) else 0
    imports = [start for start, line in leading[first:] if line.startswith(("import ", "from "))]
    body = leading[first + len(imports)][0] if first + len(imports) < len(leading) else len(text)
    if _late_import(text, body):
        return False
    if not imports:
        return _no_blank_line_above(text, body) if body < len(text) else _ends_cleanly(text)
    end = _statement_end(text, imports[-1])
    block = text[imports[0]:end]
    if ";" in block or "\\" in block or any(line.lstrip().startswith("#") for line in block.splitlines()):
        return False
    return bool(text[end:].strip()) or _ends_cleanly(text)


_DOCSTRING_PREFIX = re.compile(r"[rRuU]?(?=['\"])")


def _is_docstring(text: str, start: int) -> bool:
    """A statement that is a string literal alone: the module's docstring when it comes first."""
    prefix = _DOCSTRING_PREFIX.match(text, start)
    string = prefix and _STRING.match(text, prefix.end())
    if not string:
        return False
    rest = text[string.end():_line_end(text, string.end())].strip()
    return not rest or rest.startswith("#")


def _late_import(text: str, body: int) -> bool:
    """An import at column 0 below the first statement (or a line of a string that reads
    so: rope decides). Plain substring searches: a line-anchored pattern was 5x slower."""
    return any(text.find(f"\n{keyword}{space}", max(body - 1, 0)) >= 0 for keyword in ("import", "from") for space in " \t")


def _ends_cleanly(text: str) -> bool:
    """A last line that is not blank, with its line break."""
    return text.endswith("\n") and bool(text[:-1].rsplit("\n", 1)[-1].strip())


def _statement_end(text: str, start: int) -> int:
    """Where the import statement at `start` ends: its line, or the line closing its brackets."""
    end = _line_end(text, start)
    while text.count("(", start, end) > text.count(")", start, end) and end < len(text):
        end = _line_end(text, end + 1)
    return end


def _no_blank_line_above(text: str, start: int) -> bool:
    previous_line = text[text.rfind("\n", 0, max(start - 1, 0)) + 1:start]
    return start == 0 or bool(previous_line.strip())


def _leading_statements(text: str) -> list[tuple[int, str]] | None:
    """(offset, line) where each module-level statement starts, up to the first one after the
    docstring that is not an import: lines at column 0, outside brackets, strings and
    backslash continuations, that are not blank, a comment or a clause (`else:` ...). None
    for a file this reading does not follow."""
    statements: list[tuple[int, str]] = []

    def starts_here(start: int) -> bool:
        """Records a statement starting at `start`; False once the leading part is read."""
        line = text[start:_line_end(text, start)]
        if not line[:1].strip() or line[:1] == "#" or _CLAUSE.match(line):
            return True
        statements.append((start, line))
        return (len(statements) == 1 and _is_docstring(text, start)) or line.startswith(("import ", "from "))

    if not starts_here(0):
        return statements
    depth, position, continued = 0, 0, False
    while (stop := _LAYOUT_STOPS.search(text, position)) is not None:
        start = stop.start()
        character = text[start]
        if character == "\n":
            if depth == 0 and not continued and start + 1 < len(text) and not starts_here(start + 1):
                return statements
            continued = False
            position = start + 1
        elif character == "#":
            position = _line_end(text, start)
        elif character in "\"'":
            string = _STRING.match(text, start)
            if string is None:
                return None
            position = string.end()
        elif character == "\\":
            continued = text.startswith("\n", start + 1)
            position = start + 1 if continued else start + 2
        else:
            depth += 1 if character in "([{" else -1
            position = start + 1
    return statements


_LAYOUT_STOPS = re.compile(r"[\n#'\"()\[\]{}\\]")
_CLAUSE = re.compile(r"(?:else|elif|except|finally)\b")


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end
