"""Which folder is the flat backend, when neither the configuration nor a flag names one.

The flat folder holds the most top-level modules of the application, modules that import each
other: by bare top-level name (`backend/agent.py`: `from database import get_db`), by relative
import, or by the folder's package name (`src/shop/orders.py`: `from shop.database import stock`).
Each folder where at least two modules do is a candidate, scored by the modules it holds; a clear
winner (twice the next) is the root. A package inside a candidate is part of that application
(`backend/routes/`), unless it is the bigger one (`app/` beside `microblog.py`). When no candidate
stands out, the command line refuses and names them; an editor passes the file in hand to choose.

Also here: the relative imports of a folder without `__init__.py`. Python imports such a folder
only as a namespace package of the folder above it, which the import rewriting does not model:
planning refuses them with file and line rather than leave them pointing at nothing.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from organize_backend.model import Move, OrganizeError
from organize_backend.planning.import_graph import (
    BARE,
    PACKAGE,
    RELATIVE,
    Edge,
    PythonFiles,
    folder_edges,
    relative_edges,
)
from organize_backend.snapshot import join, parent_of, relocated

# Folders that hold no application: their modules may import each other (test helpers), but
# organizing them is never what a user wants when they did not say so.
NOT_AN_APPLICATION = frozenset({"tests", "test", "docs", "doc", "examples", "example"})
CLEAR_MARGIN = 2  # the best candidate must involve this many times the modules of the next
MIN_MODULES = 2  # modules that import each other: fewer is not a backend


@dataclass(frozen=True)
class RootCandidate:
    folder: str
    modules: int  # the modules directly in the folder
    linked: int  # those that import another entry of the folder, or are imported by one
    ways: tuple[str, ...]  # how they import each other (import_graph.BARE, RELATIVE, PACKAGE)
    package: str | None = None  # the folder's package name, when it is a package

    @property
    def shown(self) -> str:
        return f"{self.folder}/" if self.folder else "./ (the workspace folder)"

    def why(self) -> str:
        shown = {BARE: "by bare name", RELATIVE: "by relative imports",
                 PACKAGE: f"by their package name {self.package}"}
        ways = " and ".join(shown[way] for way in (BARE, RELATIVE, PACKAGE) if way in self.ways)
        if self.linked == self.modules:
            return f"{self.modules} modules that import each other {ways}"
        return f"{self.modules} modules, {self.linked} of which import each other {ways}"


@dataclass(frozen=True)
class RootChoice:
    folder: str
    reason: str  # for the plan report: "backend/: 23 modules that import each other by bare name"


def find_root(files: Mapping[str, bytes], near: str | None = None) -> RootChoice:
    """The flat folder of a workspace (`files`: its paths and bytes). `near`: the file an editor
    has in hand, which picks among candidates that no score separates."""
    candidates = root_candidates(files)
    if not candidates:
        return RootChoice("", "./: no folder has modules that import each other; the workspace folder is organized")
    best = candidates[0]
    if len(candidates) == 1 or best.modules >= CLEAR_MARGIN * candidates[1].modules:
        return RootChoice(best.folder, f"{best.shown}: {best.why()}")
    holding = [candidate for candidate in candidates if near is not None and _holds(candidate.folder, near)]
    if holding:
        chosen = max(holding, key=lambda candidate: len(candidate.folder))
        return RootChoice(chosen.folder, f"{chosen.shown}: the folder of {near}, {chosen.why()}")
    listed = "; ".join(f"{candidate.shown} ({candidate.why()})" for candidate in candidates)
    raise OrganizeError(f"cannot tell which folder to organize, nothing was changed: {listed}. "
                        f"Name it with --root FOLDER, or `root = \"{best.folder}\"` under [tool.organize-backend]")


def root_candidates(files: Mapping[str, bytes]) -> list[RootCandidate]:
    """Every folder whose modules import each other, best first."""
    index = PythonFiles(files)
    found = [candidate for folder in _folders_with_modules(index)
             if (candidate := _candidate(index, folder)) is not None]
    kept = [candidate for candidate in found if not _part_of_another(candidate, found)]
    return sorted(kept, key=lambda candidate: (-candidate.modules, -candidate.linked, candidate.folder.count("/"),
                                               candidate.folder))


def package_name(files: Mapping[str, bytes], folder: str) -> str | None:
    """The dotted name a folder with an __init__.py is imported by, from the first folder above
    it that is not a package; None for a folder that is not a package."""
    parts = []
    while folder and join(folder, "__init__.py") in files:
        parts.insert(0, folder.rsplit("/", 1)[-1])
        folder = parent_of(folder)
    return ".".join(parts) if parts and all(part.isidentifier() for part in parts) else None


_RELATIVE_IMPORT = re.compile(rb"(?m)^[ \t]*from[ \t]*\.")


def refuse_namespace_relative_imports(files: Mapping[str, bytes], moves: Iterable[Move]) -> None:
    """A relative import in a folder without __init__.py whose importer or target the moves
    take elsewhere (not both along, as with a whole folder moved) is refused with file and line."""
    moves = list(moves)
    index = PythonFiles(files)
    in_namespaces = [path for path in sorted(files)
                     if path.endswith(".py") and join(parent_of(path), "__init__.py") not in files
                     and _RELATIVE_IMPORT.search(files[path])]  # parse only what may hold one
    broken = [edge for path in in_namespaces for edge in relative_edges(index, path) if not _kept(edge, moves)]
    if broken:
        folders = sorted({join(parent_of(edge.importer), "__init__.py") for edge in broken})
        raise OrganizeError(
            "cannot organize: relative imports in a folder without __init__.py, nothing was changed. Python "
            "imports such a folder only as a namespace package of the folder above it, and organize-backend "
            f"does not rewrite imports there. Add an empty {' and '.join(folders)} (a regular package keeps its "
            "relative imports, fixed by the organize), or make these imports absolute:\n"
            + "\n".join(dict.fromkeys(f"{edge.importer}:{edge.line}: {edge.statement}" for edge in broken)))


def _kept(edge: Edge, moves: list[Move]) -> bool:
    """The import names the same file from the same place after the moves: nothing to rewrite."""
    def moved(path: str) -> str:
        for move in moves:
            path = relocated(path, move.source, move.destination) or path
        return path

    target = edge.target.rstrip("/")
    before = posixpath.relpath("/" + target, "/" + parent_of(edge.importer))
    after = posixpath.relpath("/" + moved(target), "/" + parent_of(moved(edge.importer)))
    return before == after


def _folders_with_modules(index: PythonFiles) -> list[str]:
    return [folder for folder in index.module_folders()
            if not NOT_AN_APPLICATION & set(folder.split("/")) and len(index.modules(folder)) >= MIN_MODULES]


def _candidate(index: PythonFiles, folder: str) -> RootCandidate | None:
    package = package_name(index.files, folder)
    edges = folder_edges(index, folder, package)
    modules = set(index.modules(folder))
    # a module that imports a package of the folder by name takes part too (main.py: `from routes import api`)
    linked = {edge.importer for edge in edges} | {edge.target for edge in edges if edge.target in modules}
    if len(linked) < MIN_MODULES:
        return None
    return RootCandidate(folder, len(modules), len(linked), tuple(sorted({edge.how for edge in edges})), package)


def _part_of_another(candidate: RootCandidate, others: list[RootCandidate]) -> bool:
    """A package inside another candidate's folder is part of that application (backend/routes/
    in backend/), unless it holds more modules: then the folder around it holds the entry points
    of an application that lives in the package (microblog.py beside app/)."""
    return candidate.package is not None and any(
        other is not candidate and _holds(other.folder, candidate.folder + "/") and other.modules >= candidate.modules
        for other in others)


def _holds(folder: str, path: str) -> bool:
    return not folder or path.startswith(folder + "/")
