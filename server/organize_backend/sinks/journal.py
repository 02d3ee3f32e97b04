"""The undo journal: what an apply did, in enough detail to put every byte back.

A journal lives in `<root>/.organize-backend/journal/` as one JSON file per apply, named
`<UTC timestamp with microseconds>-<counter>.json`. The counter grows by one per apply,
so journals order correctly even when two applies share a timestamp or the clock steps
back. A journal's state is in its name, so a reader never has to trust a half-done edit:

    <stem>.pending.json   written before the first file is touched (a crash leaves the
                          original bytes here); never undone automatically
    <stem>.json           the apply finished: `undo_last` may revert it
    <stem>.undone.json    the apply was reverted

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
FORMAT_VERSION = 1

PENDING_SUFFIX = ".pending.json"
UNDONE_SUFFIX = ".undone.json"
DONE_SUFFIX = ".json"

_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}\.\d{6}Z)-(?P<counter>\d+)(?P<state>\.pending|\.undone)?\.json$")


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


def undone_path(journal: Journal) -> Path:
    return journal.path.with_name(journal.path.name[: -len(DONE_SUFFIX)] + UNDONE_SUFFIX)


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


def load_journal(path: Path) -> Journal:
    try:
        data = json.loads(path.read_bytes())
        return _journal_from_json(path, data)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise OrganizeError(f"the undo journal {path} cannot be read ({error}); nothing was changed") from error


def _journal_from_json(path: Path, data: dict[str, Any]) -> Journal:
    if data.get("format") != FORMAT_VERSION:
        raise ValueError(f"unknown journal format {data.get('format')!r}")
    return Journal(
        path=path,
        created_at=data["created_at"],
        entries=tuple(_entry_from_json(item) for item in data["entries"]),
        created_dirs=tuple(data["created_dirs"]),
        removed_dirs=tuple(data["removed_dirs"]),
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
