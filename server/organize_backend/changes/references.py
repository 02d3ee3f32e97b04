"""Rewrite the references that are not imports: module names in strings, configs and docs.

rope never updates them (DESIGN.md fact 3), and imports.py reads only import statements. After the moves,
`mock.patch("agent.VectorStore")`, `"main:app"`, `importlib.import_module("indexer")`,
`python seed_db.py` in a Procfile and `uvicorn main:app` in a README still name the old
modules and files. This pass finds those references and rewrites them.

Every rule is narrow on purpose: a wrong rewrite in a config file costs more than a missed
one. Each rewrite is either certain (its context says the text is a module path: applied by
default, like the imports) or for review (it only looks like one: Category.REVIEW, which the
language server sends as a change that needs confirmation and the command line leaves as it
is and reports).

Python files (Category.STRINGS): single-line string literals that are not f-strings, bytes
or triple-quoted, whose whole content is the reference. What the code does with the string
is read from the syntax tree (`ast`):

- certain, a module name (`"agent"`), `"module.attr"` or `"module:attr"`, trusted as is:
  the first argument of `import_module`, `__import__`, `importlib.util.find_spec`,
  `resolve_name`, `patch.multiple`; `sys.modules` keys (`patch.dict(sys.modules, {"agent":
  fake})`, `monkeypatch.setitem(sys.modules, "agent", fake)`, `sys.modules["agent"]`,
  `sys.modules.get/pop(...)`, `"agent" in sys.modules`); the items of a settings list
  (`INSTALLED_APPS`, `MIDDLEWARE`, `*_APPS`, `*_BACKENDS`, `*_IMPORTS`, `CELERY_INCLUDE`) and
  of `Celery(..., include=[...])`.
  `x = __import__("agent")` becomes `__import__("agents.agent", fromlist=["agent"])`, so
  that `x` is still the module and not the package `agents`;
- certain, `"module.attr"` trusted as is (a bare module is never one): the first argument
  of `patch`, `patch.dict`, `<x>.setattr`, `<x>.delattr`; a dictConfig factory (the value
  of a `"()"` key, and of `"class"` in a `handlers`, `formatters` or `filters` entry);
- certain anywhere: `"module:attr"` and `"name = module:attr"` (entry points) when `attr`
  is defined in the moved module; a dotted name of 2+ parts that is exactly a module or
  package of the new tree (`"RAI_Chat.Backend.core.database.connection"`);
- for review: a logger name (`logging.getLogger("agent")`, the keys of a dictConfig
  `loggers` mapping), a module or `module.attr`; and anywhere else `"module.attr[.attr]"`
  when `attr` is defined at top level of the moved module (parsed from its new file): a permission
  `"auth.login"`, an event `"agent.run"`, a Celery task's explicit `name="tasks.add"` look
  just like that, and nothing says they name a module. A config key such as `"agent.name"`
  (no such attribute) is not even reported;
- never: strings inside type expressions (annotations of arguments, returns and variables,
  `Optional["models.User"]` and other subscripted typing names, the first argument of
  `cast`, a TypeVar's bound and constraints). A forward reference names the local binding,
  and the engine keeps bindings the same (`import models` becomes `from models import
  models`), so `-> "models.User"` stays right untouched.
  "Defined" means bound by def, class, assignment, `from x import y` or `import x as y`
  at top level (also under if/try/with), or a submodule; a plain `import json` does not
  count, and `"module.<file extension>"` (`"database.db"`, `"config.yaml"`) never matches.

The longest moved prefix decides: with only `RAI_Chat.Backend -> RAI_Chat.backend`
mapped, `"RAI_Chat.Backend.core.x.get_db"` becomes `"RAI_Chat.backend.core.x.get_db"`.
A moved plain module takes no further module parts (`agent.x` is never a module).

Config files (Category.CONFIG) and docs (Category.DOCS), every rule certain: each rewrites
what a run command, an import line or a module setting names, or a path that resolves to a
moved file (a non-module reading would need that exact file to exist):

- `python [flags] seed_db.py` where the file was a top-level module and now lives in a
  package becomes `python -m scripts.seed_db`: run by path, the script would get its own
  folder on sys.path and lose the source root its imports need. When the command ran
  from another folder than the source root (`python backend/seed_db.py` from the
  workspace root), the result is `env PYTHONPATH=backend python -m scripts.seed_db`: that
  keeps the working directory the script had (relative data paths keep working), and it
  works after wrappers such as `poetry run` and inside `&&` chains, where `cd` would not.
  The exec form `["python", "seed_db.py"]` becomes `["python", "-m", "scripts.seed_db"]`
  only when it ran from the source root (exec form has no environment prefix).
- `python -m agent`, `--cov=agent`, `module:attr` (uvicorn, gunicorn, entry points; `attr`
  must be defined in the moved module), and settings whose key names a module or an app
  (`module = "agent"`, `FLASK_APP=agent`, `app_module: agent`).
- paths of moved files, as whole tokens (`my_seed_db.py` is another file), relative to the
  text file's folder, the workspace root or a source root, tried in that order; the first
  folder where the path names a moved file is taken as the one it is relative to.
  Absolute paths (`/app/seed_db.py`) are left alone: their mapping to the workspace is
  unknown.
- Markdown and reStructuredText only: inline code that is exactly a dotted module name of
  2+ parts (`` `RAI_Chat.Backend.core.database.connection` ``): a moved module, or a module
  under a moved package that exists after the move. And `from X import` / `import X`
  lines in python code blocks (``` fences, `.. code-block:: python`): a lone
  `import agent` becomes `from agents import agent`, and in a list `import agent, os`
  becomes `import agents.agent as agent, os`, so that the snippet's call sites stay right.

Lines that draw a directory tree (`├──`, `└──`, `|--`) are left alone: names there are
relative to their place in the tree, not to the file, and another pass owns those trees.
Every other byte stays as it was: BOM, encoding cookie, CRLF line endings.
"""

