"""The data that flows through the pipeline: snapshot -> plan -> changes.

Every stage is a plain function from one of these values to the next, so each can be
tested without an editor, a disk write or rope. Paths are workspace-relative POSIX
strings ("backend/agents/agent.py"); module names are dotted ("agents.agent").
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Mapping

from organize_backend.source_text import split_lines


class OrganizeError(Exception):
    """Bad input or a refused operation: the message is for the user, nothing was changed."""


# --- snapshot ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The workspace as the engine sees it: disk, overlaid with unsaved editor buffers.

    `files` holds every Python file and every text file the engine may rewrite
    (configuration, docs); `organize_root` is the flat folder to reorganize and also the
    folder the application imports from (its modules import each other as top-level names).
    `open_documents` maps the paths of editor buffers to their versions.
    """

    root: Path
    files: Mapping[str, bytes]
    organize_root: str = ""
    other_files: frozenset[str] = frozenset()  # every other file (assets, data): moved along with folders
    open_documents: Mapping[str, int] = field(default_factory=dict)

    def python_files(self) -> list[str]:
        return sorted(path for path in self.files if path.endswith(".py"))

    @cached_property
    def digests(self) -> dict[str, bytes]:
        """A digest of each file's content, made once per snapshot: the syntax check's memory
        and the language server's reuse key both identify contents by it."""
        return {path: hashlib.blake2b(data, digest_size=16).digest() for path, data in self.files.items()}

    def text(self, path: str) -> str:
        return decode(self.files[path])


