"""A real server over stdio, driven by pytest-lsp with the capabilities of real editors."""

from __future__ import annotations

import sys

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from editors import apply_edit, initialize_params
from helpers import copy_fixture

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "organize_backend", "lsp"])


@pytest_lsp.fixture(config=SERVER, params=["vscode", "neovim", "emacs"])
async def client(lsp_client: LanguageClient, request):
    """A session per editor on a fresh copy of the example backend.

    The client answers `workspace/applyEdit` by applying the edit as that editor would, and
    `window/showMessageRequest` with the test's chosen answer (`lsp_client.answer`).
    """
    root = copy_fixture("chat_backend", request.getfixturevalue("tmp_path"))
    lsp_client.editor, lsp_client.root, lsp_client.answer = request.param, root, None

    @lsp_client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def on_apply_edit(params: lsp.ApplyWorkspaceEditParams):
        apply_edit(lsp_client.editor, params.edit)
        return lsp.ApplyWorkspaceEditResult(applied=True)

    @lsp_client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def on_message_request(params: lsp.ShowMessageRequestParams):
        lsp_client.asked = params
        return next((a for a in params.actions or [] if a.title == lsp_client.answer), None)

    await lsp_client.initialize_session(initialize_params(request.param, root))
    yield
    await lsp_client.shutdown_session()
