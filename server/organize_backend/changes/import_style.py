"""Keep the user's import style where rope changes it.

rope turns `import agent` into `import agents.agent` and every `agent.run()` into
`agents.agent.run()` (DESIGN.md fact 2). Users want `from agents import agent`, so that
call sites stay as they were. With `import a, b` rope also rewrites the name in place and
adds a second, duplicate import of it. This pass, run on rope's output, turns each such
import back into the from-form, restores the call sites, and drops the duplicates.
"""

from __future__ import annotations

import ast
import re
from typing import Mapping

from organize_backend.changes.plain_importers import code_mentions
from organize_backend.source_text import LineOffsets, replace_spans


def restore_import_style(original: str, rewritten: str, module_map: Mapping[str, str]) -> str:
    """`rewritten` (rope's output for a file whose text was `original`), in the original's style."""
    restored = _plain_imports_of_moved_modules(original, module_map)
    if not restored:
        return rewritten
    by_lines = _restored_by_lines(rewritten, restored)
    if by_lines is not None:
        return by_lines
    try:
        tree = ast.parse(rewritten)
    except (SyntaxError, ValueError):
        return rewritten
    offsets = LineOffsets(rewritten)
    replacements = _import_replacements(tree, offsets, restored)
    replacements += _call_site_replacements(tree, offsets, restored)
    return replace_spans(rewritten, replacements)


_IMPORT_LINE = re.compile(r"^[ \t]*import[ \t]+(.+)$", re.MULTILINE)


def _plain_imports_of_moved_modules(original: str, module_map: Mapping[str, str]) -> dict[str, str]:
    """New dotted name -> old name, for every `import X` (top-level X, no alias) of a moved module."""
    candidates = {name for match in _IMPORT_LINE.finditer(original)
                  for name in re.findall(r"[A-Za-z_]\w*", match.group(1)) if name in module_map}
    if not candidates:  # most files: no plain import of a moved module at all
        return {}
    aliases = _import_aliases_by_lines(original, candidates)
    if aliases is None:
        try:
            tree = ast.parse(original)
        except (SyntaxError, ValueError):
            return {}
        aliases = [(alias.name, alias.asname) for node in _statements(tree) if isinstance(node, ast.Import)
                   for alias in node.names]
    restored = {}
    for name, asname in aliases:
        new = module_map.get(name)
        if asname is None and "." not in name and new and "." in new and new.rsplit(".", 1)[1] == name:
            restored[new] = name
    # If the original already spelled out a new name, `P.X` in rope's output is ambiguous.
    return {new: old for new, old in restored.items() if not re.search(rf"\b{re.escape(new)}\b", original)}


def _import_replacements(tree: ast.AST, offsets: LineOffsets, restored: Mapping[str, str]) -> list:
    replacements = []
    for body in _statement_lists(tree):
        seen: set[str] = set()
        for node in body:
            if not isinstance(node, ast.Import):
                continue
            moved = [a for a in node.names if a.asname is None and a.name in restored]
            if not moved:
                continue
            kept = [a for a in node.names if a not in moved]
            statements = []
            if kept:
                statements.append("import " + ", ".join(_alias_text(a) for a in kept))
            for alias in moved:
                package, name = alias.name.rsplit(".", 1)
                statement = f"from {package} import {name}"
                if statement not in seen:  # rope's duplicate of an `import a, b` rewrite
                    seen.add(statement)
                    statements.append(statement)
            replacements.append(_replace_statement(node, offsets, statements))
    return replacements


def _replace_statement(node: ast.stmt, offsets: LineOffsets, statements: list[str]) -> tuple[int, int, str]:
    return _replace_span(offsets, *offsets.span(node), *offsets.line_span(node), statements)


def _replace_span(offsets: LineOffsets, start: int, end: int, line_start: int, line_end: int,
                  statements: list[str]) -> tuple[int, int, str]:
    """The statement at [start, end), on the lines [line_start, line_end), becomes `statements`."""
    whole_lines = offsets.source[line_start:start].strip() == "" and offsets.source[end:line_end].strip() == ""
    if not statements and whole_lines:
        return line_start, line_end, ""
    indent = offsets.source[line_start:start]
    separator = offsets.newline() + indent if whole_lines else "; "
    return start, end, separator.join(statements) if statements else "pass"


