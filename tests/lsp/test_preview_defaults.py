"""VS Code's Refactor Preview, applied as it opens: every change that needs confirmation left out.

The preview opens with the needsConfirmation groups unticked; clicking Apply right away must
leave a working project (issue 9). Only review-only suggestions (strings that look like module
paths where nothing says they are one) may wait for a tick.
"""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from editors import apply_edit
from test_organize import actions_for, assert_backend_works

pytestmark = pytest.mark.asyncio

# A module that names a moved module's attribute in a string that is no module path: an event name.
EVENTS = 'ANSWERED = "agent.run"  # an event name, not the function\n'


def as_the_preview_opens(edit: lsp.WorkspaceEdit) -> lsp.WorkspaceEdit:
    """The edit with every change whose annotation needs confirmation left out, as VS Code
    applies it when Apply is clicked without ticking anything."""
    asks = {name for name, annotation in (edit.change_annotations or {}).items() if annotation.needs_confirmation}
    operations = []
    for operation in edit.document_changes or []:
        if isinstance(operation, lsp.TextDocumentEdit):
            kept = [e for e in operation.edits if getattr(e, "annotation_id", None) not in asks]
            if kept:
                operations.append(lsp.TextDocumentEdit(text_document=operation.text_document, edits=kept))
        elif getattr(operation, "annotation_id", None) not in asks:
            operations.append(operation)
    return lsp.WorkspaceEdit(document_changes=operations, change_annotations=edit.change_annotations)


async def organize_edit(client: LanguageClient) -> lsp.WorkspaceEdit:
    [action] = [a for a in await actions_for(client, "main.py") if a.title.startswith("Organize backend")]
    if action.edit is None:
        action = await client.code_action_resolve_async(action)
    assert action.edit is not None
    return action.edit


def edits_in(edit: lsp.WorkspaceEdit, name: str) -> list:
    return [e for op in edit.document_changes if isinstance(op, lsp.TextDocumentEdit)
            and op.text_document.uri.endswith("/" + name) for e in op.edits]


@pytest.mark.parametrize("client", ["vscode"], indirect=True)
async def test_apply_as_the_preview_opens_leaves_the_backend_working(client: LanguageClient):
    assert client.editor == "vscode"
    (client.root / "notify.py").write_text(EVENTS)
    edit = await organize_edit(client)
    asks = {name for name, a in edit.change_annotations.items() if a.needs_confirmation}
    # only review-only suggestions and the README's structure section (text the tool adds) wait for a tick
    assert asks == {"review", "structure"}
    # the example's mock.patch targets, plugin entry points and import_module are certain
    assert {e.annotation_id for e in edits_in(edit, "test_agent.py")} >= {"strings"}
    assert {e.annotation_id for e in edits_in(edit, "plugins.py")} >= {"strings"}
    assert [(e.annotation_id, e.new_text) for e in edits_in(edit, "notify.py")] == [
        ("review", EVENTS.replace('"agent.run"', '"agents.agent.run"'))]

    apply_edit("vscode", as_the_preview_opens(edit))
    assert (client.root / "agents" / "agent.py").is_file() and not (client.root / "agent.py").exists()
    notify = next(client.root.rglob("notify.py"))
    assert notify.read_text() == EVENTS  # left as it was: never changed without a tick
    assert "## Project structure" not in (client.root / "README.md").read_text()
    assert_backend_works(client.root)
