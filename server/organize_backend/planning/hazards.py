"""What moving a module may break that import rewriting cannot fix, found statically.

Four kinds, each a `Hazard` for the plan:

- "file-relative path": the module builds paths from `__file__`. After a move,
  `Path(__file__).parent` names the new package folder, not the folder the data files,
  templates or `.env` still live in. `adjust_file_relative_paths` rewrites the common
  forms so they keep naming the same folder. Another file reading a moved module's
  `__file__` (`modules_files_read`) is named too, and its folders are lifted the same way
  (`adjust_modules_file_paths`) where their form allows.
- "computed import": `importlib.import_module(name)` or `__import__(name)` with a name
  built at run time: nobody can tell statically which module it loads.
- "run by path": `runpy.run_path`, a subprocess running "something.py", `sys.argv[0]`:
  a file path, not a module name, so no import rewrite reaches it.

- "package-relative resource": the module finds its data files by its own name,
  `pkgutil.get_data(__name__, "welcome.html")`, `importlib.resources.files(__package__)`,
  `pkg_resources.resource_string(__name__, ...)` or a project's own wrapper (any call named
  "...resource..." given `__name__` or `__package__`), and `Flask(__name__)` / `Blueprint(...,
  __name__)`, which find templates/ and static/ the same way. The data files stay in the old folder,
  but after a move to another folder the name is the new package's, so the lookup goes
  there; nothing can rewrite that. A rename within the folder keeps it working. A literal
  package name (`get_data("pkg", ...)`) names a fixed package and keeps working.

String-literal imports (`import_module("indexer")`) are not hazards: they are module
names in strings, which the reference rewriting pass updates. What that pass cannot follow is
found in every file by `fixed_references`, and the module it names stays where it is: its file
name in a string (`"job_sidecar.py"`, run by path), a relative import by a literal name
(`__import__("_app", globals(), locals(), ["."], 1)`) and a module path finished at run time
(`f"app.tasks.{name}"` handed to a task queue).

Others are about where a module goes, not what it holds:

- "public module path": the organized folder is the package of a distribution the project
  builds (`[project]` beside a `[build-system]` in pyproject.toml, setup.py, setup.cfg):
  other projects import its modules by their dotted paths (datasette's plugins import
  `datasette.utils`), and a move changes the path. Only the workspace's imports are rewritten.
- "folder on sys.path": a file puts its own folder on sys.path (`folders_put_on_sys_path`),
  so code outside the workspace imports that folder's modules by bare name.
- "framework convention": a module a framework imports by its name, moved all the same (a
  Django app's admin.py: django_apps.py); the plan names it.
- "module name handed on": in a test, a string naming a moved module exactly, passed to a
  function that gives it no known meaning (`references.module_names_handed_to_calls`). The
  rewrite renames it, and the test runs to tell. In the application's code the module stays
  instead (plan.py): what the function does with a module's name (sshuttle builds and ships
  modules by name, and would need their new package too) only the user can tell.

- "shadowing": a new package at the import root named like a module Python imports today
  (the standard library, a package installed in the project's environment, or a name the
  workspace imports from outside itself). The application's folder comes first on
  sys.path, so the new folder would be imported instead: `agents/` hides the OpenAI
  Agents SDK. `ShadowedNames` tells which destinations would.
"""

from __future__ import annotations

import ast
import posixpath
import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from organize_backend.environment import Environment
from organize_backend.model import Hazard, Snapshot
from organize_backend.snapshot import join, parent_of, source_roots
from organize_backend.source_text import (
    LineOffsets,
    call_argument,
    dotted_name,
    parse_python,
    relative_load,
    replace_spans,
)
from organize_backend.verify import absolute_imports

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FILE_RELATIVE = "file-relative path"
COMPUTED_IMPORT = "computed import"
RUN_BY_PATH = "run by path"
SHADOWING = "shadowing"
PACKAGE_RESOURCE = "package-relative resource"
SYS_PATH_FOLDER = "folder on sys.path"
PUBLIC_MODULE = "public module path"
FRAMEWORK_CONVENTION = "framework convention"  # a module a framework imports by its name (django_apps.py)
MODULE_NAME_HANDED_ON = "module name handed on"

_BOM = "\ufeff"
_SHOWN_CHARS = 80  # longer source excerpts in messages are cut

