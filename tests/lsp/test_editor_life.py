"""Moves from the file explorer, unsaved buffers, diagnostics, and bad input, over real LSP."""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import Future

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from editors import apply_edit
from helpers import tree_bytes
from test_organize import actions_for, assert_backend_works, carry_out, command_of

pytestmark = pytest.mark.asyncio


def rename_params(client: LanguageClient, *pairs: tuple[str, str]) -> lsp.RenameFilesParams:
    return lsp.RenameFilesParams(files=[
        lsp.FileRename(old_uri=(client.root / old).as_uri(), new_uri=(client.root / new).as_uri())
        for old, new in pairs])


async def rename_in_explorer(client: LanguageClient, *pairs: tuple[str, str]) -> None:
    """What an editor does on a rename in its explorer: ask, apply the edit, rename, tell."""
    params = rename_params(client, *pairs)
    edit = await client.workspace_will_rename_files_async(params)
    if edit is not None:
        apply_edit(client.editor, edit)
    for old, new in pairs:
        (client.root / new).parent.mkdir(parents=True, exist_ok=True)
        (client.root / old).rename(client.root / new)
    client.workspace_did_rename_files(params)


@pytest.mark.parametrize("pairs", [
    [("vector_store.py", "data/vector_store.py")],
    [("vector_store.py", "data/vector_store.py"), ("embeddings.py", "data/embeddings.py")],
])
async def test_moving_files_in_the_explorer_updates_their_importers(client: LanguageClient, pairs):
    (client.root / "data").mkdir()
    (client.root / "data" / "__init__.py").write_text("")
    await rename_in_explorer(client, *pairs)
    assert_backend_works(client.root)


async def test_a_one_module_rename_changes_references_only(client: LanguageClient):
    """No README structure section for a single move: that is the whole-folder organize's business."""
    readme = (client.root / "README.md").read_text()
    assert "## Project structure" not in readme and "`text_utils.py`" in readme
    await rename_in_explorer(client, ("text_utils.py", "text_tools.py"))
    # the README's one mention of the file follows it; nothing is added
    assert (client.root / "README.md").read_text() == readme.replace("`text_utils.py`", "`text_tools.py`")
    assert_backend_works(client.root)


async def test_renaming_a_package_folder_in_the_explorer(client: LanguageClient):
    organize = next(a for a in await actions_for(client, "main.py") if a.title.startswith("Organize backend"))
    await carry_out(client, organize)
    await rename_in_explorer(client, ("data", "storage"))
    assert (client.root / "storage" / "vector_store.py").is_file()
    assert "from storage.vector_store import" in (client.root / "agents" / "agent.py").read_text()
    assert_backend_works(client.root)


async def test_renaming_a_folder_without_python_files_is_left_alone(client: LanguageClient):
    (client.root / "assets").mkdir()
    (client.root / "assets" / "logo.txt").write_text("logo\n")
    assert await client.workspace_will_rename_files_async(rename_params(client, ("assets", "static"))) is None
    assert not [m for m in client.messages if "imports not updated" in m.message]


async def test_renames_caused_by_the_servers_own_edit_are_not_processed_twice(client: LanguageClient):
    move = next(a for a in await actions_for(client, "vector_store.py") if a.title == "Move to data/")
    if client.editor == "emacs":
        # eglot would drop the file moves: it gets a command, the server moves the files itself
        assert command_of(move).command == "organizeBackend.apply"
        return
    resolved = await client.code_action_resolve_async(move) if move.edit is None else move
    renames = [op for op in resolved.edit.document_changes if isinstance(op, lsp.RenameFile)]
    answer = await client.workspace_will_rename_files_async(lsp.RenameFilesParams(
        files=[lsp.FileRename(old_uri=op.old_uri, new_uri=op.new_uri) for op in renames]))
    assert answer is None


async def test_the_edit_uses_unsaved_buffer_text_and_its_version(client: LanguageClient):
    main = client.root / "main.py"
    unsaved = main.read_text().replace("import config\n", "import config\nimport agent as unsaved_alias\n", 1)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=main.as_uri(), language_id="python", version=7, text=unsaved)))
    move = next(a for a in await actions_for(client, "agent.py") if a.title == "Move to agents/")
    if client.editor == "emacs":
        # no edit reaches eglot; the server refuses to write over a buffer the user has not saved
        await carry_out(client, move)
        assert (client.root / "agent.py").exists()
        return
    resolved = await client.code_action_resolve_async(move) if move.edit is None else move
    main_edits = [op for op in resolved.edit.document_changes
                  if isinstance(op, lsp.TextDocumentEdit) and op.text_document.uri == main.as_uri()]
    assert main_edits and main_edits[0].text_document.version == 7
    assert any("import agents.agent as unsaved_alias" in e.new_text for e in main_edits[0].edits)


