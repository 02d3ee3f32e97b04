"""Apply a ChangeSet to the disk, all or nothing, and undo it later byte for byte.

Both directions run the same engine on a list of file operations:

1. check everything first (paths inside the workspace, sources unchanged, destinations
   free, files and folders writable, no interrupted organize) and refuse with one message
   listing every problem;
2. write ahead: the pending journal (apply) holds every original's bytes, destinations and
   the folders to create and remove; undo renames the journal to `.undoing.json`. Either
   is fsynced with its folder before the first file is touched;
3. move every file that leaves its place into a stash folder, so chains and swaps
   (a -> b, b -> c) and a package replacing a same-named file need no ordering tricks;
4. remove emptied folders, create folders, put files at their destinations (contents via
   a temp file and `os.replace`, so no file is ever half written);
5. commit by writing the finished journal (apply) or renaming it to `.undone.json` (undo).

Every step registers its inverse; when any step fails, or Ctrl-C / SIGTERM arrives before
the commit, the inverses run in reverse order (further interrupts held off meanwhile) and
the caller gets `OrganizeError("... nothing was changed")` or the interrupt. Whether the
commit happened is read from the disk, not from the control flow: an interrupt that lands
just after the commit's rename must not roll back a finished change.

When the process dies outright (SIGKILL, power cut) or a rollback fails, the pending or
undoing journal stays: every command then refuses with "an organize was interrupted", and
`undo_last` restores the original tree from the journal alone (`_restore`). That restore
is idempotent, so it may be killed and run again as often as needed.

Read-only is judged by the owner's write bit as well as `os.access`: root ignores
permissions, so `os.access` alone would let root rewrite files a user marked read-only.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import stat
import threading
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from organize_backend.model import ChangeSet, FileChange, OrganizeError
from organize_backend.sinks.journal import (
    PENDING_SUFFIX,
    STATE_FOLDER,
    Journal,
    JournalEntry,
    done_path,
    interrupted_journal,
    interrupted_message,
    journal_bytes,
    journal_folder,
    journal_states,
    last_journal,
    next_journal_stem,
    pending_path,
    refuse_if_interrupted,
    sha256,
    stale_files,
    stem_of,
    undoing_path,
    undone_path,
)

__all__ = ["Journal", "JournalEntry", "apply_changes", "describe_interruption", "last_journal", "undo_last"]


# --- public API -------------------------------------------------------------------------


def apply_changes(changes: ChangeSet) -> Journal:
    """Write `changes` under `changes.root`; return the journal that can undo it."""
    root = _workspace_root(changes.root)
    refuse_if_interrupted(root)
    effective = [change for change in changes.files if _does_something(change)]
    _refuse_unsafe_paths(root, _change_paths(effective, changes), "cannot apply the change")
    problems = _Problems()
    originals = _read_sources(root, effective, problems)
    work = _DiskWork(
        ops=tuple(_op_for_change(change, originals) for change in effective),
        make_dirs=tuple(changes.created_dirs),
        remove_dirs=tuple(changes.removed_dirs),
    )
    _check_work(root, work, problems)
    problems.raise_if_any("cannot apply the change, nothing was written")
    if work.is_empty:
        raise OrganizeError("nothing to apply: the change set is empty")
    return _apply_with_journal(root, work, changes.organize_root)


def undo_last(root: Path) -> Journal:
    """Revert the most recent apply that is not undone yet; return its (now undone) journal.

    An interrupted apply or undo comes first: its journal restores the original tree."""
    root = _workspace_root(root)
    interrupted = interrupted_journal(root)
    if interrupted is not None:
        return _restore(root, interrupted)
    with contextlib.suppress(OSError):
        _tidy_leftovers(root)  # an apply killed just after its commit may have left its stash
    journal = last_journal(root)
    if journal is None:
        raise OrganizeError(f"nothing to undo: no organize applied in {root} is left to undo")
    _refuse_unsafe_paths(root, _journal_paths(journal), "refusing to undo")
    changed = _changed_since_organize(root, journal)
    if changed:
        raise OrganizeError("refusing to undo: these files changed since the organize: " + ", ".join(changed)
                            + "; undo puts back the files as they were before the organize, which would lose "
                            "what was written since: revert those changes first (a formatter or `cog -r` run "
                            "after the organize), then undo")
    problems = _Problems()
    work = _undo_work(root, journal)
    _check_work(root, work, problems)
    problems.raise_if_any("cannot undo, nothing was changed")
    target, undoing = undone_path(journal), undoing_path(journal)
    stash = _make_stash(root, f"{stem_of(journal.path)}-undo")
    try:
        _rename_durably(journal.path, undoing)  # from here on, a crash leaves an "undoing" journal
    except BaseException as error:
        if undoing.exists():
            with contextlib.suppress(OSError):
                os.replace(undoing, journal.path)
        shutil.rmtree(stash, ignore_errors=True)
        if not isinstance(error, OSError):
            raise
        raise OrganizeError(f"cannot mark the undo journal {journal.path} ({error}); nothing was changed") from error
    seal = _Seal(commit=lambda done: _rename_durably(undoing, target), committed=target.exists,
                 rolled_back=lambda: _rename_durably(undoing, journal.path),
                 retry="run `organize-backend undo` again to finish the undo")
    _execute(root, work, stash, seal)
    return replace(journal, path=target)


def describe_interruption(root: Path, states_before: dict[str, str], what: str = "interrupted") -> tuple[bool, str]:
    """What a command stopped midway (`what`: "interrupted", or an internal error) left, read from
    the journals, not from where it stopped: (whether the workspace changed, a sentence saying
    what is true)."""
    root = Path(root).resolve()
    interrupted = interrupted_journal(root)
    if interrupted is not None:
        return True, f"{what}; " + interrupted_message(interrupted)
    states = journal_states(root)
    changed = {stem: state for stem, state in states.items() if states_before.get(stem) != state}
    if "done" in changed.values():
        return True, f"{what} after the change was applied; `organize-backend undo` reverts it"
    if "undone" in changed.values():
        return True, f"{what} after the undo finished; the original files are back"
    return False, f"{what}; nothing was changed"


# --- restoring after a crash -------------------------------------------------------------

# what `_write_atomically` leaves beside its target when the process dies mid-write
_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{8}\.organize-tmp$")


def _restore(root: Path, journal: Journal) -> Journal:
    """Put the original tree back from an interrupted apply's or undo's journal alone.

    The journal holds every original's bytes, so the restore does not depend on how far the
    work got: our files leave their destinations, the folders we made go (when empty), the
    folders we removed come back, every original is written at its old path. Each step looks
    at the disk before acting, so running it again after it was killed finishes the job."""
    _refuse_unsafe_paths(root, _journal_paths(journal), "refusing to undo")
    changed = _changed_since_interruption(root, journal)
    if changed:
        raise OrganizeError(f"refusing to undo: {interrupted_message(journal)}, but these files changed since "
                            f"(move them aside and run it again): {', '.join(changed)}")
    stem = stem_of(journal.path)
    try:
        _drop_temp_files(root, journal)
        originals = {entry.old_path for entry in journal.entries if entry.old_path is not None}
        for entry in journal.entries:
            if entry.new_path is not None and entry.new_path not in originals:
                _unlink_file(root / entry.new_path)
        for folder in sorted(_folders_made(journal), key=lambda folder: (-len(PurePosixPath(folder).parts), folder)):
            _remove_if_empty(root / folder)
        for folder in sorted(journal.removed_dirs, key=lambda folder: (len(PurePosixPath(folder).parts), folder)):
            (root / folder).mkdir(parents=True, exist_ok=True)
        for index, entry in enumerate(journal.entries):
            if entry.old_path is not None:
                _put_original(root, entry, _stash_path(root, stem) / str(index))
        _fsync_folders({(root / path).parent for path in _journal_paths(journal)})
        for name in (stem, f"{stem}-undo"):
            shutil.rmtree(_stash_path(root, name), ignore_errors=True)
        target = undone_path(journal)
        _rename_durably(journal.path, target)
    except OSError as error:
        raise OrganizeError(f"could not finish restoring the original files ({error}); "
                            "fix the cause and run `organize-backend undo` again") from error
    return replace(journal, path=target)


def _folders_made(journal: Journal) -> set[str]:
    """The folders the interrupted run made (or was about to make). A format 1 pending journal
    did not name them: every folder above a destination and above no original is taken as ours."""
    if journal.format > 1 or not journal.path.name.endswith(PENDING_SUFFIX):
        return set(journal.created_dirs)
    return _folders_above(entry.new_path for entry in journal.entries) - _folders_above(
        entry.old_path for entry in journal.entries)


def _folders_above(paths: Iterable[str | None]) -> set[str]:
    return {str(parent) for path in paths if path for parent in PurePosixPath(path).parents if str(parent) != "."}


def _changed_since_interruption(root: Path, journal: Journal) -> list[str]:
    """Files at our paths that hold neither an original nor what the apply wrote there:
    someone worked on the half-moved tree, and the restore must not overwrite that."""
    ours: dict[str, set[str]] = {}
    for entry in journal.entries:
        if entry.old_path is not None:
            ours.setdefault(entry.old_path, set()).add(sha256(entry.original or b""))
        if entry.new_path is not None and entry.written_sha256 is not None:
            ours.setdefault(entry.new_path, set()).add(entry.written_sha256)
    changed = []
    for path, hashes in sorted(ours.items()):
        full = root / path
        if not os.path.lexists(full) or (path in _folders_made(journal) and full.is_dir() and not full.is_symlink()):
            continue
        data = _read_file(full)
        if data is None or sha256(data) not in hashes:
            changed.append(path)
    return changed


def _drop_temp_files(root: Path, journal: Journal) -> None:
    folders = {root / STATE_FOLDER, journal_folder(root)} | {root / folder for folder in journal.created_dirs}
    for path in _journal_paths(journal):
        folders.add((root / path).parent)
    _drop_temp_files_in(folders)


def _drop_temp_files_in(folders: Iterable[Path]) -> None:
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink():
            for entry in folder.iterdir():
                if _TEMP_NAME.match(entry.name) and entry.is_file():
                    entry.unlink()


def _unlink_file(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()


def _remove_if_empty(folder: Path) -> None:
    if folder.is_symlink() or not folder.is_dir():
        return
    _drop_bytecode_cache_if_alone(folder)
    if not any(folder.iterdir()):
        folder.rmdir()


def _put_original(root: Path, entry: JournalEntry, parked: Path) -> None:
    """The original back at its old path: the parked file itself when the stash still has it
    (a rename, so its inode and times come back too), else the bytes from the journal."""
    original = entry.original or b""
    target = root / str(entry.old_path)
    current = _read_file(target)
    if current == original and (entry.mode is None or stat.S_IMODE(target.stat().st_mode) == entry.mode):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if _read_file(parked) == original:
        os.replace(parked, target)
    else:
        _write_atomically(target, original, entry.mode)


# --- the work, as data ------------------------------------------------------------------


@dataclass(frozen=True)
class _FileOp:
    """Take the file at `old` (if any) and leave `content` at `new` (if any).

    `content` None means the original bytes travel unchanged (a pure move).
    """

    old: str | None
    new: str | None
    original: bytes | None
    content: bytes | None
    mode: int | None  # permission bits for the file left at `new`; None: the umask default

    @property
    def leaves_old(self) -> bool:
        return self.old is not None and self.old != self.new

    @property
    def written(self) -> bytes | None:
        if self.new is None:
            return None
        return self.content if self.content is not None else self.original

    @property
    def is_noop(self) -> bool:
        return self.old == self.new and self.content is None


@dataclass(frozen=True)
class _DiskWork:
    ops: tuple[_FileOp, ...]
    make_dirs: tuple[str, ...] = ()
    remove_dirs: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.ops and not self.make_dirs and not self.remove_dirs

    def leaving(self) -> set[str]:
        return {op.old for op in self.ops if op.leaves_old and op.old is not None}

    def arriving(self) -> list[str]:
        return [op.new for op in self.ops if op.new is not None and op.new != op.old]


@dataclass
class _Done:
    """What the engine actually did to folders (some may have existed, or stayed non-empty)."""

    created_dirs: list[str] = field(default_factory=list)
    removed_dirs: list[str] = field(default_factory=list)


def _does_something(change: FileChange) -> bool:
    return change.moved or change.edited or change.old_path is None or change.new_path is None


def _op_for_change(change: FileChange, originals: dict[str, tuple[bytes, int]]) -> _FileOp:
    if change.old_path is None:
        return _FileOp(None, change.new_path, None, change.after or b"", None)
    original, mode = originals.get(change.old_path, (b"", None))
    content = change.after if change.after is not None and change.after != original else None
    if change.new_path is None:
        content = None
    return _FileOp(change.old_path, change.new_path, original, content, mode)


def _undo_work(root: Path, journal: Journal) -> _DiskWork:
    """The reverse of a journal: every entry turned around, folders swapped."""
    ops = []
    for entry in journal.entries:
        current = _read_file(root / entry.new_path) if entry.new_path is not None else None
        if entry.old_path is None:  # we created it: delete it
            ops.append(_FileOp(entry.new_path, None, current, None, None))
        elif entry.new_path is None:  # we deleted it: bring it back
            ops.append(_FileOp(None, entry.old_path, None, entry.original or b"", entry.mode))
        else:
            content = entry.original if entry.edited else None
            ops.append(_FileOp(entry.new_path, entry.old_path, current, content, entry.mode))
    return _DiskWork(tuple(op for op in ops if not op.is_noop), journal.removed_dirs, journal.created_dirs)


# --- checks -----------------------------------------------------------------------------


class _Problems:
    """Problems grouped by kind, so one message can list every offending path."""

    def __init__(self) -> None:
        self._by_kind: dict[str, list[str]] = {}

    def add(self, kind: str, path: str) -> None:
        paths = self._by_kind.setdefault(kind, [])
        if path not in paths:
            paths.append(path)

    def raise_if_any(self, headline: str) -> None:
        if self._by_kind:
            lines = [f"  {kind}: {', '.join(sorted(paths))}" for kind, paths in self._by_kind.items()]
            raise OrganizeError(f"{headline}:\n" + "\n".join(lines))


def _workspace_root(root: Path) -> Path:
    resolved = Path(root).resolve()
    if not resolved.is_dir():
        raise OrganizeError(f"the workspace root {root} is not a folder")
    return resolved


def _change_paths(effective: list[FileChange], changes: ChangeSet) -> list[str]:
    paths = [p for change in effective for p in (change.old_path, change.new_path) if p is not None]
    return paths + list(changes.created_dirs) + list(changes.removed_dirs)


def _journal_paths(journal: Journal) -> list[str]:
    paths = [p for entry in journal.entries for p in (entry.old_path, entry.new_path) if p is not None]
    return paths + list(journal.created_dirs) + list(journal.removed_dirs)


def _refuse_unsafe_paths(root: Path, paths: Iterable[str], headline: str) -> None:
    """Checked before anything is read: a path outside the root must not even be looked at."""
    problems = _Problems()
    for path in paths:
        if not _inside_root(root, path):
            problems.add("paths outside the workspace", path)
        elif PurePosixPath(path).as_posix() != path:
            # "./a.py" and "a.py" would slip past the duplicate and collision checks
            problems.add("paths not in plain relative form", path)
        elif PurePosixPath(path).parts[0] == STATE_FOLDER:
            problems.add(f"paths inside {STATE_FOLDER}/ (kept for the undo journal)", path)
    problems.raise_if_any(f"{headline}, nothing was written")


def _inside_root(root: Path, path: str) -> bool:
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path:
        return False
    # resolve() follows symlinks, so a folder linked to elsewhere shows up as outside
    resolved = (root / pure).resolve()
    return resolved != root and resolved.is_relative_to(root)


def _read_sources(root: Path, effective: list[FileChange], problems: _Problems) -> dict[str, tuple[bytes, int]]:
    """Bytes and mode of every file the change starts from; notes those that changed since the plan."""
    originals: dict[str, tuple[bytes, int]] = {}
    for change in effective:
        if change.old_path is None:
            continue
        path = root / change.old_path
        if path.is_symlink():
            problems.add("symbolic links (organize-backend moves only regular files)", change.old_path)
        elif not path.is_file():
            problems.add("files changed since the plan", f"{change.old_path} (gone)")
        else:
            data = path.read_bytes()
            if change.before is not None and data != change.before:
                problems.add("files changed since the plan", change.old_path)
            originals[change.old_path] = (data, stat.S_IMODE(path.stat().st_mode))
    return originals


def _changed_since_organize(root: Path, journal: Journal) -> list[str]:
    changed = []
    arrived = {entry.new_path for entry in journal.entries if entry.new_path is not None}
    for entry in journal.entries:
        if entry.new_path is not None:
            data = _read_file(root / entry.new_path)
            if data is None:
                changed.append(f"{entry.new_path} (gone)")
            elif sha256(data) != entry.written_sha256:
                changed.append(entry.new_path)
        left = entry.old_path is not None and entry.old_path != entry.new_path
        if left and entry.old_path not in arrived and _taken_again(root, journal, entry.old_path):
            changed.append(f"{entry.old_path} (created again)")
    return sorted(changed)


def _taken_again(root: Path, journal: Journal, path: str) -> bool:
    # a folder we created where a file was (tools -> tools/tools.sh) is ours, not the user's
    ours = path in journal.created_dirs and (root / path).is_dir()
    return os.path.lexists(root / path) and not ours


def _read_file(path: Path) -> bytes | None:
    if path.is_symlink() or not path.is_file():
        return None
    return path.read_bytes()


def _check_work(root: Path, work: _DiskWork, problems: _Problems) -> None:
    _check_destinations(root, work, problems)
    _check_folders_in_the_way(root, work, problems)
    _check_writable(root, work, problems)


def _check_destinations(root: Path, work: _DiskWork, problems: _Problems) -> None:
    leaving = work.leaving()
    seen: set[str] = set()
    for new in work.arriving():
        if new in seen:
            problems.add("destinations named twice", new)
        seen.add(new)
        if os.path.lexists(root / new) and new not in leaving and not _emptied_folder(root, new, work):
            problems.add("destinations that already exist", new)


def _emptied_folder(root: Path, folder: str, work: _DiskWork) -> bool:
    """True for a folder the change removes and leaves empty before files arrive."""
    path = root / folder
    if folder not in work.remove_dirs or path.is_symlink() or not path.is_dir():
        return False
    leaving = work.leaving()
    for inner in path.rglob("*"):
        relative = inner.relative_to(root).as_posix()
        if relative not in (work.remove_dirs if inner.is_dir() and not inner.is_symlink() else leaving):
            return False
    return True


def _check_folders_in_the_way(root: Path, work: _DiskWork, problems: _Problems) -> None:
    """A folder we must create may not be taken by a file, unless that file moves away."""
    leaving = work.leaving()
    for folder in _folders_needed(work):
        path = root / folder
        if os.path.lexists(path) and not path.is_dir() and folder not in leaving:
            problems.add("files in the way of a new folder", folder)


def _folders_needed(work: _DiskWork) -> list[str]:
    """Every folder that must exist after the change, parents before children."""
    folders: set[str] = set(work.make_dirs)
    for new in work.arriving():
        folders.update(str(parent) for parent in PurePosixPath(new).parents if str(parent) != ".")
    for folder in list(folders):
        folders.update(str(parent) for parent in PurePosixPath(folder).parents if str(parent) != ".")
    return sorted(folders, key=lambda folder: (len(PurePosixPath(folder).parts), folder))


def _check_writable(root: Path, work: _DiskWork, problems: _Problems) -> None:
    for op in work.ops:
        if op.old is not None and _read_only(root / op.old):
            problems.add("read-only files", op.old)
    for folder in _folders_written(root, work):
        if _read_only(folder):
            problems.add("read-only folders", _display(root, folder))


def _folders_written(root: Path, work: _DiskWork) -> set[Path]:
    """Existing folders whose entries the change adds, renames or removes."""
    folders = {(root / op.old).parent for op in work.ops if op.old is not None}
    targets = [*work.arriving(), *work.make_dirs, f"{STATE_FOLDER}/journal/x"]
    folders.update(_nearest_existing_folder(root, target) for target in targets)
    folders.update((root / folder).parent for folder in work.remove_dirs)
    return folders


def _nearest_existing_folder(root: Path, relative: str) -> Path:
    path = (root / relative).parent
    while not path.is_dir() and path != root:
        path = path.parent
    return path


def _read_only(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # not there: nothing to protect (missing sources are reported elsewhere)
    return not mode & stat.S_IWUSR or not os.access(path, os.W_OK)


def _display(root: Path, path: Path) -> str:
    return "." if path == root else path.relative_to(root).as_posix()


# --- apply with a journal ---------------------------------------------------------------


def _apply_with_journal(root: Path, work: _DiskWork, organize_root: str | None) -> Journal:
    """Write the pending journal (the plan, with every original), do the work, commit by
    writing the finished journal (what was actually done to folders)."""
    stem, created_at = _prepare_journal_folder(root)
    entries = tuple(_journal_entry(op) for op in work.ops)
    # folders as planned: a restore removes only those that did not exist, and only when empty
    planned_new = tuple(folder for folder in _folders_needed(work) if not (root / folder).is_dir())
    planned_gone = tuple(folder for folder in work.remove_dirs if (root / folder).is_dir())
    draft = Journal(pending_path(root, stem), created_at, entries, planned_new, planned_gone,
                    organize_root=organize_root)
    finished = replace(draft, path=done_path(root, stem))
    stash = _make_stash(root, stem)
    try:
        _write_durably(draft.path, journal_bytes(draft))
    except BaseException as error:
        with contextlib.suppress(OSError):
            draft.path.unlink()  # no file was touched yet: no interrupted organize to report
        shutil.rmtree(stash, ignore_errors=True)
        if not isinstance(error, OSError):
            raise
        raise OrganizeError(f"cannot write the undo journal in {draft.path.parent} ({error}); "
                            "nothing was changed") from error

    def commit(done: _Done) -> None:
        nonlocal finished
        finished = replace(finished, created_dirs=tuple(done.created_dirs), removed_dirs=tuple(done.removed_dirs))
        _write_durably(finished.path, journal_bytes(finished))

    def forget_pending() -> None:
        # after a clean rollback or the commit, the pending copy describes nothing in flight
        with contextlib.suppress(OSError):
            draft.path.unlink()

    seal = _Seal(commit=commit, committed=finished.path.exists, rolled_back=forget_pending,
                 retry="run `organize-backend undo` to restore the original files")
    try:
        _execute(root, work, stash, seal)
    finally:
        if finished.path.exists():
            forget_pending()
    return finished


def _prepare_journal_folder(root: Path) -> tuple[str, str]:
    folder = journal_folder(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = root / STATE_FOLDER / ".gitignore"
        if not ignore.exists():
            # git should never show our journal as an untracked change
            _write_atomically(ignore, b"*\n", None)
        _tidy_leftovers(root)
    except OSError as error:
        raise OrganizeError(f"cannot create the undo journal folder {folder} ({error}); nothing was changed") from error
    return next_journal_stem(root)


def _tidy_leftovers(root: Path) -> None:
    """What a process killed right after a commit leaves: a pending copy beside its finished
    journal, the stash of a settled journal. A stash of any other name is left alone: it may
    hold the only copy of someone's files."""
    for path in stale_files(root):
        path.unlink()
    _drop_temp_files_in([root / STATE_FOLDER, journal_folder(root)])
    settled = {stem for stem, state in journal_states(root).items() if state in ("done", "undone")}
    for stem in settled:
        for stash in (_stash_path(root, stem), _stash_path(root, f"{stem}-undo")):
            shutil.rmtree(stash, ignore_errors=True)


