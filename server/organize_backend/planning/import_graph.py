"""Which modules of a folder import which: the planning's view of the import graph.

Read from each file's import statements (verify.py parses them once and caches them by
content), resolved the way the folder's modules reach each other: by bare top-level name
(`from database import get_db`, the folder on sys.path), by relative import
(`from .database import get_db`), or by the folder's own package name
(`from shop.database import get_db`). Only imports between workspace files count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

from organize_backend.model import Move
from organize_backend.snapshot import join, parent_of, relocated
from organize_backend.verify import facts_of_source as import_facts

BARE = "bare name"
RELATIVE = "relative import"
PACKAGE = "package name"


@dataclass(frozen=True)
class Edge:
    """`importer` (a file) imports `target` (a file: a module or a package's __init__.py, or a
    folder, with a final slash, for a namespace package)."""

    importer: str
    target: str
    line: int
    how: str  # BARE, RELATIVE or PACKAGE
    statement: str  # as written, without `as` clauses: "from .database import get_db"


class PythonFiles:
    """The Python files of a workspace, indexed once: the modules of each folder, and every
    folder that holds Python files at any depth (a namespace package, if nothing more)."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = files
        self._modules: dict[str, list[str]] = {}
        self.folders: set[str] = set()
        for path in sorted(path for path in files if path.endswith(".py")):
            folder = parent_of(path)
            if not _is_init(path):
                self._modules.setdefault(folder, []).append(path)
            while folder and folder not in self.folders:
                self.folders.add(folder)
                folder = parent_of(folder)

    def modules(self, folder: str) -> list[str]:
        """The modules directly in `folder`, without its own __init__.py."""
        return self._modules.get(folder, [])

    def module_folders(self) -> list[str]:
        return sorted(self._modules)

    def below(self, folder: str) -> list[str]:
        """Every Python file under `folder`, __init__.py files included."""
        return sorted(path for path in self.files
                      if path.endswith(".py") and (not folder or path.startswith(folder + "/")))


def folder_edges(index: PythonFiles, folder: str, package: str | None) -> list[Edge]:
    """The imports between the modules and packages directly in `folder`, made by its own
    modules. `package`: the dotted name `folder` is imported by, when it is a package."""
    return [edge for path in index.modules(folder) for edge in _edges_of(index, path, folder, package)]


@dataclass(frozen=True)
class ModuleGraph:
    """Who imports whom among the modules directly in a folder, by stem ("auth" for auth.py)."""

    imports: Mapping[str, frozenset[str]]  # stem -> stems it imports
    importers: Mapping[str, frozenset[str]]  # stem -> stems importing it
    used_elsewhere: Mapping[str, frozenset[str]] = field(default_factory=dict)  # stem -> files outside importing it

    def neighbours(self, stem: str) -> frozenset[str]:
        return self.imports.get(stem, frozenset()) | self.importers.get(stem, frozenset())


def module_graph(files: Mapping[str, bytes], folder: str, package: str | None) -> ModuleGraph:
    """The imports between the modules directly in `folder` (its packages left out), and which of
    them the workspace's other files import (a GUI in `gui/` importing a root module by bare name)."""
    index = PythonFiles(files)
    stems = {path: path.rsplit("/", 1)[-1][:-3] for path in index.modules(folder)}
    imports: dict[str, set[str]] = {stem: set() for stem in stems.values()}
    importers: dict[str, set[str]] = {stem: set() for stem in stems.values()}
    for edge in folder_edges(index, folder, package):
        if edge.target in stems:
            imports[stems[edge.importer]].add(stems[edge.target])
            importers[stems[edge.target]].add(stems[edge.importer])
    used_elsewhere: dict[str, set[str]] = {}
    for path in sorted(files):
        if path.endswith(".py") and path not in stems:
            for edge in _edges_of(index, path, folder, package):
                if edge.target in stems:
                    used_elsewhere.setdefault(stems[edge.target], set()).add(path)
    return ModuleGraph({stem: frozenset(names) for stem, names in imports.items()},
                       {stem: frozenset(names) for stem, names in importers.items()},
                       {stem: frozenset(paths) for stem, paths in used_elsewhere.items()})