from __future__ import annotations

import ast
import bisect
import io
import posixpath
import re
import tokenize
import warnings
from fnmatch import fnmatchcase
from typing import Iterable, Iterator, Mapping, Sequence

from organize_backend.model import Category
from organize_backend.source_text import dotted_name

_BOM = b"\xef\xbb\xbf"
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_IDENT}(?:\.{_IDENT})*"
# A token ends where no name or path character follows; a final "." ends a sentence.
_TOKEN_END = r"(?![\w/-]|\.\w)"
_PYTHON = r"(?:[\w./-]*/)?python(?:3(?:\.\d+)?)?"
# Interpreter flags that take no argument, so the next word is still the script.
_PYTHON_FLAGS = r"(?:[ \t]+-[bBdEiIOqsSuvx]+)*"
_PATH = r"(?:[\w.-]+/)*[\w-][\w.-]*\.py"

Edit = tuple[int, int, str]  # start, end, replacement in a text
_FILE_EXTENSIONS = {
    "py", "pyc", "db", "sqlite", "sqlite3", "json", "yaml", "yml", "toml", "ini", "cfg", "csv",
    "txt", "log", "md", "html", "xml", "pkl", "pickle", "parquet", "npy", "env", "lock", "bak",
}


# --- entry point ------------------------------------------------------------------------


def rewrite_references(
    files: Mapping[str, bytes],
    module_map: Mapping[str, str],
    path_map: Mapping[str, str],
    source_roots: Sequence[str],
) -> list[tuple[str, Category, bytes]]:
    """Rewrite stale module and file references in the workspace after the moves.

    `files` holds every file keyed by its new path; Python files already carry their
    rewritten imports. Returns `(path, category, content)` for the files that change, in
    order: a file's certain rewrites (its category of `category_of`), then, for Python
    files, the review-only ones on top of them (Category.REVIEW).
    """
    workspace = _Workspace(files, module_map, path_map, source_roots)
    steps: list[tuple[str, Category, bytes]] = []
    if not workspace.module_map and not workspace.path_map:
        return steps
    for path, data in files.items():
        category = category_of(path)
        if category is None:
            continue
        if category is Category.STRINGS:
            certain, with_review = _rewrite_python(data, workspace)
        else:
            certain, with_review = _rewrite_text(path, data, workspace), None
        if certain is not None and certain != data:
            steps.append((path, category, certain))
        if with_review is not None and with_review != (certain or data):
            steps.append((path, Category.REVIEW, with_review))
    return steps


_CONFIG_NAMES = (
    "Procfile*", "Dockerfile*", "Containerfile*", "*.dockerfile", "docker-compose*.y*ml", "compose*.y*ml",
    "Makefile", "makefile", "GNUmakefile", "*.mk", ".gitlab-ci.yml", ".coveragerc",
    "*.sh", "*.cfg", "*.ini", "*.toml", "*.env.example",
)


def category_of(path: str) -> Category | None:
    """Which kind of file this pass reads, or None for files it never touches."""
    name = posixpath.basename(path)
    if name.endswith(".py"):
        return Category.STRINGS
    if name.endswith((".md", ".rst")) or (name.endswith(".txt") and not name.startswith("requirements")):
        return Category.DOCS
    if any(fnmatchcase(name, pattern) for pattern in _CONFIG_NAMES):
        return Category.CONFIG
    if "/.github/workflows/" in "/" + path and fnmatchcase(name, "*.y*ml"):
        return Category.CONFIG
    return None


# --- what moved, and what the moved modules define --------------------------------------


