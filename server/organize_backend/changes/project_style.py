"""The project's enforced style: the exceptions to "nothing moves, nothing is re-wrapped".

A careful reviewer keeps the project's own checks green. Where the project's configuration
makes a sorter part of those checks (ruff's `I` rules, which ruff's defaults include since 0.15:
so also a ruff table that selects no rules, or a `ruff check` the project's commands run with no
configuration; isort settings), a renamed import can
break the order the check expects: `import agent` becoming `from agents import agent` belongs
after the plain imports of its block. Where it makes a formatter part of them (black, ruff
format), an import renamed past the line length would fail `--check`. There the reviewer
re-sorts or re-wraps, and so does this module, within limits that keep it a reviewer's edit:

* sorting: only a run of consecutive import statements (no blank line, comment or other
  statement between them) that holds a renamed import, only if the run was in order before
  (by the sorter's default rules, read here: then they are the project's), and never across
  anything else;
* wrapping: only a renamed `from x import a, b` that now exceeds the line length, in the
  formatter's form (one name a line, a trailing comma), where a formatter or ruff's import
  sorter (which wraps the same way) is enforced: a Makefile, CI or hook running `ruff format`
  or black counts, with the formatter's default line length where nothing configures one.

The order read here is isort's and ruff's default profile: within a run, plain `import x`
statements first, then `from x import y`; each group by module name, case-insensitively,
with numbers in names compared as numbers; relative imports furthest first.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Callable, Iterable, Mapping

from organize_backend.snapshot import join, parent_of
from organize_backend.source_text import LineOffsets, parse_python

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_LINE_LENGTH = 88  # black's and ruff's


@dataclass(frozen=True)
class ProjectStyle:
    sorts_imports: bool = False  # ruff `I` or isort is configured
    wraps_at: int | None = None  # a formatter (black, ruff format) or ruff's isort wraps imports at this length
    formats: bool = False  # a formatter's check is enforced: any line it would re-wrap fails it


# --- what the project's configuration enforces ------------------------------------------------

# Files where a project says which commands its checks run (a Makefile target, a CI step, a hook).
_COMMAND_FILES = ("Makefile", "makefile", "GNUmakefile", "Justfile", "justfile", ".justfile", "tox.ini", "noxfile.py",
                  ".pre-commit-config.yaml")
_BLACK_COMMAND = re.compile(rb"(?:^|[\s\"'])black(?:\s|$|\")|id: black\b", re.MULTILINE)
_FORMATTER_COMMAND = re.compile(rb"\bruff\s+format\b|\bruff-format\b|" + _BLACK_COMMAND.pattern, re.MULTILINE)
# `ruff check` (or the pre-commit hook) with ruff's default rules, which include the import
# order (`I`) since ruff 0.15: measured with ruff 0.17.6, `ruff check --isolated` reports I001.
_LINTER_COMMAND = re.compile(rb"\bruff\s+check\b|\bid:\s*ruff(?:-check)?\s*$", re.MULTILINE)


# blacken-docs formats the Python code blocks of docs, at its `-l`/`--line-length` (black's 88 by default).
_DOCS_FORMATTER = re.compile(rb"blacken-docs\b(?P<arguments>[^\n]*)")
_DOCS_LENGTH = re.compile(rb"(?:-l|--line-length)[\s=\"',]+(?P<length>\d+)")
_DOCS_PATHS = re.compile(rb"[\w./-]*\*[\w./*-]*|[\w./-]+\.(?:rst|md|txt|py)\b")


@dataclass(frozen=True)
class DocsFormatter:
    """blacken-docs as the project runs it: the length it formats code blocks at, and the files
    its command names (`docs/*.rst`; none named: every docs file)."""

    length: int
    paths: tuple[str, ...] = ()

    def formats(self, path: str) -> bool:
        return not self.paths or any(fnmatchcase(path, pattern) for pattern in self.paths)


def docs_formatter(files: Mapping[str, bytes]) -> DocsFormatter | None:
    """blacken-docs where the project's commands run it (datasette's CI: `blacken-docs -l 60
    docs/*.rst`); None where nothing formats the docs' code. A pre-commit hook gives its
    arguments on the lines after its id."""
    runs = [(data, run) for path, data in files.items() if _is_command_file(path)
            for run in _DOCS_FORMATTER.finditer(data)]
    for data, run in runs:  # a command line first (datasette's CI names the step "Check if blacken-docs ...")
        length = _DOCS_LENGTH.search(run["arguments"])
        if length:
            return DocsFormatter(int(length["length"]), tuple(p.decode() for p in _DOCS_PATHS.findall(run["arguments"])))
    for data, run in runs:
        length = _DOCS_LENGTH.search(data[run.end():run.end() + 200].split(b"- id:", 1)[0])
        if length:
            return DocsFormatter(int(length["length"]))
    return DocsFormatter(DEFAULT_LINE_LENGTH) if runs else None


def style_policy(files: Mapping[str, bytes]) -> Callable[[str], ProjectStyle]:
    """The style enforced on a file, by its path: the closest folder (from the file's own up
    to the workspace) whose configuration says anything decides. Each folder is read once.
    A formatter run by the project's commands (Makefile, CI, hooks) counts wherever it is."""
    styles: dict[str, ProjectStyle] = {}
    commands = [data for path, data in files.items() if _is_command_file(path)]
    formatter_run = any(_FORMATTER_COMMAND.search(data) for data in commands)
    black_run = any(_BLACK_COMMAND.search(data) for data in commands)
    linter_run = any(_LINTER_COMMAND.search(data) for data in commands)
    # no configuration anywhere: what the project's commands run with their defaults
    unconfigured = ProjectStyle(linter_run, DEFAULT_LINE_LENGTH if formatter_run or linter_run else None,
                                formatter_run)

    def style_in(folder: str) -> ProjectStyle:
        if folder not in styles:
            own = _style_in(files, folder, formatter_run, linter_run, black_run)
            styles[folder] = own if own is not None else (style_in(parent_of(folder)) if folder else unconfigured)
        return styles[folder]

    return lambda path: style_in(parent_of(path))


