"""Helpers shared by the test suites: copy a fixture backend, run its own tests, read a tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

FIXTURES = {
    "chat_backend": REPO_ROOT / "examples" / "chat_backend",
    "rai_chat": REPO_ROOT / "tests" / "fixtures" / "rai_chat",
}

# Written by Python, pytest, its plugins or by us; never part of the user's files.
CACHE_FOLDERS = frozenset({"__pycache__", ".pytest_cache", ".benchmarks", ".organize-backend"})

# Variables that would make a fixture's tests read or write outside their tmp_path.
_LEAKY_ENV = ("CHAT_DB", "RAI_DB_PATH", "RAI_DATA_DIR", "PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")


def fixture_path(name_or_path: str | os.PathLike) -> Path:
    """The source folder of a fixture: a known name ("chat_backend", "rai_chat") or a path."""
    if isinstance(name_or_path, str) and name_or_path in FIXTURES:
        return FIXTURES[name_or_path]
    path = Path(name_or_path)
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.is_dir():
        raise FileNotFoundError(f"no fixture {name_or_path!r} (known: {', '.join(sorted(FIXTURES))})")
    return path


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name in CACHE_FOLDERS or name.endswith(".pyc")}


def copy_fixture(name_or_path: str | os.PathLike, tmp_path: Path) -> Path:
    """Copy a fixture into `tmp_path/<its folder name>` byte for byte (caches left out)."""
    source = fixture_path(name_or_path)
    destination = Path(tmp_path) / source.name
    shutil.copytree(source, destination, ignore=_ignore)
    return destination


def organized_copy(name: str, folder: Path) -> tuple[Path, dict[str, bytes]]:
    """A copy of a fixture reorganized by `organize-backend apply`, and its tree from before."""
    from organize_backend.cli import main

    root = copy_fixture(name, folder)
    before = tree_bytes(root)
    assert main(["apply", str(root)]) == 0
    return root, before


def run_fixture_tests(path: Path, *pytest_args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the fixture's own test suite in `path` with this interpreter; output captured as text.

    No cache folder, no benchmark folder and no bytecode are written into the fixture, and
    environment variables that point the fixtures at a database are removed.
    """
    env = {key: value for key, value in os.environ.items() if key not in _LEAKY_ENV}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Blocking a plugin that is not installed is harmless; pytest-benchmark writes .benchmarks/.
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:benchmark", *pytest_args]
    return subprocess.run(command, cwd=path, env=env, capture_output=True, text=True, timeout=timeout)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` (POSIX relative path -> bytes), caches and our journal left out."""
    files: dict[str, bytes] = {}
    for path in sorted(Path(root).rglob("*")):
        relative = path.relative_to(root)
        if CACHE_FOLDERS & set(relative.parts) or path.suffix == ".pyc" or not path.is_file():
            continue
        files[relative.as_posix()] = path.read_bytes()
    return files


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes; text as UTF-8) under `root`; returns `root`."""
    for path, content in files.items():
        target = Path(root) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return Path(root)