class _Workspace:
    """Answers every question the rules ask about modules before and after the moves."""

    def __init__(
        self,
        files: Mapping[str, bytes],
        module_map: Mapping[str, str],
        path_map: Mapping[str, str],
        source_roots: Sequence[str],
    ) -> None:
        self.files = files
        self.module_map = {old: new for old, new in module_map.items() if old != new}
        self.path_map = {old: new for old, new in path_map.items() if old != new}
        # Longest first, so that a nested source root wins over the workspace root.
        self.roots = sorted({_normalize_root(root) for root in source_roots}, key=len, reverse=True)
        self.folders = _folders_of(files)
        self.first_parts = {old.split(".")[0] for old in self.module_map}
        self._names: dict[str, frozenset[str]] = {}

    # paths and names

    def root_of(self, path: str) -> str | None:
        for root in self.roots:
            if not root or path.startswith(root + "/"):
                return root
        return None

    def module_name(self, path: str) -> str | None:
        """The dotted name a .py path imports as, from the source root that holds it."""
        root = self.root_of(path)
        if root is None or not path.endswith(".py"):
            return None
        parts = path[len(root) + 1 if root else 0:-3].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        if not parts or not all(part.isidentifier() for part in parts):
            return None
        return ".".join(parts)

    def module_file(self, name: str) -> str | None:
        for root in self.roots:
            stem = (root + "/" if root else "") + name.replace(".", "/")
            for candidate in (stem + ".py", stem + "/__init__.py"):
                if candidate in self.files:
                    return candidate
        return None

    def is_plain_module(self, name: str) -> bool:
        path = self.module_file(name)
        return path is not None and not path.endswith("/__init__.py")

    def is_module(self, name: str) -> bool:
        """True for a module, a package or a namespace package of the new tree."""
        if self.module_file(name):
            return True
        stem = name.replace(".", "/")
        return any((root + "/" if root else "") + stem in self.folders for root in self.roots)

    def top_level_names(self, name: str) -> frozenset[str]:
        if name not in self._names:
            self._names[name] = self._parse_names(name)
        return self._names[name]

    def _parse_names(self, name: str) -> frozenset[str]:
        path = self.module_file(name)
        if path is None:
            return frozenset()
        try:
            tree = ast.parse(self.files[path])  # bytes: the BOM and coding cookie decide
        except (SyntaxError, ValueError, UnicodeError):
            return frozenset()
        return frozenset(_bound_names(tree.body))

    # renaming

    def longest_moved_prefix(self, name: str) -> str | None:
        parts = name.split(".")
        for length in range(len(parts), 0, -1):
            prefix = ".".join(parts[:length])
            if prefix in self.module_map:
                return prefix
        return None

    def rename_module(self, name: str) -> str | None:
        """New name of a module or package, where the whole of `name` is a module."""
        prefix = self.longest_moved_prefix(name)
        if prefix is None:
            return None
        rest = name[len(prefix):]
        if rest and self.is_plain_module(self.module_map[prefix]):
            return None  # nothing lives below a plain module: `agent.run` is an attribute
        return self.module_map[prefix] + rest

    def rename_qualified(self, name: str, *, trusted: bool) -> str | None:
        """New name of `module.attr[.attr]` or of a dotted module name of 2+ parts.

        Untrusted names (strings outside module-loading calls) are rewritten only when the
        part after the module is defined in it or is a submodule of it.
        """
        prefix = self.longest_moved_prefix(name)
        if prefix is None:
            return None
        new_module, rest = self.module_map[prefix], name[len(prefix):]
        if not rest:
            return new_module
        following = rest[1:].split(".")[0]
        if self.is_module(f"{prefix}.{following}") and not self.defines(new_module, following):
            return None  # "auth.auth.login" names the new module already (auth.py moved into auth/)
        if trusted:
            return new_module + rest
        if rest.count(".") == 1 and following.lower() in _FILE_EXTENSIONS:
            return None  # "database.db" is a file name even when database.py defines `db`
        if self.defines(new_module, following):
            return new_module + rest
        return None

    def rename_entry(self, module: str, attribute: str, *, trusted: bool) -> str | None:
        """New module name for `module:attribute`, or None if it is not such a reference."""
        new_module = self.rename_module(module)
        if new_module is None:
            return None
        if trusted or self.defines(new_module, attribute.split(".")[0]):
            return new_module
        return None

    def defines(self, module: str, name: str) -> bool:
        return name in self.top_level_names(module) or self.is_module(f"{module}.{name}")

    # moved files

    def resolve_path(self, token: str, folder: str) -> tuple[str, str] | None:
        """(folder the token is relative to, old path) when `token` names a moved file."""
        for base in dict.fromkeys((folder, "", *self.roots)):
            candidate = posixpath.normpath(posixpath.join(base, token))
            if candidate in self.path_map:
                return base, candidate
        return None

    def packaged_script(self, old_path: str) -> tuple[str, str] | None:
        """(new module, source root) for a top-level module that moved into a package."""
        old_module = self.module_name(old_path)
        new_path = self.path_map[old_path]
        root = self.root_of(old_path)
        if old_module is None or "." in old_module or self.root_of(new_path) != root:
            return None
        new_module = self.module_map.get(old_module) or self.module_name(new_path)
        if new_module is None or "." not in new_module or root is None:
            return None
        return new_module, root


def _normalize_root(root: str) -> str:
    root = posixpath.normpath(root.strip("/")) if root.strip("/") else ""
    return "" if root == "." else root


def _folders_of(files: Iterable[str]) -> set[str]:
    folders: set[str] = set()
    for path in files:
        folder = posixpath.dirname(path)
        while folder and folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    return folders


def _bound_names(body: list[ast.stmt]) -> Iterator[str]:
    """Names a module binds at top level, including under `if`, `try` and `with`."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                yield from _target_names(target)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            yield from _target_names(node.target)
        elif isinstance(node, ast.Import) and any(alias.asname for alias in node.names):
            # `import yaml` is left out on purpose: with it, the file name "config.yaml" would
            # read as the attribute config.yaml. An alias is a deliberate module attribute.
            yield from (alias.asname for alias in node.names if alias.asname)
        elif isinstance(node, ast.ImportFrom):
            yield from (alias.asname or alias.name for alias in node.names if alias.name != "*")
        # try/except ImportError and if TYPE_CHECKING blocks still bind module attributes.
        for block in ("body", "orelse", "finalbody"):
            yield from _bound_names(getattr(node, block, []))
        for handler in getattr(node, "handlers", []):
            yield from _bound_names(handler.body)


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _decode(data: bytes) -> tuple[bytes, str]:
    """(BOM or b"", text) of a UTF-8 file; surrogateescape keeps any byte round-tripping."""
    bom = _BOM if data.startswith(_BOM) else b""
    return bom, data[len(bom):].decode("utf-8", errors="surrogateescape")


def _split_lines(text: str) -> list[str]:
    """Lines split on "\\n" only (str.splitlines also splits on \\x0c and others)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


# --- Python files -----------------------------------------------------------------------

