"""The language server: pygls features as short functions over the pipeline.

Editor buffers are the snapshot's truth (unsaved text wins over the disk); rope runs in a
worker thread, so a cancelled request simply drops a result that was never applied.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import ResponseError
from pygls.uris import from_fs_path, to_fs_path

from organize_backend import __version__
from organize_backend.lsp import actions
from organize_backend.lsp.client import ClientProfile, profile_of
from organize_backend.lsp.prepare import Preparer
from organize_backend.model import ChangeSet, OrganizeError, Plan
from organize_backend.config import Config
from organize_backend.pipeline import (
    Workspace, compute, content_key, nothing_to_organize, open_workspace, plan_folder, plan_move, plan_organize,
    project_environment)
from organize_backend.planning.plan import make_plan, parse_in_children
from organize_backend.planning.plan_file import destination_packages, editable_plan, write_edited_moves
from organize_backend.report import render_plan
from organize_backend.sinks.disk import apply_changes, undo_last
from organize_backend.sinks.journal import Journal
from organize_backend.sinks.lsp_edit import EditTarget, to_workspace_edit
from organize_backend.snapshot import source_roots, workspace_package
from organize_backend.verify import ERROR, find_unresolved_imports

log = logging.getLogger("organize-backend")
# Progress is reported for computations longer than this (seconds; the variable is for tests).
PROGRESS_AFTER_SECONDS = float(os.environ.get("ORGANIZE_BACKEND_PROGRESS_AFTER", "0.5"))
WARM_UP_WAIT_SECONDS = 0.25  # a listing waits this long at most for the start-up parse
PREPARE_AFTER_SECONDS = 1.0  # of unchanged content: not on every keystroke
SETTINGS_KEYS = ("layout", "root", "keep")


class AnsweringProtocol(LanguageServerProtocol):
    """pygls drops a request whose params do not fit the protocol's types and logs it; the
    client would wait forever. Answer it with the JSON-RPC error first (then pygls logs it)."""

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=ResponseError(code=error.code, message=error.message))
            raise


class OrganizeServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("organize-backend", __version__, protocol_cls=AnsweringProtocol)
        self.profile = ClientProfile()
        self.root: Path | None = None
        self.settings: dict[str, Any] = {}
        self.initial_python = ""  # the project's interpreter the client named when it started us
        self.own_renames: set[tuple[str, str]] = set()  # renames our own edits will cause
        self.diagnosed: set[str] = set()  # URIs that carry our diagnostics
        self.outdated: set[str] = set()  # open documents whose text predates our own disk writes
        self.engine_lock = threading.Lock()  # one rope run at a time
        self.preparer = Preparer(delay=PREPARE_AFTER_SECONDS)  # changes computed ahead, by content key
        self.warm = threading.Event()  # clear while the start-up plan parses the workspace
        self.warm.set()

    # --- the workspace as the editor has it --------------------------------------------

    def workspace_view(self, near: str | None = None) -> Workspace:
        """`near`: the document in hand, which picks the folder to organize when no setting
        names one and the workspace holds several candidates (planning/roots.py)."""
        if self.root is None:
            raise OrganizeError("no workspace folder is open")
        buffers, versions = {}, {}
        for uri, document in self.workspace.text_documents.items():
            path = self.relative(uri)
            if path is not None and uri not in self.outdated:
                buffers[path], versions[path] = document.source, document.version
        overrides = {key: self.settings[key] for key in SETTINGS_KEYS if self.settings.get(key)}
        return open_workspace(self.root, overrides, buffers, versions, editor_python=self.editor_python(), near=near)

    def editor_python(self) -> str:
        """The editor's interpreter for the project: the `python` setting, else the one the
        client passed at start (VS Code: the Python extension's active interpreter)."""
        setting = self.settings.get("python")
        return setting if isinstance(setting, str) and setting else self.initial_python

    def relative(self, uri: str) -> str | None:
        """The workspace path of a URI, or None when it lies outside the workspace."""
        path = to_fs_path(uri)
        if self.root is None or path is None:
            return None
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def unsaved(self, workspace: Workspace, changes: ChangeSet) -> list[str]:
        """Affected files whose editor text differs from the disk."""
        paths = []
        for path in sorted(changes.touched_paths() & set(workspace.snapshot.open_documents)):
            on_disk = workspace.snapshot.root / path
            if not on_disk.is_file() or on_disk.read_bytes() != workspace.snapshot.files[path]:
                paths.append(path)
        return paths

    def outdate_buffers(self, journal: Journal) -> None:
        """After the server wrote the disk itself (clients without file operations), the
        editor's open buffers of those files hold the old text: the disk is the truth for
        them until the editor sends their text again."""
        touched = {path for entry in journal.entries for path in (entry.old_path, entry.new_path) if path}
        self.outdated |= {uri for uri in self.workspace.text_documents if self.relative(uri) in touched}

    # --- messages -----------------------------------------------------------------------

    def refuse(self, error: OrganizeError, **result: Any) -> dict:
        """Say why nothing was done, and answer the command with the same reason."""
        self.tell(f"organize-backend: {error}", lsp.MessageType.Error)
        return {**result, "message": str(error)}

    def tell(self, message: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        self.window_show_message(lsp.ShowMessageParams(type=kind, message=message))
        self.window_log_message(lsp.LogMessageParams(type=kind, message=message))
        log.info(message)


server = OrganizeServer()


async def run_engine(ls: OrganizeServer, title: str, work):
    """Run `work` in a thread; report progress if it takes longer than half a second."""

    def locked():
        with ls.engine_lock:
            return work()

    task = asyncio.ensure_future(asyncio.to_thread(locked))
    done, _ = await asyncio.wait({task}, timeout=PROGRESS_AFTER_SECONDS)
    if done or not _supports_progress(ls):
        return await task
    token = f"organize-backend-{id(task)}"
    try:
        await ls.work_done_progress.create_async(token)
        ls.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(title=title, cancellable=False))
    except Exception:  # the client refused a progress token: carry on without one
        return await task
    try:
        return await task
    finally:
        ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd())


