"""The user shapes the plan before anything is computed: planMoves gives the plan as data, the
user changes destinations, writePlan writes the edited moves into the configuration, and the
organize code action then makes exactly those moves, per editor."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from editors import path_of
from helpers import tree_bytes
from test_organize import actions_for, assert_backend_works, carry_out

pytestmark = pytest.mark.asyncio


async def command(client: LanguageClient, name: str, *arguments) -> dict:
    return await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=name, arguments=list(arguments)))


def python_modules(root) -> set[str]:
    """The workspace's modules, without the __init__.py files an organize creates."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*.py")
            if p.name != "__init__.py" and "__pycache__" not in p.parts}


def renames_in(edit: lsp.WorkspaceEdit, root) -> set[tuple[str, str]]:
    return {(path_of(op.old_uri).relative_to(root).as_posix(), path_of(op.new_uri).relative_to(root).as_posix())
            for op in edit.document_changes or [] if isinstance(op, lsp.RenameFile)}


async def organize_action(client: LanguageClient):
    found = [a for a in await actions_for(client, "main.py") if a.title.startswith("Organize backend")]
    assert len(found) == 1, [a.title for a in found]
    return found[0]


def edit_destinations(planned: list[dict]) -> tuple[list[dict], str]:
    """What a user does in the quick pick: text_utils.py into a package of their own naming,
    the first other planned module stays at the root, the rest as planned."""
    staying = next(move["from"] for move in planned if move["from"] != "text_utils.py")
    edited = [{"from": move["from"], "to": move["to"]} for move in planned
              if move["from"] not in (staying, "text_utils.py")]
    return edited + [{"from": "text_utils.py", "to": "shared/text_utils.py"}], staying


async def test_the_organize_action_makes_exactly_the_edited_moves(client: LanguageClient):
    plan = await command(client, "organizeBackend.planMoves")
    assert plan["root"] == "" and plan["folder"] == client.root.as_uri()
    assert len(plan["moves"]) > 10 and "main.py" in [kept["path"] for kept in plan["kept"]]
    assert {move["to"].rpartition("/")[0] for move in plan["moves"]} <= set(plan["packages"])
    assert "shared" not in plan["packages"]

    edited, staying = edit_destinations(plan["moves"])
    written = await command(client, "organizeBackend.writePlan", {"moves": edited})
    assert written["written"] is True and written["moves"] == len(edited)
    assert written["file"] == "organize-backend.toml" and written["folder"] == client.root.as_uri()

    before = python_modules(client.root)
    action = await organize_action(client)
    assert action.title.startswith(f"Organize backend: move {len(edited)} modules into ")
    expected = {(move["from"], move["to"]) for move in edited}
    if isinstance(action, lsp.CodeAction) and (action.edit is not None or action.data is not None):
        resolved = action if action.edit is not None else await client.code_action_resolve_async(action)
        assert renames_in(resolved.edit, client.root) == expected  # exactly the edited moves, nothing else
    await carry_out(client, action)
    moved = dict(expected)
    assert python_modules(client.root) == {moved.get(path, path) for path in before}
    assert (client.root / staying).is_file() and (client.root / "shared" / "text_utils.py").is_file()
    assert_backend_works(client.root)


async def test_an_edit_that_cannot_be_made_writes_nothing(client: LanguageClient):
    before = tree_bytes(client.root)
    clash = [{"from": "auth.py", "to": "core/shared.py"}, {"from": "agent.py", "to": "core/shared.py"}]
    result = await command(client, "organizeBackend.writePlan", {"moves": clash})
    assert result["written"] is False and "both go to core/shared.py" in result["message"]
    result = await command(client, "organizeBackend.writePlan")  # no arguments at all
    assert result["written"] is False and "moves nothing" in result["message"]
    assert tree_bytes(client.root) == before
    planned = await command(client, "organizeBackend.planMoves")
    action = await organize_action(client)  # the plan as it was
    assert action.title.startswith(f"Organize backend: move {len(planned['moves'])} modules into ")