def _call_site_replacements(tree: ast.AST, offsets: LineOffsets, restored: Mapping[str, str]) -> list:
    """`agents.agent` back to `agent` wherever rope wrote it outside import statements.

    Textual, and exact here: a file is restored only when its original text never spelled the
    new name, so every occurrence of it is one rope wrote into code.
    """
    imports = [offsets.span(node) for node in _statements(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    replacements = []
    for new, old in restored.items():
        for match in re.finditer(rf"(?<![\w.]){re.escape(new)}\b", offsets.source):
            if not any(start <= match.start() < end for start, end in imports):
                replacements.append((match.start(), match.end(), old))
    return replacements


def _statement_lists(node: ast.AST):
    """Every list of statements (module, function, class, if/for/while/with/try/match bodies);
    imports are statements, so no expression needs visiting."""
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        value = getattr(node, field, None)
        if not isinstance(value, list):
            continue
        if value and isinstance(value[0], ast.stmt):
            yield value
        for child in value:
            yield from _statement_lists(child)


def _statements(tree: ast.AST):
    for body in _statement_lists(tree):
        yield from body


def _alias_text(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name


# --- the same passes, read from lines -----------------------------------------------------
#
# Two parses a file were most of this pass's time. The files come from a plan that refused
# any file that does not parse, so a line that reads as a whole import statement is one.
# Each function answers only when every mention it needs is on a line it can read so, and
# returns None otherwise: the parser then decides, as before. The tests run every case both
# ways.

_NAMES = r"[\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*"
_WHOLE_IMPORT = re.compile(rf"[ \t]*(import[ \t]+({_NAMES}))[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n|\Z)")
_FROM_IMPORT = re.compile(r"[ \t]*from[ \t]+[.\w]+[ \t]+import\b[^;\r\n]*(?:\r\n|\r|\n|\Z)")
_IMPORT_WORD = re.compile(r"\bimport\b")


def _import_aliases_by_lines(original: str, candidates: set[str]) -> list[tuple[str, str | None]] | None:
    """(name, alias) of every `import` statement that names a candidate, or None."""
    offsets = LineOffsets(original)
    aliases, seen_lines = [], set()
    for name in candidates:
        found = code_mentions(original, name)
        if found is None:
            return None
        for position in found[0]:
            line = offsets.line_of(position)
            kind = _line_kind(offsets, line)
            if kind is None:
                return None
            if isinstance(kind, list) and line not in seen_lines:
                seen_lines.add(line)
                aliases += [(alias, asname) for alias, asname, _ in kind]
    return aliases


def _restored_by_lines(rewritten: str, restored: Mapping[str, str]) -> str | None:
    offsets = LineOffsets(rewritten)
    imports: dict[int, list] = {}  # line -> its aliases
    replacements = []
    for new, old in restored.items():
        for match in re.finditer(rf"(?<![\w.]){re.escape(new)}\b", rewritten):
            line = offsets.line_of(match.start())
            kind = _line_kind(offsets, line)
            if kind is None:
                return None
            if isinstance(kind, list):
                imports[line] = kind
            elif kind == "code":
                replacements.append((match.start(), match.end(), old))
    produced: set[str] = set()
    for line, aliases in imports.items():
        moved = [name for name, asname, _ in aliases if asname is None and name in restored]
        if not moved:
            continue
        kept = [text for name, asname, text in aliases if asname is not None or name not in restored]
        statements = [f"import {', '.join(kept)}"] if kept else []
        for name in moved:
            package, last = name.rsplit(".", 1)
            statement = f"from {package} import {last}"
            if statement in produced or statement in statements:
                return None  # rope's duplicates: which one goes depends on the blocks, the parser knows
            produced.add(statement)
            statements.append(statement)
        line_start, line_end = offsets.line_bounds(line)
        match = _WHOLE_IMPORT.match(rewritten, line_start)
        replacements.append(_replace_span(offsets, match.start(1), match.end(1), line_start, line_end, statements))
    return replace_spans(rewritten, replacements)


def _line_kind(offsets: LineOffsets, line: int):
    """A line's reading: the aliases of a whole `import` statement [(name, alias, text)],
    "from" for a from-import, "code" for a line with no import on it, None when unsure
    (a line continued with a backslash, an import with something else on its line)."""
    source = offsets.source
    start, end = offsets.line_bounds(line)
    text = source[start:end]
    previous = source[offsets.starts[line - 1]:start] if line > 1 else ""
    if text.rstrip("\r\n").endswith("\\") or previous.rstrip("\r\n").endswith("\\"):
        return None
    if (match := _WHOLE_IMPORT.match(source, start)) and match.end() == end:
        aliases = []
        for item in match.group(2).split(","):
            words = item.split()
            aliases.append((words[0], words[2] if len(words) == 3 else None, " ".join(words)))
        return aliases
    if (match := _FROM_IMPORT.match(source, start)) and match.end() == end:
        return "from"
    return None if _IMPORT_WORD.search(text) else "code"
