"""Keep the user's import style where rope changes it.

rope turns `import agent` into `import agents.agent` and every `agent.run()` into
`agents.agent.run()` (DESIGN.md fact 2). Users want `from agents import agent`, so that
call sites stay as they were. With `import a, b` rope also rewrites the name in place and
adds a second, duplicate import of it. This pass, run on rope's output, turns each such
import back into the from-form, restores the call sites, and drops the duplicates.
"""

from __future__ import annotations

import ast
from typing import Mapping

from organize_backend.source_text import LineOffsets, dotted_name, replace_spans


def restore_import_style(original: str, rewritten: str, module_map: Mapping[str, str]) -> str:
    """`rewritten` (rope's output for a file whose text was `original`), in the original's style."""
    restored = _plain_imports_of_moved_modules(original, module_map)
    if not restored:
        return rewritten
    try:
        tree = ast.parse(rewritten)
    except SyntaxError:
        return rewritten
    offsets = LineOffsets(rewritten)
    replacements = _import_replacements(tree, offsets, restored)
    replacements += _call_site_replacements(tree, offsets, restored)
    return replace_spans(rewritten, replacements)


def _plain_imports_of_moved_modules(original: str, module_map: Mapping[str, str]) -> dict[str, str]:
    """New dotted name -> old name, for every `import X` (top-level X, no alias) of a moved module."""
    try:
        tree = ast.parse(original)
    except SyntaxError:
        return {}
    restored = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                new = module_map.get(alias.name)
                if alias.asname is None and "." not in alias.name and new and "." in new:
                    if new.rsplit(".", 1)[1] == alias.name:
                        restored[new] = alias.name
    if _uses_new_names_already(tree, restored):
        return {}
    return restored


def _uses_new_names_already(tree: ast.AST, restored: Mapping[str, str]) -> bool:
    """If the original already spelled out a new name, `P.X` in rope's output is ambiguous."""
    return any(dotted_name(node) in restored for node in ast.walk(tree) if isinstance(node, ast.Attribute))


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
    replacements = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and dotted_name(node) in restored:
            start, end = offsets.span(node)
            if offsets.source[start:end] == dotted_name(node):
                replacements.append((start, end, restored[dotted_name(node)]))
    return replacements


def _statement_lists(tree: ast.AST):
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body


def _alias_text(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name
