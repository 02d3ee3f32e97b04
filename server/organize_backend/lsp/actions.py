"""Which "Organize backend" code actions to offer for a document, and their payloads.

Listing must be fast: it plans (no rope run); the edit itself is computed in
codeAction/resolve, or behind a command for clients that cannot apply file moves.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from lsprotocol import types as lsp

from organize_backend.lsp.client import ClientProfile
from organize_backend.model import OrganizeError, Plan

ORGANIZE_KIND = "source.organizeBackend"
MOVE_KIND = lsp.CodeActionKind.RefactorMove.value
APPLY_COMMAND = "organizeBackend.apply"  # the server applies a change to disk itself
MOVE_TO_COMMAND = "organizeBackend.moveTo"
EXPLAIN_COMMAND = "organizeBackend.explain"  # says why an action cannot run
UNDO_COMMAND = "organizeBackend.undo"
SHOW_PLAN_COMMAND = "organizeBackend.showPlan"
PLAN_MOVES_COMMAND = "organizeBackend.planMoves"  # the plan as data, for the user to edit
WRITE_PLAN_COMMAND = "organizeBackend.writePlan"  # the edited moves into the configuration
ORGANIZE_FOLDER_COMMAND = "organizeBackend.organizeFolder"  # a folder the user picked, e.g. in the explorer


def wants(only: list[str] | None, kind: str) -> bool:
    """`only` filters by kind prefix: "source" admits "source.organizeBackend"."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def organize_title(plan: Plan) -> str:
    packages = {PurePosixPath(m.destination).parent.as_posix() for m in plan.moves}
    return f"Organize backend: move {len(plan.moves)} modules into {len(packages)} packages"


def organize_action(plan: Plan, profile: ClientProfile, uri: str) -> lsp.CodeAction:
    payload = {"action": "organize", "uri": uri}
    return _deliverable(organize_title(plan), ORGANIZE_KIND, payload, profile)


def move_actions(plan: Plan, profile: ClientProfile, uri: str, path: str) -> list:
    actions = []
    planned = next((m for m in plan.moves if m.source == path), None)
    if planned is not None:
        folder = PurePosixPath(planned.destination).parent.name
        payload = {"action": "move", "uri": uri, "source": planned.source, "destination": planned.destination}
        actions.append(_deliverable(f"Move to {folder}/", MOVE_KIND, payload, profile))
    command = lsp.Command(title="Move to…", command=MOVE_TO_COMMAND, arguments=[uri])
    actions.append(lsp.CodeAction(title="Move to…", kind=MOVE_KIND, command=command))
    return actions


def unavailable(title: str, kind: str, error: OrganizeError, profile: ClientProfile) -> lsp.CodeAction:
    """An action that cannot run says why: `disabled.reason`, or a message when chosen."""
    reason = str(error)
    if profile.disabled_actions:
        return lsp.CodeAction(title=title, kind=kind, disabled=lsp.CodeActionDisabled(reason=reason))
    command = lsp.Command(title=title, command=EXPLAIN_COMMAND, arguments=[reason])
    return lsp.CodeAction(title=f"{title} (unavailable)", kind=kind, command=command)


def _deliverable(title: str, kind: str, payload: dict, profile: ClientProfile) -> lsp.CodeAction:
    if not profile.applies_moves:
        # The client would drop the file moves and keep the import edits: half a move.
        # The server applies the whole change to disk instead, when the user picks it.
        command = lsp.Command(title=title, command=APPLY_COMMAND, arguments=[payload])
        return lsp.CodeAction(title=title, kind=kind, command=command)
    return lsp.CodeAction(title=title, kind=kind, data=payload)


def as_commands(actions: list[lsp.CodeAction]) -> list[lsp.Command]:
    """For clients that take only Commands: every action becomes the server-side path."""
    commands = []
    for action in actions:
        if action.command is not None:
            commands.append(action.command)
        elif action.data is not None:
            commands.append(lsp.Command(title=action.title, command=APPLY_COMMAND, arguments=[action.data]))
    return commands
