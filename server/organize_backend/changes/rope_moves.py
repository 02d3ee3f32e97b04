"""Run a plan's moves with rope's MoveModule and Rename, on a scratch copy of the workspace.

rope writes to disk as it goes, and the user's files must not change before they accept
(DESIGN.md fact 5), so rope works on a temporary copy of the workspace's Python files.
The result is data: every Python file's final path, and what was created and removed.

rope carries out the moves; what the files say afterwards is not taken from rope. rope
rebuilds the import block of every file it rewrites (statements between imports pushed
down, late imports hoisted, parenthesized imports joined, relative imports made absolute:
DESIGN.md fact 8), so the imports are rewritten in place by `imports.py`, from the
original texts. The scratch copy therefore holds empty files: rope has nothing to parse
and nothing to rewrite, and a move costs the same whatever the files hold.

What this adds around rope:

* A package whose name is taken by a module beside it (`database.py` going into
  `database/`) is built under a temporary name and renamed with rope's Rename once the
  module has left.
* A module moved under a new name is moved, then renamed, with rope.
* A package moved onto an existing folder is merged into it, module by module.
* Packages of the old layout that the moves leave empty are removed.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Sequence

from rope.base import change as rope_change
from rope.refactor.move import MoveModule
from rope.refactor.rename import Rename

from organize_backend.changes.rope_project import open_scratch_project, source_folders_of
from organize_backend.model import Move, OrganizeError, Snapshot
from organize_backend.snapshot import join, parent_of, relocated, source_roots

TEMPORARY_PREFIX = "_organize_tmp_"


@dataclass
class RopeResult:
    """Every Python file after the moves, keyed by final path (created files hold their bytes)."""

    files: dict[str, bytes]
    origin: dict[str, str]  # final path -> original path, for files that existed before
    created: set[str]  # final paths of files the engine created (__init__.py)
    removed_dirs: list[str]  # folders of the old layout that the moves left empty
    moved_folders: dict[str, str]  # original folder -> final folder, for whole-package moves
    deleted: set[str] = field(default_factory=set)  # original paths removed (empty __init__.py)


def run_moves(snapshot: Snapshot, moves: Sequence[Move]) -> RopeResult:
    scratch = Path(tempfile.mkdtemp(prefix="organize-backend-", dir=_scratch_parent(snapshot)))
    try:
        session = _RopeSession(snapshot, scratch)
        for move in moves:
            session.move(move.source, move.destination)
        session.finish_temporary_packages()
        return session.result()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


RAM_FOLDER = Path("/dev/shm")
RAM_HEADROOM = 4  # use memory only when it has this many times the copy's size free, plus 64 MB


def _scratch_parent(snapshot: Snapshot) -> str | None:
    """Where the scratch copy goes: a memory-backed folder when there is one with room to
    spare (creating 1,600 files there took 0.02 s against 0.44 s on disk), else the usual
    temporary folder. The copy lives for one computation and is removed after it."""
    try:
        if not RAM_FOLDER.is_dir() or not os.access(RAM_FOLDER, os.W_OK):
            return None
        stats = os.statvfs(RAM_FOLDER)
    except OSError:
        return None
    needed = sum(len(data) for path, data in snapshot.files.items() if path.endswith(".py"))
    free = stats.f_bavail * stats.f_frsize
    return str(RAM_FOLDER) if free > RAM_HEADROOM * needed + 64 * 2**20 else None


class _RopeSession:
    def __init__(self, snapshot: Snapshot, scratch: Path):
        self.snapshot = snapshot
        self.scratch = scratch
        self.texts: dict[str, str] = {}  # current path -> text, mirrors the scratch copy
        self.origin: dict[str, str] = {}  # current path -> original path
        self.created: set[str] = set()
        self.folder_origin: dict[str, str] = {}  # current folder -> where it was, for moved folders
        self.temporary: dict[str, str] = {}  # final package path -> temporary path in use
        self.deleted: set[str] = set()
        self._copy_python_files()
        # The folders rope finds, and the source root the application imports from: rope stops at a
        # folder beside `tests/__init__.py` and would make `src/` of a src layout a package to reach
        # its package (django-helpdesk), which turns every relative import it sees absolute.
        found = source_folders_of(snapshot.python_files())
        self.source_folders = found + [root for root in source_roots(snapshot) if root and root not in found]
        self.project = open_scratch_project(scratch, self.source_folders)

    # --- the scratch copy ---------------------------------------------------------------

    def _copy_python_files(self) -> None:
        made: set[Path] = set()
        for path in self.snapshot.python_files():
            target = self.scratch / path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            _write_new_file(target, b"")  # rope moves files; their texts are rewritten elsewhere
            self.texts[path] = self.snapshot.text(path)
            self.origin[path] = path

    def exists(self, path: str) -> bool:
        return (self.scratch / path).exists() if path else True

    def is_folder(self, path: str) -> bool:
        return (self.scratch / path).is_dir() if path else True

    # --- one move -----------------------------------------------------------------------

    def move(self, source: str, destination: str) -> None:
        source = self._current(source)
        destination = self._through_temporary(destination)
        if not self.exists(source):
            raise OrganizeError(f"cannot move {source}: it does not exist (at this point of the plan)")
        if self.is_folder(source):
            self._move_folder(source, destination)
        else:
            self._move_module(source, destination)

    def _current(self, path: str) -> str:
        """Where an original path is now: earlier moves in the plan may have carried it along."""
        for current, original in self.origin.items():
            if original == path:
                return current
        for final, original in self.folder_origin.items():
            if (now := relocated(path, original, final)) is not None:
                return now
        return self._through_temporary(path)

    def _through_temporary(self, path: str) -> str:
        for final, temporary in self.temporary.items():
            if (now := relocated(path, final, temporary)) is not None:
                return now
        return path

    def _move_module(self, source: str, destination: str) -> None:
        if self.exists(destination):
            raise OrganizeError(f"cannot move {source} to {destination}: {destination} exists")
        folder = self._ensure_package(parent_of(destination))
        old_name = PurePosixPath(source).stem
        new_name = PurePosixPath(destination).stem
        if parent_of(source) != folder:
            self._move_with_rope(source, folder, old_name)
        if new_name != old_name:
            moved = join(folder, PurePosixPath(source).name)
            self._rename(moved, new_name)

    def _move_folder(self, source: str, destination: str) -> None:
        if self.exists(destination) or not self._is_package(source):
            self._merge_folder(source, destination)
            return
        old_name = PurePosixPath(source).name
        new_name = PurePosixPath(destination).name
        folder = parent_of(destination)
        if parent_of(source) != folder:
            folder = self._ensure_package(folder)
            self._move_with_rope(source, folder, old_name)
        if new_name != old_name:
            self._rename(join(folder, old_name), new_name)

    def _move_with_rope(self, source: str, folder: str, old_name: str) -> None:
        self._fresh_project()
        moving = self.project.get_resource(source)
        mover = MoveModule(self.project, moving)
        self._do(mover.get_changes(self.project.get_folder(folder), resources=[_own_file(moving)]))

    def _merge_folder(self, source: str, destination: str) -> None:
        """Move a folder's modules and subpackages one by one into `destination`."""
        self._ensure_package(destination)
        for child in sorted((self.scratch / source).iterdir()):
            if child.name == "__init__.py" or child.name == "__pycache__":
                continue
            if child.is_dir() or child.suffix == ".py":
                self.move(join(source, child.name), join(destination, child.name))

    def _rename(self, path: str, new_name: str) -> None:
        self._fresh_project()
        renaming = self.project.get_resource(path)
        self._do(Rename(self.project, renaming).get_changes(new_name, resources=[_own_file(renaming)]))

    def _fresh_project(self) -> None:
        """Each rope operation starts on a fresh project over the scratch copy.

        `_do` writes rope's changes without telling rope, so what a project knows is only
        good for one operation. A long-lived project would also cost more with every move
        (rope invalidates all it has loaded on each write) and fails moving a folder whose
        earlier residents it still watches. With the source folders known, opening one is cheap.
        """
        self.project.close()
        self.project = open_scratch_project(self.scratch, self.source_folders)

    def _is_package(self, folder: str) -> bool:
        return (self.scratch / folder / "__init__.py").is_file()

    # --- packages -------------------------------------------------------------------------

    def _ensure_package(self, folder: str) -> str:
        """Make `folder` an importable package, creating what is missing; returns its path now.

        A new package whose name a module beside it still holds gets a temporary name.
        """
        folder = self._through_temporary(folder)
        if not folder or self._is_source_folder(folder):
            return folder
        parent = self._ensure_package(parent_of(folder))
        name = PurePosixPath(folder).name
        folder = join(parent, name)
        if self.is_folder(folder):
            if not self._is_package(folder) and not self._is_source_folder(folder):
                self._create_file(join(folder, "__init__.py"))
            return folder
        if self.exists(join(parent, name + ".py")):
            temporary = join(parent, self._temporary_name(parent, name))
            self.temporary[folder] = temporary
            folder = temporary
        self._create_file(join(folder, "__init__.py"))
        return folder

    def _is_source_folder(self, folder: str) -> bool:
        return any(source.path == folder for source in self.project.get_source_folders())

    def _temporary_name(self, parent: str, name: str) -> str:
        candidate = TEMPORARY_PREFIX + name
        while self.exists(join(parent, candidate)) or any(candidate in text for text in self.texts.values()):
            candidate += "_"
        return candidate

    def _create_file(self, path: str) -> None:
        (self.scratch / path).parent.mkdir(parents=True, exist_ok=True)
        (self.scratch / path).write_bytes(b"")
        self.texts[path] = ""
        self.created.add(path)

    def finish_temporary_packages(self) -> None:
        """Give each temporarily named package its real name, now that the module has left."""
        for final, temporary in list(self.temporary.items()):
            del self.temporary[final]
            if self.exists(final + ".py"):
                raise OrganizeError(
                    f"cannot create package {final}/: module {final}.py stays where it is; "
                    f"move it into the package or choose another package name"
                )
            self._rename(temporary, PurePosixPath(final).name)

    # --- rope's changes, mirrored -----------------------------------------------------------

    def _do(self, changes: rope_change.ChangeSet) -> None:
        """Carry out rope's changes on the scratch copy, the way rope writes them.

        Not `project.do`: it makes rope invalidate what it knows of every loaded module on
        every write, and the next rope operation starts on a fresh project anyway.
        """
        for single in _flatten(changes):
            target = self.scratch / single.resource.path
            if isinstance(single, rope_change.ChangeContents):
                continue  # an empty file's text: nothing to rewrite (see the module's docstring)
            if isinstance(single, rope_change.MoveResource):
                shutil.move(str(target), str(self.scratch / single.new_resource.path))
            else:  # pragma: no cover - MoveModule and Rename produce nothing else
                raise OrganizeError(f"unexpected change from rope: {single}")
            self._mirror(single)

    def _mirror(self, single: rope_change.Change) -> None:
        if isinstance(single, rope_change.MoveResource):
            self._mirror_move(single.resource.path, single.new_resource.path)
        elif isinstance(single, rope_change.CreateFile):
            self.texts[single.resource.path] = ""
            self.created.add(single.resource.path)

    def _mirror_move(self, old: str, new: str) -> None:
        def moved(path: str) -> str | None:
            return relocated(path, old, new)

        for table in (self.texts, self.origin):
            for path in [p for p in table if moved(p)]:
                table[moved(path)] = table.pop(path)
        self.created = {moved(p) or p for p in self.created}
        if self.is_folder(new):
            # Chained moves of one folder (moved, then renamed) keep its first origin.
            self.folder_origin = {moved(f) or f: o for f, o in self.folder_origin.items()}
            self.folder_origin.setdefault(new, old)

    # --- the result -------------------------------------------------------------------------

    def result(self) -> RopeResult:
        removed_dirs = self._remove_emptied_packages()
        files: dict[str, bytes] = {}
        for path in self.texts:
            original = self.origin.get(path)
            files[path] = self.snapshot.files[original] if original is not None else b""
        # A temporarily named package was created, not moved: its origin holds no user file.
        moved_folders = {
            original: final for final, original in self.folder_origin.items()
            if any(p.startswith(original + "/") for p in self.snapshot.files)
        }
        return RopeResult(
            files=files,
            origin={path: original for path, original in self.origin.items()},
            created=set(self.created),
            removed_dirs=removed_dirs,
            moved_folders=moved_folders,
            deleted=set(self.deleted),
        )

    def _remove_emptied_packages(self) -> list[str]:
        """Folders of the old layout that the moves emptied: they go, with a trivial __init__.py."""
        candidates: set[str] = set()
        for path, original in self.origin.items():
            if path != original:
                candidates.update(self._current(folder) for folder in _ancestors(original))
        removed: list[str] = []
        for folder in sorted(candidates, key=lambda f: -f.count("/")):
            if self._is_emptied(folder):
                init = join(folder, "__init__.py")
                if init in self.texts:
                    if init in self.origin:
                        self.deleted.add(self.origin[init])
                    del self.texts[init]
                    self.origin.pop(init, None)
                    self.created.discard(init)
                removed.append(folder)
        return removed

    def _is_emptied(self, folder: str) -> bool:
        if not folder or self._is_source_folder(folder) or folder in self.snapshot_roots():
            return False
        inside = [p for p in self.texts if p.startswith(folder + "/")]
        if any(p != join(folder, "__init__.py") for p in inside):
            return False
        if any(p.startswith(folder + "/") for p in self.snapshot.files if not p.endswith(".py")):
            return False
        if any(p.startswith(folder + "/") for p in self.snapshot.other_files):
            return False
        init = join(folder, "__init__.py")
        return init not in self.texts or _is_trivial(self.texts[init])

    def snapshot_roots(self) -> set[str]:
        return {self.snapshot.organize_root}


def _flatten(changes: rope_change.Change) -> list[rope_change.Change]:
    if isinstance(changes, rope_change.ChangeSet):
        return [single for inner in changes.changes for single in _flatten(inner)]
    return [changes]


def _own_file(resource):
    """The file whose presence among the resources makes rope move the resource itself."""
    return resource.get_child("__init__.py") if resource.is_folder() else resource


def _ancestors(path: str) -> list[str]:
    parts = PurePosixPath(path).parts[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _is_trivial(source: str) -> bool:
    """An __init__.py with nothing but comments, blank lines or a docstring."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body)


def _write_new_file(path: Path, data: bytes) -> None:
    """Plain os calls: the scratch copy writes every Python file of the workspace, and
    pathlib's per-call overhead was most of that time on large workspaces."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)