# Calls whose value is the path they are given, only spelt another way.
_SAME_PATH_FUNCTIONS = frozenset({
    "os.path.abspath", "os.path.realpath", "path.abspath", "path.realpath", "abspath", "realpath",
    "Path", "pathlib.Path", "str", "os.fspath",
})
_DIRNAME_FUNCTIONS = frozenset({"os.path.dirname", "path.dirname", "dirname"})
_PATH_METHODS_KEEPING_FOLDER = frozenset({"resolve", "absolute"})
# Parts of the file's own path that no move changes.
_MOVE_PROOF_ATTRIBUTES = frozenset({"name", "stem", "suffix"})
_MOVE_PROOF_FUNCTIONS = frozenset({"os.path.basename", "path.basename", "basename"})

_IMPORT_FUNCTIONS = frozenset({"importlib.import_module", "import_module", "__import__"})
_RUN_PATH_FUNCTIONS = frozenset({
    "runpy.run_path", "run_path", "importlib.util.spec_from_file_location", "spec_from_file_location",
})
_PROCESS_FUNCTIONS = frozenset({
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "subprocess.Popen", "Popen", "check_call", "check_output",
    "os.system", "os.popen", "os.execv", "os.execvp", "os.execl", "os.execlp",
    "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
})
_PYTHON_FILE = re.compile(r"[\w./\\-]*\w\.py\b")

# Modules whose functions find data files by a package or module name, and those functions.
# A callee whose name says "resource" counts without them: pkg_resources, a project's wrapper.
# `Flask(__name__)` finds templates/ and static/ beside the module's package the same way.
_APPS_FINDING_FOLDERS = frozenset({"Flask", "Blueprint", "Quart", "Sanic"})
_RESOURCE_MODULES = frozenset({"pkgutil", "importlib.resources", "importlib_resources", "resources", "pkg_resources"})
_RESOURCE_FUNCTIONS = frozenset({
    "get_data", "files", "read_text", "open_text", "read_binary", "open_binary", "path", "contents", "is_resource",
})
_OWN_NAMES = frozenset({"__name__", "__package__"})


# --- finding hazards ------------------------------------------------------------------


def find_hazards(path: str, source: str) -> list[Hazard]:
    """Every hazard in `source` (the module at `path`), in source order.

    A module that does not parse has no hazards to report: the move itself will tell.
    """
    tree = _parse(_without_bom(source))
    if tree is None:
        return []
    parents = _parent_links(tree)
    hazards = [
        *_file_relative_hazards(path, source, tree, parents),
        *_computed_import_hazards(path, source, tree),
        *_run_by_path_hazards(path, source, tree),
        *_package_resource_hazards(path, tree),
    ]
    return sorted(hazards, key=lambda hazard: hazard.line)


def _file_relative_hazards(path: str, source: str, tree: ast.Module, parents: _Parents) -> Iterator[Hazard]:
    for use in _file_uses(tree):
        base = _folder_base(use, parents)
        if base is _MOVE_PROOF:
            continue
        if base is None:
            shown = _shown(source, parents.get(use, use))
            message = (
                f"{shown} uses __file__ in a form organize-backend cannot rewrite safely; moving this module "
                "may change the paths it builds, so it stays where it is unless you adjust it by hand"
            )
        else:
            message = (
                f"{_shown(source, base.node)} is a folder found from this module's own location: after a "
                "move it is found from the new package folder instead, so paths built from it (data files, "
                "templates, .env) would point elsewhere; it can be rewritten to keep naming the same folder"
            )
        yield Hazard(path, use.lineno, FILE_RELATIVE, message)


def _computed_import_hazards(path: str, source: str, tree: ast.Module) -> Iterator[Hazard]:
    from_literals = _imports_of_literal_names(tree)
    for call in _calls(tree):
        if dotted_name(call.func) not in _IMPORT_FUNCTIONS:
            continue
        name = call_argument(call, 0, "name")
        if name is None or _is_string(name) or id(call) in from_literals:
            continue  # a literal name is a string reference, rewritten elsewhere
        message = (
            f"{_shown(source, call)} imports a module whose name is computed at run time; which module it "
            "loads cannot be known statically, so a moved module loaded this way is no longer found "
            "under its old name"
        )
        yield Hazard(path, call.lineno, COMPUTED_IMPORT, message)