def decode(data: bytes) -> str:
    """Text of a file for analysis; the bytes themselves are what gets rewritten."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="surrogateescape")


# --- plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """Move (and maybe rename) one module file or one package folder.

    `destination` is the full new path: "backend/data/vector_store.py" for a module,
    "RAI_Chat/backend/services" for a package. When a package's destination folder
    exists already, its contents are merged into it.
    """

    source: str
    destination: str
    reason: str


@dataclass(frozen=True)
class Kept:
    path: str
    reason: str


@dataclass(frozen=True)
class Hazard:
    """Something in a moved module that a move may break, found statically."""

    path: str
    line: int
    kind: str  # "file-relative path", "computed import", "run by path"
    message: str


@dataclass(frozen=True)
class Plan:
    moves: tuple[Move, ...]
    kept: tuple[Kept, ...] = ()
    new_packages: tuple[str, ...] = ()  # folders that get an __init__.py
    hazards: tuple[Hazard, ...] = ()
    notes: tuple[str, ...] = ()  # what else the change does and why (pytest, README, ...)
    whole_folder: bool = True  # an organize (README structure section) rather than single moves
    organizing: str = ""  # which folder is organized and why ("backend/: 23 modules that import ...")
    packages_after: tuple[str, ...] = ()  # the packages just below the organized folder after the moves
    package_imports: tuple[tuple[str, str], ...] = ()  # (A, B): package A imports B after the moves; "" the root

    @property
    def is_empty(self) -> bool:
        return not self.moves


# --- changes ----------------------------------------------------------------------------


class Category(str, enum.Enum):
    """Why a file changed. Every kind but REVIEW and STRUCTURE is applied by default (each
    rule that produces it is certain); editors ask before applying those two, and REVIEW is
    only suggested: the command line leaves it unwritten and reports it."""

    PACKAGE = "package"  # a new __init__.py
    MOVE = "move"  # the file itself moved
    IMPORTS = "imports"  # import statements rewritten in place (changes/imports.py)
    PATHS = "paths"  # `Path(__file__).parent` and the like, deepened for a module moved down
    STRINGS = "strings"  # module paths inside Python strings, where the code reads them as such
    CONFIG = "config"  # Procfile, Dockerfile, pyproject.toml, CI workflows, ...
    DOCS = "docs"  # Markdown and other documentation
    STRUCTURE = "structure"  # the README's "Project structure" section (the whole-folder organize)
    REVIEW = "review"  # strings that look like `module.attr` where nothing says they are one

    @property
    def needs_review(self) -> bool:
        """Only suggested: never written by the command line, reported instead."""
        return self is Category.REVIEW

    @property
    def needs_confirmation(self) -> bool:
        """An editor asks before applying it (VS Code: unticked in its Refactor Preview). The
        structure section is text the tool adds rather than a reference it follows: the user
        opts in, and it is what makes VS Code open the preview at all (an edit with nothing to
        confirm is applied at once)."""
        return self in (Category.REVIEW, Category.STRUCTURE)


@dataclass(frozen=True)
class Suggestion:
    """A line a REVIEW step would change: `line` (1-based) of the file as applied, at its new path."""

    path: str
    line: int
    current: str
    suggested: str


@dataclass(frozen=True)
class FileChange:
    """One file's fate. `old_path` None: created; `new_path` None: deleted.

    `steps` records the content after each pass that changed it, in order, so a sink can
    tell which hunk came from which pass. Steps that need review come last and are not part
    of `after`, the content that is written: they are suggestions on top of it (`suggested`).
    A producer may pass `after` with or without them; it is normalized here, so that no
    sink can write a review-only edit by accident.
    """

    old_path: str | None
    new_path: str | None
    before: bytes | None
    after: bytes | None
    steps: tuple[tuple[Category, bytes], ...] = ()

    def __post_init__(self) -> None:
        if self.steps and self.steps[-1][0].needs_review:
            applied = [data for category, data in self.steps if not category.needs_review]
            object.__setattr__(self, "after", applied[-1] if applied else self.before)

    @property
    def suggested(self) -> bytes | None:
        """The content with the review-only edits applied too."""
        if self.steps and self.steps[-1][0].needs_review:
            return self.steps[-1][1]
        return self.after

    def suggestions(self) -> list[Suggestion]:
        """The lines the review steps would change. They change strings within lines, so
        `after` and `suggested` have the same lines but for those."""
        suggested = self.suggested
        if suggested is None or suggested == self.after or self.new_path is None:
            return []
        current_lines = split_lines(decode(self.after or b""))
        suggested_lines = split_lines(decode(suggested))
        if len(current_lines) != len(suggested_lines):
            return [Suggestion(self.new_path, 1, "", "(the whole file)")]
        return [Suggestion(self.new_path, index + 1, current.rstrip("\r\n"), new.rstrip("\r\n"))
                for index, (current, new) in enumerate(zip(current_lines, suggested_lines)) if current != new]

    @property
    def moved(self) -> bool:
        return self.old_path is not None and self.new_path is not None and self.old_path != self.new_path

    @property
    def edited(self) -> bool:
        return self.before is not None and self.after is not None and self.before != self.after

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(category for category, _ in self.steps)


@dataclass(frozen=True)
class ChangeSet:
    root: Path
    files: tuple[FileChange, ...]
    created_dirs: tuple[str, ...] = ()
    removed_dirs: tuple[str, ...] = ()
    module_map: Mapping[str, str] = field(default_factory=dict)  # old dotted name -> new
    path_map: Mapping[str, str] = field(default_factory=dict)  # old path -> new path
    warnings: tuple[str, ...] = ()
    organize_root: str | None = None  # the folder a whole-folder organize took; None for a single move

    @property
    def is_empty(self) -> bool:
        return not any(change.moved or change.edited or change.old_path is None or change.new_path is None
                       for change in self.files)

    def suggestions(self) -> list[Suggestion]:
        """Every review-only edit, file by file: left out of what is applied by default."""
        found = [suggestion for change in self.files for suggestion in change.suggestions()]
        return sorted(found, key=lambda suggestion: (suggestion.path, suggestion.line))

    def touched_paths(self) -> set[str]:
        """Every path, old or new, that applying this change writes, moves or deletes."""
        paths: set[str] = set()
        for change in self.files:
            if change.moved or change.edited or change.old_path is None or change.new_path is None:
                paths.update(p for p in (change.old_path, change.new_path) if p is not None)
        return paths
