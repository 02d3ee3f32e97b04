"""Find every import in a workspace that does not resolve, statically.

The engine behind `organize-backend check`. Nothing of the checked project is imported
or run: each Python file is parsed once with `ast`, and an import is resolved the way
Python would resolve it with the source roots on `sys.path`:

- workspace modules and packages (regular or namespace) in the source roots come first,
  so a local `logging.py` shadows the standard library, as it does at run time;
- then the standard library and installed distributions of the project's environment
  (`environment.py`: the project's interpreter, which may not be the one running this),
  looked up on disk in that interpreter's `sys.path`;
- `from X import name` accepts a submodule or a name that X binds at module level; the
  attributes of installed modules are not checked (their code may build them).

Imports in a `try:` whose handler catches ImportError (or broader) are optional: skipped
when they name a module from outside the workspace (an optional dependency), checked when
they name the workspace's own modules (relative imports, a top-level name the workspace
holds, or one of `first_party`, the old names of modules just moved), since there a failure
would be silent. Every other import is checked, in functions and `if TYPE_CHECKING:` alike.

Two severities. An import of the workspace's own modules that fails breaks the application:
an error. Its own: a relative import, a top-level name the workspace imports from (or held
before a move, `first_party`), or a module or package that sits directly in the organized
folder (imported as if it were top-level: a sys.path trick, or importers not updated after a
hand move). A module deeper inside a package is not its own: `import openai` cannot mean
`agent/providers/openai.py`. Any other import that the environment lacks is a warning ("not
installed in <python>"): the project may run in another environment than the one found, and
a module found nowhere at all may be a dependency not installed yet.

After `apply` or `move`, `compare_with_before` tells the errors the change made from those
that were already there (the same import, in the same original file, before it ran).

Parsing is the cost (see bench/bench_check.py), so the facts of a file are cached by
content: a second check of a mostly unchanged workspace parses only what changed.
"""

from __future__ import annotations

import ast
import gc
import os
import posixpath
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from organize_backend.environment import (
    MODULE_SUFFIXES,
    Environment,
    InstalledModules,
    own_environment,
)
from organize_backend.snapshot import join, parent_of
from organize_backend.source_text import parse_python

SKIPPED_FOLDERS = frozenset({".git", "__pycache__", ".venv", "venv", "node_modules", ".tox", "build", "dist"})
# A `try:` whose handler catches one of these is written to cope with a missing module.
IMPORT_ERROR_CATCHERS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
ERROR = "error"  # the workspace's own import fails: the application breaks
WARNING = "warning"  # not installed in the environment the check used


@dataclass(frozen=True)
class UnresolvedImport:
    path: str  # workspace-relative posix path of the importing file
    line: int  # 1-based
    module: str  # what was imported, as written: "agents.agent", ".prompts", "database.get_db"
    message: str  # "import agents.agent: not found"
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def find_unresolved_imports(files: Mapping[str, bytes], source_roots: Sequence[str],
                            first_party: Iterable[str] = (), workspace_package: str | None = None,
                            environment: Environment | None = None,
                            organized_folder: str = "") -> list[UnresolvedImport]:
    """Every import in `files` that would fail with `source_roots` on sys.path, by path and line.

    `workspace_package`: the name a workspace that is itself a package (an `__init__.py` at
    its root) is imported by, from the folder above it (`import shop.orders`).
    `environment`: where installed modules are looked up; the tool's own Python by default.
    `organized_folder`: the folder organized; a missing top-level import named like a module
    directly in it is an error, not a warning."""
    environment = environment or own_environment()
    python_files = sorted(path for path in files if path.endswith(".py") and not _in_skipped_folder(path))
    with _garbage_collection_paused():
        facts = {path: facts_of_source(bytes(files[path])) for path in python_files}
    resolver = _Resolver(_Workspace(python_files), source_roots, facts, environment.installed(),
                         first_party=frozenset(name.partition(".")[0] for name in first_party),
                         workspace_package=workspace_package if "__init__.py" in files else None,
                         organized_folder=_normalize_root(organized_folder))
    problems = [problem for path in python_files for problem in _check_file(path, facts[path], resolver)]
    return sorted(problems, key=lambda problem: (problem.path, problem.line))