async def test_text_typed_after_the_listing_is_in_the_edit(client: LanguageClient):
    """Listing starts preparing the edit in the background; what the user types before
    picking the action must still be in the edit, with the newest version."""
    main = client.root / "main.py"
    uri, text = main.as_uri(), main.read_text()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=text)))
    organize = next(a for a in await actions_for(client, "main.py") if a.title.startswith("Organize backend"))
    typed = text.replace("import config\n", "import config\nimport agent as typed_later\n", 1)
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=typed)]))
    if client.editor == "emacs":
        return  # no edit reaches eglot (the server applies on disk, and refuses unsaved buffers)
    resolved = await client.code_action_resolve_async(organize) if organize.edit is None else organize
    main_edits = [op for op in resolved.edit.document_changes
                  if isinstance(op, lsp.TextDocumentEdit) and op.text_document.uri == uri]
    assert main_edits and main_edits[0].text_document.version == 2
    assert any("import agents.agent as typed_later" in e.new_text for e in main_edits[0].edits)


@pytest.mark.parametrize("client", ["emacs"], indirect=True)
async def test_buffers_of_files_the_server_wrote_do_not_hide_the_disk(client: LanguageClient):
    """eglot cannot move files, so the server writes the disk itself; the text eglot sent
    for main.py before that is outdated, and must not make imports look broken."""
    main = client.root / "main.py"
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=main.as_uri(), language_id="python", version=1, text=main.read_text())))
    organize = next(a for a in await actions_for(client, "main.py") if a.title.startswith("Organize backend"))
    await carry_out(client, organize)
    assert (client.root / "agents" / "agent.py").is_file()
    await asyncio.sleep(1)  # the diagnostics after the apply
    assert not [d for diagnostics in client.diagnostics.values() for d in diagnostics]
    again = await actions_for(client, "main.py", only=["source"])
    assert [a.title for a in again] == ["Organize backend (unavailable)"]
    assert "nothing to organize" in str(command_of(again[0]).arguments)


async def test_diagnostics_report_imports_that_no_longer_resolve(client: LanguageClient):
    (client.root / "agent.py").rename(client.root / "renamed_by_hand.py")
    main = client.root / "main.py"
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=main.as_uri())))
    await asyncio.wait_for(client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=30)
    await asyncio.sleep(0.5)  # every file's diagnostics arrive in one burst
    published = {uri: d for uri, d in client.diagnostics.items() if d}
    broken = [d for diagnostics in published.values() for d in diagnostics]
    assert broken and all(d.source == "organize-backend" for d in broken)
    assert any("agent" in d.message for d in broken)


async def test_a_syntax_error_disables_the_action_with_its_reason(client: LanguageClient):
    (client.root / "broken.py").write_text("def broken(:\n    pass\n")
    found = [a for a in await actions_for(client, "main.py", only=["source"])]
    assert len(found) == 1
    if client.editor == "vscode":
        assert "broken.py:1: syntax error" in found[0].disabled.reason
    else:
        assert "unavailable" in found[0].title


async def test_a_file_outside_the_workspace_gets_no_action(client: LanguageClient, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "x.py"
    outside.write_text("import os\n")
    params = lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=outside.as_uri()),
        range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
        context=lsp.CodeActionContext(diagnostics=[]))
    assert not await client.text_document_code_action_async(params)


async def test_a_cancelled_resolve_changes_nothing(client: LanguageClient):
    before = tree_bytes(client.root)
    organize = next(a for a in await actions_for(client, "main.py") if a.title.startswith("Organize backend"))
    if client.editor == "emacs":
        assert command_of(organize).command == "organizeBackend.apply"  # run only when chosen
        return
    assert organize.edit is None  # VS Code and Neovim 0.7 resolve the edit lazily
    pending = client.protocol.send_request("codeAction/resolve", organize, msg_id="resolve-to-cancel")
    client.protocol.notify("$/cancelRequest", lsp.CancelParams(id="resolve-to-cancel"))
    with contextlib.suppress(Exception):  # an error ("cancelled") or a late answer: both are fine
        await asyncio.wait_for(asyncio.wrap_future(pending) if isinstance(pending, Future) else pending, 60)
    assert tree_bytes(client.root) == before
    assert [a for a in await actions_for(client, "main.py") if a.title.startswith("Organize backend")]


async def test_a_long_computation_reports_progress(client_reporting_progress: LanguageClient):
    client = client_reporting_progress
    organize = next(a for a in await actions_for(client, "main.py") if a.title.startswith("Organize backend"))
    await carry_out(client, organize)
    kinds = [type(report).__name__ for reports in client.progress_reports.values() for report in reports]
    assert kinds[:1] == ["WorkDoneProgressBegin"] and kinds[-1] == "WorkDoneProgressEnd"


async def test_editor_settings_take_effect_without_a_restart(client: LanguageClient):
    client.set_configuration({"layout": "none"}, section="organizeBackend")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    await asyncio.sleep(0.5)
    found = [a for a in await actions_for(client, "main.py", only=["source"])]
    if client.editor == "neovim":
        # Neovim 0.7 answers no workspace/configuration: its settings come with the notification
        client.workspace_did_change_configuration(
            lsp.DidChangeConfigurationParams(settings={"organizeBackend": {"layout": "none"}}))
        await asyncio.sleep(0.5)
        found = [a for a in await actions_for(client, "main.py", only=["source"])]
    disabled = getattr(found[0], "disabled", None)
    assert len(found) == 1 and "nothing to organize" in (disabled.reason if disabled else str(found[0].command))
