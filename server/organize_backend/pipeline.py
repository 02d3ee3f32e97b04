"""The pipeline's stages wired together once, for every front end (command line, language server)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from organize_backend.changes.compute import compute_changes
from organize_backend.config import Config, load_config
from organize_backend.model import ChangeSet, OrganizeError, Plan, Snapshot
from organize_backend.planning.plan import make_plan
from organize_backend.snapshot import inside_workspace, take_snapshot


@dataclass(frozen=True)
class Workspace:
    snapshot: Snapshot
    config: Config


def open_workspace(
    root: Path,
    overrides: Mapping[str, Any] | None = None,
    buffers: Mapping[str, str] | None = None,
    buffer_versions: Mapping[str, int] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> Workspace:
    config = load_config(Path(root), overrides, flags)
    snapshot = take_snapshot(Path(root), config.root, buffers, buffer_versions)
    return Workspace(snapshot, config)


def plan_organize(workspace: Workspace, check_syntax: bool = True) -> Plan:
    """The organize plan; `check_syntax=False` only for a listing of the action, never for
    a plan that is computed (the engine relies on every file parsing)."""
    return make_plan(workspace.snapshot, workspace.config, check_syntax)


def plan_folder(workspace: Workspace, folder: str) -> Plan:
    """Organize one folder the user picked: it is the organize root, whatever the config says."""
    snapshot = workspace.snapshot
    folder = inside_workspace(snapshot.root, folder, what="folder")
    if folder and not _is_folder(snapshot, folder):
        raise OrganizeError(f"{folder} is not a folder of the workspace")
    return make_plan(replace(snapshot, organize_root=folder), workspace.config)


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
    return make_plan(snapshot, single, whole_folder=False)


def compute(workspace: Workspace, plan: Plan) -> ChangeSet:
    if plan.is_empty:
        raise OrganizeError(nothing_to_organize(workspace.snapshot))
    return compute_changes(workspace.snapshot, plan)


def content_key(workspace: Workspace, request: Mapping[str, Any]) -> str:
    """Identifies what a change set is a function of: the workspace's content, the
    configuration and the request. Equal keys give equal change sets, so one can be reused."""
    snapshot = workspace.snapshot
    digest = hashlib.blake2b(digest_size=20)
    header = [str(snapshot.root), snapshot.organize_root, repr(workspace.config), json.dumps(request, sort_keys=True)]
    digest.update("\0".join(header).encode())
    for path, file_digest in sorted(snapshot.digests.items()):
        digest.update(b"\0" + path.encode() + b"\0" + file_digest)
    for path in sorted(snapshot.other_files):
        digest.update(b"\1" + path.encode())
    return digest.hexdigest()


def nothing_to_organize(snapshot: Snapshot) -> str:
    folder = snapshot.organize_root or "."
    return f"nothing to organize in {folder}: no module there matches a package of the layout, and no move is configured"


def _is_folder(snapshot: Snapshot, path: str) -> bool:
    return not path or any(p.startswith(path + "/") for p in snapshot.files) or (snapshot.root / path).is_dir()