_STRING_RE = re.compile(r"(?P<prefix>[A-Za-z]*)(?P<quote>'''|\"\"\"|'|\")(?P<body>.*)(?P=quote)", re.S)
_DOTTED_RE = re.compile(_DOTTED)
# "module:attr", "module:factory()" (uvicorn --factory style) or an entry point "name = module:attr [extra]".
_ENTRY_RE = re.compile(
    rf"(?P<lead>[\w.-]+[ \t]*=[ \t]*)?(?P<module>{_DOTTED}):(?P<attr>{_DOTTED})(?:\(\))?"
    rf"(?P<extras>[ \t]*\[[\w, \t-]*\])?"
)
# The first name inside a string literal that may be a reference: "agent...", "x = agent:...".
_LITERAL_START_RE = re.compile(rb"[\"'](?:[\w.-]+[ \t]*=[ \t]*)?([A-Za-z_]\w*)(?=[.:\"'])")

# Where a string is read as a module path, by what the code does with it (see the docstring).
LOAD, TARGET, LOGGER, SKIP = "load", "target", "logger", "skip"
_LOADERS = {"import_module", "__import__", "resolve_name", "find_spec"}
_SYS_MODULES = "sys.modules"
# Settings lists whose items are module paths, as Django and Celery read them.
_SETTINGS_LIST_RE = re.compile(r"(?:[A-Z][A-Z0-9]*_)*(?:APPS|MIDDLEWARE|MIDDLEWARE_CLASSES|BACKENDS|IMPORTS|INCLUDE)")
# dictConfig sections whose entries name a factory under "class" (a "()" key does anywhere).
_FACTORY_SECTIONS = {"handlers", "formatters", "filters"}
# Subscripted names that make their strings type expressions (forward references).
_TYPING_GENERICS = {
    "Optional", "Union", "List", "Dict", "Set", "FrozenSet", "Tuple", "Type", "type", "ClassVar", "Final",
    "Annotated", "Sequence", "Mapping", "MutableMapping", "MutableSequence", "Iterable", "Iterator",
    "Callable", "Awaitable", "Coroutine", "Generator", "AsyncIterator", "AsyncIterable", "AsyncGenerator",
    "Collection", "Container", "AbstractSet", "DefaultDict", "OrderedDict", "Counter", "Deque", "ChainMap",
    "Literal", "TypeGuard", "Required", "NotRequired", "ReadOnly", "list", "dict", "set", "frozenset", "tuple",
}

# A string edit: (row, start column, end column, new text, certain). Columns count characters.
_StringEdit = tuple[int, int, int, str, bool]


def _rewrite_python(data: bytes, workspace: _Workspace) -> tuple[bytes | None, bytes | None]:
    """(content with the certain rewrites, content with the review ones on top); None: no change."""
    # Cheap filter first: parsing every file of a big backend is what would cost.
    mentioned = {m.decode() for m in _LITERAL_START_RE.findall(data)}
    if not mentioned & workspace.first_parts:
        return None, None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid escape sequence" and the like are the user's business
            tree = ast.parse(data)  # bytes: the BOM and coding cookie decide, as for the interpreter
    except (SyntaxError, ValueError, RecursionError):
        return None, None
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    bom = _BOM if data.startswith(_BOM) else b""
    try:
        text = data[len(bom):].decode(codec, errors="surrogateescape")
    except LookupError:
        return None, None
    edits = list(_string_edits(tree, _split_lines(text), workspace))
    certain = [edit[:4] for edit in edits if edit[4]]
    every = [edit[:4] for edit in edits]
    body = data[len(bom):]
    return (bom + _splice_lines(body, text, codec, certain) if certain else None,
            bom + _splice_lines(body, text, codec, every) if len(every) > len(certain) else None)


