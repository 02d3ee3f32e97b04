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
  of `Celery(..., include=[...])` and `setup(..., py_modules=[...])`.
  `x = __import__("agent")` becomes `__import__("agents.agent", fromlist=["agent"])`, so
  that `x` is still the module and not the package `agents`;
- certain, `"module.attr"` trusted as is (a bare module is never one): the first argument
  of `patch`, `patch.dict`, `<x>.setattr`, `<x>.delattr`, `hupper.start_reloader`,
  `import_string` (Django, werkzeug), `pydoc.locate`; a dictConfig factory (the value
  of a `"()"` key, and of `"class"` in a `handlers`, `formatters` or `filters` entry);
- certain anywhere: `"module:attr"` and `"name = module:attr"` (entry points) when `attr`
  is defined in the moved module; a dotted name of 2+ parts that is exactly a module or
  package of the new tree (`"RAI_Chat.Backend.core.database.connection"`), or exactly a name
  a moved module was imported by (`"Background.feed"`, through a namespace folder);
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

Comments and docstrings in Python files (Category.STRINGS too): paths of moved files, by the
rule for paths below, relative to the folder the file was in (written relative to its new folder
if it moved).

Config files (Category.CONFIG: `_CONFIG_NAMES`, and YAML that deploys or runs the project:
Kubernetes manifests, App Engine's app.yaml, CI pipelines) and docs (Category.DOCS): each rule rewrites what a run command,
a copy instruction, an import line or a module setting names, or a path that resolves to a
moved file (a non-module reading would need that exact file to exist). A deployment file must
keep deploying, not only keep naming existing files; where no rewrite is certain to do that, the
rewrite is only suggested (Category.REVIEW: reported, never silently left stale):

- a script run by its path whose file was a top-level module and now lives in a package runs
  as a module: `python [flags] seed_db.py` becomes `python -m scripts.seed_db`, and one run as
  a program (`./seed_db.py`, `backend/seed_db.py` where a command starts) becomes
  `python3 -m scripts.seed_db` with the interpreter its shebang names (no python shebang: only
  suggested, with `python`). Run by path, the script would get its own folder on sys.path and
  lose the source root its imports need. The command runs in the folder it ran in: the text
  file's folder (make, a Procfile) or the one `cd x &&` enters earlier on the line. When that
  is not the source root (`python backend/seed_db.py` from the workspace root), the result is
  `env PYTHONPATH=backend python -m scripts.seed_db`: that keeps the working directory the
  script had (relative data paths keep working), and it works after wrappers such as `poetry
  run`, inside `&&` chains and in exec form (`["env", "PYTHONPATH=backend", "python", "-m",
  ...]`), where `cd` would not. A script that was inside a package keeps running by path when
  its sibling modules moved with it; otherwise its new path is only suggested.
- Docker's COPY and ADD flatten their sources into the destination: a moved file named in one
  gets an instruction of its own that keeps its package folders in the image, `__init__.py`
  included (`COPY main.py agent.py ./` becomes `COPY main.py ./` and `COPY agents/__init__.py
  agents/agent.py ./agents/`), and so do the moved files a glob (`COPY *.py ./`) matched before.
  `COPY . .` and folder copies name no moved file and stay; `--from` copies are another
  stage's. A copy to another file name (`COPY agent.py /app/x.py`) is only suggested.
- `python -m agent` (the interpreter may be a variable, `$(PYTHON)`; in exec form and YAML lists,
  `["python3", "-m", "agent"]` and one item to a line, `-m` with no interpreter before it in its
  list is only suggested: `["pytest", "-m", "agent"]` names a marker), `--cov=agent`, a runner's app option (`celery -A agent`, `--app=agent.app`,
  `flask --app agent`), `module:attr` (uvicorn, gunicorn, entry points; `attr` must be defined
  in the moved module).
- settings whose key says they name modules, in TOML, INI, YAML, `.env` files and Dockerfile
  ENV: the last word of the key is module(s), app, application, wsgi or asgi, or a word is
  `module` (`module = "agent"`, `FLASK_APP=agent`, `APP_MODULE=main:app`, `CELERY_APP=worker`,
  `MODULE_NAME`, setuptools `py-modules = [...]`); coverage's `source` and `source_pkgs` in its
  own sections; a logging config's `class` and `()` (`class=agent.JsonHandler`, when the
  moved module defines that name). The value may be a list (TOML array, commas, INI
  continuation lines), and every item must look like a module reference, or the value is
  something else (a command, a sentence, a path) and stays: `APP_NAME=agent` stays too.
- links to a moved file on a branch of the project's forge (GitHub, GitLab, Bitbucket:
  `.../blob/main/pkg/checking.py`): its new path. A commit or tag in the link stays.
- paths of moved files, as whole tokens (`my_seed_db.py` is another file), relative to the
  folder a `cd x &&` earlier on the line enters, or else to the text file's folder, the
  workspace root or a source root, tried in that order; the first
  folder where the path names a moved file is taken as the one it is relative to.
  Absolute paths (`/app/seed_db.py`) are left alone: their mapping to the workspace is
  unknown.
