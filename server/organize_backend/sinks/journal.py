"""The undo journal: what an apply did, in enough detail to put every byte back.

A journal lives in `<root>/.organize-backend/journal/` as one JSON file per apply, named
`<UTC timestamp with microseconds>-<counter>.json`. The counter grows by one per apply,
so journals order correctly even when two applies share a timestamp or the clock steps
back. A journal's state is in its name, so a reader never has to trust a half-done edit:

    <stem>.pending.json   written (and fsynced, with its folder) before the first file is
                          touched: every original's bytes, each planned destination, the
                          folders to create and remove. Left behind only when the process
                          died mid-apply (or its rollback failed): the workspace is then
                          "interrupted" and `undo` restores the original tree from it
    <stem>.json           the apply finished: `undo_last` may revert it
    <stem>.undoing.json   an undo is under way (renamed from `<stem>.json` before the first
                          file is touched); left behind only when the undo was cut short
    <stem>.undone.json    the apply was reverted (or an interrupted one restored)

The apply commits by writing `<stem>.json` and then removes the pending copy; a pending
journal beside a finished one of the same stem is a leftover of that gap, not an interruption.

This module only reads and names journals; every write goes through `disk`, which owns
atomic writing and rollback.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from organize_backend.model import OrganizeError

STATE_FOLDER = ".organize-backend"
JOURNAL_FOLDER = f"{STATE_FOLDER}/journal"
# 2: the pending journal names the folders to create and remove up front. A format 1 pending
# journal (left by a version without crash-safe apply) lacks them; a restore derives them.
FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)

PENDING_SUFFIX = ".pending.json"
UNDOING_SUFFIX = ".undoing.json"
UNDONE_SUFFIX = ".undone.json"
DONE_SUFFIX = ".json"

_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}\.\d{6}Z)-(?P<counter>\d+)(?P<state>\.pending|\.undoing|\.undone)?\.json$")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class JournalEntry:
    """One touched file. `old_path` None: we created it; `new_path` None: we deleted it.

    `original` is what was at `old_path` before the apply; `written_sha256` identifies
    what the apply left at `new_path`, so undo can tell whether anyone edited it since.
    `mode` is the permission bits the file had (None for files we created).
    """

    old_path: str | None
    new_path: str | None
    original: bytes | None
    written_sha256: str | None
    mode: int | None = None

    @property
    def created(self) -> bool:
        return self.old_path is None

    @property
    def deleted(self) -> bool:
        return self.new_path is None

    @property
    def moved(self) -> bool:
        return not self.created and not self.deleted and self.old_path != self.new_path

    @property
    def edited(self) -> bool:
        if self.created or self.deleted or self.original is None:
            return False
        return sha256(self.original) != self.written_sha256


@dataclass(frozen=True)
class Journal:
    path: Path
    created_at: str
    entries: tuple[JournalEntry, ...]
    created_dirs: tuple[str, ...] = ()
    removed_dirs: tuple[str, ...] = ()
    format: int = FORMAT_VERSION
    organize_root: str | None = None  # the folder the organize took (a later check reads from it)

    @property
    def undone(self) -> bool:
        return self.path.name.endswith(UNDONE_SUFFIX)

    def summary(self) -> str:
        moved = sum(entry.moved for entry in self.entries)
        edited = sum(entry.edited for entry in self.entries)
        created = sum(entry.created for entry in self.entries)
        deleted = sum(entry.deleted for entry in self.entries)
        parts = [f"moved {_count(moved, 'file')}", f"edited {edited}", f"created {created}"]
        if deleted:  # rare in an organize, so only mentioned when it happened
            parts.append(f"deleted {deleted}")
        parts.append(f"removed {_count(len(self.removed_dirs), 'folder')}")
        return ", ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# --- names ------------------------------------------------------------------------------


def journal_folder(root: Path) -> Path:
    return root / JOURNAL_FOLDER


def next_journal_stem(root: Path, now: datetime | None = None) -> tuple[str, str]:
    """File stem and `created_at` for the next journal: a later counter than any before."""
    now = now or datetime.now(timezone.utc)
    counter = 1 + max((_counter(path) for path in _journal_files(root)), default=0)
    return f"{now.strftime('%Y%m%dT%H%M%S.%fZ')}-{counter:04d}", now.isoformat(timespec="microseconds")


def pending_path(root: Path, stem: str) -> Path:
    return journal_folder(root) / f"{stem}{PENDING_SUFFIX}"


def done_path(root: Path, stem: str) -> Path:
    return journal_folder(root) / f"{stem}{DONE_SUFFIX}"


def undoing_path(journal: Journal) -> Path:
    return journal.path.with_name(stem_of(journal.path) + UNDOING_SUFFIX)


def undone_path(journal: Journal) -> Path:
    return journal.path.with_name(stem_of(journal.path) + UNDONE_SUFFIX)


def stem_of(path: Path) -> str:
    match = _NAME.match(path.name)
    assert match is not None, path
    return f"{match['stamp']}-{match['counter']}"


def _journal_files(root: Path) -> list[Path]:
    folder = journal_folder(root)
    if not folder.is_dir():
        return []
    return [path for path in folder.iterdir() if _NAME.match(path.name)]


def _counter(path: Path) -> int:
    match = _NAME.match(path.name)
    return int(match["counter"]) if match else 0


def _state(path: Path) -> str:
    match = _NAME.match(path.name)
    assert match is not None
    return (match["state"] or ".done").lstrip(".")


def _order(path: Path) -> tuple[int, str]:
    match = _NAME.match(path.name)
    assert match is not None
    return int(match["counter"]), match["stamp"]


# --- reading ----------------------------------------------------------------------------


def last_journal(root: Path) -> Journal | None:
    """The most recent finished apply that has not been undone yet, if any."""
    finished = [path for path in _journal_files(root) if _state(path) == "done"]
    if not finished:
        return None
    return load_journal(max(finished, key=_order))


def interrupted_journal(root: Path) -> Journal | None:
    """The apply or undo that was cut short (process killed, rollback failed), if any.

    Apply refuses to run on top of one, so there is at most one in practice; the latest wins.
    """
    files = _journal_files(root)
    settled = {stem_of(path) for path in files if _state(path) in ("done", "undone")}
    cut_short = [path for path in files
                 if _state(path) == "undoing" or (_state(path) == "pending" and stem_of(path) not in settled)]
    if not cut_short:
        return None
    return load_journal(max(cut_short, key=_order))


def stale_files(root: Path) -> list[Path]:
    """Pending journals whose apply did commit (the process died between the two steps)."""
    files = _journal_files(root)
    settled = {stem_of(path) for path in files if _state(path) in ("done", "undone")}
    return [path for path in files if _state(path) == "pending" and stem_of(path) in settled]


def journal_states(root: Path) -> dict[str, str]:
    """Stem -> state of every journal ("pending", "done", "undoing", "undone"); the most
    advanced state wins when a stale pending copy sits beside its finished journal."""
    rank = {"pending": 0, "done": 1, "undoing": 2, "undone": 3}
    states: dict[str, str] = {}
    for path in _journal_files(root):
        stem, state = stem_of(path), _state(path)
        if rank[state] >= rank[states.get(stem, "pending")]:
            states[stem] = state
    return states


def interrupted_message(journal: Journal) -> str:
    when = _readable_time(journal.created_at)
    if _state(journal.path) == "undoing":
        return (f"the undo of the organize applied at {when} was interrupted; "
                "run `organize-backend undo` to finish restoring the original files")
    return f"an organize was interrupted at {when}; run `organize-backend undo` to restore the original files"


def refuse_if_interrupted(root: Path) -> None:
    """Every command that reads or changes the workspace calls this first: on a half-moved
    tree a plan would be wrong ("nothing to organize") and an apply would bury the originals."""
    journal = interrupted_journal(Path(root).resolve())
    if journal is not None:
        raise OrganizeError(interrupted_message(journal))


def _readable_time(created_at: str) -> str:
    try:
        return datetime.fromisoformat(created_at).strftime("%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        return created_at


def load_journal(path: Path) -> Journal:
    try:
        data = json.loads(path.read_bytes())
        return _journal_from_json(path, data)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise OrganizeError(f"the undo journal {path} cannot be read ({error}); nothing was changed") from error


def _journal_from_json(path: Path, data: dict[str, Any]) -> Journal:
    if data.get("format") not in READABLE_FORMATS:
        raise ValueError(f"unknown journal format {data.get('format')!r}")
    return Journal(
        path=path,
        created_at=data["created_at"],
        entries=tuple(_entry_from_json(item) for item in data["entries"]),
        created_dirs=tuple(data["created_dirs"]),
        removed_dirs=tuple(data["removed_dirs"]),
        format=data["format"],
        organize_root=data.get("organize_root"),  # absent in journals written before it was kept
    )


def _entry_from_json(item: dict[str, Any]) -> JournalEntry:
    original = item["original"]
    return JournalEntry(
        old_path=item["old_path"],
        new_path=item["new_path"],
        original=None if original is None else base64.b64decode(original, validate=True),
        written_sha256=item["written_sha256"],
        mode=item.get("mode"),
    )


# --- writing (the bytes; `disk` puts them on disk) ---------------------------------------


def journal_bytes(journal: Journal) -> bytes:
    data = {
        "format": FORMAT_VERSION,
        "created_at": journal.created_at,
        "summary": journal.summary(),  # for a human reading the file; ignored on load
        "entries": [_entry_to_json(entry) for entry in journal.entries],
        "created_dirs": list(journal.created_dirs),
        "removed_dirs": list(journal.removed_dirs),
        **({"organize_root": journal.organize_root} if journal.organize_root is not None else {}),
    }
    return json.dumps(data, indent=1).encode("utf-8") + b"\n"


def _entry_to_json(entry: JournalEntry) -> dict[str, Any]:
    return {
        "old_path": entry.old_path,
        "new_path": entry.new_path,
        "original": None if entry.original is None else base64.b64encode(entry.original).decode("ascii"),
        "written_sha256": entry.written_sha256,
        "mode": entry.mode,
    }