def _string_edits(tree: ast.AST, lines: list[str], workspace: _Workspace) -> Iterator[_StringEdit]:
    contexts = _StringContexts(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        kind = contexts.kinds.get(id(node))
        if kind == SKIP or node.lineno != node.end_lineno or node.end_col_offset is None:
            continue
        line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
        start, end = _column(line, node.col_offset), _column(line, node.end_col_offset)
        literal = _STRING_RE.fullmatch(line[start:end])
        if literal is None or len(literal["quote"]) == 3 or set(literal["prefix"].lower()) & {"b", "f"}:
            continue
        if literal["body"] != node.value or "\\" in literal["body"]:
            continue  # implicit concatenation, escapes, or a line the parser numbered otherwise
        found = _new_string_content(node.value, kind, workspace)
        if found is None or found[0] == node.value:
            continue
        new_body, certain = found
        yield node.lineno, start, end, literal["prefix"] + literal["quote"] + new_body + literal["quote"], certain
        call = contexts.import_calls.get(id(node))
        if call is not None and "." not in node.value and "." in new_body:
            yield from _keep_import_value(call, new_body, literal["quote"], lines)


def _keep_import_value(call: ast.Call, new_name: str, quote: str, lines: list[str]) -> Iterator[_StringEdit]:
    """`x = __import__("agent")` gave the module; `__import__("agents.agent")` gives the package
    `agents`. A non-empty fromlist makes it return the module named, so the value stays what it
    was (for a plain module the list's content is not read; the leaf name says what is meant).
    Rewriting to `importlib.import_module` would be clearer but needs an import added, and a
    review-only rewrite would leave the call broken after the string is renamed; this edit is
    as certain as the string's."""
    fromlist = [keyword.value for keyword in call.keywords if keyword.arg == "fromlist"] or call.args[3:4]
    value = f"[{quote}{new_name.rsplit('.', 1)[1]}{quote}]"
    if fromlist:
        given = fromlist[0]
        empty = (isinstance(given, ast.Constant) and given.value is None) or (
            isinstance(given, (ast.List, ast.Tuple)) and not given.elts)
        if empty and given.lineno == given.end_lineno and given.end_col_offset is not None:
            line = lines[given.lineno - 1]
            yield given.lineno, _column(line, given.col_offset), _column(line, given.end_col_offset), value, True
        return  # a non-empty (or computed) fromlist already returns the module itself
    if any(keyword.arg is None for keyword in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return  # **kwargs or *args may carry one: leave the call as it is
    last = max([*call.args, *(keyword.value for keyword in call.keywords)],
               key=lambda node: (node.end_lineno or 0, node.end_col_offset or 0))
    line = lines[(last.end_lineno or last.lineno) - 1]
    column = _column(line, last.end_col_offset or 0)
    yield last.end_lineno or last.lineno, column, column, f", fromlist={value}", True


def _column(line: str, byte_offset: int) -> int:
    """The parser counts columns in UTF-8 bytes; edits count characters of the line."""
    return len(line.encode("utf-8", errors="surrogatepass")[:byte_offset].decode("utf-8", errors="surrogatepass"))


class _StringContexts:
    """What the code does with each string literal, read from the syntax tree once per file.

    `kinds` maps a string node to LOAD (a module path the code imports or looks up), TARGET
    (a `module.attr` path the code resolves), LOGGER (a logger name: often a module's name,
    never certainly one) or SKIP (a type expression: it names the local binding, which the
    engine keeps); strings elsewhere have no entry. `import_calls` maps the name string of
    each `__import__` call whose value is used to that call.
    """

    def __init__(self, tree: ast.AST) -> None:
        self.kinds: dict[int, str] = {}
        self.import_calls: dict[int, ast.Call] = {}
        discarded = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                arguments = node.args
                for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                 arguments.vararg, arguments.kwarg]:
                    if argument is not None and argument.annotation is not None:
                        self._mark_all(argument.annotation, SKIP)
                if node.returns is not None:
                    self._mark_all(node.returns, SKIP)
            elif isinstance(node, ast.AnnAssign):
                self._mark_all(node.annotation, SKIP)
                self._settings_list(node.target, node.value)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._settings_list(target, node.value)
            elif isinstance(node, ast.AugAssign):
                self._settings_list(node.target, node.value)
            elif isinstance(node, ast.JoinedStr):
                self._mark_all(node, SKIP)  # parts of an f-string are no whole literal
            elif isinstance(node, ast.Subscript):
                self._subscript(node)
            elif isinstance(node, ast.Compare):
                if any(dotted_name(c) == _SYS_MODULES for c in node.comparators):
                    self._mark(node.left, LOAD)  # "agent" in sys.modules
            elif isinstance(node, ast.Dict):
                self._dict(node)
            elif isinstance(node, ast.Call):
                self._call(node, id(node) not in discarded)

    def _mark(self, node: ast.AST | None, kind: str) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and self.kinds.get(id(node)) != SKIP:
            self.kinds[id(node)] = kind

    def _mark_all(self, node: ast.AST, kind: str) -> None:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Constant):
                self.kinds[id(inner)] = kind

    def _settings_list(self, target: ast.AST, value: ast.AST | None) -> None:
        if isinstance(target, ast.Name) and _SETTINGS_LIST_RE.fullmatch(target.id) \
                and isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for element in value.elts:
                self._mark(element, LOAD)

    def _subscript(self, node: ast.Subscript) -> None:
        name = dotted_name(node.value)
        if name == _SYS_MODULES:
            self._mark(node.slice, LOAD)  # sys.modules["agent"]
        elif name is not None and name.split(".")[-1] in _TYPING_GENERICS:
            self._mark_all(node.slice, SKIP)  # Optional["models.User"]

    def _dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if not isinstance(key, ast.Constant):
                continue
            if key.value == "()":
                self._mark(value, TARGET)  # dictConfig: a user-defined factory
            elif key.value in _FACTORY_SECTIONS and isinstance(value, ast.Dict):
                for entry in value.values:
                    if isinstance(entry, ast.Dict):
                        for entry_key, entry_value in zip(entry.keys, entry.values):
                            if isinstance(entry_key, ast.Constant) and entry_key.value == "class":
                                self._mark(entry_value, TARGET)
            elif key.value == "loggers" and isinstance(value, ast.Dict):
                for logger in value.keys:
                    self._mark(logger, LOGGER)

    def _call(self, node: ast.Call, value_used: bool) -> None:
        name = dotted_name(node.func)
        if name is None:
            return
        parts = name.split(".")
        first = node.args[0] if node.args else None
        if parts[-1] == "cast" and first is not None:
            self._mark_all(first, SKIP)  # typing.cast("models.User", v)
        elif parts[-1] == "TypeVar":
            for constraint in node.args[1:]:
                self._mark_all(constraint, SKIP)
            for keyword in node.keywords:
                if keyword.arg == "bound":
                    self._mark_all(keyword.value, SKIP)
        elif parts[-1] in _LOADERS or parts[-2:] == ["patch", "multiple"]:
            self._mark(first, LOAD)
            if parts == ["__import__"] and value_used and isinstance(first, ast.Constant):
                self.import_calls[id(first)] = node
        elif parts[-2:] == ["patch", "dict"]:
            self._mark(first, TARGET)  # patch.dict("config.SETTINGS", {...})
            if first is not None and (dotted_name(first) == _SYS_MODULES or (
                    isinstance(first, ast.Constant) and first.value == _SYS_MODULES)):
                for values in node.args[1:2]:  # patch.dict(sys.modules, {"agent": fake})
                    for key in values.keys if isinstance(values, ast.Dict) else ():
                        self._mark(key, LOAD)
        elif parts[-1] == "patch":
            self._mark(first, TARGET)
        elif len(parts) > 1 and parts[-1] in ("setattr", "delattr"):
            self._mark(first, TARGET)  # monkeypatch.setattr("module.attr", value); builtin setattr takes objects
        elif len(parts) > 1 and parts[-1] in ("setitem", "delitem") and first is not None \
                and dotted_name(first) == _SYS_MODULES and len(node.args) > 1:
            self._mark(node.args[1], LOAD)  # monkeypatch.setitem(sys.modules, "agent", fake)
        elif ".".join(parts[:-1]) == _SYS_MODULES and parts[-1] in ("get", "pop", "setdefault"):
            self._mark(first, LOAD)
        elif parts[-1] == "getLogger":
            self._mark(first, LOGGER)
        elif parts[-1] == "Celery":
            for keyword in node.keywords:  # Celery("proj", include=["tasks"]): modules to import
                if keyword.arg == "include" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                    for element in keyword.value.elts:
                        self._mark(element, LOAD)


