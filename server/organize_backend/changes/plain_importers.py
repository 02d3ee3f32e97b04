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

    The same reading as rope's pattern, but the search stops only at `#`, quotes and the
    name, and each string is matched from its quote with an unrolled pattern: rope's
    pattern tries four alternatives at every character, about 1 ms a file."""
    if name.lower() in _STRING_PREFIXES:
        return None
    mentions, comments = [], {}
    stops = _stops(name)
    position = 0
    while (stop := stops.search(text, position)) is not None:
        start = stop.start()
        character = text[start]
        if character == "#":
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            comments[end] = start
        elif character in "\"'":
            string = _STRING.match(text, start)
            if string is None:  # not in a file that parses; stay on the safe side
                return None
            end = string.end()
            if _is_f_string(text, start) and re.search(rf"\b{re.escape(name)}\b", string.group()):
                return None
        else:
            mentions.append(start)
            end = stop.end()
        position = end
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
def _stops(name: str) -> re.Pattern:
    return re.compile(rf"[#'\"]|\b{re.escape(name)}\b")


def _is_f_string(text: str, quote: int) -> bool:
    """rope's reading of a prefix: an f (or an f then an r) right before the quote."""
    before = text[max(0, quote - 2):quote]
    return before[-1:] in ("f", "F") or (before[-1:] in ("r", "R") and before[-2:-1] in ("f", "F"))


_STAR_IMPORT = re.compile(r"\bimport[ \t(\\]*\*")


def _replacements(text: str, mentions: list[int], comments: dict[int, int], old: str, new: str) -> list[tuple[int, int]] | None:
    """The spans that become `new`, or None if a mention is of another shape."""
    name_length = len(old.rsplit(".", 1)[-1])
    from_import = re.compile(rf"[ \t]*from[ \t]+({re.escape(old)})(?:\.\w+)*[ \t]+import\b")
    plain_import = re.compile(rf"import[ \t]+({re.escape(old)})(?:\.\w+)*[ \t]*(?:#[^\n]*)?(?:\n|$)")
    spans, uses, imported = [], [], False
    for position in mentions:
        line_start = text.rfind("\n", 0, position) + 1
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