def _imports_of_literal_names(tree: ast.Module) -> set[int]:
    """The import calls inside `for name in NAMES:` (or a comprehension over NAMES) that import
    `name`, where NAMES is a tuple or list of string literals, written there or assigned once at the
    module's top (datasette's DEFAULT_PLUGINS): each name is a string reference, rewritten
    elsewhere, so what the loop imports is known."""
    literal_lists = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            literal_lists[statement.targets[0].id] = statement.value
    assigned = Counter(target.id for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AugAssign))
                       for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                       if isinstance(target, ast.Name))
    found = set()
    for loop in ast.walk(tree):
        for target, names, body in _loops_of(loop):
            if isinstance(names, ast.Name) and assigned[names.id] == 1:
                names = literal_lists.get(names.id)
            if not (isinstance(target, ast.Name) and isinstance(names, (ast.Tuple, ast.List))
                    and names.elts and all(_is_string(item) for item in names.elts)):
                continue
            found |= {id(call) for part in body for call in _calls(part) if dotted_name(call.func) in _IMPORT_FUNCTIONS
                      and isinstance(argument := call_argument(call, 0, "name"), ast.Name) and argument.id == target.id}
    return found


def _loops_of(node: ast.AST) -> Iterator[tuple[ast.expr, ast.expr, list[ast.AST]]]:
    """(loop variable, what it runs over, where it is used) of a for statement or a comprehension."""
    if isinstance(node, (ast.For, ast.AsyncFor)):
        yield node.target, node.iter, node.body
    elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and len(node.generators) == 1:
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        yield node.generators[0].target, node.generators[0].iter, parts


def _run_by_path_hazards(path: str, source: str, tree: ast.Module) -> Iterator[Hazard]:
    for node in ast.walk(tree):
        message = None
        if isinstance(node, ast.Call):
            message = _run_path_message(source, node) or _subprocess_message(node)
        elif _is_argv_zero(node):
            message = (
                "sys.argv[0] is the path of the script that was started; paths built from it change "
                "when the script is run from its new folder"
            )
        if message:
            yield Hazard(path, node.lineno, RUN_BY_PATH, message)


def _run_path_message(source: str, call: ast.Call) -> str | None:
    if dotted_name(call.func) not in _RUN_PATH_FUNCTIONS:
        return None
    return (
        f"{_shown(source, call)} loads a file by its path, not by module name; if that file moves, or the "
        "path is relative to this module's folder, the path no longer exists"
    )


def _subprocess_message(call: ast.Call) -> str | None:
    callee = dotted_name(call.func)
    if callee not in _PROCESS_FUNCTIONS:
        return None
    script = next(_python_file_names(call), None)
    if script is None:
        return None
    return (
        f'{callee} runs "{script}" by path; if that file moves, the command fails '
        "(point it at the new path, or run the module with python -m)"
    )


def _python_file_names(call: ast.Call) -> Iterator[str]:
    for node in ast.walk(call):
        if _is_string(node):
            yield from _PYTHON_FILE.findall(node.value)


def _is_argv_zero(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Subscript)
        and dotted_name(node.value) in ("sys.argv", "argv")
        and isinstance(node.slice, ast.Constant)
        and node.slice.value == 0
    )


def _package_resource_hazards(path: str, tree: ast.Module) -> Iterator[Hazard]:
    for line, shown, anchor in _package_resource_lookups(tree):
        message = (
            f"{shown} finds data files by this module's own package name: after a move to another folder, "
            f"{anchor} names the new package, so the data files, which stay in the old folder, are no longer found"
        )
        yield Hazard(path, line, PACKAGE_RESOURCE, message)


def package_resource_reason(source: str) -> str | None:
    """Why a module that finds data files by its own package name stays; None when it does not."""
    tree = _parse(_without_bom(source))
    lookups = sorted(_package_resource_lookups(tree)) if tree is not None else []
    if not lookups:
        return None
    line, shown, _ = lookups[0]
    return (f"loads data files by its package name ({shown}, line {line}): "
            "moving it would look for them in the new package")