def package_imports(files: Mapping[str, bytes], folder: str, package: str | None, moves: Iterable[Move]
                    ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The packages directly below `folder` once `moves` are made, and (A, B) for each package A
    whose modules import package B; "" stands for the modules left directly in `folder`. Read
    from every module below `folder`, with the imports as they are now (the organize keeps what
    each one names). `package`: the name `folder` is imported by, when it is a package."""
    index = PythonFiles(files)
    moved_files = {move.source: move.destination for move in moves if move.source.endswith(".py")}
    moved_folders = [move for move in moves if not move.source.endswith(".py")]

    def package_of(path: str) -> str:
        path = moved_files.get(path, path)
        for move in moved_folders:
            path = relocated(path, move.source, move.destination) or path
        parts = (path[len(folder) + 1:] if folder else path).split("/")
        return parts[0] if len(parts) > 1 else ""

    below = index.below(folder)
    pairs = {(package_of(edge.importer), package_of(edge.target))
             for path in below for edge in _edges_of(index, path, folder, package)}
    nodes = tuple(sorted({package_of(path) for path in below}))
    return nodes, tuple(sorted((importer, target) for importer, target in pairs if importer != target))


def import_cycles(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """One cycle through each group of nodes that import each other round, as the nodes in
    order (the first repeated at the end): ["agents", "services", "agents"]."""
    graph: dict[str, set[str]] = {}
    for importer, target in pairs:
        graph.setdefault(importer, set()).add(target)
        graph.setdefault(target, set())
    cycles, seen = [], set()
    for start in sorted(graph):
        if start in seen:
            continue
        path = _path_back(graph, start)
        if path is not None:
            seen.update(path)
            cycles.append(path)
    return cycles


def edges_in_cycles(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every edge (A, B) through which B leads back to A: the edges of some import cycle."""
    graph: dict[str, set[str]] = {}
    for importer, target in pairs:
        graph.setdefault(importer, set()).add(target)
        graph.setdefault(target, set())
    return {(importer, target) for importer in graph for target in graph[importer]
            if _reaches(graph, target, importer)}


def _reaches(graph: Mapping[str, set[str]], start: str, goal: str) -> bool:
    seen, frontier = {start}, [start]
    while frontier:
        node = frontier.pop()
        if node == goal:
            return True
        for target in graph[node] - seen:
            seen.add(target)
            frontier.append(target)
    return False


def _path_back(graph: Mapping[str, set[str]], start: str) -> list[str] | None:
    """The shortest path from `start` back to itself (breadth first), or None."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node]):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if target not in previous:
                    previous[target] = node
                    following.append(target)
        frontier = following
    return None


def relative_edges(index: PythonFiles, path: str) -> list[Edge]:
    """The relative imports of the file at `path` that name a workspace file."""
    return [edge for edge in _edges_of(index, path, parent_of(path), None) if edge.how == RELATIVE]


def _edges_of(index: PythonFiles, path: str, folder: str, package: str | None) -> Iterator[Edge]:
    """What the file at `path` imports among the entries of `folder` (the import root), or, for a
    relative import, among the entries of the package it climbs to."""
    for site in import_facts(bytes(index.files[path])).imports:
        base = folder
        if site.level:
            base = parent_of(path)
            for _ in range(site.level - 1):
                base = parent_of(base)
            names = [site.module.partition(".")[0]] if site.module else [name.name for name in site.names]
            how = RELATIVE
        elif site.level == 0 and package and site.module and (site.module + ".").startswith(package + "."):
            rest = site.module[len(package) + 1:]
            names = [rest.partition(".")[0]] if rest else [name.name for name in site.names]
            how = PACKAGE
        elif site.level == 0 and site.module and package is None:  # in a package, a bare name is not a sibling
            names, how = [site.module.partition(".")[0]], BARE
        else:
            continue
        for name in names:
            target = _entry_named(index, base, name)
            if target is not None and target != path:
                yield Edge(path, target, site.line, how, site.statement())


def _entry_named(index: PythonFiles, folder: str, name: str) -> str | None:
    """The module, package or namespace folder `name` in `folder`, as Python finds it first."""
    module, package = join(folder, f"{name}.py"), join(folder, f"{name}/__init__.py")
    if package in index.files:
        return package
    if module in index.files:
        return module
    return join(folder, name) + "/" if join(folder, name) in index.folders else None


def _is_init(path: str) -> bool:
    return path == "__init__.py" or path.endswith("/__init__.py")
