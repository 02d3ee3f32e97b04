"""The Python the project runs on, and what is installed in it, found without running project code.

The tool itself may run in any Python (pipx, the editor extension's bundled server); the
project's imports are judged by the project's own interpreter, chosen in this order:

1. `--python` on the command line, or `python` in `[tool.organize-backend]`;
2. the interpreter the editor picked for the workspace (a language server setting);
3. the active virtual environment (`VIRTUAL_ENV`);
4. a `.venv` or `venv` folder in the organized folder or one of its parents, up to the workspace root;
5. the tool's own Python.

That interpreter is asked once, in isolated mode, for its `sys.path` (the answer is cached
while its site folders are unchanged); then installed modules are looked up on disk there:
modules, packages and namespace portions on the search path, and, for installs that hook
the import system instead (editable installs), the top-level names a distribution's
metadata declares.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from importlib.machinery import all_suffixes
from pathlib import Path

from organize_backend.model import OrganizeError

ASK_TIMEOUT_SECONDS = 20.0
VENV_FOLDERS = (".venv", "venv")
MODULE_SUFFIXES = tuple(all_suffixes())  # .py, .pyc, extension modules

# Run in the project's interpreter with -I: no current folder on sys.path, no PYTHON*
# variables; `site` still adds site-packages and the paths its .pth files name. The user's
# site folder, which -I leaves out, is named when the interpreter would use it (no venv).
_ASK_SCRIPT = """\
import json, os, site, sys
user = site.getusersitepackages() if sys.prefix == getattr(sys, "base_prefix", sys.prefix) else ""
print(json.dumps({
    "path": sys.path + ([user] if user and os.path.isdir(user) else []),
    "builtin": list(sys.builtin_module_names),
    "stdlib": sorted(getattr(sys, "stdlib_module_names", ())),
}))
"""


@dataclass(frozen=True)
class Interpreter:
    executable: str  # absolute path
    origin: str  # why this one, for messages: "VIRTUAL_ENV", ".venv in backend/", ...

    def __str__(self) -> str:
        return f"{self.executable} ({self.origin})"


@dataclass(frozen=True)
class Environment:
    interpreter: Interpreter
    search_path: tuple[str, ...]  # sys.path of the interpreter, without the current folder
    builtin_modules: frozenset[str]
    standard_library: frozenset[str]

    def installed(self) -> InstalledModules:
        """A fresh look at the disk: what is installed now, listed lazily and once."""
        return InstalledModules(self)


@dataclass(frozen=True)
class InstalledModule:
    """A top-level module found in an environment."""

    package_dirs: tuple[str, ...] | None  # where its submodules are; None: a module, or insides unseen
    standard_library: bool = False
    distributions: tuple[str, ...] = ()  # when found by the metadata only: the distributions declaring it


@dataclass
class InstalledModules:
    environment: Environment
    _listings: dict[str, frozenset[str] | None] = field(default_factory=dict)

    def find(self, name: str) -> InstalledModule | None:
        """`name` as the interpreter's path-based import would find it, or None."""
        environment = self.environment
        is_stdlib = name in environment.standard_library
        on_path = None if name in environment.builtin_modules else self._on_search_path(name)
        if on_path is not None:
            return InstalledModule(on_path.package_dirs, is_stdlib)
        if is_stdlib:  # builtins, and platform-only modules (winreg on Linux)
            return InstalledModule(None, standard_library=True)
        declared = self.distributions_of(name)  # installed through an import hook (editable installs)
        return InstalledModule(None, distributions=declared) if declared else None

    def distributions_of(self, name: str) -> tuple[str, ...]:
        """The installed distributions that declare the top-level `name` (read once, when first asked)."""
        return self._top_levels.get(name, ())

    def listing(self, folder: str) -> frozenset[str] | None:
        """The entries of a folder (or the top level of a zip); None when it cannot be read."""
        if folder not in self._listings:
            self._listings[folder] = _entries(folder)
        return self._listings[folder]

    def _on_search_path(self, name: str) -> InstalledModule | None:
        """Python's order: the first entry holding a regular package or a module wins;
        folders without `__init__` merge into a namespace package."""
        portions: list[str] = []
        for entry in self.environment.search_path:
            entries = self.listing(entry)
            if not entries:
                continue
            if name in entries:
                folder = os.path.join(entry, name)
                inside = self.listing(folder) if os.path.isdir(folder) else None
                if inside is not None and any("__init__" + suffix in inside for suffix in MODULE_SUFFIXES):
                    return InstalledModule((folder,))
                if inside is not None:
                    portions.append(folder)
                elif os.path.isfile(entry):
                    return InstalledModule(None)  # inside a zip: its insides are not looked at
            if any(name + suffix in entries for suffix in MODULE_SUFFIXES):
                return InstalledModule(None)
        return InstalledModule(tuple(portions)) if portions else None

    @cached_property
    def _top_levels(self) -> dict[str, tuple[str, ...]]:
        """Top-level import name -> distributions declaring it, from installed metadata."""
        names: dict[str, list[str]] = {}
        for entry in self.environment.search_path:
            for item in sorted(self.listing(entry) or ()):
                if item.endswith(".dist-info") and os.path.isdir(os.path.join(entry, item)):
                    distribution = item[: -len(".dist-info")].rsplit("-", 1)[0]
                    for top in _declared_top_levels(os.path.join(entry, item)):
                        names.setdefault(top, []).append(distribution)
        return {name: tuple(dict.fromkeys(found)) for name, found in names.items()}