def _package_resource_lookups(tree: ast.Module) -> Iterator[tuple[int, str, str]]:
    """(line, the call in short, the name it passes) for each data-file lookup by the module's own name."""
    modules, functions = _resource_imports(tree)
    for call in _calls(tree):
        callee = dotted_name(call.func)
        if callee is None or not _finds_resources(callee, modules, functions):
            continue
        arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
        anchor = next((node.id for node in arguments if isinstance(node, ast.Name) and node.id in _OWN_NAMES), None)
        if anchor is not None:
            rest = ", ..." if len(arguments) > 1 else ""
            yield call.lineno, f"{callee}({anchor}{rest})", anchor
        elif not arguments and _is_files_function(callee, modules, functions):
            # files() with no anchor means the calling module's own package (Python 3.12)
            yield call.lineno, f"{callee}()", "the calling module"


def _finds_resources(callee: str, modules: set[str], functions: dict[str, str]) -> bool:
    if "resource" in callee.lower() or callee.rpartition(".")[2] in _APPS_FINDING_FOLDERS:
        return True
    owner, _, function = callee.rpartition(".")
    if owner:
        return function in _RESOURCE_FUNCTIONS and owner in modules
    return functions.get(function) in _RESOURCE_FUNCTIONS


def _is_files_function(callee: str, modules: set[str], functions: dict[str, str]) -> bool:
    owner, _, function = callee.rpartition(".")
    return (function == "files" and owner in modules) or (not owner and functions.get(function) == "files")


def _resource_imports(tree: ast.Module) -> tuple[set[str], dict[str, str]]:
    """The names the resource modules go by here (`import importlib.resources as ir`), and the
    functions imported from them by local name (`from importlib.resources import files as f`)."""
    modules, functions = set(_RESOURCE_MODULES), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.asname for alias in node.names if alias.asname and alias.name in _RESOURCE_MODULES)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                if node.module in _RESOURCE_MODULES:
                    functions[alias.asname or alias.name] = alias.name
                elif f"{node.module}.{alias.name}" in _RESOURCE_MODULES:  # from importlib import resources
                    modules.add(alias.asname or alias.name)
    return modules, functions


# --- new packages that hide a module of the same name ---------------------------------


class ShadowedNames:
    """Which new top-level packages would hide a module Python imports today by that name."""

    def __init__(self, snapshot: Snapshot, environment: Environment) -> None:
        self._snapshot = snapshot
        self._installed = environment.installed()
        self._python = environment.interpreter.executable
        self._import_root = source_roots(snapshot)[0]
        self._workspace_imports: dict[str, tuple[str, int] | None] = {}  # by package, read when asked

    def new_package(self, destination: str) -> str | None:
        """The package at the import root that a move to `destination` creates, if it is new."""
        root = self._import_root
        if root and not destination.startswith(root + "/"):
            return None
        parts = PurePosixPath(destination[len(root) + 1:] if root else destination).parts
        if len(parts) < 2:
            return None  # a module at the import root, not a package
        folder = join(root, parts[0])
        if folder + ".py" in self._snapshot.files or any(p.startswith(folder + "/") for p in self._snapshot.files):
            return None  # already there: nothing new is hidden
        return parts[0]

    def what_it_hides(self, package: str) -> str | None:
        """What a new top-level `package` would hide, in words; None when nothing is."""
        found = self._installed.find(package)
        if found is not None and found.standard_library:
            return f"the standard library module {package}"
        if found is not None:
            distributions = self._installed.distributions_of(package)
            by = f" ({', '.join(distributions)})" if distributions else ""
            return f"the package {package}{by} installed in {self._python}"
        where = self._imported_from_outside(package)
        if where is not None:
            return f"the module {package} that {where[0]}:{where[1]} imports from outside the workspace"
        return None

    def _imported_from_outside(self, package: str) -> tuple[str, int] | None:
        """The first (path, line) importing `package`, which the workspace does not hold yet. Only
        files with a line that may import it are parsed: a plan at 1,600 modules would otherwise
        parse them all."""
        if package not in self._workspace_imports:
            may_import = re.compile(rb"(?m)^[ \t]*(?:from|import)[ \t][^\n]*\b" + package.encode() + rb"\b")
            mentioning = {path: data for path, data in self._snapshot.files.items() if may_import.search(data)}
            self._workspace_imports[package] = absolute_imports(mentioning).get(package)
        return self._workspace_imports[package]

    def hazard(self, package: str, hidden: str, path: str) -> Hazard:
        message = (
            f"a new package {package}/ at the import root would hide {hidden}: the application's folder comes "
            f"first on sys.path, so `import {package}` would load the new folder instead; name another package "
            "for these modules in [tool.organize-backend.packages]"
        )
        return Hazard(path, 1, SHADOWING, message)


