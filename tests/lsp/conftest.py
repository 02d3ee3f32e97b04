"""A real server over stdio, driven by pytest-lsp with the capabilities of real editors."""

from __future__ import annotations

import os
import sys

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from editors import apply_edit, initialize_params
from helpers import copy_fixture

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "organize_backend", "lsp"])
# The same server, reporting progress for any computation however short (the example backend
# now computes in well under the half second after which progress is reported).
PROGRESS_AT_ONCE = ClientServerConfig(server_command=SERVER.server_command,
                                      server_env={**os.environ, "ORGANIZE_BACKEND_PROGRESS_AFTER": "0"})


@pytest_lsp.fixture(config=SERVER, params=["vscode", "neovim", "emacs"])
async def client(lsp_client: LanguageClient, request):
    """A session per editor on a fresh copy of the example backend.

    The client answers `workspace/applyEdit` by applying the edit as that editor would, and
    `window/showMessageRequest` with the test's chosen answer (`lsp_client.answer`).
    """
    async for _ in _session(lsp_client, request, request.param):
        yield


@pytest_lsp.fixture(config=PROGRESS_AT_ONCE)
async def client_reporting_progress(lsp_client: LanguageClient, request):
    """A VS Code session whose server reports progress for every computation."""
    async for _ in _session(lsp_client, request, "vscode"):
        yield


async def _session(lsp_client: LanguageClient, request, editor: str):
    root = copy_fixture("chat_backend", request.getfixturevalue("tmp_path"))
    lsp_client.editor, lsp_client.root, lsp_client.answer = editor, root, None

    @lsp_client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def on_apply_edit(params: lsp.ApplyWorkspaceEditParams):
        apply_edit(lsp_client.editor, params.edit)
        return lsp.ApplyWorkspaceEditResult(applied=True)

    @lsp_client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def on_message_request(params: lsp.ShowMessageRequestParams):
        lsp_client.asked = params
        return next((a for a in params.actions or [] if a.title == lsp_client.answer), None)

    await lsp_client.initialize_session(initialize_params(editor, root))
    yield
    await lsp_client.shutdown_session()
