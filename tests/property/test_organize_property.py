"""Property: `organize-backend apply` on a generated backend keeps it working, and changes only references.

Hypothesis generates flat backends (backend_strategies.py: 5 to 12 modules that call each other
through every import form and placement, a test file per module, an app entry point, and the
explicit moves of an organize-backend.toml with layout "none"). After `apply`:

(a) every module imports (in one subprocess, from the folder the application runs in, with that
    folder as the working directory and the root of sys.path) and `value()` returns what it
    returned before; the `typed_*` string annotations resolve to the same class (through the
    `if TYPE_CHECKING:` imports, executed for the purpose); `main.py` run as `__main__` prints
    the same;
(b) the backend's own tests pass (pytest in a subprocess, in the backend folder);
(c) `organize-backend check` exits 0;
(d) `organize-backend undo` restores the tree byte for byte;
(e) no collateral line (tests/collateral.py), every changed line holds an import, or a string or
    expression naming a moved module, and the only files created are `__init__.py` (and README.md).

Before apply, the same checks (a) and (b) hold against the values the generator computed: a
failure there is a bug of the generator, reported as such.

Profiles (environment variable ORGANIZE_BACKEND_HYPOTHESIS):

The test runs once per mode (a flat folder; a workspace that is itself a package), each with
the profile's number of examples:

- unset or "default": 12 examples, derandomized (the same examples on every run, for CI), not
  shrunk (a failure prints the whole generated backend; shrinking it takes minutes): about
  half a minute on two cores when the property holds;
- "minimal": the same 12 examples, failures shrunk to a minimal falsifying example (each
  distinct failure shrunk: several minutes);
- "large": 500 examples, random (a new sample each run), shrunk; for the benchmark or a CI job
  with the time for it:
  `ORGANIZE_BACKEND_HYPOTHESIS=large python -m pytest tests/property/test_organize_property.py`.

ORGANIZE_BACKEND_HYPOTHESIS_EXAMPLES overrides the number of examples of the profile.
ORGANIZE_BACKEND_FORMS (see backend_strategies.py) restricts the forms and placements generated,
e.g. `ORGANIZE_BACKEND_FORMS=flat,dunder,function`.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import backend_strategies as bs
import pytest
from collateral import apply_moves, changed_line_pairs, collateral_lines
from helpers import tree_bytes, write_tree
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)
settings.register_profile("organize-backend-default", max_examples=12, derandomize=True, phases=_NO_SHRINK, **_COMMON)
settings.register_profile("organize-backend-minimal", max_examples=12, derandomize=True, **_COMMON)
settings.register_profile("organize-backend-large", max_examples=500, **_COMMON)
PROFILE = os.environ.get("ORGANIZE_BACKEND_HYPOTHESIS", "default") or "default"
if PROFILE not in ("default", "minimal", "large"):
    raise ValueError(f"ORGANIZE_BACKEND_HYPOTHESIS={PROFILE!r}: expected 'default', 'minimal' or 'large'")
EXAMPLES = os.environ.get("ORGANIZE_BACKEND_HYPOTHESIS_EXAMPLES")
PROFILE_SETTINGS = settings(settings.get_profile(f"organize-backend-{PROFILE}"),
                            **({"max_examples": int(EXAMPLES)} if EXAMPLES else {}))

# Run in a subprocess with the application folder as its working directory: import every module,
# call value(), resolve the typed_* annotations, run the entry point as __main__; print JSON.
CHECKER = r'''
import ast, contextlib, importlib, io, json, runpy, sys, traceback, typing
spec = json.loads(sys.argv[1])
sys.path.insert(0, spec["app_dir"])
out = {"values": {}, "errors": {}, "hints": {}, "main": None}
for key, name in spec["modules"]:
    try:
        out["values"][key] = importlib.import_module(name).value()
    except BaseException:
        out["errors"][key] = traceback.format_exc(limit=-3)
for key, name in spec["modules"]:
    module = sys.modules.get(name)
    if module is None:
        continue
    try:
        namespace = dict(vars(module))
        with open(module.__file__, "rb") as file:
            tree = ast.parse(file.read())
        for node in tree.body:
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                exec(compile(ast.Module(body=node.body, type_ignores=[]), module.__file__, "exec"), namespace)
        for attribute, function in sorted(namespace.items()):
            if attribute.startswith("typed_"):
                out["hints"][key + "." + attribute] = typing.get_type_hints(function, globalns=namespace)["thing"].__module__
    except BaseException:
        out["errors"][key + " (annotations)"] = traceback.format_exc(limit=-3)
buffer = io.StringIO()
try:
    with contextlib.redirect_stdout(buffer):
        runpy.run_module(spec["main"], run_name="__main__", alter_sys=True)
    out["main"] = buffer.getvalue()
except BaseException:
    out["errors"]["main"] = traceback.format_exc(limit=-3)
print(json.dumps(out))
'''


def run_checker(app_dir: Path, modules: list[tuple[str, str]], main_module: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONSTARTUP")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    spec = json.dumps({"app_dir": str(app_dir), "modules": modules, "main": main_module})
    done = subprocess.run([sys.executable, "-c", CHECKER, spec], cwd=app_dir, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def run_backend_tests(folder: Path) -> subprocess.CompletedProcess:
    """pytest in `folder` in a subprocess: no plugins (the generated tests need none; the
    plugins of this environment cost a second at start-up), no cache, no bytecode."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short"]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def cli(*args: str) -> tuple[int, str]:
    from organize_backend.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(list(args))
    return code, out.getvalue()