# --- folders a file puts on sys.path ----------------------------------------------------


@dataclass(frozen=True)
class SysPathFolder:
    """`sys.path.insert(0, os.path.dirname(__file__))` at `line` of a file: `folder` (workspace
    relative) is put on sys.path, so that its modules import by bare name, from anywhere.
    `by_location`: found from the file's own location, not from a literal folder name."""

    line: int
    folder: str
    shown: str
    by_location: bool


def folders_put_on_sys_path(path: str, source: str, tree: ast.Module | None = None) -> list[SysPathFolder]:
    """The workspace folders `path` (parsed: `tree`) puts on sys.path: by its own location
    (`os.path.dirname(__file__)`, `Path(__file__).parent` or `.parents[k]`, dirname of dirname,
    wrapped in `str()` or `abspath()`), or by a literal (`sys.path.insert(0, "./app")`), read
    from the file's own folder, where a script is run from. Other arguments say nothing certain."""
    tree = tree or _parse(_without_bom(source))
    if tree is None:
        return []
    found = []
    for call in _calls(tree):
        if dotted_name(call.func) not in ("sys.path.insert", "sys.path.append") or not call.args:
            continue
        argument = call.args[-1]
        levels = _levels_above_own_file(argument)
        if levels is not None and levels > 0:
            folder = posixpath.normpath(posixpath.join(path, *[".."] * levels))
        elif _is_string(argument):
            folder = posixpath.normpath(posixpath.join(parent_of(path), argument.value))
        else:
            continue
        if folder != ".." and not folder.startswith("../") and not posixpath.isabs(folder):
            found.append(SysPathFolder(call.lineno, "" if folder == "." else folder, _shown(source, call),
                                       by_location=levels is not None))
    return found


def _levels_above_own_file(node: ast.expr) -> int | None:
    """0 for the file's own path (`__file__`, `abspath(__file__)`, `Path(__file__).resolve()`),
    1 for its folder, 2 for the folder above; None for anything else."""
    levels = 0
    while not (isinstance(node, ast.Name) and node.id == "__file__"):
        step = _path_step(node)
        if step is None:
            return None
        node, up = step
        levels += up
    return levels


# --- the distribution the project builds ---------------------------------------------------


_SETUP_PY_NAME = re.compile(r"""\bname\s*=\s*["'](?P<name>[\w.-]+)["']""")
_SETUP_CFG_NAME = re.compile(r"^\[metadata\][^\[]*?^name\s*=\s*(?P<name>[\w.-]+)", re.MULTILINE | re.DOTALL)


def distribution_name(files: Mapping[str, bytes]) -> tuple[str, str] | None:
    """(packaging file, name) of the distribution the workspace builds: pyproject.toml's
    `[project]` or `[tool.poetry]` name where a `[build-system]` says it is built (an application
    that uv or pip-tools manage names itself too, and builds nothing), or the name in setup.py or
    setup.cfg. None when the project builds no distribution."""
    if "pyproject.toml" in files:
        try:
            settings = tomllib.loads(files["pyproject.toml"].decode("utf-8", errors="replace"))
        except tomllib.TOMLDecodeError:
            settings = {}
        name = settings.get("project", {}).get("name") or settings.get("tool", {}).get("poetry", {}).get("name")
        if isinstance(name, str) and "build-system" in settings:
            return "pyproject.toml", name
    for path, pattern in (("setup.py", _SETUP_PY_NAME), ("setup.cfg", _SETUP_CFG_NAME)):
        found = pattern.search(files.get(path, b"").decode("utf-8", errors="replace"))
        if found:
            return path, found["name"]
    return None


# --- recognising __file__-relative folders --------------------------------------------


@dataclass(frozen=True)
class _FolderBase:
    """An expression whose value is the module's own folder, and how to lift it.

    form "parent":     `Path(__file__).parent`, node is the `.parent` attribute
    form "parents":    `Path(__file__).parents[k]`, node is the subscript
    form "dirname":    `os.path.dirname(__file__)`, node is the dirname call
    """

    form: str
    node: ast.expr