def _is_command_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in _COMMAND_FILES or name.endswith(".mk") or (
        "/.github/workflows/" in "/" + path and name.endswith((".yml", ".yaml"))) or name == ".gitlab-ci.yml"


def _style_in(files: Mapping[str, bytes], folder: str, formatter_run: bool, linter_run: bool,
              black_run: bool) -> ProjectStyle | None:
    """What the configuration files of one folder say; None when they say nothing. Where black
    and ruff's formatter are both configured, black's length counts only if something runs black
    (AppDaemon keeps `[tool.black]` at 120 and formats with ruff at 200); where black runs
    unconfigured beside a ruff that only lints, black's default counts (datasette: ruff at 160)."""
    pyproject = _toml(files.get(join(folder, "pyproject.toml"), b""))
    tool = pyproject.get("tool") if isinstance(pyproject.get("tool"), dict) else {}
    ruff = next((_toml(files[join(folder, name)]) for name in ("ruff.toml", ".ruff.toml") if join(folder, name) in files),
                tool.get("ruff"))
    black = tool.get("black")
    isort = tool.get("isort") if isinstance(tool.get("isort"), dict) else _isort_in_folder(files, folder)
    pre_commit = files.get(join(folder, ".pre-commit-config.yaml"), b"")
    if ruff is None and black is None and isort is None and not pre_commit:
        return None
    configures_ruff = isinstance(ruff, dict)
    ruff = ruff if configures_ruff else {}
    # unconfigured, ruff runs its defaults where the project's commands run it
    ruff_sorts = _ruff_sorts(ruff) if configures_ruff else linter_run
    sorts = ruff_sorts or isort is not None or b"isort" in pre_commit
    if isinstance(black, dict) and (black_run or "format" not in ruff):
        wraps_at = _length(black.get("line-length"))
    elif black_run and "format" not in ruff:  # black with its defaults, whatever length ruff lints at (datasette)
        wraps_at = DEFAULT_LINE_LENGTH
    elif "format" in ruff or ruff_sorts or (configures_ruff and formatter_run) or b"ruff-format" in pre_commit:
        wraps_at = _length(ruff.get("line-length"))  # ruff's formatter and its isort wrap alike
    elif isinstance(isort, dict) and isort.get("profile") == "black":
        wraps_at = _length(isort.get("line_length") or isort.get("line-length"))
    else:
        wraps_at = None
    formats = isinstance(black, dict) or "format" in ruff or formatter_run or b"ruff-format" in pre_commit \
        or b"id: black" in pre_commit
    return ProjectStyle(sorts, wraps_at if wraps_at or not formats else DEFAULT_LINE_LENGTH, formats)


def _length(value: object) -> int:
    return value if isinstance(value, int) and value > 0 else DEFAULT_LINE_LENGTH


def _ruff_sorts(config: dict) -> bool:
    """ruff's configuration selects the import-order rules, or selects nothing and so runs ruff's
    defaults, which include them."""
    lint = config.get("lint") if isinstance(config.get("lint"), dict) else {}
    selected = [*_codes(config.get("select")), *_codes(config.get("extend-select")),
                *_codes(lint.get("select")), *_codes(lint.get("extend-select"))]
    chooses_rules = any(key in table for table in (config, lint) for key in ("select", "extend-select"))
    return not chooses_rules or any(code == "ALL" or code == "I" or code.startswith("I0") for code in selected)