def absolute_imports(files: Mapping[str, bytes]) -> dict[str, tuple[str, int]]:
    """Each top-level name the workspace imports absolutely, with the first (path, line) that does."""
    found: dict[str, tuple[str, int]] = {}
    for path in sorted(path for path in files if path.endswith(".py") and not _in_skipped_folder(path)):
        for site in facts_of_source(bytes(files[path])).imports:
            if not site.level and site.module:
                found.setdefault(site.module.partition(".")[0], (path, site.line))
    return found


# --- what one file imports and defines -----------------------------------------------------


@dataclass(frozen=True)
class _ImportedName:
    name: str  # "*" for a star import
    line: int


@dataclass(frozen=True)
class _ImportSite:
    line: int
    module: str | None  # dotted, without the leading dots; None in `from . import x`
    level: int  # leading dots of a relative import; 0 when absolute
    names: tuple[_ImportedName, ...]  # what `from ... import` takes; empty for `import a.b`
    optional: bool = False  # in a `try:` that catches ImportError

    @property
    def written_module(self) -> str:
        return "." * self.level + (self.module or "")

    def statement(self, names: Iterable[str] | None = None) -> str:
        """The statement as a user reads it in a message, without `as` clauses."""
        if not self.names:
            return f"import {self.written_module}"
        shown = [imported.name for imported in self.names] if names is None else list(names)
        return f"from {self.written_module} import {', '.join(shown)}"


@dataclass(frozen=True)
class _FileFacts:
    imports: tuple[_ImportSite, ...]
    defined: frozenset[str]  # names bound at module level
    open_namespace: bool  # module __getattr__, star import or unparsable: any name may exist
    syntax_error: tuple[int, str] | None = None


@lru_cache(maxsize=20_000)
def facts_of_source(source: bytes) -> _FileFacts:
    """Cached by content: facts do not depend on where the file lives, resolution does."""
    try:
        tree = parse_python(source)
    except SyntaxError as error:
        return _FileFacts((), frozenset(), True, (error.lineno or 1, error.msg))
    except (ValueError, RecursionError) as error:  # null bytes; absurdly deep nesting
        return _FileFacts((), frozenset(), True, (1, str(error)))
    collector = _FactCollector()
    collector.visit_body(tree.body, at_module_level=True, optional=False)
    return _FileFacts(tuple(collector.imports), frozenset(collector.defined), collector.open_namespace)


