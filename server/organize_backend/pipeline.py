"""The pipeline's stages wired together once, for every front end (command line, language server)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from organize_backend.changes.compute import compute_changes
from organize_backend.config import Config, load_config
from organize_backend.environment import Environment, choose_interpreter, environment_of
from organize_backend.model import ChangeSet, OrganizeError, Plan, Snapshot
from organize_backend.planning.import_graph import package_imports
from organize_backend.planning.plan import make_plan
from organize_backend.planning.roots import find_root, package_name
from organize_backend.sinks.journal import last_journal, refuse_if_interrupted
from organize_backend.snapshot import inside_workspace, take_snapshot


@dataclass(frozen=True)
class Workspace:
    snapshot: Snapshot
    config: Config
    editor_python: str = ""  # the interpreter the editor picked for the project, if any
    organizing: str = ""  # which folder is organized and why, for the plan report
    unsure_root: str = ""  # why no folder could be chosen to organize (an organize then refuses)


def open_workspace(
    root: Path,
    overrides: Mapping[str, Any] | None = None,
    buffers: Mapping[str, str] | None = None,
    buffer_versions: Mapping[str, int] | None = None,
    flags: Mapping[str, Any] | None = None,
    editor_python: str = "",
    near: str | None = None,
) -> Workspace:
    """`near`: the file an editor has in hand; it picks the folder to organize when the
    configuration names none and the workspace holds several candidates (planning/roots.py)."""
    refuse_if_interrupted(Path(root))  # a half-moved tree would plan wrong: say why and what to run
    config = load_config(Path(root), overrides, flags)
    snapshot = take_snapshot(Path(root), config.root, buffers, buffer_versions)
    if config.root or config.layout == "none":  # named, or nothing but the configured moves: no search
        return Workspace(snapshot, config, editor_python, _named_root(snapshot, config))
    organized = _last_organized_root(Path(root), snapshot)
    if organized is not None:  # the tree is the tool's own work now: reading it again would guess anew
        return Workspace(replace(snapshot, organize_root=organized), config, editor_python,
                         f"{organized or '.'}/: the folder the last organize took (--root names another)")
    try:
        choice = find_root(snapshot.files, near)
    except OrganizeError as error:  # only an organize needs the folder: a check or a move goes on
        return Workspace(snapshot, config, editor_python, unsure_root=str(error))
    return Workspace(replace(snapshot, organize_root=choice.folder), config, editor_python, choice.reason)


def _last_organized_root(root: Path, snapshot: Snapshot) -> str | None:
    """The folder of the last organize not undone, while it still holds files. After an organize
    the folder holds packages and fewer modules: a search may name another folder, or several,
    and a check would then read imports from the wrong root."""
    try:
        journal = last_journal(root)
    except OrganizeError:
        return None  # `undo` says what is wrong with it; a plan or check goes on as without one
    folder = journal.organize_root if journal is not None else None
    if folder and not any(path.startswith(f"{folder}/") for path in snapshot.files):
        return None  # the folder is gone (renamed or deleted by hand): search again
    return folder


def _named_root(snapshot: Snapshot, config: Config) -> str:
    shown = f"{snapshot.organize_root}/" if snapshot.organize_root else "./"
    if config.root:
        return f"{shown}: the root the settings name (`root`, --root)"
    return f"{shown}: the workspace folder (layout = \"none\": only the configured moves are made)"


def project_environment(workspace: Workspace) -> Environment:
    """The Python the project runs on (see environment.py for the order), and its sys.path."""
    snapshot = workspace.snapshot
    return environment_of(choose_interpreter(snapshot.root, snapshot.organize_root, workspace.config.python,
                                             workspace.editor_python))


def plan_organize(workspace: Workspace, check_syntax: bool = True, for_report: bool = False) -> Plan:
    """The organize plan; `check_syntax=False` only for a listing of the action, never for
    a plan that is computed (the engine relies on every file parsing). `for_report`: the plan
    is shown, with the imports between its packages (they take a read of every module)."""
    if workspace.unsure_root:
        raise OrganizeError(workspace.unsure_root)
    snapshot = workspace.snapshot
    plan = make_plan(snapshot, workspace.config, check_syntax, environment=project_environment(workspace))
    if not for_report:
        return replace(plan, organizing=workspace.organizing)
    packages, imports = package_imports(snapshot.files, snapshot.organize_root,
                                        package_name(snapshot.files, snapshot.organize_root), plan.moves)
    return replace(plan, organizing=workspace.organizing, packages_after=packages, package_imports=imports)


def plan_folder(workspace: Workspace, folder: str) -> Plan:
    """Organize one folder the user picked: it is the organize root, whatever the config says."""
    snapshot = workspace.snapshot
    folder = inside_workspace(snapshot.root, folder, what="folder")
    if folder and not _is_folder(snapshot, folder):
        raise OrganizeError(f"{folder} is not a folder of the workspace")
    return make_plan(replace(snapshot, organize_root=folder), workspace.config,
                     environment=project_environment(workspace))


def plan_move(workspace: Workspace, source: str, destination: str) -> Plan:
    """One module or package, `mv`-style: into an existing folder, or to a new path (a rename)."""
    snapshot = workspace.snapshot
    source = inside_workspace(snapshot.root, source, what="source")
    destination = inside_workspace(snapshot.root, destination, what="destination")
    into_folder = _is_folder(snapshot, destination) or not (destination.endswith(".py") or _is_folder(snapshot, source))
    if into_folder:
        destination = f"{destination}/{PurePosixPath(source).name}" if destination else PurePosixPath(source).name
    if destination == source:
        raise OrganizeError(f"{source} is already there")
    single = Config(layout="none", moves=((source, destination),), source=workspace.config.source)
    return make_plan(snapshot, single, whole_folder=False, environment=project_environment(workspace))


def compute(workspace: Workspace, plan: Plan) -> ChangeSet:
    if plan.is_empty:
        raise OrganizeError(nothing_to_organize(workspace.snapshot))
    return compute_changes(workspace.snapshot, plan)


def content_key(workspace: Workspace, request: Mapping[str, Any]) -> str:
    """Identifies what a change set is a function of: the workspace's content, the
    configuration and the request. Equal keys give equal change sets, so one can be reused."""
    snapshot = workspace.snapshot
    digest = hashlib.blake2b(digest_size=20)
    header = [str(snapshot.root), snapshot.organize_root, repr(workspace.config), workspace.editor_python,
              json.dumps(request, sort_keys=True)]
    digest.update("\0".join(header).encode())
    for path, file_digest in sorted(snapshot.digests.items()):
        digest.update(b"\0" + path.encode() + b"\0" + file_digest)
    for path in sorted(snapshot.other_files):
        digest.update(b"\1" + path.encode())
    return digest.hexdigest()


def nothing_to_organize(snapshot: Snapshot) -> str:
    folder = snapshot.organize_root or "."
    return (f"nothing to organize in {folder}: the plan keeps every module where it is (`organize-backend plan` "
            "says why for each), and no move is configured")


def _is_folder(snapshot: Snapshot, path: str) -> bool:
    return not path or any(p.startswith(path + "/") for p in snapshot.files) or (snapshot.root / path).is_dir()