def _journal_entry(op: _FileOp) -> JournalEntry:
    written = op.written
    return JournalEntry(op.old, op.new, op.original, None if written is None else sha256(written), op.mode)


# --- the engine -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Seal:
    """How a run of the engine becomes final. `committed` reads the disk, because an
    interrupt can land between the commit's rename and the next line of Python."""

    commit: Callable[[_Done], object]
    committed: Callable[[], bool]
    rolled_back: Callable[[], object]  # tidy up the write-ahead marker after a clean rollback
    retry: str  # what the user runs when a rollback fails


class _Transaction:
    """Steps done so far, each with its inverse, so a failure can walk them back.

    The inverse is registered before its step runs: an interrupt can land after the step's
    system call returned and before the next line of Python, and that step must be walked
    back too. A step that fails with OSError did not happen (each is one atomic call) and is
    dropped; one cut short by an interrupt may or may not have happened, so its inverse
    tolerates finding nothing to undo."""

    def __init__(self) -> None:
        self._inverses: list[tuple[str, Callable[[], object], bool]] = []  # (what, inverse, done for sure)

    def run(self, what: str, action: Callable[[], object], inverse: Callable[[], object]) -> None:
        self._inverses.append((what, inverse, False))
        try:
            action()
        except Exception:
            self._inverses.pop()
            raise
        self._inverses[-1] = (what, inverse, True)

    def roll_back(self) -> list[str]:
        failures = []
        for what, inverse, certain in reversed(self._inverses):
            try:
                inverse()
            except (FileNotFoundError, FileExistsError) as error:
                if certain:
                    failures.append(f"{what} ({error})")
            except OSError as error:  # keep going: every other step should still be undone
                failures.append(f"{what} ({error})")
        return failures