_MOVE_PROOF = _FolderBase("move-proof", ast.Constant(value=None))  # `Path(__file__).name`: nothing to do

_Parents = dict[ast.AST, ast.AST]


def _folder_base(use: ast.Name, parents: _Parents) -> _FolderBase | None:
    """What the `__file__` at `use` feeds; None when it is no form we can lift."""
    node = _climb_to_file_path(use, parents)
    parent = parents.get(node)
    if isinstance(parent, ast.Call) and _is_sole_argument(node, parent) \
            and dotted_name(parent.func) in _MOVE_PROOF_FUNCTIONS:
        return _MOVE_PROOF
    if isinstance(parent, ast.Attribute) and parent.value is node and parent.attr in _MOVE_PROOF_ATTRIBUTES:
        return _MOVE_PROOF
    step = _step_around(node, parents)
    if step is None:
        return None
    outer, _ = step
    return _FolderBase(_FORM_OF_STEP[type(outer)], outer)


def _climb_to_file_path(node: ast.expr, parents: _Parents) -> ast.expr:
    """The outermost expression that is still the module file's own path.

    `__file__`, `os.path.abspath(__file__)`, `Path(__file__)`, `Path(__file__).resolve()`
    all name the same file, so they lift the same way.
    """
    while (step := _step_around(node, parents)) is not None and step[1] == 0:
        node = step[0]
    return node


_FORM_OF_STEP = {ast.Call: "dirname", ast.Attribute: "parent", ast.Subscript: "parents"}


def _step_around(node: ast.expr, parents: _Parents) -> tuple[ast.expr, int] | None:
    """The expression that derives a path from `node`, and how many folders up it goes: the
    parent (`dirname(node)`, `node.parent`) or, for `node.resolve()` and `node.parents[k]`,
    the grandparent."""
    parent = parents.get(node)
    for outer in (parent, parents.get(parent)):
        step = _path_step(outer) if isinstance(outer, ast.expr) else None
        if step is not None and step[0] is node:
            return outer, step[1]
    return None


def _path_step(outer: ast.expr) -> tuple[ast.expr, int] | None:
    """When `outer` derives a path from one inner expression: that expression, and how many
    folders up `outer` goes: 0 for the same path (`abspath(x)`, `Path(x)`, `str(x)`,
    `x.resolve()`), 1 for `dirname(x)` and `x.parent`, k + 1 for `x.parents[k]`. The one
    reading of these forms, top down (a sys.path argument) and bottom up (a use of `__file__`)."""
    if isinstance(outer, ast.Call) and len(outer.args) == 1 and not outer.keywords:
        callee = dotted_name(outer.func)
        if callee in _DIRNAME_FUNCTIONS:
            return outer.args[0], 1
        if callee in _SAME_PATH_FUNCTIONS:
            return outer.args[0], 0
    if isinstance(outer, ast.Call) and isinstance(outer.func, ast.Attribute) and not outer.args \
            and not outer.keywords and outer.func.attr in _PATH_METHODS_KEEPING_FOLDER:
        return outer.func.value, 0
    if isinstance(outer, ast.Attribute) and outer.attr == "parent":
        return outer.value, 1
    if isinstance(outer, ast.Subscript) and isinstance(outer.value, ast.Attribute) and outer.value.attr == "parents":
        index = _non_negative_int(outer.slice)
        return (outer.value.value, index + 1) if index is not None else None
    return None


# --- adjusting them -------------------------------------------------------------------


_Edit = tuple[int, int, str]  # (start, end, text): character offsets into the source


def adjust_file_relative_paths(source: str, levels_deeper: int) -> str | None:
    """`source` rewritten for a module moved `levels_deeper` folders down, so that every
    `__file__`-relative folder still names the same folder; None when some use of
    `__file__` has a form that cannot be rewritten safely.

    Only the lifted expressions change: every other character stays as it was.
    """
    if levels_deeper < 0:
        raise ValueError("levels_deeper must be 0 or more: modules only move into packages")
    if levels_deeper == 0 or "__file__" not in source:
        return source
    bom, body = (_BOM, source[1:]) if source.startswith(_BOM) else ("", source)
    tree = _parse(body)
    if tree is None:
        return None
    edits = _lifting_edits(body, tree, levels_deeper)
    if edits is None:
        return None
    adjusted = replace_spans(body, edits)
    # The edits only add text inside expressions; a result that does not parse would
    # mean a position was wrong, and a wrong rewrite is worse than none.
    return bom + adjusted if _parse(adjusted) is not None else None