def _new_string_content(content: str, kind: str | None, workspace: _Workspace) -> tuple[str, bool] | None:
    """(new content, certain) for a string the rules read as a module reference, else None."""
    entry = _ENTRY_RE.fullmatch(content)
    if entry is not None:
        if entry["lead"] and kind is not None:
            return None
        new_module = workspace.rename_entry(entry["module"], entry["attr"], trusted=kind == LOAD)
        if new_module is None:
            return None
        # `module:attr` is the entry-point notation: nothing but a module reference is written so
        # (attr must be defined there); a logger name written so is odd enough to ask.
        new = content[:entry.start("module")] + new_module + content[entry.end("module"):]
        return new, kind != LOGGER
    if not _DOTTED_RE.fullmatch(content):
        return None
    if kind == LOAD:
        new = workspace.rename_module(content) or workspace.rename_qualified(content, trusted=True)
        return None if new is None else (new, True)
    if kind == LOGGER:
        new = workspace.rename_module(content) or workspace.rename_qualified(content, trusted=False)
        return None if new is None else (new, False)
    if "." not in content:
        return None  # a bare word such as role = "agent" is no module reference
    new = workspace.rename_qualified(content, trusted=kind == TARGET)
    if new is None:
        return None
    # A dotted path that names exactly a module or package of the new tree is one, wherever it
    # is (`load_module("RAI_Chat.Backend.services.storage")`); `module.attr` might be anything.
    return new, kind == TARGET or workspace.is_module(new)


def _splice_lines(body: bytes, text: str, codec: str, edits: list[tuple[int, int, int, str]]) -> bytes:
    """Apply edits to the original bytes, so nothing else changes, not even a byte."""
    text_lines = _split_lines(text)
    byte_lines = [line + b"\n" for line in body.split(b"\n")]
    byte_lines[-1] = byte_lines[-1][:-1]
    for row, start, end, new in sorted(edits, reverse=True):
        line = text_lines[row - 1]
        byte_start = len(line[:start].encode(codec, errors="surrogateescape"))
        byte_end = len(line[:end].encode(codec, errors="surrogateescape"))
        old = byte_lines[row - 1]
        byte_lines[row - 1] = old[:byte_start] + new.encode(codec) + old[byte_end:]
    return b"".join(byte_lines)


# --- config and docs --------------------------------------------------------------------

_SCRIPT_RE = re.compile(
    rf"(?<![\w./-])(?P<python>{_PYTHON})(?P<flags>{_PYTHON_FLAGS})[ \t]+(?P<path>{_PATH}){_TOKEN_END}"
)
_EXEC_FORM_RE = re.compile(
    rf"(?P<q>[\"'])(?P<python>{_PYTHON})(?P=q)(?P<sep>[ \t]*,[ \t]*)(?P<q2>[\"'])(?P<path>{_PATH})(?P=q2)"
)
_DASH_M_RE = re.compile(
    rf"(?<![\w./-]){_PYTHON}{_PYTHON_FLAGS}[ \t]+-m[ \t]+(?P<module>{_DOTTED}){_TOKEN_END}"
)
_COV_RE = re.compile(rf"(?<![\w-])--cov(?:[ \t]*=[ \t]*|[ \t]+)(?P<module>{_DOTTED}){_TOKEN_END}")
_COLON_RE = re.compile(rf"(?<![\w./:-])(?P<module>{_DOTTED}):(?P<attr>{_DOTTED})(?![\w-]|[.:]\w)")
_SETTING_RE = re.compile(
    rf"^(?P<lead>[ \t]*(?:-[ \t]+)?(?:(?:ENV|export|set)[ \t]+)?)(?P<key>[\w.-]+)[ \t]*[=:][ \t]*"
    rf"(?P<q>[\"']?)(?P<module>{_DOTTED})(?P=q)(?=[ \t]*#|[ \t]*\r?$)",
    re.M,
)
_SETTING_KEY_WORDS = {"module", "modules", "app", "application", "wsgi", "asgi"}
_PATH_TOKEN_RE = re.compile(rf"(?<![\w./-]){_PATH}{_TOKEN_END}")
_INLINE_CODE_RE = re.compile(rf"(?<!`)(?P<ticks>``?)(?P<module>{_IDENT}(?:\.{_IDENT})+)(?P=ticks)(?!`)")
# Box-drawing trees, and ASCII ones as `tree --charset=ascii` draws them ("|-- ", "`-- ").
_TREE_LINE_RE = re.compile(r"^(?:[^\n]*[├└│]|[ \t|]*[|+`]-- )[^\n]*", re.M)


