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

from organize_backend.source_text import LineOffsets, replace_spans


def restore_import_style(original: str, rewritten: str, module_map: Mapping[str, str]) -> str:
    """`rewritten` (rope's output for a file whose text was `original`), in the original's style."""
    restored = _plain_imports_of_moved_modules(original, module_map)
    if not restored:
        return rewritten
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
    try:
        tree = ast.parse(original)
    except (SyntaxError, ValueError):
        return {}
    restored = {}
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                new = module_map.get(alias.name)
                if alias.asname is None and "." not in alias.name and new and "." in new:
                    if new.rsplit(".", 1)[1] == alias.name:
                        restored[new] = alias.name
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
    start, end = offsets.span(node)
    line_start, line_end = offsets.line_span(node)
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