def _supports_progress(ls: OrganizeServer) -> bool:
    window = ls.client_capabilities.window
    return bool(window and window.work_done_progress)


# --- lifecycle and configuration ---------------------------------------------------------


@server.feature(lsp.INITIALIZE)
def initialize(ls: OrganizeServer, params: lsp.InitializeParams) -> None:
    ls.profile = profile_of(params)
    folder = params.workspace_folders[0].uri if params.workspace_folders else params.root_uri
    path = to_fs_path(folder) if folder else params.root_path
    ls.root = Path(path).resolve() if path else None
    options = params.initialization_options
    if isinstance(options, dict):
        ls.settings.update(options.get("organizeBackend", options))
        python = options.get("python") or ls.settings.get("python")
        ls.initial_python = python if isinstance(python, str) else ""
    log.info("client %s, %s", ls.profile.name or "unnamed", ls.profile)
    warm_up(ls)  # now, so that no listing can start parsing beside it


@server.feature(lsp.INITIALIZED)
async def initialized(ls: OrganizeServer, params: lsp.InitializedParams) -> None:
    await refresh_settings(ls)


@server.feature(lsp.SHUTDOWN)
def shutdown(ls: OrganizeServer, params: Any) -> None:
    ls.preparer.stop()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def document_synced(ls: OrganizeServer, params: Any) -> None:
    """The editor sent a document's text (or closed it): its buffer is current again."""
    ls.outdated.discard(params.text_document.uri)


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def configuration_changed(ls: OrganizeServer, params: lsp.DidChangeConfigurationParams) -> None:
    if isinstance(params.settings, dict) and isinstance(params.settings.get("organizeBackend"), dict):
        ls.settings = dict(params.settings["organizeBackend"])
    else:
        await refresh_settings(ls)


async def refresh_settings(ls: OrganizeServer) -> None:
    """The editor's `organizeBackend` settings fill what pyproject.toml leaves open."""
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return
    try:
        items = [lsp.ConfigurationItem(section="organizeBackend")]
        values = await ls.workspace_configuration_async(lsp.ConfigurationParams(items=items))
    except Exception as error:  # a client may answer with an error; settings stay as they were
        log.warning("workspace/configuration failed: %s", error)
        return
    if values and isinstance(values[0], dict):
        ls.settings = dict(values[0])