def _entries(folder: str) -> frozenset[str] | None:
    try:
        if os.path.isdir(folder):
            return frozenset(os.listdir(folder))
        if zipfile.is_zipfile(folder):
            with zipfile.ZipFile(folder) as archive:
                return frozenset(_zip_top_level(name) for name in archive.namelist())
    except OSError:
        pass
    return None


def _zip_top_level(member: str) -> str:
    return member.split("/", 1)[0]  # "pkg/__init__.py" -> "pkg"; "mod.py" stays "mod.py"


def _declared_top_levels(dist_info: str) -> set[str]:
    """`top_level.txt` when the installer wrote one, else the first parts of RECORD's paths."""
    try:
        text = Path(dist_info, "top_level.txt").read_text(encoding="utf-8")
        return {line.strip().replace("/", ".").partition(".")[0] for line in text.splitlines() if line.strip()}
    except (OSError, UnicodeDecodeError):
        pass
    names = set()
    try:
        with open(os.path.join(dist_info, "RECORD"), encoding="utf-8") as record:
            for line in record:
                path = line.split(",", 1)[0]
                top = path.split("/", 1)[0]
                if not top or top.startswith("..") or top.endswith((".dist-info", ".data", ".pth")) or top == "__pycache__":
                    continue
                name = top.partition(".")[0] if "/" not in path else top
                if name.isidentifier():
                    names.add(name)
    except (OSError, UnicodeDecodeError):
        pass
    return names


# --- which interpreter -------------------------------------------------------------------------


def choose_interpreter(workspace: Path, organize_root: str = "", configured: str = "", editor: str = "",
                       configured_origin: str = "the `python` setting") -> Interpreter:
    """The project's interpreter, by the order in the module docstring."""
    workspace = Path(workspace)
    if configured:
        return Interpreter(_executable_of(workspace, configured, configured_origin), configured_origin)
    if editor:
        return Interpreter(_executable_of(workspace, editor, "the editor's interpreter"), "the editor's interpreter")
    active = os.environ.get("VIRTUAL_ENV")
    if active and _venv_python(Path(active)):
        return Interpreter(str(_venv_python(Path(active))), "VIRTUAL_ENV")
    folder = workspace / organize_root if organize_root else workspace
    while True:
        for name in VENV_FOLDERS:
            python = _venv_python(folder / name)
            if python:
                where = folder.relative_to(workspace).as_posix()
                return Interpreter(str(python), f"{name} in {'the workspace' if where == '.' else where + '/'}")
        if folder == workspace or folder == folder.parent:
            break
        folder = folder.parent
    return Interpreter(sys.executable, "the tool's own Python")


def _executable_of(workspace: Path, value: str, origin: str) -> str:
    """A configured interpreter: an executable, or a virtual environment folder holding one."""
    path = Path(value).expanduser()
    path = path if path.is_absolute() else workspace / path
    if path.is_dir():
        python = _venv_python(path)
        if python is None:
            raise OrganizeError(f"{origin}: {value} is a folder without bin/python (or Scripts/python.exe)")
        return str(python)
    if not path.is_file():
        raise OrganizeError(f"{origin}: {value}: no such Python interpreter")
    return str(path.absolute())


def _venv_python(folder: Path) -> Path | None:
    for relative in ("bin/python", "bin/python3", "Scripts/python.exe"):
        python = folder / relative
        if python.is_file() and os.access(python, os.X_OK):
            return python.absolute()
    return None


# --- asking it ---------------------------------------------------------------------------------

_ASKED: dict[str, tuple[tuple[int, ...], Environment]] = {}


def environment_of(interpreter: Interpreter) -> Environment:
    """What `interpreter` imports from; asked once, again only when one of its folders changed
    (a `pip install -e` adds a .pth file, and with it a path)."""
    cached = _ASKED.get(interpreter.executable)
    if cached is not None and cached[0] == _stamp(cached[1].search_path):
        return Environment(interpreter, *_fields(cached[1]))
    environment = _ask(interpreter)
    _ASKED[interpreter.executable] = (_stamp(environment.search_path), environment)
    return environment


def own_environment() -> Environment:
    return environment_of(Interpreter(sys.executable, "the tool's own Python"))


def _fields(environment: Environment) -> tuple:
    return environment.search_path, environment.builtin_modules, environment.standard_library


def _stamp(search_path: tuple[str, ...]) -> tuple[int, ...]:
    stamps = []
    for entry in search_path:
        try:
            stamps.append(os.stat(entry).st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


def _ask(interpreter: Interpreter) -> Environment:
    what = f"the project's Python, {interpreter}"
    try:
        answer = subprocess.run([interpreter.executable, "-I", "-c", _ASK_SCRIPT], capture_output=True, text=True,
                                timeout=ASK_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise OrganizeError(f"{what}, did not answer within {ASK_TIMEOUT_SECONDS:.0f} s") from None
    except OSError as error:
        raise OrganizeError(f"cannot run {what}: {error.strerror or error}") from None
    if answer.returncode != 0:
        last = (answer.stderr.strip().splitlines() or [f"exit status {answer.returncode}"])[-1]
        raise OrganizeError(f"{what}, failed: {last}")
    try:
        facts = json.loads(answer.stdout.strip().splitlines()[-1])
        search_path = tuple(dict.fromkeys(os.path.abspath(entry) for entry in facts["path"] if entry))
        builtin = frozenset(facts["builtin"])
        stdlib = frozenset(facts["stdlib"]) or _own_standard_library()  # before 3.10: the tool's list
    except (ValueError, KeyError, TypeError, IndexError):
        raise OrganizeError(f"{what}, did not answer as a Python interpreter does") from None
    return Environment(interpreter, search_path, builtin, stdlib | builtin)


def _own_standard_library() -> frozenset[str]:
    return frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names)