def _codes(value: object) -> list[str]:
    return [code for code in value if isinstance(code, str)] if isinstance(value, list) else []


def _isort_in_folder(files: Mapping[str, bytes], folder: str) -> dict | None:
    """isort's settings in this folder's .isort.cfg, setup.cfg or tox.ini; None if none."""
    for name, sections in ((".isort.cfg", ("settings", "isort")), ("setup.cfg", ("isort", "tool:isort")),
                           ("tox.ini", ("isort", "tool:isort"))):
        data = files.get(join(folder, name))
        if data is None:
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(data.decode("utf-8", errors="replace"))
        except configparser.Error:
            continue
        for section in sections:
            if parser.has_section(section):
                return {key: _ini_value(value) for key, value in parser.items(section)}
        if name == ".isort.cfg":
            return {}
    return None


def _ini_value(value: str) -> object:
    return int(value) if value.strip().isdigit() else value.strip()


def _toml(data: bytes) -> dict:
    try:
        return tomllib.loads(data.decode("utf-8", errors="replace")) if data else {}
    except tomllib.TOMLDecodeError:
        return {}


# --- wrapping a renamed import past the line length --------------------------------------------


def wrap_long_imports(after: str, before: str, line_length: int) -> list[tuple[int, int, str]]:
    """Replacements that put each renamed one-line `from x import a, b` of `after` (a line that
    `before`, the file's text before, does not hold) that grew past `line_length` in the
    formatter's exploded form. In a file that holds such an import past the length already, the
    formatter is evidently not run on it (maigret's `make format` runs black, yet 33 of its 50
    files are not black's): nothing is wrapped there, and a rename is no reason to start."""
    if next(_long_one_line_imports(before, line_length), None) is not None:
        return []
    old_lines = set(before.splitlines())
    offsets = LineOffsets(after)
    replacements = []
    for node, line, names in _long_one_line_imports(after, line_length, offsets):
        if line in old_lines:
            continue
        statement_start, statement_end = offsets.span(node)
        indent = _indent(line)
        head = after[statement_start:statement_end].split(" import ", 1)[0]
        inner = offsets.newline() + "".join(f"{indent}    {name},{offsets.newline()}" for name in names)
        replacements.append((statement_start, statement_end, f"{head} import ({inner}{indent})"))
    return replacements


def _long_one_line_imports(text: str, line_length: int, offsets: LineOffsets | None = None) -> Iterable:
    """(node, line, names as written) for each `from x import a, b` of `text` longer than
    `line_length` that is alone on its one line, without parentheses, continuation or comment."""
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError):
        return
    offsets = offsets or LineOffsets(text)
    for node in _statements(tree):
        if not isinstance(node, ast.ImportFrom) or node.end_lineno != node.lineno:
            continue
        start, end = offsets.line_bounds(node.lineno)
        line = text[start:end].rstrip("\r\n")
        if len(line) <= line_length or "(" in line or "\\" in line or "#" in line:
            continue
        statement_start, statement_end = offsets.span(node)
        if text[statement_end:end].strip() or text[start:statement_start].strip():
            continue  # another statement shares the line
        yield node, line, tuple(text[slice(*offsets.span(alias))] for alias in node.names)


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _statements(tree: ast.Module) -> Iterable[ast.stmt]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.stmt))


# --- re-sorting the runs that hold a renamed import ------------------------------------------


def resort_runs(after: str, old_keys: Mapping[int, tuple]) -> str:
    """`after` with each run of imports that holds a rewritten statement (its lines: the keys
    of `old_keys`, which give each one's sort key before the rewrite) put back in order, if the
    run was in order before."""
    try:
        tree = parse_python(after)
    except (SyntaxError, ValueError):
        return after
    offsets = LineOffsets(after)
    replacements = []
    for run in _runs(tree):
        if not any(node.lineno in old_keys for node in run):
            continue
        keys_before = [old_keys.get(node.lineno, sort_key(node)) for node in run]
        if keys_before != sorted(keys_before) or _in_order(run):
            continue
        lines = [after[slice(*_line_span(offsets, node))] for node in run]
        ordered = [line for _, line in sorted(zip(map(sort_key, run), lines), key=lambda pair: pair[0])]
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


def _in_order(run: list[ast.stmt]) -> bool:
    keys = [sort_key(node) for node in run]
    return keys == sorted(keys)


def sort_key(node: ast.stmt) -> tuple:
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