def expected_values(backend: bs.Backend) -> dict[str, int]:
    return {module.name: bs.evaluate(backend.modules, index, mode=backend.mode)
            for index, module in enumerate(backend.modules)}


def expected_hints(backend: bs.Backend, names: dict[str, str]) -> dict[str, str]:
    """typed_<dep> of each module -> the module name its annotation's Thing comes from."""
    return {f"{module.name}.typed_{backend.modules[edge.dep].name}": names[backend.modules[edge.dep].name]
            for module in backend.modules for edge in module.edges if edge.annotate}


def module_names(backend: bs.Backend, path_map: dict[str, str]) -> dict[str, str]:
    """Module (by its original name) -> its dotted name, after path_map."""
    return {module.name: backend.dotted(path_map.get(f"{module.name}.py", f"{module.name}.py"))
            for module in backend.modules}


def _string_spans(tree: ast.AST) -> dict[int, list[tuple[int, int, str]]]:
    """Line (1-based) -> (start column, end column, value) of the one-line string constants."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.lineno == node.end_lineno:
            spans.setdefault(node.lineno, []).append((node.col_offset, node.end_col_offset, node.value))
    return spans


def _import_lines(tree: ast.AST) -> set[int]:
    return {line for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for line in range(node.lineno, node.end_lineno + 1)}


def unexplained_changes(before: dict[str, bytes], after: dict[str, bytes], path_map: dict[str, str],
                        moved_names: set[str]) -> list[str]:
    """Changed lines of Python files that are not an import, nor a string or expression naming a
    moved module (by the last part of its old dotted name), nor a relative reference of a moved
    file whose dots or level changed (`import_module(".mailer", __package__)`, `__import__("mailer",
    globals(), locals(), ["send"], 1)`)."""
    pattern = re.compile(r"(?<![\w])(%s)(?![\w])" % "|".join(sorted(map(re.escape, moved_names))))
    inverse = {new: old for old, new in path_map.items()}
    trees: dict[str, ast.AST] = {}
    problems = []
    for path, pair in changed_line_pairs(before, after, path_map):
        if not path.endswith(".py"):
            continue
        old_path = inverse.get(path, path)
        if old_path not in trees:
            trees[old_path] = ast.parse(before[old_path])
        tree, line = trees[old_path], pair.old_index + 1
        if line in _import_lines(tree):
            continue
        old, new = pair.old, pair.new
        start = 0
        while start < min(len(old), len(new)) and old[start] == new[start]:
            start += 1
        end = len(old)
        while end > start and len(new) - (len(old) - end) > start and old[end - 1] == new[len(new) - (len(old) - end) - 1]:
            end -= 1
        while start > 0 and (old[start - 1].isalnum() or old[start - 1] in "_."):
            start -= 1
        while end < len(old) and (old[end].isalnum() or old[end] in "_."):
            end += 1
        in_string = any(begin <= start and end <= finish + 1 and pattern.search(value)
                        for begin, finish, value in _string_spans(tree).get(line, []))
        # a file that moved itself: its relative references get their dots recomputed
        recomputed_dots = path != old_path and old[start:end].startswith(".") and new[start:].startswith(".")
        # or `__import__("users", globals(), locals(), ["value"], 1)`'s level
        recomputed_level = path != old_path and "__import__(" in old and old[start:end].isdigit() \
            and new[start:len(new) - (len(old) - end)].isdigit()
        if not (in_string or recomputed_dots or recomputed_level or pattern.search(old[start:end])):
            problems.append(f"{path}:{pair.new_index + 1}: {old!r} -> {new!r}")
    return problems


def _files_summary(backend: bs.Backend) -> str:
    return "\n".join(f"----- {path}\n{text}" for path, text in sorted(backend.files.items()))


@pytest.mark.parametrize("mode", bs.MODES)
@PROFILE_SETTINGS
@given(data=st.data())
def test_apply_keeps_the_backend_working_and_changes_only_references(mode, data, tmp_path_factory):
    backend = data.draw(bs.backends(mode), label="backend")
    note(f"mode {backend.mode}; moves {list(backend.moves)}")
    note(_files_summary(backend))
    base = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp(), prefix="backend"))
    if backend.mode == "package":
        app_dir, workspace = base, base / bs.PACKAGE
        main_module = f"{bs.PACKAGE}.main"
    else:
        app_dir = workspace = base / "backend"
        main_module = "main"
    write_tree(workspace, backend.files)
    before = tree_bytes(workspace)
    path_map = apply_moves(before, backend.moves)
    old_names = module_names(backend, {})
    new_names = module_names(backend, path_map)

    # Before: the generator's backend does what it says (else the generator is wrong).
    values, hints = expected_values(backend), expected_hints(backend, old_names)
    main_output = bs.expected_main_output(backend)
    result = run_checker(app_dir, list(old_names.items()), main_module)
    assert (result["errors"], result["values"], result["hints"], result["main"]) == ({}, values, hints, main_output), \
        "generator bug: the backend does not compute what the generator says"
    tests_before = run_backend_tests(workspace)
    assert tests_before.returncode == 0, "generator bug: its tests fail before apply\n" + tests_before.stdout

    code, output = cli("apply", str(workspace))
    assert code in (0, 1), f"apply refused or failed ({code}):\n{output}"  # 1: applied, its check failed
    after = tree_bytes(workspace)
    result_after = run_checker(app_dir, list(new_names.items()), main_module)
    tests_after = run_backend_tests(workspace)
    check_code, check_output = cli("check", str(workspace))
    undo_code, undo_output = cli("undo", str(workspace))
    restored = tree_bytes(workspace)

    # (d) undo is exact
    assert undo_code == 0, undo_output
    assert restored == before, f"undo left {sorted(set(restored.items()) ^ set(before.items()))[:5]}"
    # (a) every module imports, and returns what it returned before; annotations; the entry point
    assert result_after["errors"] == {}, "after apply:\n" + "\n".join(
        f"{key}: {error}" for key, error in result_after["errors"].items())
    assert result_after["values"] == values
    assert result_after["hints"] == expected_hints(backend, new_names)
    assert result_after["main"] == main_output
    # (b) the backend's own tests pass
    assert tests_after.returncode == 0, "the backend's tests after apply:\n" + tests_after.stdout[-4000:]
    # (e) files: every one where the moves put it; only __init__.py (or README.md) created
    missing = sorted(new for new in path_map.values() if new not in after)
    created = sorted(set(after) - set(path_map.values()))
    assert missing == [], f"files not where the moves put them: {missing}"
    assert [path for path in created if Path(path).name not in ("__init__.py", "README.md")] == []
    # (e) no collateral line, but for an import split in two because its names now live in two
    # modules: the one form that cannot stay one statement, which apply reports (file and line)
    split = {line.split("not in place: ", 1)[1].split(":", 1)[0] for line in output.splitlines()
             if "not in place: " in line and "split into one import each" in line}
    split_old = {old for old, new in path_map.items() if new in split} | split
    lines = [(path, line) for path, line in collateral_lines(before, after, path_map)
             if not (path in split_old and line.startswith("+") and line[1:].lstrip().startswith("from "))]
    assert lines == [], f"{len(lines)} collateral line(s):\n" + "\n".join(f"{path}: {line}" for path, line in lines)
    # (e) every changed line holds an import or a string/expression naming a moved module
    moved = {name.rsplit(".", 1)[-1] for name, new in zip(old_names.values(), new_names.values()) if name != new}
    moved |= {Path(source).stem for source, _ in backend.moves}
    problems = unexplained_changes(before, after, path_map, moved)
    assert problems == [], "lines changed that name no moved module:\n" + "\n".join(problems)
    # (c) check is clean, after apply (apply runs it too: exit code 1) and on its own
    assert (code, check_code) == (0, 0), f"check after apply:\n{output}\n{check_output}"