@contextmanager
def _garbage_collection_paused() -> Iterator[None]:
    """Parsing allocates millions of AST nodes and the cyclic collector would rescan them
    again and again for nothing: none of them is garbage until the file is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _FactCollector:
    """Visits statements only: imports and bindings are statements, so the expressions that
    make up most of a file are never walked. Dispatch is by exact node type, one dict look-up
    per statement, because this runs over every statement of the workspace."""

    def __init__(self) -> None:
        self.imports: list[_ImportSite] = []
        self.defined: set[str] = set()
        self.open_namespace = False

    def visit_body(self, body: list[ast.stmt], at_module_level: bool, optional: bool) -> None:
        for statement in body:
            visit = self._visitors.get(type(statement))
            if visit is not None:
                visit(self, statement, at_module_level, optional)

    def _bind(self, target: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.defined.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element)
        elif isinstance(target, ast.Starred):
            self._bind(target.value)

    def _import(self, statement: ast.Import, at_module_level: bool, optional: bool) -> None:
        for alias in statement.names:
            if at_module_level:
                # `import a.b` binds `a`; `import a.b as c` binds `c`.
                self.defined.add(alias.asname or alias.name.partition(".")[0])
            self.imports.append(_ImportSite(alias.lineno, alias.name, 0, (), optional))

    def _import_from(self, statement: ast.ImportFrom, at_module_level: bool, optional: bool) -> None:
        if at_module_level:
            for alias in statement.names:
                if alias.name == "*":
                    self.open_namespace = True
                else:
                    self.defined.add(alias.asname or alias.name)
        names = tuple(_ImportedName(alias.name, alias.lineno) for alias in statement.names)
        self.imports.append(_ImportSite(statement.lineno, statement.module, statement.level, names, optional))

    def _function(self, statement: ast.FunctionDef | ast.AsyncFunctionDef, at_module_level: bool,
                  optional: bool) -> None:
        if at_module_level:
            self.defined.add(statement.name)
            self.open_namespace |= statement.name == "__getattr__"  # PEP 562: any name may exist
        # The body runs when called, outside any `try:` around the definition.
        self.visit_body(statement.body, at_module_level=False, optional=False)

    def _class(self, statement: ast.ClassDef, at_module_level: bool, optional: bool) -> None:
        if at_module_level:
            self.defined.add(statement.name)
        # A class body runs right away, so an enclosing `try:` still guards it.
        self.visit_body(statement.body, at_module_level=False, optional=optional)

    def _assign(self, statement: ast.Assign, at_module_level: bool, optional: bool) -> None:
        if at_module_level:
            for target in statement.targets:
                self._bind(target)

    def _assign_one(self, statement: ast.AnnAssign | ast.AugAssign, at_module_level: bool, optional: bool) -> None:
        if at_module_level:
            self._bind(statement.target)

    def _global(self, statement: ast.Global, at_module_level: bool, optional: bool) -> None:
        # `global x` in a function that assigns x creates a module attribute.
        self.defined.update(statement.names)

    def _type_alias(self, statement: ast.stmt, at_module_level: bool, optional: bool) -> None:
        if at_module_level:
            self._bind(statement.name)  # type: ignore[attr-defined]

    def _loop(self, statement: ast.For | ast.AsyncFor | ast.While, at_module_level: bool, optional: bool) -> None:
        if at_module_level and not isinstance(statement, ast.While):
            self._bind(statement.target)
        self.visit_body(statement.body, at_module_level, optional)
        self.visit_body(statement.orelse, at_module_level, optional)

    def _if(self, statement: ast.If, at_module_level: bool, optional: bool) -> None:
        # Both branches: `if TYPE_CHECKING:` and `if sys.version_info ...` are checked alike.
        self.visit_body(statement.body, at_module_level, optional)
        self.visit_body(statement.orelse, at_module_level, optional)

    def _with(self, statement: ast.With | ast.AsyncWith, at_module_level: bool, optional: bool) -> None:
        if at_module_level:
            for item in statement.items:
                self._bind(item.optional_vars)
        guarded = optional or any(_suppresses_import_errors(item) for item in statement.items)
        self.visit_body(statement.body, at_module_level, guarded)

    def _try(self, statement: ast.Try, at_module_level: bool, optional: bool) -> None:
        guarded = optional or any(_catches_import_errors(handler) for handler in statement.handlers)
        self.visit_body(statement.body, at_module_level, guarded)
        for handler in statement.handlers:
            if at_module_level and handler.name:
                self.defined.add(handler.name)
            self.visit_body(handler.body, at_module_level, optional)
        # `else:` and `finally:` run outside the handlers' protection.
        self.visit_body(statement.orelse, at_module_level, optional)
        self.visit_body(statement.finalbody, at_module_level, optional)

    def _match(self, statement: ast.Match, at_module_level: bool, optional: bool) -> None:
        for case in statement.cases:
            if at_module_level:
                self.defined.update(_pattern_captures(case.pattern))
            self.visit_body(case.body, at_module_level, optional)

    _visitors: dict[type, Callable[..., None]] = {
        ast.Import: _import,
        ast.ImportFrom: _import_from,
        ast.FunctionDef: _function,
        ast.AsyncFunctionDef: _function,
        ast.ClassDef: _class,
        ast.Assign: _assign,
        ast.AnnAssign: _assign_one,
        ast.AugAssign: _assign_one,
        ast.Global: _global,
        ast.For: _loop,
        ast.AsyncFor: _loop,
        ast.While: _loop,
        ast.If: _if,
        ast.With: _with,
        ast.AsyncWith: _with,
        ast.Try: _try,
        ast.Match: _match,
    }


# Statements that only newer Pythons have.
_FactCollector._visitors.update({
    getattr(ast, node_type): visitor
    for node_type, visitor in (("TryStar", _FactCollector._try), ("TypeAlias", _FactCollector._type_alias))
    if hasattr(ast, node_type)
})


def _catches_import_errors(handler: ast.ExceptHandler) -> bool:
    return handler.type is None or _names_an_import_error_catcher(handler.type)


def _suppresses_import_errors(item: ast.withitem) -> bool:
    """`with contextlib.suppress(ImportError):` guards its body like a `try:` does."""
    call = item.context_expr
    if not isinstance(call, ast.Call):
        return False
    function = call.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
    return name == "suppress" and any(_names_an_import_error_catcher(argument) for argument in call.args)


def _names_an_import_error_catcher(node: ast.expr) -> bool:
    if isinstance(node, ast.Tuple):
        return any(_names_an_import_error_catcher(element) for element in node.elts)
    if isinstance(node, ast.Name):
        return node.id in IMPORT_ERROR_CATCHERS
    if isinstance(node, ast.Attribute):  # builtins.ImportError
        return node.attr in IMPORT_ERROR_CATCHERS
    return False


def _pattern_captures(pattern: ast.pattern) -> set[str]:
    captures: set[str] = set()
    for node in ast.walk(pattern):
        if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            captures.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            captures.add(node.rest)
    return captures


# --- where modules are ------------------------------------------------------------------------


def _in_skipped_folder(path: str) -> bool:
    return any(part in SKIPPED_FOLDERS for part in path.split("/")[:-1])


def _normalize_root(root: str) -> str:
    normalized = posixpath.normpath(root.replace("\\", "/")) if root else "."
    return "" if normalized == "." else normalized.strip("/")


class _Workspace:
    """The Python files of the workspace and the folders that hold them."""

    def __init__(self, python_files: Iterable[str]) -> None:
        self.files = frozenset(python_files)
        folders: set[str] = set()
        for path in self.files:
            folder = parent_of(path)
            while folder and folder not in folders:
                folders.add(folder)
                folder = parent_of(folder)
        # Every folder here holds .py files or subfolders with them: a namespace package.
        self.folders = frozenset(folders)


@dataclass(frozen=True)
class _Module:
    """A module the resolver found; the same value for the same module however it was reached."""

    package_dirs: tuple[str, ...] | None  # where its submodules live; None for a plain module
    source: str | None = None  # workspace file whose module-level names are its attributes
    external: bool = False  # standard library or installed: attributes are not checked


# An installed module whose insides cannot be seen (builtin, frozen, zipped, `os.path`-style
# aliases): everything below it is accepted rather than guessed.
_OPAQUE_EXTERNAL = _Module(None, None, external=True)


class _Resolver:
    """Resolves module names against the workspace, then the environment; caches every answer."""

    def __init__(self, workspace: _Workspace, source_roots: Sequence[str], facts: Mapping[str, _FileFacts],
                 installed: InstalledModules, first_party: frozenset[str] = frozenset(),
                 workspace_package: str | None = None, organized_folder: str = "") -> None:
        self.first_party = first_party  # top-level names of the workspace's own, beyond what it holds now
        self.workspace_package = workspace_package  # the workspace's own name, when it is a package
        self._organized_folder = organized_folder
        self._workspace = workspace
        self._roots = tuple(dict.fromkeys(_normalize_root(root) for root in source_roots)) or ("",)
        self._facts = facts
        self._installed = installed
        self.python = installed.environment.interpreter.executable
        self._absolute: dict[str, _Module | None] = {}
        self._children: dict[tuple[_Module, str], _Module | None] = {}

    def is_own(self, importer: str, top_level: str) -> bool:
        """Whether an absolute import's top-level name is the workspace's own (from `importer`):
        a module it imports as such (or did before a move), or one directly in the organized
        folder, which a bare name can only mean by a sys.path trick or a stale import. Nothing
        deeper counts: `agent/providers/openai.py` does not make `import openai` the workspace's."""
        if self.is_first_party(top_level) or self._in_workspace((self._organized_folder,), top_level) is not None:
            return True
        found = self.absolute_for(importer, top_level)
        return found is not None and not found.external

    def is_first_party(self, top_level: str) -> bool:
        return (top_level in self.first_party or top_level == self.workspace_package
                or self._in_workspace(self._roots, top_level) is not None)

    def absolute(self, dotted: str) -> _Module | None:
        if dotted not in self._absolute:
            parent_name, _, name = dotted.rpartition(".")
            if not parent_name and name == self.workspace_package:
                found = _Module(("",), "__init__.py")
            elif not parent_name:
                found = self._in_workspace(self._roots, name) or self._installed_top_level(name)
            else:
                parent = self.absolute(parent_name)
                found = None if parent is None else self.child(parent, name)
            self._absolute[dotted] = found
        return self._absolute[dotted]

    def absolute_for(self, importer: str, dotted: str) -> _Module | None:
        """`dotted` as Python finds it from `importer`: a script or test module outside any
        package also sees its neighbours (its folder is `sys.path[0]` when run as a script,
        and pytest's default import mode inserts it for a test module)."""
        found = self.absolute(dotted)
        folder = parent_of(importer)
        if found is not None or folder in self._roots or join(folder, "__init__.py") in self._workspace.files:
            return found
        top, _, rest = dotted.partition(".")
        module = self._in_workspace((folder,), top)
        for name in rest.split(".") if rest else []:
            module = None if module is None else self.child(module, name)
        return module

    def relative(self, importer: str, level: int, dotted: str | None) -> _Module | None:
        """The package `level` dots up from `importer`, then `dotted` inside it."""
        folder = parent_of(importer)
        for _ in range(level - 1):
            folder = parent_of(folder)
        init = join(folder, "__init__.py")
        module: _Module | None = _Module((folder,), init if init in self._workspace.files else None)
        for name in dotted.split(".") if dotted else ():
            module = self.child(module, name) if module is not None else None
        return module

    def package_depth(self, importer: str) -> int:
        """How many dots a relative import in `importer` may climb: the folders between it and
        the outermost source root holding it (or the workspace root when none does)."""
        folder = parent_of(importer)
        depth = folder.count("/") + 1 if folder else 0
        holding = [root for root in self._roots if not root or folder == root or folder.startswith(root + "/")]
        if not holding:
            return depth
        outermost = min(holding, key=len)
        # A root folder that is itself a package (its __init__.py) is one more level to climb:
        # it is imported by its own name from the folder above it.
        own_level = 1 if join(outermost, "__init__.py") in self._workspace.files else 0
        return depth - (outermost.count("/") + 1 if outermost else 0) + own_level

    def child(self, parent: _Module, name: str) -> _Module | None:
        key = (parent, name)
        if key not in self._children:
            if parent.external:
                self._children[key] = self._installed_child(parent, name)
            elif parent.package_dirs is None:
                self._children[key] = None  # a plain module has no submodules
            else:
                self._children[key] = self._in_workspace(parent.package_dirs, name)
        return self._children[key]

    def has_attribute(self, module: _Module, name: str) -> bool:
        if module.external:
            return True
        if module.package_dirs is not None and self.child(module, name) is not None:
            return True
        if module.source is None:
            return False  # a namespace package has submodules only
        facts = self._facts[module.source]
        return facts.open_namespace or name in facts.defined

    def _in_workspace(self, folders: Sequence[str], name: str) -> _Module | None:
        """Python's order within a search path: a regular package or a module in the first
        folder that has one wins; folders without either merge into a namespace package."""
        portions: list[str] = []
        for folder in folders:
            base = join(folder, name)
            init = base + "/__init__.py"
            if init in self._workspace.files:
                return _Module((base,), init)
            if base + ".py" in self._workspace.files:
                return _Module(None, base + ".py")
            if base in self._workspace.folders:
                portions.append(base)
        return _Module(tuple(portions)) if portions else None

    def _installed_child(self, parent: _Module, name: str) -> _Module | None:
        if not parent.package_dirs:
            return _OPAQUE_EXTERNAL
        portions: list[str] = []
        for folder in parent.package_dirs:
            entries = self._listing(folder)
            if entries is None:
                return _OPAQUE_EXTERNAL  # a zip or an unreadable folder: do not guess
            if name in entries:
                path = os.path.join(folder, name)
                package_entries = self._listing(path) if os.path.isdir(path) else None
                if package_entries is not None and any("__init__" + suffix in package_entries
                                                       for suffix in MODULE_SUFFIXES):
                    return _Module((path,), external=True)
                if package_entries is not None:
                    portions.append(path)
            if any(name + suffix in entries for suffix in MODULE_SUFFIXES):
                return _OPAQUE_EXTERNAL
        return _Module(tuple(portions), external=True) if portions else None

    def _listing(self, folder: str) -> frozenset[str] | None:
        return self._installed.listing(folder)

    def _installed_top_level(self, name: str) -> _Module | None:
        found = self._installed.find(name)
        if found is None:
            return None
        return _Module(found.package_dirs, external=True) if found.package_dirs else _OPAQUE_EXTERNAL


