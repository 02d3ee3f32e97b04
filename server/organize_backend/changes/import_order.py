"""The one exception to "nothing moves": a project that enforces an import order.

Where the project's own configuration makes a sorter part of its checks (ruff's `I` rules,
isort settings), a renamed import can break the order that check expects: `import agent`
becoming `from agents import agent` belongs after the plain imports of its block. There a
careful reviewer re-sorts, and so does this pass, within limits that keep it a reviewer's
edit: only a run of consecutive import statements (no blank line, comment or other statement
between them) that holds a renamed import, only if the run was in order before (by the
sorter's default rules, read here), and never across anything else. Everything else stays
where it was.

The order read here is isort's and ruff's default profile: within a run, plain `import x`
statements first, then `from x import y`; each group by module name, case-insensitively,
with numbers in names compared as numbers; relative imports furthest first.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
from typing import Callable, Iterable, Mapping

from organize_backend.snapshot import join, parent_of
from organize_backend.source_text import LineOffsets

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


# --- does the project sort its imports? -----------------------------------------------------


def import_order_policy(files: Mapping[str, bytes]) -> Callable[[str], bool]:
    """A test for a file's path: does the configuration closest to it run an import sorter
    (ruff `I`, isort)? Each folder's configuration is read once."""
    verdicts: dict[str, bool] = {}

    def enforced_in(folder: str) -> bool:
        if folder not in verdicts:
            own = _verdict_in(files, folder)
            verdicts[folder] = own if own is not None else (bool(folder) and enforced_in(parent_of(folder)))
        return verdicts[folder]

    return lambda path: enforced_in(parent_of(path))


def _verdict_in(files: Mapping[str, bytes], folder: str) -> bool | None:
    """What the configuration files of one folder say; None when they say nothing."""
    for name in ("ruff.toml", ".ruff.toml"):
        if join(folder, name) in files:
            config = _toml(files[join(folder, name)])
            return _ruff_sorts(config) or _isort_in_folder(files, folder)
    pyproject = _toml(files.get(join(folder, "pyproject.toml"), b""))
    tool = pyproject.get("tool", {}) if isinstance(pyproject.get("tool"), dict) else {}
    if "ruff" in tool and _ruff_sorts(tool["ruff"]):
        return True
    if "isort" in tool or _isort_in_folder(files, folder):
        return True
    return False if "ruff" in tool else None


def _ruff_sorts(config: object) -> bool:
    if not isinstance(config, dict):
        return False
    lint = config.get("lint") if isinstance(config.get("lint"), dict) else {}
    selected = [*_codes(config.get("select")), *_codes(config.get("extend-select")),
                *_codes(lint.get("select")), *_codes(lint.get("extend-select"))]
    return any(code == "ALL" or code == "I" or code.startswith("I0") for code in selected)


def _codes(value: object) -> list[str]:
    return [code for code in value if isinstance(code, str)] if isinstance(value, list) else []


def _isort_in_folder(files: Mapping[str, bytes], folder: str) -> bool:
    if join(folder, ".isort.cfg") in files:
        return True
    for name in ("setup.cfg", "tox.ini"):
        data = files.get(join(folder, name))
        if data is not None:
            parser = configparser.ConfigParser(interpolation=None, strict=False)
            try:
                parser.read_string(data.decode("utf-8", errors="replace"))
            except configparser.Error:
                continue
            if parser.has_section("isort") or parser.has_section("tool:isort"):
                return True
    return False


def _toml(data: bytes) -> dict:
    try:
        return tomllib.loads(data.decode("utf-8", errors="replace")) if data else {}
    except tomllib.TOMLDecodeError:
        return {}


# --- re-sorting the runs that hold a renamed import ------------------------------------------


def resort_runs(before: str, after: str, changed_lines: Iterable[int]) -> str:
    """`after` (same lines as `before`, some import statements renamed in place) with each run
    of imports that holds a changed line put back in order, if it was in order in `before`."""
    changed = set(changed_lines)
    try:
        old_tree, new_tree = ast.parse(before), ast.parse(after)
    except (SyntaxError, ValueError):
        return after
    old_runs = {run[0].lineno: run for run in _runs(old_tree)}
    offsets = LineOffsets(after)
    replacements = []
    for run in _runs(new_tree):
        old_run = old_runs.get(run[0].lineno)
        if old_run is None or len(old_run) != len(run) or not _holds(run, changed):
            continue
        if not _in_order(old_run) or _in_order(run):
            continue
        lines = [after[slice(*_line_span(offsets, node))] for node in run]
        ordered = [line for _, line in sorted(zip(map(_sort_key, run), lines), key=lambda pair: pair[0])]
        start, end = _line_span(offsets, run[0])[0], _line_span(offsets, run[-1])[1]
        text = "".join(_with_line_end(line, offsets) for line in ordered)
        if not after[start:end].endswith(("\n", "\r")):  # the file's last line had no line break
            text = text.rstrip("\r\n")
        replacements.append((start, end, text))
    for start, end, text in sorted(replacements, reverse=True):
        after = after[:start] + text + after[end:]
    return after


def _runs(tree: ast.Module) -> list[list[ast.stmt]]:
    """Consecutive import statements, each starting on the line after the previous one ends,
    with nothing else on their lines, in every body of the module."""
    runs: list[list[ast.stmt]] = []
    for body in _bodies(tree):
        run: list[ast.stmt] = []
        for node in body:
            is_import = isinstance(node, (ast.Import, ast.ImportFrom))
            if is_import and run and node.lineno == run[-1].end_lineno + 1:
                run.append(node)
                continue
            runs.append(run)
            run = [node] if is_import else []
        runs.append(run)
        # a statement sharing a line with a run (`import a; x = 1`) takes that run out
        shared = {line for node in body for line in (node.lineno, node.end_lineno)
                  if not isinstance(node, (ast.Import, ast.ImportFrom))}
        runs = [run for run in runs if not (run and (run[0].lineno in shared or run[-1].end_lineno in shared))]
    return [run for run in runs if len(run) > 1 and _alone_on_their_lines(run)]


def _bodies(tree: ast.AST) -> Iterable[list[ast.stmt]]:
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body


def _alone_on_their_lines(run: list[ast.stmt]) -> bool:
    lines = [line for node in run for line in range(node.lineno, node.end_lineno + 1)]
    return len(lines) == len(set(lines)) and all(node.col_offset == run[0].col_offset for node in run)


def _holds(run: list[ast.stmt], changed: set[int]) -> bool:
    return any(line in changed for node in run for line in range(node.lineno, node.end_lineno + 1))


def _in_order(run: list[ast.stmt]) -> bool:
    keys = [_sort_key(node) for node in run]
    return keys == sorted(keys)


def _sort_key(node: ast.stmt) -> tuple:
    if isinstance(node, ast.Import):
        name = node.names[0].name
        return (0, 0, _natural(name.lower()), name)
    assert isinstance(node, ast.ImportFrom)
    name = node.module or ""
    return (1, -node.level, _natural(name.lower()), name)


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _line_span(offsets: LineOffsets, node: ast.stmt) -> tuple[int, int]:
    return offsets.line_span(node)


def _with_line_end(line: str, offsets: LineOffsets) -> str:
    """The last line of a file may lack its line break; inside a run every line has one."""
    return line if line.endswith(("\n", "\r")) else line + offsets.newline()
