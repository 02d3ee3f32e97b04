"""A rope project for one batch of moves on a scratch copy.

rope moves files here, nothing more (rope_moves.py says why); what costs time in plain rope
on a large flat folder is that every module lookup re-discovers the source folders by
listing the whole root folder (`Project.get_source_folders` is deliberately uncached
upstream). On a scratch copy that only this engine writes, the source folders cannot
change, so they are found once, from the paths.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rope.base.fscommands import FileSystemCommands
from rope.base.project import Project

_PREFS = dict(
    # The scratch copy lives for one run: nothing to learn, store or validate across runs.
    automatic_soa=False,
    perform_doa=False,
    validate_objectdb=False,
    save_objectdb=False,
    save_history=False,
    ignored_resources=[],
    python_files=["*.py"],
    import_dynload_stdmods=False,
)


def open_scratch_project(folder: Path, source_folders: list[str] | None = None) -> Project:
    """A rope project over `folder`, a scratch copy that only the engine writes.

    `source_folders` (paths, as a previous project of the same copy found them) skips the
    discovery; without it rope walks the tree once.
    """
    project = Project(str(folder), ropefolder=None, fscommands=FileSystemCommands(), **_PREFS)
    if source_folders is None:
        found = project.get_source_folders()
    else:
        found = [project.get_folder(path) for path in source_folders]
    # Safe to freeze: every folder the engine creates is a package (it has an
    # __init__.py), and rope never counts a package as a source folder.
    project.get_source_folders = lambda: list(found)
    return project


def source_folders_of(python_files: list[str]) -> list[str]:
    """The source folders rope would find (`PyCore._find_source_folders`) in a tree that
    holds just these files, as the scratch copy does: known from the paths, without
    listing every folder (about 0.2 s on 1,600 modules). A folder with a package in it is
    a source folder and rope looks no deeper; otherwise one with a module in it is, and
    rope looks into each subfolder. Sorted, where rope follows the order of the disk."""
    subfolders: dict[str, set[str]] = defaultdict(set)
    files: dict[str, set[str]] = defaultdict(set)
    for path in python_files:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            subfolders["/".join(parts[:depth - 1])].add("/".join(parts[:depth]))
        files["/".join(parts[:-1])].add(parts[-1])

    def find(folder: str) -> list[str]:
        inside = sorted(subfolders[folder])
        if any("__init__.py" in files[sub] for sub in inside):
            return [folder]
        return ([folder] if files[folder] else []) + [found for sub in inside for found in find(sub)]

    return find("")