# --- code actions --------------------------------------------------------------------------


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[actions.ORGANIZE_KIND, actions.MOVE_KIND], resolve_provider=True),
)
async def code_actions(ls: OrganizeServer, params: lsp.CodeActionParams):
    uri = params.text_document.uri
    path = ls.relative(uri)
    if path is None or not path.endswith(".py"):
        return None
    only = params.context.only
    listed = await asyncio.to_thread(list_actions, ls, uri, path, only)
    if ls.profile.applies_moves and not ls.profile.resolve_edit:
        listed = [await resolve(ls, action) if action.data else action for action in listed]
    return listed if ls.profile.literal_actions else actions.as_commands(listed)


def list_actions(ls: OrganizeServer, uri: str, path: str, only) -> list:
    want_organize = actions.wants(only, actions.ORGANIZE_KIND)
    want_move = actions.wants(only, actions.MOVE_KIND)
    if not (want_organize or want_move):
        return []
    # Until the start-up parse is done (about 1 s on 1,600 modules), a listing does not parse
    # beside it: it plans without the syntax check, and picking the action checks.
    checked = ls.warm.wait(timeout=WARM_UP_WAIT_SECONDS)
    try:
        workspace = ls.workspace_view(near=path)
        if not _inside(path, workspace.snapshot.organize_root):
            return []
        plan = plan_organize(workspace, check_syntax=checked)
    except OrganizeError as error:
        title, kind = ("Organize backend", actions.ORGANIZE_KIND) if want_organize else ("Move to…", actions.MOVE_KIND)
        return [actions.unavailable(title, kind, error, ls.profile)]
    listed = []
    if want_organize:
        if plan.is_empty:
            error = OrganizeError(nothing_to_organize(workspace.snapshot))
            listed.append(actions.unavailable("Organize backend", actions.ORGANIZE_KIND, error, ls.profile))
        else:
            listed.append(actions.organize_action(plan, ls.profile, uri))
            if checked:  # the engine computes only what parses
                prepare_organize(ls, workspace, plan)
    if want_move:
        listed += actions.move_actions(plan, ls.profile, uri, path)
    return listed


@server.feature(lsp.CODE_ACTION_RESOLVE)
async def resolve(ls: OrganizeServer, action: lsp.CodeAction) -> lsp.CodeAction:
    try:
        workspace, changes = await run_engine(ls, "Organize backend", lambda: changes_for(ls, action.data))
        tell_not_in_place(ls, changes)
    except OrganizeError as error:
        ls.tell(f"organize-backend: {error}", lsp.MessageType.Error)
        return action
    action.edit = edit_for(ls, workspace, changes)
    return action


def changes_for(ls: OrganizeServer, payload: Any) -> tuple[Workspace, ChangeSet]:
    """The change an action stands for, on the workspace as it is now; reused when the same
    request on the same content was computed before (prepared in the background, or asked twice)."""
    if not isinstance(payload, dict) or payload.get("action") not in ("organize", "folder", "move"):
        raise OrganizeError("this code action carries no change to compute")
    uri = payload.get("uri")
    workspace = ls.workspace_view(near=ls.relative(uri) if isinstance(uri, str) else None)
    key = content_key(workspace, _request_of(payload))
    prepared = ls.preparer.take(key)
    if prepared is not None:
        return workspace, prepared
    if payload["action"] == "organize":
        plan = plan_organize(workspace)
    elif payload["action"] == "folder":
        plan = plan_folder(workspace, payload["folder"])
    else:
        plan = plan_move(workspace, payload["source"], payload["destination"])
    changes = compute(workspace, plan)
    ls.preparer.remember(key, changes)
    return workspace, changes


def tell_not_in_place(ls: OrganizeServer, changes: ChangeSet) -> None:
    """What the change could not make in the file's form (imports split or made absolute, lines
    past the formatter's length, a README left as it is): said before the user accepts the edit."""
    if changes.warnings:
        listed = "; ".join(changes.warnings[:5]) + ("; ..." if len(changes.warnings) > 5 else "")
        ls.tell(f"organize-backend: {len(changes.warnings)} change(s) not in place: {listed}",
                lsp.MessageType.Warning)


def _request_of(payload: dict) -> dict:
    """What a change depends on besides the workspace: not the document it was listed from."""
    return {name: value for name, value in payload.items() if name != "uri"}