def _lifting_edits(source: str, tree: ast.Module, levels: int) -> list[_Edit] | None:
    parents = _parent_links(tree)
    offsets = LineOffsets(source)
    edits: list[_Edit] = []
    for use in _file_uses(tree):
        base = _folder_base(use, parents)
        if base is None:
            return None
        if base is not _MOVE_PROOF:
            edits.extend(_lift(base, levels, source, offsets))
    return edits


def _lift(base: _FolderBase, levels: int, source: str, offsets: LineOffsets) -> list[_Edit]:
    start, end = offsets.span(base.node)
    if base.form == "parent":
        return [(end, end, ".parent" * levels)]
    if base.form == "parents":
        assert isinstance(base.node, ast.Subscript)
        index = base.node.slice
        index_start, index_end = offsets.span(index)
        return [(index_start, index_end, str(_non_negative_int(index) + levels))]
    # dirname: wrap it in the very callee the author wrote, so their imports still serve
    assert isinstance(base.node, ast.Call)
    callee_start, callee_end = offsets.span(base.node.func)
    callee = source[callee_start:callee_end]
    return [(start, start, f"{callee}(" * levels), (end, end, ")" * levels)]


# --- small ast helpers ----------------------------------------------------------------


def _parse(source: str) -> ast.Module | None:
    try:
        return parse_python(source)
    except (SyntaxError, ValueError):  # ValueError: null bytes
        return None


def _without_bom(source: str) -> str:
    return source[1:] if source.startswith(_BOM) else source


def _parent_links(tree: ast.AST) -> _Parents:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _file_uses(tree: ast.AST) -> Iterator[ast.Name]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "__file__" and isinstance(node.ctx, ast.Load):
            yield node