def _rewrite_text(path: str, data: bytes, workspace: _Workspace) -> bytes | None:
    if b"\x00" in data:
        return None  # binary, whatever its name says
    bom, text = _decode(data)
    folder = posixpath.dirname(path)
    # Order is priority: an earlier rule's edit wins over any later one it overlaps.
    edits: list[Edit] = [*_script_edits(text, folder, workspace), *_exec_form_edits(text, folder, workspace)]
    if path.endswith((".md", ".rst")):
        edits += _python_block_edits(text, path.endswith(".rst"), workspace)
    edits += _module_option_edits(text, workspace)
    edits += _entry_point_edits(text, workspace)
    edits += _setting_edits(text, workspace)
    if path.endswith((".md", ".rst")):
        edits += _inline_code_edits(text, workspace)
    edits += _path_edits(text, folder, workspace)
    edits = _outside_tree_lines(text, edits)
    edits = _outside_own_configuration(path, text, edits)
    if not edits:
        return None
    return bom + _apply_edits(text, edits).encode("utf-8", errors="surrogateescape")


_TOML_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)
_OWN_TABLE = re.compile(r"[ \t]*\[\[?[ \t]*tool\.organize-backend\b")


def _outside_own_configuration(path: str, text: str, edits: list[Edit]) -> list[Edit]:
    """This tool's own settings describe moves in the old layout's terms: they stay as written
    (rewriting `from = "agent.py"` to the new path would make the next run refuse)."""
    if posixpath.basename(path) == "organize-backend.toml":
        return []
    if not path.endswith(".toml"):
        return edits
    headers = [match.start() for match in _TOML_HEADER.finditer(text)] + [len(text)]
    own = [(start, end) for start, end in zip(headers, headers[1:]) if _OWN_TABLE.match(text, start)]
    return [edit for edit in edits if not any(start <= edit[0] < end for start, end in own)]


