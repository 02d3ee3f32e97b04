"""The organize and move actions, from listing to the backend's own tests passing, per editor."""

from __future__ import annotations

import ast

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from editors import apply_edit
from helpers import run_fixture_tests, tree_bytes

pytestmark = pytest.mark.asyncio


async def actions_for(client: LanguageClient, name: str, only=None) -> list:
    uri = (client.root / name).as_uri()
    params = lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
        context=lsp.CodeActionContext(diagnostics=[], only=only))
    return await client.text_document_code_action_async(params) or []


def command_of(action) -> lsp.Command | None:
    """The command behind an action. pytest-lsp decodes `CodeAction | Command` by trying
    Command first: a CodeAction that carries only a command arrives as a Command whose
    `command` is the nested command object printed as text. The server sent proper JSON."""
    command = action.command if isinstance(action, lsp.CodeAction) else action
    if isinstance(command, lsp.Command) and command.command.startswith("{"):
        nested = ast.literal_eval(command.command)
        return lsp.Command(title=nested["title"], command=nested["command"], arguments=nested.get("arguments"))
    return command


async def carry_out(client: LanguageClient, action) -> None:
    """What the editor does when the user picks an action: resolve, apply, or run its command."""
    if isinstance(action, lsp.CodeAction) and action.edit is None and action.data is not None:
        action = await client.code_action_resolve_async(action)
    if isinstance(action, lsp.CodeAction) and action.edit is not None:
        apply_edit(client.editor, action.edit)
    command = command_of(action)
    if command is not None:
        await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command=command.command, arguments=command.arguments))


def assert_backend_works(root) -> None:
    result = run_fixture_tests(root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


async def test_organize_backend_from_a_code_action(client: LanguageClient):
    found = [a for a in await actions_for(client, "main.py") if a.title.startswith("Organize backend")]
    assert len(found) == 1 and found[0].title.startswith("Organize backend: move 30 modules into 10 packages")
    await carry_out(client, found[0])
    assert (client.root / "agents" / "agent.py").is_file() and not (client.root / "agent.py").exists()
    assert_backend_works(client.root)


async def test_only_filters_the_kinds(client: LanguageClient):
    source = await actions_for(client, "main.py", only=["source"])
    assert [a.title.split(":")[0] for a in source] == ["Organize backend"]
    refactor = await actions_for(client, "agent.py", only=["refactor"])
    assert [a.title for a in refactor] == ["Move to agents/", "Move to…"]
    assert await actions_for(client, "main.py", only=["quickfix"]) == []


async def test_move_the_file_in_hand_to_its_planned_package(client: LanguageClient):
    move = next(a for a in await actions_for(client, "vector_store.py") if a.title == "Move to data/")
    await carry_out(client, move)
    assert (client.root / "data" / "vector_store.py").is_file()
    assert (client.root / "data" / "__init__.py").is_file()
    assert_backend_works(client.root)


async def test_move_to_a_package_the_user_chooses(client: LanguageClient):
    client.answer = "services/"
    move_to = next(a for a in await actions_for(client, "indexer.py") if a.title == "Move to…")
    await carry_out(client, move_to)
    assert "services/" in [a.title for a in client.asked.actions]
    assert "data/" in [a.title for a in client.asked.actions]
    assert (client.root / "services" / "indexer.py").is_file()
    assert_backend_works(client.root)


async def test_choosing_nothing_changes_nothing(client: LanguageClient):
    before = tree_bytes(client.root)
    move_to = next(a for a in await actions_for(client, "indexer.py") if a.title == "Move to…")
    await carry_out(client, move_to)  # client.answer is None: the user dismissed the question
    assert tree_bytes(client.root) == before


async def test_organize_a_folder_the_user_picked(client: LanguageClient):
    result = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="organizeBackend.organizeFolder", arguments=[client.root.as_uri()]))
    assert result["applied"] is True
    assert (client.root / "database" / "database.py").is_file() and not (client.root / "database.py").exists()
    assert_backend_works(client.root)


async def test_organize_a_folder_outside_the_workspace_is_refused(client: LanguageClient):
    before = tree_bytes(client.root)
    result = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="organizeBackend.organizeFolder", arguments=[client.root.parent.as_uri()]))
    assert result == {"applied": False, "message": "that folder is not inside the workspace"}
    assert tree_bytes(client.root) == before
