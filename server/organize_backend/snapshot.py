"""First stage: read the workspace into a Snapshot, with editor buffers laid over the disk."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path, PurePosixPath
from typing import Mapping

from organize_backend.model import OrganizeError, Snapshot

# Folders that are never part of the user's source: environments, caches, build output.
IGNORED_FOLDERS = {
    ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "node_modules", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ropeproject", "build", "dist",
    ".organize-backend", ".eggs", "site-packages", ".idea",
}

# Text files whose references to modules and script paths the engine keeps up to date.
TEXT_FILE_PATTERNS = (
    "Procfile", "Dockerfile*", "Containerfile*", "Makefile", "*.mk", "*.toml", "*.cfg", "*.ini",
    "*.yml", "*.yaml", "*.md", "*.rst", "*.txt", "*.sh", "*.env.example",
    "Procfile.*", "makefile", "GNUmakefile", "Justfile", "justfile", ".justfile", "*.just", "*.dockerfile",
    ".coveragerc", "*.conf", ".env", "*.env", ".env.*",
    ".flaskenv", "*.po", "*.pot",
)
MAX_TEXT_FILE_BYTES = 1_000_000


def is_text_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in TEXT_FILE_PATTERNS)


def take_snapshot(
    root: Path,
    organize_root: str = "",
    buffers: Mapping[str, str] | None = None,
    buffer_versions: Mapping[str, int] | None = None,
) -> Snapshot:
    """Read `root`: Python and text files with their bytes, other files by path only.

    `buffers` are unsaved editor documents (workspace-relative path -> text); they win
    over the disk, so a plan never undoes what the user typed but has not saved.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise OrganizeError(f"{root}: not a folder")
    organize_root = inside_workspace(root, organize_root, what="root")
    if not (root / organize_root).is_dir():
        raise OrganizeError(f"{organize_root or '.'}: the folder to organize does not exist in {root}")
    files: dict[str, bytes] = {}
    others: set[str] = set()
    for path in walk_workspace(root):
        if path.endswith(".py") or (is_text_file(path) and (root / path).stat().st_size <= MAX_TEXT_FILE_BYTES):
            files[path] = (root / path).read_bytes()
        else:
            others.add(path)
    for path, text in (buffers or {}).items():
        path = inside_workspace(root, path, what="document")
        files[path] = text.encode("utf-8", errors="surrogateescape")
        others.discard(path)
    return Snapshot(
        root=root,
        files=files,
        organize_root=organize_root,
        other_files=frozenset(others),
        open_documents=dict(buffer_versions or {}),
    )


def walk_workspace(root: Path):
    """Workspace-relative POSIX paths of the user's files, without environments or caches."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(
            name for name in subfolders
            if name not in IGNORED_FOLDERS
            and not name.endswith(".egg-info")
            and not (Path(folder) / name / "pyvenv.cfg").exists()
            and not (Path(folder) / name).is_symlink()
        )
        relative = Path(folder).relative_to(root)
        for name in sorted(names):
            if (Path(folder) / name).is_symlink():
                continue  # a link may point anywhere; moving the link is not moving its target
            yield (relative / name).as_posix() if str(relative) != "." else name


def inside_workspace(root: Path, path: str, what: str = "path") -> str:
    """`path` as a clean workspace-relative POSIX path, or a clear refusal."""
    if path in ("", "."):
        return ""
    candidate = PurePosixPath(path.replace("\\", "/"))
    if candidate.is_absolute() or Path(path).is_absolute():
        try:
            candidate = PurePosixPath(Path(path).resolve().relative_to(root).as_posix())
        except ValueError:
            raise OrganizeError(f"{what} {path}: outside the workspace {root}") from None
    if ".." in candidate.parts:
        raise OrganizeError(f"{what} {path}: outside the workspace {root} ('..' is not allowed)")
    resolved = (root / candidate).resolve()
    if resolved != root and root not in resolved.parents:
        raise OrganizeError(f"{what} {path}: outside the workspace {root} (through a symbolic link)")
    return candidate.as_posix().strip("/") if str(candidate) != "." else ""


def parent_of(path: str) -> str:
    """The folder of a workspace-relative POSIX path ("" for the workspace itself)."""
    return path.rpartition("/")[0]


def join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def relocated(path: str, old: str, new: str) -> str | None:
    """Where `path` is once `old` (a file or folder) has become `new`; None if it was not under `old`."""
    if path == old:
        return new
    if path.startswith(old + "/"):
        return new + path[len(old):]
    return None


def source_roots(snapshot: Snapshot) -> list[str]:
    """Folders the application imports from: the organize root, or the first folder above it
    that is not a package (a backend that is itself a package imports through its parent)."""
    folder = snapshot.organize_root
    while folder and f"{folder}/__init__.py" in snapshot.files:
        folder = str(PurePosixPath(folder).parent)
        folder = "" if folder == "." else folder
    return [folder]


def workspace_package(snapshot: Snapshot) -> str | None:
    """The name a workspace that is itself a package is imported by, from the folder above it."""
    return snapshot.root.name if "__init__.py" in snapshot.files and snapshot.root.name.isidentifier() else None


def module_name(path: str, roots: list[str]) -> str | None:
    """Dotted module name of a .py file (or package folder) under one of `roots`."""
    for root in sorted(roots, key=len, reverse=True):
        if root and not (path == root or path.startswith(root + "/")):
            continue
        relative = path[len(root) + 1:] if root else path
        parts = [part for part in relative.split("/") if part]
        if not parts:
            return None
        if parts[-1] == "__init__.py":
            parts.pop()
        elif parts[-1].endswith(".py"):
            parts[-1] = parts[-1][:-3]
        return ".".join(parts) if parts else None
    return None