def _script_edits(text: str, folder: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _SCRIPT_RE.finditer(text):
        target = _packaged_script_at(match["path"], folder, workspace)
        if target is None:
            continue  # not run from a package: the path rule rewrites the path itself
        module, root, base = target
        env = "" if root == base else f"env PYTHONPATH={posixpath.relpath(root or '.', base or '.')} "
        yield match.start(), match.end(), f"{env}{match['python']}{match['flags']} -m {module}"


def _exec_form_edits(text: str, folder: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _EXEC_FORM_RE.finditer(text):
        target = _packaged_script_at(match["path"], folder, workspace)
        if target is None or target[1] != target[2]:
            continue  # exec form cannot set PYTHONPATH: leave it to the path rule
        q, q2, sep = match["q"], match["q2"], match["sep"]
        yield match.start(), match.end(), f"{q}{match['python']}{q}{sep}{q2}-m{q2}{sep}{q2}{target[0]}{q2}"


def _packaged_script_at(token: str, folder: str, workspace: _Workspace) -> tuple[str, str, str] | None:
    """(new module, source root, folder the command runs in) for a script now in a package."""
    found = workspace.resolve_path(token, folder)
    if found is None:
        return None
    base, old_path = found
    target = workspace.packaged_script(old_path)
    return None if target is None else (target[0], target[1], base)


def _module_option_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    for pattern in (_DASH_M_RE, _COV_RE):
        for match in pattern.finditer(text):
            new_module = workspace.rename_module(match["module"])
            if new_module is not None:
                yield match.start("module"), match.end("module"), new_module


def _entry_point_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _COLON_RE.finditer(text):
        new_module = workspace.rename_entry(match["module"], match["attr"], trusted=False)
        if new_module is not None:
            yield match.start("module"), match.end("module"), new_module


def _setting_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _SETTING_RE.finditer(text):
        key_words = set(re.split(r"[_.-]", match["key"].lower()))
        if not key_words & _SETTING_KEY_WORDS:
            continue  # role = "agent" is a word, not a module
        new_module = workspace.rename_module(match["module"])
        if new_module is not None:
            yield match.start("module"), match.end("module"), new_module


def _inline_code_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _INLINE_CODE_RE.finditer(text):
        name = match["module"]
        new_module = workspace.rename_module(name)
        if new_module is not None and (name in workspace.module_map or workspace.is_module(new_module)):
            yield match.start("module"), match.end("module"), new_module


def _path_edits(text: str, folder: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _PATH_TOKEN_RE.finditer(text):
        token = match.group()
        found = workspace.resolve_path(token, folder)
        if found is None:
            continue
        base, old_path = found
        new_token = posixpath.relpath(workspace.path_map[old_path], base or ".")
        if token.startswith("./") and not new_token.startswith("../"):
            new_token = "./" + new_token
        yield match.start(), match.end(), new_token


def _outside_tree_lines(text: str, edits: list[Edit]) -> list[Edit]:
    tree_spans = [match.span() for match in _TREE_LINE_RE.finditer(text)]
    return [edit for edit in edits if not any(start <= edit[0] < end for start, end in tree_spans)]


def _apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply edits in priority order; an edit overlapping an accepted one is dropped."""
    starts: list[int] = []  # accepted edits, sorted by start; they never overlap
    accepted: list[Edit] = []
    for start, end, new in edits:
        if text[start:end] == new:
            continue
        index = bisect.bisect_left(starts, start)
        if index > 0 and accepted[index - 1][1] > start:
            continue
        if index < len(accepted) and accepted[index][0] < end:
            continue
        starts.insert(index, start)
        accepted.insert(index, (start, end, new))
    pieces, position = [], 0
    for start, end, new in accepted:
        pieces += [text[position:start], new]
        position = end
    return "".join(pieces) + text[position:]


# --- python code in docs ----------------------------------------------------------------

_PYTHON_LANGUAGES = {"python", "py", "python3", "py3", "pycon", "ipython"}
_FENCE_RE = re.compile(r"[ \t]{0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\r\n]*)")
_RST_CODE_RE = re.compile(r"(?P<indent>[ \t]*)\.\.[ \t]+(?:code-block|code|sourcecode)::[ \t]*(?P<lang>\w*)")
_PROMPT = r"[ \t]*(?:(?:>>>|\.\.\.)[ \t]+)?"
_FROM_IMPORT_RE = re.compile(rf"(?P<lead>{_PROMPT})from[ \t]+(?P<module>{_DOTTED})[ \t]+import\b")
_IMPORT_ITEM = rf"{_DOTTED}(?:[ \t]+as[ \t]+{_IDENT})?"
_IMPORT_RE = re.compile(
    rf"(?P<lead>{_PROMPT})"
    rf"(?P<statement>import[ \t]+(?P<items>{_IMPORT_ITEM}(?:[ \t]*,[ \t]*{_IMPORT_ITEM})*))"
    rf"(?=[ \t]*(?:#.*)?\r?$)"
)
_IMPORT_ITEM_RE = re.compile(rf"(?P<name>{_DOTTED})(?:[ \t]+as[ \t]+(?P<alias>{_IDENT}))?")


def _python_block_edits(text: str, is_rst: bool, workspace: _Workspace) -> Iterator[Edit]:
    for offset, line in _python_block_lines(text, is_rst):
        from_match = _FROM_IMPORT_RE.match(line)
        if from_match is not None:
            new_module = workspace.rename_module(from_match["module"])
            if new_module is not None:
                yield offset + from_match.start("module"), offset + from_match.end("module"), new_module
            continue
        import_match = _IMPORT_RE.match(line)
        if import_match is not None:
            statement = _rewritten_import(import_match["items"], workspace)
            if statement is not None:
                start, end = import_match.span("statement")
                yield offset + start, offset + end, statement


def _rewritten_import(items: str, workspace: _Workspace) -> str | None:
    """The import statement for the new names; bound names stay, so call sites stay right."""
    parsed = [_IMPORT_ITEM_RE.fullmatch(item.strip()) for item in items.split(",")]
    if any(match is None for match in parsed):
        return None
    names = [(match["name"], match["alias"]) for match in parsed if match is not None]
    renamed = [(name, alias, workspace.rename_module(name)) for name, alias in names]
    if all(new is None for _, _, new in renamed):
        return None
    if len(renamed) == 1:
        name, alias, new = renamed[0]
        if alias is None and "." not in name and new is not None and "." in new:
            parent, leaf = new.rsplit(".", 1)
            return f"from {parent} import {leaf}" + ("" if leaf == name else f" as {name}")
    parts = []
    for name, alias, new in renamed:
        if new is None:
            parts.append(name + (f" as {alias}" if alias else ""))
        elif alias is not None or "." not in name:
            parts.append(f"{new} as {alias or name}")
        else:
            parts.append(new)  # a dotted import binds its first part: same as rope does
    return "import " + ", ".join(parts)


def _python_block_lines(text: str, is_rst: bool) -> Iterator[tuple[int, str]]:
    """(offset, line without its ending) for each line inside a python code block."""
    offset = 0
    fence: str | None = None  # the open fence of a Markdown code block
    in_python = False
    rst_indent: int | None = None  # the directive's indent while inside an RST python block
    for line_with_end in _split_lines(text):
        line = line_with_end.rstrip("\r\n")
        if is_rst:
            in_block, rst_indent = _rst_block_state(line, rst_indent)
            if in_block:
                yield offset, line
        else:
            fence_match = _FENCE_RE.fullmatch(line)
            if fence is None and fence_match is not None:
                fence = fence_match["fence"]
                in_python = fence_match["info"].strip().split(" ")[0].lower() in _PYTHON_LANGUAGES
            elif fence is not None and fence_match is not None and _closes(fence, fence_match):
                fence, in_python = None, False
            elif in_python:
                yield offset, line
        offset += len(line_with_end)


def _closes(fence: str, match: re.Match[str]) -> bool:
    return match["fence"][0] == fence[0] and len(match["fence"]) >= len(fence) and not match["info"].strip()


def _rst_block_state(line: str, indent: int | None) -> tuple[bool, int | None]:
    """(line is code, indent of the open python directive or None) after reading `line`."""
    directive = _RST_CODE_RE.match(line)
    if directive is not None:
        is_python = directive["lang"].lower() in _PYTHON_LANGUAGES
        return False, len(directive["indent"]) if is_python else None
    if indent is None:
        return False, None
    if not line.strip():
        return True, indent
    if len(line) - len(line.lstrip()) > indent:
        return True, indent
    return False, None