def modules_files_read(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, module, shown) for each `module.__file__` of a module this source imports
    (sshuttle's test builds `sshuttle.sudoers.__file__ ... .parent.parent`): the path of another
    module, which its move changes."""
    tree = _parse(_without_bom(source)) if "__file__" in source else None
    for node, module in _modules_file_nodes(tree) if tree is not None else ():
        yield node.lineno, module, _shown(source, node)


def adjust_modules_file_paths(source: str, levels_deeper: Mapping[str, int]) -> str | None:
    """`source` with each folder it finds from an imported module's `__file__` lifted by the levels
    that module went down (`levels_deeper`: its dotted name as the source now imports it -> levels),
    so that it names the same folder; None when nothing is lifted, or a use has a form that cannot be."""
    bom, body = (_BOM, source[1:]) if source.startswith(_BOM) else ("", source)
    tree = _parse(body) if "__file__" in body else None
    if tree is None:
        return None
    parents, offsets, edits = _parent_links(tree), LineOffsets(body), []
    for node, module in _modules_file_nodes(tree):
        levels = levels_deeper.get(module, 0)
        base = _folder_base(node, parents) if levels > 0 else _MOVE_PROOF
        if base is None:
            return None
        if base is not _MOVE_PROOF:
            edits.extend(_lift(base, levels, body, offsets))
    adjusted = replace_spans(body, edits) if edits else None
    return bom + adjusted if adjusted is not None and _parse(adjusted) is not None else None


def _modules_file_nodes(tree: ast.Module) -> Iterator[tuple[ast.Attribute, str]]:
    """Each `module.__file__` node and the module it reads. Names bound by `import a.b`,
    `import a.b as c` and `from a import b` are followed; a relative import is not."""
    bound: dict[str, str] = {}  # a name the source binds -> the module it is
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                bound[name] = alias.name if alias.asname else name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            bound.update({alias.asname or alias.name: f"{node.module}.{alias.name}" for alias in node.names})
    for node in ast.walk(tree):
        dotted = dotted_name(node.value) if isinstance(node, ast.Attribute) and node.attr == "__file__" else None
        first, _, rest = (dotted or "").partition(".")
        if first in bound:
            yield node, ".".join(filter(None, (bound[first], rest)))


# --- references to a module that no rewrite can follow ------------------------------------


@dataclass(frozen=True)
class FixedReference:
    """A place in another file that names a module in a way the rewriting passes do not follow:
    the module must stay where it is, or that place breaks at run time."""

    line: int
    target: str  # the module's file path, relative to the workspace
    shown: str  # the source there, shortened


_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_FILE_NAME = re.compile(r"(?:[\w.-]+/)*[A-Za-z_]\w*\.py")  # "job_sidecar.py", "server/job_sidecar.py"
_TEMPLATE = re.compile(r"^(?P<prefix>[A-Za-z_][\w.]*)\.(?:%|\{)")


def fixed_references(path: str, source: str, roots: list[str]) -> list[FixedReference]:
    """In the file at `path`: a module's file name in a string (`os.path.join(server_dir,
    "job_sidecar.py")`, a script started by its path: Python strings are rewritten as module
    names only); a relative `__import__` by a literal name (`__import__("_app", globals(),
    locals(), ["."], 1)`, which neither import nor reference rewriting reads); a dotted module
    path completed at run time (`f"app.tasks.{name}"`, `"app.tasks." + name`, `"app.tasks.%s" %
    name`), whose fixed part no string rule can see as a whole. Targets are file paths:
    relative ones from `path`'s folder, dotted ones from each of `roots`."""
    tree = _parse(_without_bom(source))
    if tree is None:
        return []
    found = []
    for node, spec in _dynamic_module_names(tree):
        for target in _candidate_files(path, spec, roots):
            found.append(FixedReference(node.lineno, target, _shown(source, node)))
    for node in ast.walk(tree):
        if _is_string(node) and _FILE_NAME.fullmatch(node.value):
            found += [FixedReference(node.lineno, join(root, node.value), _shown(source, node)) for root in roots]
    return found


def _dynamic_module_names(tree: ast.Module) -> Iterator[tuple[ast.AST, tuple[int, str]]]:
    """(node, (level, dotted name)): level 0 for an absolute name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and dotted_name(node.func) in _IMPORT_FUNCTIONS:
            relative = _relative_literal_import(node)
            if relative is not None:
                yield node, relative
        prefix = _completed_at_run_time(node)
        if prefix is not None:
            yield node, (0, prefix)


def _relative_literal_import(call: ast.Call) -> tuple[int, str] | None:
    """`__import__("_app", globals(), locals(), [], 1)`: a relative load that the import rewriter
    cannot follow (`source_text.relative_load`; one with a `fromlist` and `globals()` it rewrites)."""
    load = relative_load(call)
    if load is None or load.level_node is None or not load.name or load.follows_moves:
        return None  # `import_module(".x", package)`: against another package than the caller's, it is not known here
    return load.level, load.name


def _completed_at_run_time(node: ast.AST) -> str | None:
    """The fixed dotted part of a module path finished at run time, else None."""
    if isinstance(node, ast.JoinedStr) and len(node.values) > 1 and _is_string(node.values[0]) \
            and isinstance(node.values[1], ast.FormattedValue):
        text = node.values[0].value
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _is_string(node.left):
        text = node.left.value
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_string(node.left):
        template = _TEMPLATE.match(node.left.value)
        return template["prefix"] if template and _DOTTED.fullmatch(template["prefix"]) else None
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
            and _is_string(node.func.value):
        template = _TEMPLATE.match(node.func.value.value)
        return template["prefix"] if template and _DOTTED.fullmatch(template["prefix"]) else None
    else:
        return None
    return text[:-1] if text.endswith(".") and _DOTTED.fullmatch(text[:-1]) else None


def _candidate_files(path: str, spec: tuple[int, str], roots: list[str]) -> list[str]:
    level, name = spec
    stem = name.replace(".", "/") + ".py"
    if not level:
        return [join(root, stem) for root in roots]
    folder = PurePosixPath(path).parent
    for _ in range(level - 1):
        folder = folder.parent
    return [join("" if str(folder) == "." else str(folder), stem)]


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _is_sole_argument(node: ast.expr, call: ast.Call) -> bool:
    return len(call.args) == 1 and call.args[0] is node and not call.keywords


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _non_negative_int(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int and node.value >= 0:
        return node.value
    return None


def _shown(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(_without_bom(source), node) or "this expression"
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."
