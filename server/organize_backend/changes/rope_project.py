"""A rope project tuned for one batch of moves on a scratch copy.

Plain rope spends almost all of a MoveModule on a large flat folder in two places
(measured on 1,600 modules: 33 s for one move, see bench/):

* every module lookup re-discovers the source folders by listing the whole root folder
  (`Project.get_source_folders` is deliberately uncached upstream); on a scratch copy that
  only this engine writes, the source folders cannot change, so they are found once;
* finding the scope that holds an occurrence patches the whole module's AST with token
  regions, where only the start and end of each scope are needed; the standard parser
  records those (`end_lineno`, `end_col_offset`), so regions are read from there, lazily;
* listing a module's imports splits the whole file into logical lines to find where each
  import statement ends; the parser's `end_lineno` says the same (checked on 19,186
  module-level imports of the standard library and this repository: no difference);
* the textual search for a name (skipping comments and strings) runs about three times on
  each file for each refactoring; its offsets are remembered by name pattern and text.

Everything else is rope itself: MoveModule and Rename compute the changes.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from rope.base import pyscopes
from rope.refactor import occurrences
from rope.refactor.importutils import module_imports
from rope.base.fscommands import FileSystemCommands
from rope.base.project import Project

from organize_backend.source_text import LineOffsets

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


def _scope_region(scope) -> tuple[int, int]:
    """rope's `Scope.get_region`, from parser positions instead of a patched AST.

    Same boundaries as rope's patched regions: a decorated definition starts at its
    first `@`, every scope ends where its last statement (or expression) ends.
    """
    node = scope.pyobject.get_ast()
    if not hasattr(node, "lineno"):  # the module itself spans its whole source
        return (0, len(scope._get_global_scope()._get_source()))
    region = getattr(node, "region", None)
    if region is not None:
        return region
    global_scope = scope._get_global_scope()
    offsets = getattr(global_scope, "_organize_offsets", None)
    if offsets is None:
        offsets = global_scope._organize_offsets = LineOffsets(global_scope._get_source())
    start = offsets.offset(node.lineno, node.col_offset)
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        first = decorators[0]
        start = global_scope._get_source().rfind("@", 0, offsets.offset(first.lineno, first.col_offset))
    node.region = (start, offsets.offset(node.end_lineno, node.end_col_offset))
    return node.region


def _import_statements(finder) -> list:
    """rope's `_GlobalImportFinder.find_import_statements`, with each statement's last line
    from the parser instead of a logical-line split of the whole module."""
    for node in finder.pymodule.get_ast().body:
        if isinstance(node, ast.Import):
            finder.visit_import(node, node.end_lineno + 1)
        elif isinstance(node, ast.ImportFrom):
            finder.visit_from(node, node.end_lineno + 1)
    return finder.imports


_rope_re_search = occurrences._TextualFinder._re_search
_found_offsets: dict[tuple[str, str], list[int]] = {}
MAX_REMEMBERED_TEXT = 64 * 2**20  # characters of file text kept as keys, at most
_remembered_text = 0


def _remembered_re_search(finder, source: str):
    """rope's `_TextualFinder._re_search`, computed once per name pattern and text."""
    global _remembered_text
    key = (finder.pattern.pattern, source)
    offsets = _found_offsets.get(key)
    if offsets is None:
        offsets = list(_rope_re_search(finder, source))
        if _remembered_text + len(source) > MAX_REMEMBERED_TEXT:
            forget_searches()
        _found_offsets[key] = offsets
        _remembered_text += len(source)
    return iter(offsets)


def forget_searches() -> None:
    """Texts searched in one batch of moves are of no use to the next: a long-lived server
    would otherwise keep them all."""
    global _remembered_text
    _found_offsets.clear()
    _remembered_text = 0


def _install(owner, name: str, replacement) -> None:
    if getattr(getattr(owner, name), "_organize_backend", False):
        return
    replacement._organize_backend = True
    setattr(owner, name, replacement)


_install(pyscopes.Scope, "get_region", _scope_region)
_install(module_imports._GlobalImportFinder, "find_import_statements", _import_statements)
_install(occurrences._TextualFinder, "_re_search", _remembered_re_search)