# --- checking --------------------------------------------------------------------------------


def _check_file(path: str, facts: _FileFacts, resolver: _Resolver) -> Iterator[UnresolvedImport]:
    if facts.syntax_error is not None:
        line, message = facts.syntax_error
        yield UnresolvedImport(path, line, "", f"syntax error: {message}")
        return
    for site in facts.imports:
        yield from _check_site(path, site, resolver)


def _check_site(path: str, site: _ImportSite, resolver: _Resolver) -> Iterator[UnresolvedImport]:
    if site.optional and not site.level and not resolver.is_first_party((site.module or "").partition(".")[0]):
        return  # an optional dependency from outside the workspace
    written = site.written_module
    if site.level and site.level > resolver.package_depth(path):
        yield UnresolvedImport(path, site.line, written,
                               f"{site.statement()}: attempted relative import beyond top-level package")
        return
    if site.level:
        module = resolver.relative(path, site.level, site.module)
    else:
        module = resolver.absolute_for(path, site.module or "")
    if module is None:
        yield _not_found(path, site, resolver)
        return
    for imported in site.names:
        if imported.name != "*" and not resolver.has_attribute(module, imported.name):
            separator = "" if written.endswith(".") else "."
            yield UnresolvedImport(path, imported.line, f"{written}{separator}{imported.name}",
                                   f"{site.statement([imported.name])}: {imported.name} not found in {written}")