- the imports of `python -c "..."` code (`python -c "from app.report import save; save()"`).
- Markdown and reStructuredText only: inline code that is exactly a dotted module name of
  2+ parts (`` `RAI_Chat.Backend.core.database.connection` ``): a moved module, or a module
  under a moved package that exists after the move; or `module.name` where the moved module
  defines `name` (`` `maigret.checking.maigret` ``). And `from X import` / `import X`
  lines in python code blocks (``` fences, `.. code-block:: python`): a lone
  `import agent` becomes `from agents import agent`, and in a list `import agent, os`
  becomes `import agents.agent as agent, os`, so that the snippet's call sites stay right;
  `from app import adbase as ad` (the module adbase moved) names its new package; the same in
  cog blocks (`.. [[[cog` ... `.. ]]]`). Sphinx's
  targets: autodoc and Python-domain directives and cross-reference roles (also MyST's), a
  module or `module.attr` path, and links to an object's anchor (`api.html#app.adapi.ADAPI`).
  Roles and doctest imports in Python docstrings too. Translation catalogs (`.po`, `.pot`)
  get the Sphinx and inline-code rules, so their msgids keep matching the docs.

Lines that draw a directory tree (`├──`, `└──`, `|--`) are left alone: names there are
relative to their place in the tree, not to the file, and another pass owns those trees.
Records of the past are not read at all: changelogs, release notes, news fragments and
decision records (by name or folder), and the strings of Django and Alembic migrations
(their imports are code, and the imports pass keeps them working).
Every other byte stays as it was: BOM, encoding cookie, CRLF line endings.
"""

from __future__ import annotations

import ast
import bisect
import io
import json
import posixpath
import re
import textwrap
import tokenize
import warnings
from fnmatch import fnmatchcase
from typing import (
    Any,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    NamedTuple,
    Sequence,
    TypeVar,
)

from organize_backend.model import Category
from organize_backend.source_text import (
    STATEMENT_LISTS,
    call_argument,
    dotted_name,
    keep_comment_columns,
    parse_python,
    relative_load,
)

_BOM = b"\xef\xbb\xbf"
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_IDENT}(?:\.{_IDENT})*"
# A token ends where no name or path character follows; a final "." ends a sentence.
_TOKEN_END = r"(?![\w/-]|\.\w)"
_PYTHON = r"(?:[\w./-]*/)?python(?:3(?:\.\d+)?)?"
# An interpreter a make or shell variable holds: `$(PYTHON)`, `${PYTHON}`, `$PYTHON3`, `$(VENV_PYTHON)`.
_PYTHON_VARIABLE = r"\$(?:\((?i:\w*python\w*)\)|\{(?i:\w*python\w*)\}|(?i:\w*python\w*))"
# Interpreter flags that take no argument, so the next word is still the script.
_PYTHON_FLAGS = r"(?:[ \t]+-[bBdEiIOqsSuvx]+)*"
_PATH = r"(?:[\w.-]+/)*[\w-][\w.-]*\.py"



class Edit(NamedTuple):
    """A replacement in a text. Not `certain`: only suggested (Category.REVIEW), never applied."""

    start: int
    end: int
    new: str
    certain: bool = True

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
    order: a file's certain rewrites (its category of `category_of`), then the review-only
    ones on top of them (Category.REVIEW).
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
            certain, with_review = _rewrite_python(path, data, workspace)
        else:
            certain, with_review = _rewrite_text(path, data, workspace)
        if certain is not None and certain != data:
            steps.append((path, category, certain))
        if with_review is not None and with_review != (certain or data):
            steps.append((path, Category.REVIEW, with_review))
    return steps


_CONFIG_NAMES = (
    "Procfile*", "Dockerfile*", "Containerfile*", "*.dockerfile", "docker-compose*.y*ml", "compose*.y*ml",
    "Makefile", "makefile", "GNUmakefile", "*.mk", "Justfile", "justfile", ".justfile", "*.just",
    ".gitlab-ci.yml", ".coveragerc",
    "*.sh", "*.cfg", "*.ini", "*.toml", "*.env.example",
    # Environment files (`APP_MODULE=main:app`) and logging configs (`class=`) name modules too.
    ".env", "*.env", ".env.*", ".flaskenv", "*.conf", "logging*.y*ml",
)


# YAML is read where it deploys or runs the project: a Kubernetes `command:` list, App Engine's
# `entrypoint:`, a CI pipeline's steps. Other YAML is data, whatever its keys say.
_DEPLOYMENT_YAML_NAMES = (
    "app.y*ml", "render.y*ml", "fly.y*ml", "serverless*.y*ml", "*k8s*.y*ml", "*kube*.y*ml", "*deployment*.y*ml",
)
_DEPLOYMENT_FOLDERS = {"k8s", "kubernetes", "kustomize", "helm", "charts", "deploy", "deployment", "deployments",
                       "manifests"}
_CI_YAML_NAMES = (".travis.y*ml", "azure-pipelines*.y*ml", "bitbucket-pipelines.y*ml", ".pre-commit-config.y*ml")
_CI_FOLDERS = {".github", ".circleci"}
# What the project runs where it is deployed: the modules these start are its entry points.
_DEPLOYMENT_NAMES = ("Procfile*", "Dockerfile*", "Containerfile*", "*.dockerfile", "docker-compose*.y*ml",
                     "compose*.y*ml", "*entrypoint*")


def _is_yaml_of(path: str, names: Sequence[str], folders: set[str]) -> bool:
    name = posixpath.basename(path)
    return fnmatchcase(name, "*.y*ml") and (any(fnmatchcase(name, pattern) for pattern in names)
                                            or bool(folders & set(path.split("/")[:-1])))


def category_of(path: str) -> Category | None:
    """Which kind of file this pass reads, or None for files it never touches."""
    name = posixpath.basename(path)
    if name.endswith(".py"):
        return None if _is_migration(path) else Category.STRINGS
    if name.endswith((".md", ".rst", ".po", ".pot")) or (name.endswith(".txt") and not name.startswith("requirements")):
        return None if _is_history(path) else Category.DOCS
    if any(fnmatchcase(name, pattern) for pattern in _CONFIG_NAMES):
        return Category.CONFIG
    if _is_yaml_of(path, _DEPLOYMENT_YAML_NAMES, _DEPLOYMENT_FOLDERS) or _is_yaml_of(path, _CI_YAML_NAMES, _CI_FOLDERS):
        return Category.CONFIG
    return None


def modules_run_where_deployed(files: Mapping[str, bytes]) -> Iterator[tuple[str, int, str]]:
    """(path, line, module) for each `python -m module` in a file that says how the project runs
    where it is deployed (a Dockerfile, a compose file, a Procfile, an entrypoint script, a
    Kubernetes manifest): the planner keeps those modules where the deployment finds them."""
    for path, data in files.items():
        name = posixpath.basename(path)
        if category_of(path) is not Category.CONFIG or not (
                any(fnmatchcase(name, pattern) for pattern in _DEPLOYMENT_NAMES)
                or _is_yaml_of(path, _DEPLOYMENT_YAML_NAMES, _DEPLOYMENT_FOLDERS)):
            continue
        text = data.decode("utf-8", errors="replace")
        for match, certain in _dash_m_modules(text):
            if certain:
                yield path, text.count("\n", 0, match.start("module")) + 1, match["module"]


def scripts_run_by_path(files: Mapping[str, bytes]) -> Iterator[tuple[str, int, str]]:
    """(path, line, script) for each `python [flags] some/script.py` in a command file (a Makefile,
    tox.ini, a shell script, CI or deployment YAML) that names a Python file of the workspace,
    relative to the folder a `cd` on its line enters, else to the command file's folder or the
    workspace root."""
    for path, data in files.items():
        if category_of(path) is not Category.CONFIG or b"python" not in data.lower():
            continue
        text = data.decode("utf-8", errors="replace")
        folder = posixpath.dirname(path)
        for match in _SCRIPT_RE.finditer(text):
            entered = _entered_folder(text, match.start("path"), folder)
            for base in (entered,) if entered is not None else (folder, ""):
                script = _joined(base, match["path"])
                if script in files:
                    yield path, text.count("\n", 0, match.start("path")) + 1, script
                    break


# A quoted path pattern in a config file: a folder part and a glob character (`"src/app/template*"`).
_PATH_GLOB_RE = re.compile(r"""(?P<q>["'])(?P<pattern>[\w./*?\[\]-]*/[\w./*?\[\]-]*[*?\[][\w./*?\[\]-]*)(?P=q)""")


def globs_that_change_what_they_match(files: Mapping[str, bytes],
                                      path_map: Mapping[str, str]) -> Iterator[tuple[str, int, str, str, str, bool]]:
    """(config, line, pattern, old path, new path, matched before) for each quoted path pattern of
    a config file (a lint exclude, per-file ignores, coverage's omit) that matches a moved module
    before its move and not after, or the other way round: django-helpdesk's ruff exclude
    "src/helpdesk/template*" also matched templated_email.py, which moved out of its reach, and
    ruff's check then failed on it. A pattern is relative to its file's folder; `*` stays within a
    folder, and a pattern matching a folder matches what is in it."""
    moved = [(old, new) for old, new in path_map.items() if old.endswith(".py") and old != new]
    for path, data in files.items() if moved else ():
        if category_of(path) is not Category.CONFIG or b"*" not in data:
            continue
        text = data.decode("utf-8", errors="replace")
        for match in _PATH_GLOB_RE.finditer(text):
            pattern = _joined(posixpath.dirname(path), match["pattern"].rstrip("/"))
            for old, new in moved:
                before, after = _glob_covers(old, pattern), _glob_covers(new, pattern)
                if before != after:
                    yield path, text.count("\n", 0, match.start()) + 1, match["pattern"], old, new, before


def _glob_covers(path: str, pattern: str) -> bool:
    """Whether `pattern` matches `path` or a folder holding it."""
    parts = path.split("/")
    return any(_glob_matches("/".join(parts[:length]), pattern) for length in range(1, len(parts) + 1))


# Records of the past say what was true then: "Renamed `load_test.py`" in a changelog stays as
# it was written, and so does a migration's text (its imports are code, and the imports pass
# keeps them working).
_HISTORY_NAME_RE = re.compile(
    r"(?:changelog|changes|history|news|releases|release[-_ ]?notes)(?:[-_.]v?\d[\w.-]*)?(?:\.(?:md|rst|txt))?", re.IGNORECASE
)
_HISTORY_FOLDERS = {
    "changelog", "changelogs", "changelog.d", "changes.d", "newsfragments", "release-notes", "release_notes",
    "releasenotes", "adr", "adrs",
}


def _is_history(path: str) -> bool:
    """A changelog, release notes or a decision record (by file name or folder)."""
    *folders, name = path.split("/")
    return bool(_HISTORY_NAME_RE.fullmatch(name)) or any(folder.lower() in _HISTORY_FOLDERS for folder in folders)


def _is_migration(path: str) -> bool:
    """A migration of Django (`app/migrations/0002_x.py`) or Alembic (`alembic/versions/x.py`);
    not the `env.py` that runs them, which loads the application as it is now."""
    *folders, name = path.split("/")
    if name in ("__init__.py", "env.py") or not folders:
        return False
    return folders[-1] == "migrations" or (folders[-1] == "versions" and bool({"alembic", "migrations"} & set(folders)))


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
        self._encoded_first_parts = tuple(part.encode() for part in self.first_parts)
        self._encoded_qualified_names = tuple(old.encode() for old in self.module_map if "." in old)
        self.new_names = frozenset(self.module_map.values())
        self.old_paths = {new: old for old, new in self.path_map.items()}
        self.moved_file_names = frozenset(posixpath.basename(old).encode() for old in self.path_map
                                          if old.endswith(".py"))
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
        """True for a module, a package or a namespace package of the new tree, and for any name
        a moved module is now known by (`Background.core.feed`, imported from the workspace root
        through the namespace folder `Background/`, which is no source root)."""
        if self.module_file(name) or name in self.new_names:
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
            tree = parse_python(self.files[path])  # bytes: the BOM and coding cookie decide
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
        if rest.count(".") == 1 and following.lower() in _FILE_EXTENSIONS:
            # "database.db" is a file name even when database.py defines `db`; where the context says
            # module path (FLASK_APP=microblog.py is a file too), only a name the module defines is one.
            return new_module + rest if trusted and self.defines(new_module, following) else None
        if trusted:
            return new_module + rest
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

    def search_folders(self, folder: str) -> tuple[str, ...]:
        """Folders a path written in a file in `folder` may be relative to, in the order tried."""
        return tuple(dict.fromkeys((folder, "", *self.roots)))

    def may_name_a_moved_file(self, data: bytes) -> bool:
        """A cheap test: the bytes hold the file name of a moved file."""
        return any(name in data for name in self.moved_file_names)

    def may_name_a_module_in_prose(self, data: bytes) -> bool:
        """A cheap test: the bytes hold a Sphinx role or a doctest, and a moved module's first part."""
        return bool(_PROSE_CODE_MARK.search(data)) and any(part in data for part in self._encoded_first_parts)

    def may_mention_a_qualified_module(self, data: bytes) -> bool:
        """A cheap test: the bytes hold the dotted name of a moved module of a package (`hc.accounts.views`)."""
        return any(name in data for name in self._encoded_qualified_names)

    def old_path_of(self, path: str) -> str:
        """Where a file was before the moves (itself when it did not move)."""
        return self.old_paths.get(path, path)

    def resolve_path(self, token: str, folders: Sequence[str]) -> tuple[str, str] | None:
        """(folder the token is relative to, old path) when `token` names a moved file."""
        for base in folders:
            candidate = _joined(base, token)
            if candidate in self.path_map:
                return base, candidate
        return None

    def resolve_glob(self, pattern: str, folders: Sequence[str]) -> list[tuple[str, str]]:
        """(folder, old path) of the moved files a glob matched, from the first folder where it matched one."""
        for base in folders:
            found = [(base, old) for old in self.path_map if _glob_matches(old, _joined(base, pattern))]
            if found:
                return found
        return []

    def moved_with_its_folder(self, old_path: str) -> bool:
        """True when the Python files beside `old_path` are beside it after the moves too."""
        old_folder, new_folder = posixpath.dirname(old_path), posixpath.dirname(self.path_map[old_path])
        if old_folder == new_folder:
            return True
        siblings = [old for old in self.path_map if posixpath.dirname(old) == old_folder and old.endswith(".py")]
        stayed = [path for path in self.files if posixpath.dirname(path) == old_folder and path.endswith(".py")]
        return not stayed and all(posixpath.dirname(self.path_map[old]) == new_folder for old in siblings)

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


def _glob_matches(path: str, pattern: str) -> bool:
    """A shell glob: `*` stays within one folder, unlike fnmatch's."""
    return path.count("/") == pattern.count("/") and fnmatchcase(path, pattern)


def _joined(folder: str, path: str) -> str:
    """`path` relative to `folder`, as a clean workspace-relative path ("" for the workspace root)."""
    joined = posixpath.normpath(posixpath.join(folder, path))
    return "" if joined == "." else joined


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
# Calls whose first argument is a module's name: importlib's, discord.py's extensions (python-discord's
# bot loads 35 cogs so), and unittest's log assertions, which name a module's `getLogger(__name__)` logger.
_LOADERS = {"import_module", "__import__", "resolve_name", "find_spec", "load_extension", "reload_extension",
            "unload_extension", "assertLogs", "assertNoLogs"}
_SYS_MODULES = "sys.modules"
# Calls that import an object by its dotted path: hupper's reloader (datasette's `serve --reload`),
# Django's and werkzeug's `import_string`, pydoc's `locate`.
_OBJECT_LOADERS = {"start_reloader", "import_string", "locate"}
# Settings lists whose items are module paths, as Django and Celery read them.
_SETTINGS_LIST_RE = re.compile(r"(?:[A-Z][A-Z0-9]*_)*(?:APPS|MIDDLEWARE|MIDDLEWARE_CLASSES|BACKENDS|IMPORTS|INCLUDE)")
# dictConfig sections whose entries name a factory under "class" (a "()" key does anywhere).
_FACTORY_SECTIONS = {"handlers", "formatters", "filters"}
# Calls with a keyword that lists module names: Celery("proj", include=["tasks"]) imports them,
# setuptools' setup(py_modules=["agent"]) installs them.
_MODULE_LIST_KEYWORDS = {"Celery": "include", "setup": "py_modules"}
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
_E = TypeVar("_E")  # an edit of either kind


def _rewrite_python(path: str, data: bytes, workspace: _Workspace) -> tuple[bytes | None, bytes | None]:
    """(content with the certain rewrites, content with the review ones on top); None: no change."""
    # Cheap filter first: parsing every file of a big backend is what would cost.
    code_strings = {m.decode() for m in _CODE_STRING_MARK.findall(data)}
    mentioned = {m.decode() for m in _LITERAL_START_RE.findall(data)} | code_strings
    names_a_file = workspace.may_name_a_moved_file(data)
    names_in_prose = workspace.may_name_a_module_in_prose(data)
    qualified = workspace.may_mention_a_qualified_module(data)
    if not mentioned & workspace.first_parts and not names_a_file and not names_in_prose and not qualified:
        return None, None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid escape sequence" and the like are the user's business
            tree = parse_python(data)  # bytes: the BOM and coding cookie decide, as for the interpreter
    except (SyntaxError, ValueError, RecursionError):
        return None, None
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    bom = _BOM if data.startswith(_BOM) else b""
    try:
        text = data[len(bom):].decode(codec, errors="surrogateescape")
    except LookupError:
        return None, None
    lines = _split_lines(text)
    prose = _prose_strings(tree)
    edits = list(_string_edits(tree, lines, workspace))
    if code_strings:
        edits += _code_string_edits(tree, lines, workspace, prose)
    if names_a_file or names_in_prose or qualified:
        edits += _prose_edits(path, text, lines, prose, workspace, paths=names_a_file, code=names_in_prose,
                              mentions=qualified)
    if qualified:
        edits += _message_mention_edits(tree, lines, workspace, prose)
    edits = _first_of_overlapping(edits, lambda edit: ((edit[0], edit[1]), (edit[0], edit[2])))
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
        certain = certain and not (kind is None and node.value in contexts.file_names)  # kiwi's 'kiwi.result' file
        yield node.lineno, start, end, literal["prefix"] + literal["quote"] + new_body + literal["quote"], certain
        call = contexts.import_calls.get(id(node))
        if call is not None and "." not in node.value and "." in new_body:
            yield from _keep_import_value(call, new_body, literal["quote"], lines)


# A triple-quoted string that starts with an import: Python code, run by `exec` or handed to a
# subprocess (maigret's test runs `textwrap.dedent("""\n    import maigret.report ...""")` with -c).
_CODE_STRING_MARK = re.compile(rb"(?:\"\"\"|''')\\?\r?\n[ \t]*(?:from|import)[ \t]+([A-Za-z_]\w*)")


def _code_string_edits(tree: ast.AST, lines: list[str], workspace: _Workspace,
                       prose: list[ast.Constant]) -> Iterator[_StringEdit]:
    """The import lines of a multi-line string that is Python code (it parses, once dedented, and
    holds an import), as in a docs code block. Docstrings are prose, read by `_prose_edits`."""
    docstrings = {id(string) for string in prose}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docstrings \
                or node.end_lineno is None or node.end_lineno == node.lineno or not _is_code(node.value):
            continue
        value_lines = set(node.value.splitlines())
        for row in range(node.lineno + 1, node.end_lineno):  # the lines wholly inside the literal
            line = lines[row - 1].rstrip("\r\n")
            if line in value_lines:  # no escape sequence: the source line is the string's own line
                yield from ((row, edit.start, edit.end, edit.new, True) for edit in _import_line_edits(line, 0, workspace))


def _is_code(value: str) -> bool:
    try:
        tree = parse_python(textwrap.dedent(value))
    except (SyntaxError, ValueError):
        return False
    return any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.walk(tree))


def _prose_edits(path: str, text: str, lines: list[str], prose: list[ast.Constant], workspace: _Workspace, *,
                 paths: bool, code: bool, mentions: bool) -> list[_StringEdit]:
    """`paths`: paths of moved files in comments (`# extracted to chat_streaming.py`) and docstrings,
    by the rule for paths in docs, relative to the folder the file was in when they were written.
    In a file that moved, such a path is written from its new folder where that needs no `../`
    (a sibling that moved along keeps its bare name), else from the old one (`core/state.py`).
    `code`: the Python they hold, as the docs rules read it: Sphinx roles (:meth:`app.adapi.ADAPI.get`)
    and doctest imports (`>>> from app.exceptions import TimeOut`).
    `mentions`: moved modules named by their full dotted name under a package (`_qualified_mention_edits`)."""
    old_folder = posixpath.dirname(workspace.old_path_of(path))
    new_folder = posixpath.dirname(path)
    found: list[_StringEdit] = []
    for row, column, written in [*_comments(text), *_prose_lines(prose, lines)]:
        body = written.lstrip("#")  # "#   |-- x.py" draws a tree as much as "|-- x.py" does
        skipped = len(written) - len(body)
        for edit in _outside_tree_lines(body, list(_path_edits(body, old_folder, workspace))) if paths else ():
            new = edit.new
            if old_folder != new_folder and workspace.resolve_path(body[edit.start:edit.end], (old_folder,)):
                from_here = posixpath.relpath(posixpath.join(old_folder, edit.new), new_folder or ".")
                new = edit.new if from_here.startswith("../") else from_here  # prose does not climb
            found.append((row, column + skipped + edit.start, column + skipped + edit.end, new, edit.certain))
        if code:
            doctest = _import_line_edits(body, 0, workspace) if _DOCTEST_RE.match(body) else ()
            found += [(row, column + skipped + edit.start, column + skipped + edit.end, edit.new, True)
                      for edit in [*_sphinx_edits(body, workspace), *doctest]]
        if mentions:
            found += [(row, column + skipped + edit.start, column + skipped + edit.end, edit.new, True)
                      for edit in _qualified_mention_edits(body, workspace)]
    return found


def _message_mention_edits(tree: ast.AST, lines: list[str], workspace: _Workspace,
                           prose_strings: list[ast.Constant]) -> Iterator[_StringEdit]:
    """Moved modules named inside the text of other strings, only suggested: a message the program
    prints (klaus's "'klaus.utils.SubUri' is deprecated ... use 'klaus.utils.ProxyFix'") most often,
    but what the program does with a string's text nobody can say. A string that is wholly a
    reference is the string rules' business (`_string_edits`)."""
    prose = {id(string) for string in prose_strings}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in prose \
                or node.end_lineno is None or _DOTTED_RE.fullmatch(node.value.strip()):
            continue
        for row, column, segment in _literal_lines(node, lines):
            yield from ((row, column + edit.start, column + edit.end, edit.new, False)
                        for edit in _qualified_mention_edits(segment, workspace))


_DOCTEST_RE = re.compile(r"[ \t]*(?:>>>|\.\.\.)[ \t]")  # `>>> from app.exceptions import TimeOut`
_PROSE_CODE_MARK = re.compile(rb":`|\}`|>>> ")  # a Sphinx role (:class:`x`, {py:class}`x`) or a doctest


def _comments(text: str) -> list[tuple[int, int, str]]:
    """(row, column, comment) of every comment."""
    try:
        return [(*token.start, token.string) for token in tokenize.generate_tokens(io.StringIO(text).readline)
                if token.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return []


def _prose_lines(prose: list[ast.Constant], lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """(row, column, text) of each line of the strings that are prose (`_prose_strings`)."""
    for string in prose:
        yield from _literal_lines(string, lines)


def _literal_lines(string: ast.Constant, lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """(row, column, text) of each source line a string literal spans, cut to the literal."""
    for row in range(string.lineno, string.end_lineno + 1):
        line = lines[row - 1] if row <= len(lines) else ""
        start = _column(line, string.col_offset) if row == string.lineno else 0
        end = _column(line, string.end_col_offset) if row == string.end_lineno and string.end_col_offset else len(line)
        yield row, start, line[start:end]


def _prose_strings(tree: ast.AST) -> list[ast.Constant]:
    """The strings that are prose: docstrings, attribute docstrings (a string right after an
    assignment, as Sphinx reads them) and any other string standing alone as a statement, which
    is a block comment (flathunter's tests quote `flathunter/chrome_wrapper.py:31` so). Only
    statements are visited: a string statement is never inside an expression."""
    found, pending = [], [tree]
    while pending:
        node = pending.pop()
        for name in STATEMENT_LISTS:
            for statement in getattr(node, name, None) or ():
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
                        and isinstance(statement.value.value, str) and statement.value.end_lineno is not None:
                    found.append(statement.value)
                elif isinstance(statement, (ast.stmt, ast.ExceptHandler, ast.match_case)):
                    pending.append(statement)
    return found



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
    each `__import__` call whose value is used to that call; `handed_to` maps a string passed
    as an argument to the name of the function called (sshuttle's `empackage(z, 'sshuttle.helpers')`).
    `file_names` holds the strings the file opens as files (`open('kiwi.result', 'wb')`, a mock
    of it asserted so): a file named like a module is no module anywhere in that file.
    """

    def __init__(self, tree: ast.AST) -> None:
        self.kinds: dict[int, str] = {}
        self.import_calls: dict[int, ast.Call] = {}
        self.handed_to: dict[int, str] = {}
        self.file_names: set[str] = set()
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
        if isinstance(target, ast.Name):
            self._setting(target.id, value)
        elif isinstance(target, ast.Attribute) and target.attr == "backend":
            self._mark(value, TARGET)  # `user.backend = "app.backends.TokenBackend"`, before Django's login()

    def _setting(self, name: str, value: ast.AST | None) -> None:
        """A settings list assigned, or overridden in a test (`override_settings(AUTHENTICATION_BACKENDS=
        (...))`, `modify_settings(MIDDLEWARE={"append": ...})`): its items are module paths."""
        if not _SETTINGS_LIST_RE.fullmatch(name):
            return
        if isinstance(value, ast.Dict):  # modify_settings: {"append": [...], "remove": "..."}
            for inner in value.values:
                self._mark(inner, LOAD)
                self._setting(name, inner)
        elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
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
        for keyword in node.keywords:
            if keyword.arg is not None:
                self._setting(keyword.arg, keyword.value)
        name = dotted_name(node.func)
        for argument in node.args:
            if name is not None and isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                self.handed_to[id(argument)] = name
        if name is None:
            return
        parts = name.split(".")
        first = node.args[0] if node.args else None
        if _is_file_path_argument(parts[-1], node):
            self.file_names.add(first.value)
        if parts[-1].endswith("login"):  # Django's login(request, user, backend), imported as `auth_login` too
            self._mark(call_argument(node, 2, "backend"), TARGET)
        if parts[-1] == "cast" and first is not None:
            self._mark_all(first, SKIP)  # typing.cast("models.User", v)
        elif parts[-1] == "TypeVar":
            for constraint in node.args[1:]:
                self._mark_all(constraint, SKIP)
            for keyword in node.keywords:
                if keyword.arg == "bound":
                    self._mark_all(keyword.value, SKIP)
        elif relative_load(node) is not None:
            self._mark(first, SKIP)  # a name relative to the caller's package: the import rewriter's
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
        elif parts[-1] == "patch" or parts[-1] in _OBJECT_LOADERS:
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
        elif parts[-1] in _MODULE_LIST_KEYWORDS:
            for keyword in node.keywords:
                if keyword.arg == _MODULE_LIST_KEYWORDS[parts[-1]] and isinstance(keyword.value, (ast.List, ast.Tuple)):
                    for element in keyword.value.elts:
                        self._mark(element, LOAD)


# A file mode as open() takes it ("r", "wb", "a+", "rt"), and callables whose first argument is a file's path.
_FILE_MODE_RE = re.compile(r"[rwxa][bt]?\+?|[rwxa]\+[bt]")
_FILE_OPENERS = {"open", "Path", "PurePath", "PosixPath"}


def _is_file_path_argument(callee: str, call: ast.Call) -> bool:
    """Whether the call's first argument is a literal string it takes as a file's path: the callee
    opens files, or the second argument is a file mode (`mock_open.assert_called_once_with('kiwi.result', 'wb')`)."""
    if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
        return False
    mode = call.args[1] if len(call.args) > 1 else None
    return callee in _FILE_OPENERS or (
        isinstance(mode, ast.Constant) and isinstance(mode.value, str) and bool(_FILE_MODE_RE.fullmatch(mode.value)))


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


def module_names_handed_to_calls(source: str | bytes) -> Iterator[tuple[int, str, str]]:
    """(line, string, callee) for each string literal passed to a call that gives it no known
    meaning (not an import, a patch target, a logger name, ...): where such a string names a
    moved module exactly, the rewrite renames it all the same (`_new_string_content`), and what
    the callee does with the name is for the user to check (sshuttle's `empackage(z,
    'sshuttle.helpers')` builds the module on the remote side under that name)."""
    yield from ((line, value, callee) for line, value, callee in dotted_strings_of_no_known_kind(source) if callee)


def dotted_strings_of_no_known_kind(source: str | bytes) -> Iterator[tuple[int, str, str | None]]:
    """(line, string, callee or None) for each dotted string literal whose context gives it no
    known meaning, with the function it is handed to, if any. A string the file opens as a file
    is left out: it is no module there."""
    try:
        tree = parse_python(source)
    except (SyntaxError, ValueError, RecursionError):
        return
    contexts = _StringContexts(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in contexts.kinds \
                and "." in node.value and _DOTTED_RE.fullmatch(node.value) and node.value not in contexts.file_names:
            yield node.lineno, node.value, contexts.handed_to.get(id(node))


# --- config and docs --------------------------------------------------------------------

_SCRIPT_RE = re.compile(
    rf"(?P<python>(?<![\w./-]){_PYTHON}|{_PYTHON_VARIABLE})(?P<flags>{_PYTHON_FLAGS})[ \t]+(?P<path>{_PATH}){_TOKEN_END}"
)
# Where a shell command starts: a line, `&&`, `;`, `|`, `$(`, `sh -c "`, then any of a Makefile's `@`,
# a Procfile's or YAML's `key:` or list dash, Docker's RUN/CMD, `exec`, `env`, `VAR=value`, `poetry run`.
# Possessive quantifiers (`*+`, `++`): a prefix once read is never read again another way. With
# plain ones, a line of dashes or a Markdown table rule took exponential time to fail to match.
_COMMAND_START = (
    r"(?:^|&&|\|\||[;|`]|\$\(|-c[ \t]+[\"'])[ \t]*+(?:[@+-]++[ \t]*+)?+"
    r"(?:(?:(?:RUN|CMD|ENTRYPOINT|exec|then|do|else|sudo|nohup|time|env)[ \t]++"
    r"|[A-Za-z_]\w*+=[^\s;&|]*+[ \t]++|(?:poetry|pipenv|uv|pdm|hatch|rye)[ \t]++run[ \t]++|[\w.-]++:[ \t]++))*+"
)
# A script run as a program by its path (`./seed_db.py`, `backend/seed_db.py`): its shebang names the interpreter.
_DIRECT_RUN_RE = re.compile(rf"{_COMMAND_START}(?P<path>(?:[\w.-]+/)+[\w-][\w.-]*\.py){_TOKEN_END}", re.MULTILINE)
# Exec form: `["python", "seed_db.py", ...]`, or a script first in the list: `["./seed_db.py", ...]`.
_EXEC_FORM_RE = re.compile(
    rf"(?:(?P<q>[\"'])(?P<python>{_PYTHON})(?P=q)(?P<sep>[ \t]*,[ \t]*)|(?<=\[))(?P<q2>[\"'])(?P<path>{_PATH})(?P=q2)"
)
_SHEBANG_RE = re.compile(rb"#![ \t]*(?:\S*/env[ \t]+(?:-S[ \t]+)?)?(?P<python>\S*python[\d.]*)(?=\s|$)")
_CD_RE = re.compile(r"(?<![\w./-])cd[ \t]+(?P<folder>[\w.-][\w./-]*)[ \t]*(?:&&|;)")
_DASH_M_RE = re.compile(
    rf"(?:(?<![\w./-]){_PYTHON}|{_PYTHON_VARIABLE}){_PYTHON_FLAGS}[ \t]+-m[ \t]+(?P<module>{_DOTTED}){_TOKEN_END}"
)
# `-m` and the module as items of a list: exec form (`["python3", "-m", "app.web"]`), a YAML flow
# list, or a YAML block list, one item to a line (a Kubernetes `command:`).
_ITEM_DASH_M_RE = re.compile(
    rf"(?P<lead>\[[ \t]*|,[ \t]*|^[ \t]*-[ \t]+)(?P<q>[\"']?)-m(?P=q)(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*-[ \t]+)"
    rf"(?P<q2>[\"']?)(?P<module>{_DOTTED})(?P=q2)(?=[ \t]*(?:[,\]#]|$))",
    re.MULTILINE,
)
# A list item that is the interpreter, before `-m` in the same list.
_PYTHON_ITEM_RE = re.compile(rf"(?:[\[,]|^[ \t]*-)[ \t]*(?P<q>[\"']?)(?:{_PYTHON}|{_PYTHON_VARIABLE})(?P=q)[ \t]*(?:,|$)",
                             re.MULTILINE)
_COV_RE = re.compile(rf"(?<![\w-])--cov(?:[ \t]*=[ \t]*|[ \t]+)(?P<module>{_DOTTED}){_TOKEN_END}")
# The app a runner loads (`celery -A proj`, `celery --app=proj.celery_app worker`, `flask --app agent run`,
# and in exec form `"-A", "proj"`): a module, `module.attr` or `module:attr`. `-A` means other things elsewhere.
_RUNNER_RE = re.compile(r"(?<![\w./-])(?:celery|flask)\b[^\n;&|]*")
_APP_OPTION_RE = re.compile(
    rf"(?<![\w-])(?:-A[ \t]*|--app(?:[ \t]*=[ \t]*|[ \t]+)|(?:-A|--app)[\"'][ \t]*,[ \t]*[\"'])"
    rf"(?P<module>{_DOTTED})(?::(?P<attr>{_DOTTED}))?(?![\w/-]|\.\w)"
)
_COLON_RE = re.compile(rf"(?<![\w./:-])(?P<module>{_DOTTED}):(?P<attr>{_DOTTED})(?![\w-]|[.:]\w)")
_PATH_TOKEN_RE = re.compile(rf"(?<![\w./-]){_PATH}{_TOKEN_END}")
_INLINE_CODE_RE = re.compile(rf"(?<!`)(?P<ticks>``?)(?P<module>{_IDENT}(?:\.{_IDENT})+)(?:\([^`\n]*\))?(?P=ticks)(?!`)")
# Box-drawing trees, and ASCII ones as `tree --charset=ascii` draws them ("|-- ", "`-- ").
_TREE_LINE_RE = re.compile(r"^(?:[^\n]*[├└│]|[ \t|]*[|+`]-- )[^\n]*", re.M)


def _rewrite_text(path: str, data: bytes, workspace: _Workspace) -> tuple[bytes | None, bytes | None]:
    """(content with the certain rewrites, content with the review ones on top); None: no change."""
    if b"\x00" in data:
        return None, None  # binary, whatever its name says
    bom, text = _decode(data)
    folder = posixpath.dirname(path)
    # Order is priority: an earlier rule's edit wins over any later one it overlaps.
    edits: list[Edit] = [*_copy_edits(path, text, folder, workspace), *_script_edits(text, folder, workspace),
                         *_exec_form_edits(text, folder, workspace),
                         *_direct_run_edits(text, folder, workspace, prose=category_of(path) is Category.DOCS)]
    edits += _python_c_edits(text, workspace)
    if path.endswith((".md", ".rst")):
        edits += _python_block_edits(text, path.endswith(".rst"), workspace)
    edits += _module_option_edits(text, workspace)
    edits += _entry_point_edits(text, workspace)
    edits += _setting_edits(path, text, workspace)
    if path.endswith((".md", ".rst", ".po", ".pot")):  # a translation catalog holds the docs' own text
        edits += _sphinx_edits(text, workspace)
        edits += _inline_code_edits(text, workspace)
    edits += _repository_link_edits(text, workspace)
    edits += _path_edits(text, folder, workspace)
    if category_of(path) is Category.DOCS:
        edits += _qualified_mention_edits(text, workspace)
    edits = _outside_tree_lines(text, edits)
    edits = _outside_own_configuration(path, text, edits)
    accepted = _accepted(text, edits)
    certain = [edit for edit in accepted if edit.certain]
    keep_form = _keep_rst_adornments if path.endswith(".rst") else (lambda old, new: new)

    def written(chosen: list[Edit]) -> bytes:
        return bom + keep_form(text, keep_comment_columns(text, _spliced(text, chosen))).encode(
            "utf-8", errors="surrogateescape")

    return (written(certain) if certain else None, written(accepted) if len(accepted) > len(certain) else None)


# A reStructuredText section adornment: one punctuation character repeated, under (and over) a title.
_ADORNMENT_RE = re.compile(r"([=\-`:'\"~^_*+#<>.])\1{2,}")


def _keep_rst_adornments(old: str, new: str) -> str:
    """A section title that grew (`datasette.tracer` became `datasette.core.tracer`) gets its
    underline, and overline, grown to match: docutils warns of a short one, and Sphinx builds
    with warnings as errors fail (datasette's tests check the lengths)."""
    old_lines, new_lines = old.split("\n"), new.split("\n")
    if len(old_lines) != len(new_lines):
        return new
    for index, (before, after) in enumerate(zip(old_lines, new_lines)):
        if before == after or not after.strip():
            continue
        for neighbour in (index - 1, index + 1):
            if not 0 <= neighbour < len(new_lines):
                continue
            adornment = new_lines[neighbour].rstrip("\r")
            grown = len(after.rstrip("\r"))
            if _ADORNMENT_RE.fullmatch(adornment) and len(before.rstrip("\r")) <= len(adornment) < grown:
                new_lines[neighbour] = adornment[0] * grown + new_lines[neighbour][len(adornment):]
    return "\n".join(new_lines)


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
    return [edit for edit in edits if not any(start <= edit.start < end for start, end in own)]


# scripts run by path


class _Run(NamedTuple):
    """A moved script that a command runs by its path."""

    token: str  # the path as written
    base: str  # the folder the command runs in
    old_path: str
    new_path: str
    module: str | None  # its module name when it moved from its source root into a package
    root: str | None  # that source root


def _run_of(token: str, folders: Sequence[str], workspace: _Workspace) -> _Run | None:
    found = workspace.resolve_path(token, folders)
    if found is None:
        return None
    base, old_path = found
    module, root = workspace.packaged_script(old_path) or (None, None)
    return _Run(token, base, old_path, workspace.path_map[old_path], module, root)


def _module_words(run: _Run, interpreter: str) -> list[str]:
    """The words that run the moved script as a module. Run by path, the script would get its own
    folder on sys.path and lose the source root its imports need. From another folder than the
    source root, `env PYTHONPATH=...` adds the root and keeps the working directory the script had
    (relative data paths keep working); `env` works after wrappers and in exec form, `cd` would not."""
    words = [interpreter, "-m", run.module or ""]
    if run.root != run.base:
        words = ["env", f"PYTHONPATH={posixpath.relpath(run.root or '.', run.base or '.')}", *words]
    return words


def _stale_run(run: _Run, start: int, end: int, workspace: _Workspace) -> Iterator[Edit]:
    """A script that cannot run as a module (it was not at a source root's top level): run by path,
    its folder is sys.path[0]. When its sibling modules moved along with it (a renamed package),
    the path rule rewrites the path; otherwise its new path is only suggested, for review."""
    if not workspace.moved_with_its_folder(run.old_path):
        yield Edit(start, end, _new_path_token(run.token, run.base, run.new_path), certain=False)


def _script_edits(text: str, folder: str, workspace: _Workspace) -> Iterator[Edit]:
    """`python [flags] seed_db.py` becomes `python [flags] -m scripts.seed_db`."""
    stale: list[Edit] = []
    for match, run in _module_runs(_SCRIPT_RE.finditer(text), text, folder, workspace, stale):
        yield Edit(match.start(), match.end(), " ".join(_module_words(run, match["python"] + match["flags"])))
    yield from stale


def _module_runs(matches: Iterable[re.Match[str]], text: str, folder: str, workspace: _Workspace,
                 stale: list[Edit]) -> Iterator[tuple[re.Match[str], _Run]]:
    """The scripts run by path that `matches` name and that can now run as modules; for the
    others (see `_stale_run`) what may be suggested is added to `stale`."""
    for match in matches:
        run = _run_of(match["path"], _run_folders(text, match.start("path"), folder, workspace), workspace)
        if run is None:
            continue
        if run.module is None:
            stale.extend(_stale_run(run, match.start("path"), match.end("path"), workspace))
            continue
        yield match, run


def _exec_form_edits(text: str, folder: str, workspace: _Workspace) -> Iterator[Edit]:
    """`["python", "seed_db.py"]` and `["./seed_db.py"]` become `["python", "-m", "scripts.seed_db"]`."""
    stale: list[Edit] = []
    for match, run in _module_runs(_EXEC_FORM_RE.finditer(text), text, folder, workspace, stale):
        interpreter, certain = match["python"], True
        if interpreter is None:
            interpreter, certain = _shebang_interpreter(workspace.files.get(run.new_path, b""))
        quote, separator = match["q"] or match["q2"], match["sep"] or ", "
        words = _module_words(run, interpreter)
        yield Edit(match.start(), match.end(), separator.join(f"{quote}{word}{quote}" for word in words), certain)
    yield from stale


def _direct_run_edits(text: str, folder: str, workspace: _Workspace, *, prose: bool) -> Iterator[Edit]:
    """`./seed_db.py` where a command starts becomes `python3 -m scripts.seed_db` (the interpreter of its
    shebang); without a python shebang the same command with `python` is only suggested. In prose
    ("See: backend/seed_db.py") only `./x.py`, which is how a program is run, after no `word:`."""
    commands = (match for match in _DIRECT_RUN_RE.finditer(text)
                if not prose or (match["path"].startswith("./") and ":" not in text[match.start():match.start("path")]))
    stale: list[Edit] = []
    for match, run in _module_runs(commands, text, folder, workspace, stale):
        interpreter, certain = _shebang_interpreter(workspace.files.get(run.new_path, b""))
        yield Edit(match.start("path"), match.end("path"), " ".join(_module_words(run, interpreter)), certain)
    yield from stale


def _shebang_interpreter(script: bytes) -> tuple[str, bool]:
    """(interpreter, certain): the python a script's shebang names, else `python` for review."""
    shebang = _SHEBANG_RE.match(script)
    return (shebang["python"].decode(errors="replace"), True) if shebang else ("python", False)


def _run_folders(text: str, position: int, folder: str, workspace: _Workspace) -> tuple[str, ...]:
    """Folders a path in a command at `position` is relative to: the folder that `cd x &&` (or `cd x;`)
    earlier on its line enters, else the file's own folder (where make, a Procfile or compose runs),
    the workspace root and the source roots."""
    entered = _entered_folder(text, position, folder)
    return (entered,) if entered is not None else workspace.search_folders(folder)


def _entered_folder(text: str, position: int, folder: str) -> str | None:
    """The folder that `cd x &&` (or `cd x;`) earlier on the line of `position` enters, if any."""
    line_start = text.rfind("\n", 0, position) + 1
    entered: str | None = None
    for match in _CD_RE.finditer(text, line_start, position):
        entered = _joined(folder if entered is None else entered, match["folder"])
    return entered


# Docker's COPY and ADD


# An instruction with its continuation lines; the keyword is case-insensitive, as Docker reads it.
_COPY_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<keyword>COPY|ADD)[ \t]+(?P<args>(?:[^\\\r\n]|\\\r?\n|\\)*)",
    re.MULTILINE | re.IGNORECASE,
)
_WORD_RE = re.compile(r"(?:[^\s\\]|\\(?!\r?\n))+")
_GLOB_CHARACTERS = set("*?[")
_DOCKERFILE_NAMES = ("Dockerfile*", "Containerfile*", "*.dockerfile")


class _Copy(NamedTuple):
    """What COPY/ADD should do after the moves: each source as it becomes (None: dropped), and the
    instructions to add, as (sources, destination folder); or only a suggestion (`certain` False)."""

    sources: list[str | None]
    added: list[tuple[list[str], str]]
    certain: bool


def _copy_edits(path: str, text: str, folder: str, workspace: _Workspace) -> Iterator[Edit]:
    """COPY and ADD flatten their sources into the destination: `COPY main.py agent.py ./` with agent.py
    moved to agents/ would put it at ./agent.py in the image and break the package. The moved files get
    instructions of their own that keep the package folders (with their `__init__.py`); the rest of
    the instruction stays. `COPY . .` and folder copies name no moved file and stay as they are."""
    if not any(fnmatchcase(posixpath.basename(path), name) for name in _DOCKERFILE_NAMES):
        return
    for match in _COPY_RE.finditer(text):
        args_start, args = match.start("args"), match["args"].rstrip()
        bracket = args.find("[")
        # Exec form: flags, then a JSON array (a shell-form glob such as `file[12].py` has a word before it).
        json_form = bracket >= 0 and args.endswith("]") and all(
            word.startswith("--") for word in _WORD_RE.findall(args[:bracket]))
        words = [(args_start + word.start(), args_start + word.end(), word.group())
                 for word in _WORD_RE.finditer(args[:bracket] if json_form else args)]
        flags = [word for word in words if word[2].startswith("--")]
        if words[:len(flags)] != flags or any(word[2].startswith("--from") for word in flags):
            continue  # another stage's files are not the build context's
        arguments = _json_words(args[bracket:]) if json_form else [word[2] for word in words[len(flags):]]
        if arguments is None or len(arguments) < 2 or any(word.startswith("<<") for word in arguments):
            continue  # heredocs are no files of the context
        copy = _copy_after_moves(arguments[:-1], arguments[-1], folder, workspace)
        if copy is None:
            continue
        flag_text = "".join(f"{word[2]} " for word in flags)
        kept = [source for source in copy.sources if source is not None]
        if json_form:
            lines = [f"{match['keyword']} {flag_text}{json.dumps(sources + [target])}"
                     for sources, target in ([(kept, arguments[-1])] if kept else []) + copy.added]
        else:
            lines = [f"{match['keyword']} {flag_text}{' '.join(added)} {target}" for added, target in copy.added]
            if kept:
                lines.insert(0, _kept_sources(text, match, words, len(flags), copy.sources))
        newline = "\r\n" if text.startswith("\r\n", match.end("args")) else "\n"
        yield Edit(match.start("keyword"), match.end(), (newline + match["indent"]).join(lines), copy.certain)


def _json_words(array: str) -> list[str] | None:
    """The strings of a JSON array (exec form), continuation lines included; None if it is none."""
    try:
        words = json.loads(re.sub(r"\\\r?\n", " ", array))
    except ValueError:
        return None
    return words if isinstance(words, list) and all(isinstance(word, str) for word in words) else None


def _kept_sources(text: str, match: re.Match[str], words: list[tuple[int, int, str]], flags: int,
                  sources: list[str | None]) -> str:
    """The instruction as written, with dropped sources taken out (with the space before them)."""
    previous_ends = [match.end("keyword"), *(end for _, end, _ in words)]
    edits = []
    for index, new in enumerate(sources, start=flags):
        start, end, old = words[index]
        if new is None:
            edits.append(Edit(previous_ends[index] - match.start("keyword"), end - match.start("keyword"), ""))
        elif new != old:
            edits.append(Edit(start - match.start("keyword"), end - match.start("keyword"), new))
    return _spliced(text[match.start("keyword"):match.end()], edits)


def _copy_after_moves(sources: list[str], destination: str, folder: str, workspace: _Workspace) -> _Copy | None:
    folders = workspace.search_folders(folder)
    copied: list[tuple[int, str, str]] = []  # (source index, folder it is relative to, old path)
    for index, source in enumerate(sources):
        if _GLOB_CHARACTERS & set(source):
            copied += [(index, base, old) for base, old in workspace.resolve_glob(source, folders)
                       if not _glob_matches(workspace.path_map[old], _joined(base, source))]
        elif (found := workspace.resolve_path(source, folders)) is not None:
            copied.append((index, *found))
    if not copied:
        return None
    into_folder = (len(sources) > 1 or destination.endswith("/") or destination in (".", "..")
                   or any(_GLOB_CHARACTERS & set(source) for source in sources))
    new_sources: list[str | None] = list(sources)
    for index, base, old in copied:
        new_sources[index] = None if not _GLOB_CHARACTERS & set(sources[index]) else sources[index]
    below_copied = {old: posixpath.relpath(posixpath.dirname(workspace.path_map[old]), posixpath.dirname(old))
                    for _, _, old in copied}
    renamed = not into_folder and posixpath.basename(destination) != posixpath.basename(copied[0][2])
    if renamed or any(below.startswith("..") for below in below_copied.values()):
        # `COPY agent.py /app/main_agent.py`, or a file moved out of the copied folder: where it
        # belongs in the image is unknown, so the new path is only suggested.
        suggested: list[str | None] = list(sources)
        for index, base, old in copied:
            if not _GLOB_CHARACTERS & set(sources[index]):
                suggested[index] = _new_path_token(sources[index], base, workspace.path_map[old])
        return _Copy(suggested, [], False)
    if not into_folder:
        destination = posixpath.dirname(destination) or "."
    added: dict[str, list[str]] = {}  # destination folder in the image -> sources, in order
    for index, base, old in copied:
        new, below = workspace.path_map[old], below_copied[old]
        if below == ".":
            new_sources[index] = _new_path_token(sources[index], base, new)  # renamed in its folder
            continue
        for level in _folder_levels(below):
            init = _joined(posixpath.dirname(old), f"{level}/__init__.py")
            if init in workspace.files:
                _add_once(added, _image_folder(destination, level), posixpath.relpath(init, base or "."))
        _add_once(added, _image_folder(destination, below), _new_path_token(sources[index], base, new))
    return _Copy(new_sources, [(files, target) for target, files in added.items()], True)


def _folder_levels(folder: str) -> list[str]:
    """"app/api" -> ["app", "app/api"]: COPY puts each folder's files in one destination."""
    parts = folder.split("/")
    return ["/".join(parts[:length]) for length in range(1, len(parts) + 1)]


def _image_folder(destination: str, below: str) -> str:
    return posixpath.join(destination, below) + "/"


def _add_once(added: dict[str, list[str]], target: str, source: str) -> None:
    files = added.setdefault(target, [])
    if source not in files:
        files.append(source)


# module names in commands and settings


def _module_option_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    found = [*_dash_m_modules(text), *((match, True) for match in _COV_RE.finditer(text))]
    for match, certain in found:
        new_module = workspace.rename_module(match["module"])
        if new_module is not None:
            yield Edit(match.start("module"), match.end("module"), new_module, certain)
    for runner in _RUNNER_RE.finditer(text):
        for match in _APP_OPTION_RE.finditer(text, runner.start(), runner.end()):
            new_module = _renamed_reference(match["module"], match["attr"], workspace, trusted=True)
            if new_module is not None:
                yield Edit(match.start("module"), match.end("module"), new_module)


def _dash_m_modules(text: str) -> Iterator[tuple[re.Match[str], bool]]:
    """Each module a text runs with `python -m`, and whether the `-m` is certainly Python's: in a
    shell command always, as a list item where the interpreter comes before it in its list."""
    yield from ((match, True) for match in _DASH_M_RE.finditer(text))
    yield from ((item, _interpreter_earlier_in_list(text, item)) for item in _ITEM_DASH_M_RE.finditer(text))


def _interpreter_earlier_in_list(text: str, item: re.Match[str]) -> bool:
    """Whether the list holding the `-m` item names the interpreter before it: then `-m` is
    Python's. Without it (Kubernetes `args:` beside a `command:`, `["pytest", "-m", "slow"]`
    where a marker shares a module's name) the rewrite is only suggested."""
    position = item.start("q")
    if item["lead"].lstrip().startswith("-"):  # a block list: back over the item lines above
        start = item.start("lead")
        while start > 0:
            above = text.rfind("\n", 0, start - 1) + 1
            if not text[above:start].lstrip().startswith("-"):
                break
            start = above
    else:  # a flow list: back to its `[` on the same line
        start = text.rfind("[", text.rfind("\n", 0, position) + 1, position)
    return start >= 0 and _PYTHON_ITEM_RE.search(text, start, position) is not None


def _renamed_reference(module: str, attr: str | None, workspace: _Workspace, *, trusted: bool) -> str | None:
    """New name of what a module setting holds: `module`, `module.attr` or (with `attr`) `module:attr`."""
    if attr is not None:
        return workspace.rename_entry(module, attr, trusted=trusted)
    return workspace.rename_module(module) or workspace.rename_qualified(module, trusted=trusted)


def _entry_point_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _COLON_RE.finditer(text):
        new_module = workspace.rename_entry(match["module"], match["attr"], trusted=False)
        if new_module is not None:
            yield Edit(match.start("module"), match.end("module"), new_module)


_SETTING_KEY_RE = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)?(?:(?:ENV|export|set)[ \t]+)?)(?P<q>[\"']?)(?P<key>[\w.-]+|\(\))(?P=q)"
    r"[ \t]*(?:::?=|[?+]?=|:(?!\S))[ \t]*",  # `=`, YAML's or INI's `: `, make's `:=`, `?=`, `+=`
    re.MULTILINE,
)
_SECTION_RE = re.compile(r"^[ \t]*\[\[?[ \t]*(?P<name>[^\]\r\n]+?)[ \t]*\]", re.MULTILINE)
# Items are one to a line or separated by commas; a space inside one makes it a sentence or a command.
_VALUE_ITEM_RE = re.compile(r"[ \t\[]*(?P<item>[^,\[\]]*?)[ \t\]]*(?:,|$)")
_MODULE_ITEM_RE = re.compile(rf"(?P<q>[\"']?)(?P<module>{_DOTTED})(?::(?P<attr>{_DOTTED}))?(?P=q)")
_COMMENT_RE = re.compile(r"(?:^|[ \t])[#;]")
# A key names modules when its last word does (`module`, `APP_MODULE`, `FLASK_APP`, `CELERY_APP`, `py-modules`,
# `wsgi`), or any of its words is `module` (`MODULE_NAME`): `APP_NAME` and `role` do not.
_MODULE_KEY_LAST_WORDS = {"module", "modules", "app", "application", "wsgi", "asgi"}
# Coverage's `source` holds module names (or folders) in its own sections; elsewhere `source` is anything.
_COVERAGE_SECTIONS = {"run", "coverage:run", "tool.coverage.run"}
_COVERAGE_KEYS = {"source", "source_pkgs"}
# Tables whose every value is an entry point, `module` or `module:attr`, whatever its key.
_ENTRY_POINT_TABLES = ("project.entry-points.", "project.scripts", "project.gui-scripts", "tool.poetry.scripts",
                       "tool.poetry.plugins.")
# A logging config names a handler's, formatter's or filter's class, or a factory, by its dotted path.
_FACTORY_KEYS = {"class", "()"}
_INI_NAMES = ("*.ini", "*.cfg", "*.conf", ".coveragerc")


def _setting_edits(path: str, text: str, workspace: _Workspace) -> Iterator[Edit]:
    """Settings whose key says they name modules (`APP_MODULE=main:app`, `CELERY_APP=worker`,
    `py-modules = ["agent"]`, coverage's `source`, a logging handler's `class=`). Every item of
    the value must look like a module reference, or the value is something else (a command, a
    path) and stays."""
    ini = any(fnmatchcase(posixpath.basename(path), name) for name in _INI_NAMES)
    sections = [(match.start(), match["name"].strip().lower()) for match in _SECTION_RE.finditer(text)]
    for match in _SETTING_KEY_RE.finditer(text):
        factory = match["key"].lower() in _FACTORY_KEYS
        if not factory and not _names_modules(match["key"], sections, match.start()):
            continue
        items = _value_items(text, match.end(), ini)
        if items is None:
            continue
        for start, item in items:
            new_module = _renamed_reference(item["module"], item["attr"], workspace, trusted=not factory)
            if new_module is not None:
                yield Edit(start + item.start("module"), start + item.end("module"), new_module)


def _names_modules(key: str, sections: list[tuple[int, str]], position: int) -> bool:
    words = re.split(r"[_.-]", key.lower())
    if words[-1] in _MODULE_KEY_LAST_WORDS or "module" in words:
        return True
    section = _section_at(sections, position)
    if section.startswith(_ENTRY_POINT_TABLES):  # `datasette = "datasette._pytest_plugin"`, a pytest11 plugin
        return True
    return key.lower() in _COVERAGE_KEYS and section in _COVERAGE_SECTIONS


def _section_at(sections: list[tuple[int, str]], position: int) -> str:
    """The INI section or TOML table `position` is in ("" before the first header)."""
    index = bisect.bisect_left(sections, (position, ""))
    return sections[index - 1][1] if index else ""


def _value_items(text: str, start: int, ini: bool) -> list[tuple[int, re.Match[str]]] | None:
    """(offset, match) of each module-like item of the value at `start`: one value, a TOML array
    (over lines), or an INI value with its continuation lines. None if any item is no module name."""
    if text.startswith("[", start):
        close = text.find("]", start)
        end = close if close >= 0 else start
    else:
        end = _line_end(text, start)
        while ini and (following := re.match(r"\r?\n[ \t]+\S", text[end:end + 200])) is not None:
            end = _line_end(text, end + following.end())
    items: list[tuple[int, re.Match[str]]] = []
    for line in re.finditer(r"[^\r\n]+", text[start:end]):
        comment = _COMMENT_RE.search(line.group())
        content = line.group()[:comment.start()] if comment else line.group()
        for piece in _VALUE_ITEM_RE.finditer(content):
            if not piece["item"]:
                continue  # a trailing comma, or the end of the line
            item = _MODULE_ITEM_RE.fullmatch(piece["item"])
            if item is None:
                return None
            items.append((start + line.start() + piece.start("item"), item))
    return items or None


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    end = len(text) if end < 0 else end
    return end - 1 if end > position and text[end - 1] == "\r" else end


# Sphinx names Python objects by their dotted path: autodoc's and the Python domain's directives
# (`.. automodule:: app.adapi`, `.. autoclass:: app.adapi.ADAPI`, MyST's ```{automodule} app.adapi)
# and cross-reference roles (:class:`app.adapi.ADAPI`, :meth:`~app.adapi.ADAPI.get`, :func:`Title
# <app.x.f>`, MyST's {py:class}`...`). A target starting with `.` is relative to the current module.
_SPHINX_OBJECTS = (r"(?:auto)?(?:module|currentmodule|class|function|method|attribute|data|exception|decorator"
                   r"|property|classmethod|staticmethod)")
_SPHINX_DIRECTIVE_RE = re.compile(
    rf"(?:\.\.[ \t]+|```\{{)(?:py:)?{_SPHINX_OBJECTS}(?:::|\}})[ \t]+(?P<target>{_DOTTED})(?![\w.])")
# A link to the page Sphinx made for an object, by its anchor (`AD_API_REFERENCE.html#appdaemon.adapi.ADAPI.get_state`,
# `api.html#module-appdaemon.adapi`): the anchor is the object's dotted path.
_SPHINX_ANCHOR_RE = re.compile(rf"\.html#(?:module-)?(?P<target>{_DOTTED})(?![\w.])")
_SPHINX_ROLE_RE = re.compile(
    rf"(?::|\{{)(?:py:)?(?:mod|class|func|meth|attr|data|exc|obj|const|deco|property|type)(?::|\}})"
    rf"`(?:[^`<\n]*<)?[~!]?(?P<target>{_DOTTED})(?:\(\))?>?`")


def _sphinx_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    for pattern in (_SPHINX_DIRECTIVE_RE, _SPHINX_ROLE_RE, _SPHINX_ANCHOR_RE):
        for match in pattern.finditer(text):
            # an anchor may be any section's: only a module, or a name the module defines, is an object's
            new = workspace.rename_qualified(match["target"], trusted=pattern is not _SPHINX_ANCHOR_RE)
            if new is not None:
                yield Edit(match.start("target"), match.end("target"), new)


def _inline_code_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    """`` `app.checking` `` (a module) or `` `app.checking.search` `` (a name it defines)."""
    for match in _INLINE_CODE_RE.finditer(text):
        name = match["module"]
        new_module = workspace.rename_module(name)
        if new_module is not None and (name in workspace.module_map or workspace.is_module(new_module)):
            yield Edit(match.start("module"), match.end("module"), new_module)
        elif new_module is None and (qualified := workspace.rename_qualified(name, trusted=False)) is not None:
            yield Edit(match.start("module"), match.end("module"), qualified)


# A dotted name written in text: not inside a longer name, path or address.
# A slash may join two (`xandikos.caldav/xandikos.carddav`); after `//` it is an address's host.
_MENTION_RE = re.compile(rf"(?<![\w.-])(?<!//)(?P<name>{_IDENT}(?:\.{_IDENT})+)(?![\w-]|\.\w)")


def _qualified_mention_edits(text: str, workspace: _Workspace, *, certain: bool = True) -> Iterator[Edit]:
    """A moved module named in text by its full dotted name under a package, or a name it defines
    (`hc.accounts.views.check_token` in a comment, `AUTHENTICATION_BACKENDS = ["hc.accounts.backends.
    CustomHeaderBackend"]` in a README's code block). Only names of two parts or more before the
    attribute: `agent.run` in a sentence may be anything, `hc.accounts.views` is that module."""
    for match in _MENTION_RE.finditer(text):
        prefix = workspace.longest_moved_prefix(match["name"])
        if prefix is None or "." not in prefix:
            continue
        new = workspace.rename_qualified(match["name"], trusted=False)
        if new is not None:
            yield Edit(match.start("name"), match.end("name"), new, certain)


# Links to a file on a branch of the project's forge (`.../blob/main/maigret/checking.py#L40`): the
# branch will hold the file at its new path. A commit or a tag names the old tree, and stays.
_BRANCHES = r"(?:main|master|develop|development|dev|trunk|HEAD)"
_REPOSITORY_LINK_RE = re.compile(
    rf"https?://(?:(?:github\.com|gitlab\.com|bitbucket\.org)/[\w.-]+/[\w.-]+/(?:-/)?(?:blob|tree|raw|src)"
    rf"|raw\.githubusercontent\.com/[\w.-]+/[\w.-]+)/{_BRANCHES}/(?P<path>[\w./-]+?\.py)(?![\w/-])")


def _repository_link_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _REPOSITORY_LINK_RE.finditer(text):
        new_path = workspace.path_map.get(match["path"])
        if new_path is not None:
            yield Edit(match.start("path"), match.end("path"), new_path)


# paths of moved files


def _path_edits(text: str, folder: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _PATH_TOKEN_RE.finditer(text):
        token = match.group()
        found = workspace.resolve_path(token, _run_folders(text, match.start(), folder, workspace))
        if found is not None:
            base, old_path = found
            yield Edit(match.start(), match.end(), _new_path_token(token, base, workspace.path_map[old_path]))


def _new_path_token(token: str, base: str, new_path: str) -> str:
    """The moved file's path relative to the same folder; a leading `./` stays."""
    new_token = posixpath.relpath(new_path, base or ".")
    if token.startswith("./") and not new_token.startswith("../"):
        new_token = "./" + new_token
    return new_token


def _outside_tree_lines(text: str, edits: list[Edit]) -> list[Edit]:
    tree_spans = [match.span() for match in _TREE_LINE_RE.finditer(text)]
    return [edit for edit in edits if not any(start <= edit.start < end for start, end in tree_spans)]


def _accepted(text: str, edits: list[Edit]) -> list[Edit]:
    """The edits that change something, in priority order, less those overlapping a kept one; sorted by start."""
    return _first_of_overlapping([edit for edit in edits if text[edit.start:edit.end] != edit.new],
                                 lambda edit: (edit.start, edit.end))


def _first_of_overlapping(edits: list[_E], span: Callable[[_E], tuple[Any, Any]]) -> list[_E]:
    """The edits kept, sorted by start: in priority order, an edit overlapping a kept one (or
    starting where one starts) is dropped. `span` gives an edit's (start, end) as values that
    compare in the order of the text: offsets, or (row, column) pairs."""
    kept: list[_E] = []  # sorted by start; they never overlap
    starts: list[Any] = []
    for edit in edits:
        start, end = span(edit)
        index = bisect.bisect_left(starts, start)
        if index > 0 and span(kept[index - 1])[1] > start:
            continue
        if index < len(kept) and (starts[index] < end or starts[index] == start):
            continue
        starts.insert(index, start)
        kept.insert(index, edit)
    return kept


def _spliced(text: str, edits: list[Edit]) -> str:
    """`text` with non-overlapping edits, sorted by start, applied."""
    pieces, position = [], 0
    for edit in edits:
        pieces += [text[position:edit.start], edit.new]
        position = edit.end
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
_FROM_ITEM = rf"{_IDENT}(?:[ \t]+as[ \t]+{_IDENT})?"
_IMPORTED_NAMES_RE = re.compile(rf"[ \t]+(?P<names>{_FROM_ITEM}(?:[ \t]*,[ \t]*{_FROM_ITEM})*)[ \t]*(?:#.*)?")


def is_docs_import_line(line: str) -> bool:
    """A line that the docs rules read as an import (`from x import y`, `>>> import x`)."""
    return bool(_FROM_IMPORT_RE.match(line) or _IMPORT_RE.match(line))


def _python_block_edits(text: str, is_rst: bool, workspace: _Workspace) -> Iterator[Edit]:
    for offset, line in [*_python_block_lines(text, is_rst), *_cog_lines(text)]:
        yield from _import_line_edits(line, offset, workspace)


# cog (datasette's docs): Python between `[[[cog` and `]]]`, whose output the docs hold below it.
_COG_START, _COG_END, _COG_OUTPUT_END = "[[[cog", "]]]", "[[[end]]]"


def cog_regions(text: str) -> list[str]:
    """Each cog block of a docs file with the output it generated, `[[[cog` to `[[[end]]]`: a
    change in one (its code's imports, or names in its output) is only right once cog re-runs."""
    return re.findall(rf"{re.escape(_COG_START)}.*?{re.escape(_COG_OUTPUT_END)}", text, re.DOTALL)


def _cog_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) inside each cog block of a docs file (`.. [[[cog` ... `.. ]]]`)."""
    offset, inside = 0, False
    for line_with_end in _split_lines(text):
        line = line_with_end.rstrip("\r\n")
        if _COG_START in line:
            inside = True
        elif inside and _COG_END in line:
            inside = False
        elif inside:
            yield offset, line
        offset += len(line_with_end)


def _import_line_edits(line: str, offset: int, workspace: _Workspace) -> Iterator[Edit]:
    """An import written as a line of Python text (a docs code block, a doctest): `from X import`
    with X moved, `from pkg import module` with the module moved, `import X`."""
    from_match = _FROM_IMPORT_RE.match(line)
    if from_match is not None:
        new_module = workspace.rename_module(from_match["module"]) or _home_of_moved_submodules(
            from_match["module"], line[from_match.end():], workspace)
        if new_module is not None:
            yield Edit(offset + from_match.start("module"), offset + from_match.end("module"), new_module)
        return
    import_match = _IMPORT_RE.match(line)
    if import_match is not None:
        statement = _rewritten_import(import_match["items"], workspace)
        if statement is not None:
            start, end = import_match.span("statement")
            yield Edit(offset + start, offset + end, statement)


# `python -c "import maigret; from maigret.report import save_pdf_report"`, a CI smoke check: the
# code is Python, its statements separated by `;`, in one quoted argument on one line.
_PYTHON_C_RE = re.compile(r"(?<![\w./-])python[\d.]*(?:[ \t]+-(?![cm]\b)[A-Za-z]+(?:[ \t]+[^\s\"'-]\S*)?)*"
                          r"[ \t]+-c[ \t]+(?P<quote>[\"'])"
                          r"(?P<code>(?:(?!(?P=quote))[^\r\n])*)(?P=quote)")


def _python_c_edits(text: str, workspace: _Workspace) -> Iterator[Edit]:
    for match in _PYTHON_C_RE.finditer(text):
        offset = match.start("code")
        for statement in match["code"].split(";"):
            yield from _import_line_edits(statement, offset, workspace)
            offset += len(statement) + 1


def _home_of_moved_submodules(package: str, names: str, workspace: _Workspace) -> str | None:
    """`from appdaemon import adbase as ad`, adbase moved to appdaemon/core/: "appdaemon.core", the
    one package every imported name now lives in under its own name; else None."""
    items = _IMPORTED_NAMES_RE.fullmatch(names)
    if items is None:
        return None
    homes = set()
    for item in items["names"].split(","):
        name = item.split()[0]
        new = workspace.module_map.get(f"{package}.{name}")
        if new is None or "." not in new or new.rsplit(".", 1)[1] != name:
            return None
        homes.add(new.rsplit(".", 1)[0])
    return homes.pop() if len(homes) == 1 else None


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
    if line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
        return False, len(line) - len(line.lstrip())  # "for example::": a literal block, Python to Sphinx
    if indent is None:
        return False, None
    if not line.strip():
        return True, indent
    if len(line) - len(line.lstrip()) > indent:
        return True, indent
    return False, None