def _execute(root: Path, work: _DiskWork, stash: Path, seal: _Seal) -> _Done:
    transaction = _Transaction()
    done = _Done()
    try:
        stashed = _stash_leaving_files(root, work, stash, transaction)
        # folders go before files arrive: undoing `tools -> tools/tools.sh` needs `tools/` gone
        _remove_folders(root, work, transaction, done)
        _make_folders(root, work, transaction, done)
        _place_files(root, work, stashed, transaction)
        _sync_folders(root, work, stash)
        seal.commit(done)
    except BaseException as error:
        if seal.committed():
            # the change is final; only what follows the commit's rename was cut short
            shutil.rmtree(stash, ignore_errors=True)
            if not isinstance(error, Exception):
                raise
            return done
        with _interrupts_held():
            failures = transaction.roll_back()
            if not failures:
                shutil.rmtree(stash, ignore_errors=True)
                with contextlib.suppress(OSError):  # the marker left: the next undo finishes the job
                    seal.rolled_back()
        if not isinstance(error, Exception):
            raise  # Ctrl-C or SIGTERM: rolled back, but let it stop the program as it asked
        raise OrganizeError(_failure_message(error, failures, stash, seal.retry)) from error
    # the stash now holds only originals of edited and deleted files, which the journal keeps
    shutil.rmtree(stash, ignore_errors=True)
    return done