def _not_found(path: str, site: _ImportSite, resolver: _Resolver) -> UnresolvedImport:
    """An error for the workspace's own modules; a warning for what the environment lacks."""
    top_level = (site.module or "").partition(".")[0]
    if site.level or resolver.is_own(path, top_level):
        return UnresolvedImport(path, site.line, site.written_module, f"{site.statement()}: not found")
    missing = "not installed in" if resolver.absolute(top_level) is None else "not found in"
    return UnresolvedImport(path, site.line, site.written_module, f"{site.statement()}: {missing} {resolver.python}",
                            WARNING)


# --- before and after a change ---------------------------------------------------------------


@dataclass(frozen=True)
class ImportCheck:
    """The unresolved imports of a workspace, told apart by what a change did to them."""

    errors: tuple[UnresolvedImport, ...]  # the workspace's own imports that fail, and did not before
    already: tuple[UnresolvedImport, ...]  # errors that were there before the change ran: not its doing
    warnings: tuple[UnresolvedImport, ...]  # not installed in the project's Python


def compare_with_before(after: Iterable[UnresolvedImport], before: Iterable[UnresolvedImport] = (),
                        path_map: Mapping[str, str] | None = None,
                        module_map: Mapping[str, str] | None = None) -> ImportCheck:
    """Sorts the problems `after` a change (`apply`, `move`; nothing `before`: `check`).

    An error was already there when its original file (new paths mapped back through
    `path_map`, old path -> new) had the same import before, as written or as the change
    rewrote it (`module_map`, old dotted name -> new). A warning before counts too: an import
    that did not resolve then was not broken by the change."""
    original_path = {new: old for old, new in (path_map or {}).items()}
    seen_before = {(problem.path, module) for problem in before
                   for module in _as_rewritten(problem.module, module_map or {})}
    errors: list[UnresolvedImport] = []
    already: list[UnresolvedImport] = []
    warnings: list[UnresolvedImport] = []
    for problem in after:
        if problem.severity != ERROR:
            warnings.append(problem)
        elif (original_path.get(problem.path, problem.path), problem.module) in seen_before:
            already.append(problem)
        else:
            errors.append(problem)
    return ImportCheck(tuple(errors), tuple(already), tuple(warnings))


def _as_rewritten(written: str, module_map: Mapping[str, str]) -> Iterator[str]:
    """`written` (as in UnresolvedImport.module), and what it reads once the modules it names
    have moved, from the same sys.path entry: `babel_utils`, imported from inside the package
    `shop` by a sys.path trick, reads `utils.babel_utils` once `shop.babel_utils` has moved
    to `shop.utils.babel_utils`."""
    yield written
    if not written or written.startswith("."):
        return  # a syntax error, or a relative import: compared as written
    for old, new in module_map.items():
        old_parts, new_parts = old.split("."), new.split(".")
        for depth in range(len(old_parts)):
            tail = ".".join(old_parts[depth:])
            same_entry = new_parts[:depth] == old_parts[:depth] and len(new_parts) > depth
            if same_entry and (written == tail or written.startswith(tail + ".")):
                yield ".".join(new_parts[depth:]) + written[len(tail):]