def prepare_organize(ls: OrganizeServer, workspace: Workspace, plan: Plan) -> None:
    """Start computing the organize change as soon as the action is listed, so that it is
    ready, or nearly, when the user picks it. Not while a user's own request computes."""
    if ls.engine_lock.locked():
        return
    key = content_key(workspace, _request_of({"action": "organize"}))
    ls.preparer.start(key, lambda: compute(workspace, plan))


def warm_up(ls: OrganizeServer) -> None:
    """Parse the workspace once at start, in child processes, so that listings find every
    file's parse remembered. (Parsing does not depend on the settings, which the client has
    not sent yet.)"""

    def parse_once() -> None:
        try:
            with ls.engine_lock:
                parse_in_children(ls.workspace_view().snapshot)
        except OrganizeError:
            pass
        except Exception:  # noqa: BLE001 - a warm-up must never take the server down
            log.exception("warming up failed")
        finally:
            ls.warm.set()

    ls.warm.clear()
    threading.Thread(target=parse_once, name="warm-up", daemon=True).start()


def edit_for(ls: OrganizeServer, workspace: Workspace, changes: ChangeSet) -> lsp.WorkspaceEdit:
    if ls.profile.needs_parent_folders:
        # Neovim 0.7 neither creates nor renames into a missing folder. Empty folders are
        # invisible to Python, so creating them before the user accepts changes nothing.
        for folder in changes.created_dirs:
            (changes.root / folder).mkdir(parents=True, exist_ok=True)
    ls.own_renames = {(c.old_path, c.new_path) for c in changes.files if c.moved}
    target = EditTarget(annotations=ls.profile.annotations, versions=workspace.snapshot.open_documents)
    return to_workspace_edit(changes, target)