def _sync_folders(root: Path, work: _DiskWork, stash: Path) -> None:
    """Renames live in folder entries: after a power cut the commit must not claim moves the
    disk lost. One fsync per touched folder, a few for a whole organize."""
    touched = {stash} | {(root / path).parent for op in work.ops for path in (op.old, op.new) if path is not None}
    touched |= {(root / folder).parent for folder in (*_folders_needed(work), *work.remove_dirs)}
    _fsync_folders(touched)


def _fsync_folders(folders: Iterable[Path]) -> None:
    for folder in folders:
        if folder.is_dir():
            _fsync_folder(folder)


@contextlib.contextmanager
def _interrupts_held():
    """A rollback cut short by a second Ctrl-C or SIGTERM would leave a half-moved tree:
    while it runs, both signals are ignored (the first one is already being answered)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    for number, handler in previous.items():
        if handler is not None:  # None: installed outside Python, cannot be put back
            signal.signal(number, signal.SIG_IGN)
    try:
        yield
    finally:
        for number, handler in previous.items():
            if handler is not None:
                signal.signal(number, handler)


def _stash_path(root: Path, name: str) -> Path:
    return root / STATE_FOLDER / f"stash-{name}"


def _make_stash(root: Path, name: str) -> Path:
    """A folder inside the workspace, so parking a file there is a rename, not a copy. It is
    named after the journal, so a restore after a crash finds the parked files."""
    stash = _stash_path(root, name)
    try:
        stash.mkdir(parents=True)
    except OSError as error:
        raise OrganizeError(f"cannot create a work folder {stash} ({error}); nothing was changed") from error
    return stash


def _failure_message(error: Exception, failures: list[str], stash: Path, retry: str) -> str:
    if not failures:
        return f"could not complete the change ({error}); every step was rolled back, nothing was changed"
    return (f"could not complete the change ({error}), and rolling back failed for: {'; '.join(failures)}. "
            f"To recover, {retry}; until then the original files are also kept in {stash}")


def _stash_leaving_files(root: Path, work: _DiskWork, stash: Path, transaction: _Transaction) -> dict[str, Path]:
    stashed: dict[str, Path] = {}
    for index, op in enumerate(work.ops):
        if op.leaves_old and op.old is not None:
            source, parked = root / op.old, stash / str(index)
            transaction.run(f"move {op.old} back", partial(os.replace, source, parked),
                            partial(os.replace, parked, source))
            stashed[op.old] = parked
    return stashed


def _make_folders(root: Path, work: _DiskWork, transaction: _Transaction, done: _Done) -> None:
    for folder in _folders_needed(work):
        path = root / folder
        if path.is_dir():
            continue
        transaction.run(f"remove folder {folder}", partial(os.mkdir, path), partial(os.rmdir, path))
        done.created_dirs.append(folder)


def _place_files(root: Path, work: _DiskWork, stashed: dict[str, Path], transaction: _Transaction) -> None:
    for op in work.ops:
        if op.new is None:
            continue  # a deletion: the stash step already took the file away
        target = root / op.new
        if op.content is None and op.old is not None and op.leaves_old:
            parked = stashed[op.old]
            transaction.run(f"move {op.new} away", partial(os.replace, parked, target),
                            partial(os.replace, target, parked))
        elif op.old == op.new:
            transaction.run(f"restore {op.new}", partial(_write_atomically, target, op.written or b"", op.mode),
                            partial(_write_atomically, target, op.original or b"", op.mode))
        else:
            transaction.run(f"delete {op.new}", partial(_write_atomically, target, op.written or b"", op.mode),
                            partial(os.unlink, target))


def _remove_folders(root: Path, work: _DiskWork, transaction: _Transaction, done: _Done) -> None:
    needed = set(_folders_needed(work))
    deepest_first = sorted(work.remove_dirs, key=lambda folder: (-len(PurePosixPath(folder).parts), folder))
    for folder in deepest_first:
        if folder in needed:
            continue  # a file arrives in it: removing and recreating it would be noise
        path = root / folder
        _drop_bytecode_cache_if_alone(path)
        # only a folder the change emptied; one that still holds anything stays
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            transaction.run(f"recreate folder {folder}", partial(os.rmdir, path), partial(os.mkdir, path))
            done.removed_dirs.append(folder)


def _drop_bytecode_cache_if_alone(folder: Path) -> None:
    """Running the app between apply and undo leaves `__pycache__/` in the new packages.
    Bytecode is not the user's: when it is all a folder still holds, it goes with the folder."""
    cache = folder / "__pycache__"
    if not cache.is_dir() or cache.is_symlink() or [entry.name for entry in folder.iterdir()] != ["__pycache__"]:
        return
    if all(entry.is_file() and entry.suffix == ".pyc" for entry in cache.iterdir()):
        shutil.rmtree(cache)


def _write_durably(path: Path, data: bytes) -> None:
    """A journal write: atomic, and on disk with its folder entry before we go on."""
    _write_atomically(path, data, None)
    _fsync_folder(path.parent)


def _rename_durably(source: Path, target: Path) -> None:
    os.replace(source, target)
    _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return  # folders cannot be opened there; NTFS journals its own metadata
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_atomically(path: Path, data: bytes, mode: int | None) -> None:
    """Write through a temp file beside `path`: a reader or a crash sees old or new, never half."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.organize-tmp")
    try:  # the open too: an interrupt right after it must not leave the temp file behind
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