def _inside(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


# --- commands ------------------------------------------------------------------------------


@server.command(actions.APPLY_COMMAND)
async def apply_on_disk(ls: OrganizeServer, payload: dict) -> dict | None:
    """For clients that cannot apply file moves: the server applies the whole change itself."""
    try:
        workspace, changes = await run_engine(ls, "Organize backend", lambda: changes_for(ls, payload))
        tell_not_in_place(ls, changes)
        unsaved = ls.unsaved(workspace, changes)
        if unsaved:
            raise OrganizeError("save these files first, nothing was changed: " + ", ".join(unsaved))
        journal = await run_engine(ls, "Organize backend", lambda: apply_changes(changes))
    except OrganizeError as error:
        return ls.refuse(error, applied=False)
    await wrote_disk(ls, journal, f"{journal.summary()}; run the undo command to revert it")
    return {"applied": True, "message": journal.summary()}


async def wrote_disk(ls: OrganizeServer, journal: Journal, message: str) -> None:
    """After the server itself wrote the disk (apply, undo): the editor's buffers of those
    files are outdated, the user hears what happened, and imports are checked again."""
    ls.outdate_buffers(journal)
    ls.tell(f"organize-backend: {message}")
    await publish_diagnostics(ls)


@server.command(actions.MOVE_TO_COMMAND)
async def move_to(ls: OrganizeServer, uri: str) -> dict | None:
    path = ls.relative(uri) if isinstance(uri, str) else None
    if path is None:
        ls.tell("organize-backend: that file is not inside the workspace", lsp.MessageType.Error)
        return {"applied": False}
    try:
        workspace = ls.workspace_view()
        choices = package_choices(workspace, plan_organize(workspace))
    except OrganizeError as error:
        return ls.refuse(error, applied=False)
    request = lsp.ShowMessageRequestParams(
        type=lsp.MessageType.Info, message=f"Move {path} to which package?",
        actions=[lsp.MessageActionItem(title=choice) for choice in choices])
    answer = await ls.window_show_message_request_async(request)
    if answer is None:
        return {"applied": False}
    folder = answer.title.rstrip("/")
    payload = {"action": "move", "source": path, "destination": f"{folder}/{Path(path).name}"}
    return await deliver(ls, payload)


@server.command(actions.ORGANIZE_FOLDER_COMMAND)
async def organize_folder(ls: OrganizeServer, uri: str) -> dict:
    """Organize the folder the user picked (the explorer's folder menu), whatever the config's root."""
    folder = ls.relative(uri) if isinstance(uri, str) else None
    if folder is None:
        return ls.refuse(OrganizeError("that folder is not inside the workspace"), applied=False)
    return await deliver(ls, {"action": "folder", "folder": folder})


async def deliver(ls: OrganizeServer, payload: dict) -> dict:
    """Send a change as an edit the client applies, or apply it on disk for clients that cannot."""
    if not ls.profile.applies_moves:
        return await apply_on_disk(ls, payload)
    try:
        workspace, changes = await run_engine(ls, "Organize backend", lambda: changes_for(ls, payload))
        tell_not_in_place(ls, changes)
    except OrganizeError as error:
        return ls.refuse(error, applied=False)
    result = await ls.workspace_apply_edit_async(
        lsp.ApplyWorkspaceEditParams(edit=edit_for(ls, workspace, changes), label="Organize backend"))
    return {"applied": bool(result and result.applied)}


def package_choices(workspace: Workspace, plan: Plan) -> list[str]:
    """Existing packages and the packages the plan would create, as folders."""
    return [f"{folder}/" for folder in destination_packages(workspace.snapshot, plan)]


@server.command(actions.EXPLAIN_COMMAND)
def explain(ls: OrganizeServer, reason: str) -> None:
    ls.tell(f"organize-backend: {reason}", lsp.MessageType.Warning)


@server.command(actions.UNDO_COMMAND)
async def undo(ls: OrganizeServer, *_: Any) -> dict:
    if ls.root is None:
        return {"undone": False}
    try:
        journal = await run_engine(ls, "Undo organize", lambda: undo_last(ls.root))
    except OrganizeError as error:
        return ls.refuse(error, undone=False)
    await wrote_disk(ls, journal, f"undone: {journal.summary()}")
    return {"undone": True, "message": journal.summary()}


@server.command(actions.SHOW_PLAN_COMMAND)
async def show_plan(ls: OrganizeServer, *_: Any) -> str:
    def report() -> str:
        workspace = ls.workspace_view()
        plan = plan_organize(workspace, for_report=True)
        return render_plan(plan, compute(workspace, plan) if not plan.is_empty else None)

    try:
        return await run_engine(ls, "Organize backend: plan", report)
    except OrganizeError as error:
        return f"organize-backend: {error}"


@server.command(actions.PLAN_MOVES_COMMAND)
async def plan_moves(ls: OrganizeServer, *_: Any) -> dict:
    """The plan as data, for the user to change destinations before anything is computed;
    `folder` is the organized folder's URI (for organizeFolder once the edit is written)."""

    def editable() -> dict:
        workspace = ls.workspace_view()
        data = editable_plan(workspace.snapshot, plan_organize(workspace))
        return {**data, "folder": from_fs_path(str(workspace.snapshot.root / data["root"]))}

    try:
        return await run_engine(ls, "Organize backend: plan", editable)
    except OrganizeError as error:
        return ls.refuse(error)


@server.command(actions.WRITE_PLAN_COMMAND)
async def write_plan_moves(ls: OrganizeServer, *arguments: Any) -> dict:
    """`{"moves": [{"from": ..., "to": ...}]}` into the configuration with layout = "none", so
    that the organize action (and `apply`) then make exactly those moves."""
    payload = arguments[0] if arguments and isinstance(arguments[0], dict) else {}

    def write():
        workspace = ls.workspace_view()
        environment = project_environment(workspace)
        return workspace, write_edited_moves(workspace.snapshot, workspace.config, payload.get("moves"), environment)

    try:
        workspace, written = await run_engine(ls, "Organize backend: writing the plan", write)
    except OrganizeError as error:
        return ls.refuse(error, written=False)
    # The editor's buffer of the file, if open, predates the write until the editor reloads it.
    ls.outdated |= {uri for uri in ls.workspace.text_documents if ls.relative(uri) == written.path.name}
    ls.tell(f"organize-backend: {written.editor_summary()}")
    snapshot = workspace.snapshot
    return {"written": True, "moves": written.moves, "file": written.path.name,
            "folder": from_fs_path(str(snapshot.root / snapshot.organize_root)), "message": written.editor_summary()}


# --- moves from the file explorer ------------------------------------------------------------

PYTHON_FILES = lsp.FileOperationFilter(pattern=lsp.FileOperationPattern(glob="**/*.py", matches=lsp.FileOperationPatternKind.File))
FOLDERS = lsp.FileOperationFilter(pattern=lsp.FileOperationPattern(glob="**", matches=lsp.FileOperationPatternKind.Folder))


@server.feature(lsp.WORKSPACE_WILL_RENAME_FILES, lsp.FileOperationRegistrationOptions(filters=[PYTHON_FILES, FOLDERS]))
async def will_rename(ls: OrganizeServer, params: lsp.RenameFilesParams) -> lsp.WorkspaceEdit | None:
    renames = [(ls.relative(f.old_uri), ls.relative(f.new_uri)) for f in params.files]
    if any(old is None or new is None for old, new in renames):
        return None
    if set(renames) <= ls.own_renames:
        ls.own_renames -= set(renames)  # our own edit's renames: already handled
        return None
    ls.preparer.stop()  # the files are about to move: an organize edit being prepared is outdated

    def imports_for_renames():
        workspace = ls.workspace_view()
        python = tuple((old, new) for old, new in renames if _holds_python(workspace, old))
        if not python:
            return workspace, None  # a data folder, say: nothing imports it
        config = Config(layout="none", moves=python, source=workspace.config.source)
        return workspace, compute(workspace, make_plan(workspace.snapshot, config, whole_folder=False))

    try:
        workspace, changes = await run_engine(ls, "Updating imports", imports_for_renames)
        if changes is not None:
            tell_not_in_place(ls, changes)
    except OrganizeError as error:
        ls.tell(f"organize-backend: imports not updated: {error}", lsp.MessageType.Warning)
        return None
    if changes is None:
        return None
    edit = to_workspace_edit(changes, EditTarget(annotations=False, versions=workspace.snapshot.open_documents))
    # The client performs the renames itself; it wants the text edits, on the old URIs.
    existing = {from_fs_path(str(workspace.snapshot.root / path)) for path in workspace.snapshot.files}
    edit.document_changes = [op for op in edit.document_changes
                             if isinstance(op, lsp.TextDocumentEdit) and op.text_document.uri in existing]
    return edit


def _holds_python(workspace: Workspace, path: str) -> bool:
    files = workspace.snapshot.files
    return path in files and path.endswith(".py") or any(p.startswith(path + "/") and p.endswith(".py") for p in files)


@server.feature(lsp.WORKSPACE_DID_RENAME_FILES, lsp.FileOperationRegistrationOptions(filters=[PYTHON_FILES, FOLDERS]))
async def did_rename(ls: OrganizeServer, params: lsp.RenameFilesParams) -> None:
    await publish_diagnostics(ls)


# --- verification ----------------------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: OrganizeServer, params: lsp.DidSaveTextDocumentParams) -> None:
    await publish_diagnostics(ls)


async def publish_diagnostics(ls: OrganizeServer) -> None:
    """Imports that no longer resolve, as diagnostics, so a broken move shows at once: an
    error for the workspace's own modules, a warning for what the project's Python lacks."""
    try:
        workspace = ls.workspace_view()
    except OrganizeError:
        return
    try:
        environment = await asyncio.to_thread(project_environment, workspace)
    except OrganizeError as error:  # a broken interpreter: said, rather than every import flagged
        ls.tell(f"organize-backend: imports not checked: {error}", lsp.MessageType.Warning)
        return
    log.info("imports checked with %s", environment.interpreter)
    snapshot = workspace.snapshot
    problems = await asyncio.to_thread(find_unresolved_imports, snapshot.files, source_roots(snapshot),
                                       workspace_package=workspace_package(snapshot), environment=environment,
                                       organized_folder=snapshot.organize_root)
    by_uri: dict[str, list[lsp.Diagnostic]] = {}
    for problem in problems:
        position = lsp.Position(line=max(problem.line - 1, 0), character=0)
        severity = lsp.DiagnosticSeverity.Error if problem.severity == ERROR else lsp.DiagnosticSeverity.Warning
        by_uri.setdefault(from_fs_path(str(snapshot.root / problem.path)), []).append(lsp.Diagnostic(
            range=lsp.Range(start=position, end=lsp.Position(line=position.line + 1, character=0)),
            message=problem.message, severity=severity, source="organize-backend"))
    for uri in ls.diagnosed - set(by_uri):
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    for uri, diagnostics in by_uri.items():
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))
    ls.diagnosed = set(by_uri)
