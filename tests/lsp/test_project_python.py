"""Diagnostics judge imports by the project's interpreter, which the editor names (its `python`
setting, or the initialization option the VS Code client fills from the Python extension)."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from editors import initialize_params
from helpers import copy_fixture

pytestmark = pytest.mark.asyncio

# No active virtual environment: the editor's choice is the only way to the project's one.
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "organize_backend", "lsp"],
                            server_env={key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"})


def project_environment(folder: Path) -> Path:
    """A real virtual environment outside the workspace, holding a web framework the tool's lacks
    (packages are dropped in as folders: nothing is downloaded)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    [site_packages] = folder.glob("lib/python*/site-packages")
    for package in ("fakeweb", "pytest"):  # the example's tests use pytest
        (site_packages / package).mkdir()
        (site_packages / package / "__init__.py").write_text("class App:\n    pass\n")
    return folder / "bin" / "python"


@pytest_lsp.fixture(config=SERVER, params=["setting", "initialization option", "none"])
async def client(lsp_client: LanguageClient, request):
    """VS Code on the example backend, whose web.py imports the framework; the editor names
    the project's interpreter in the way of the parameter (or not at all)."""
    tmp_path = request.getfixturevalue("tmp_path")
    root = copy_fixture("chat_backend", tmp_path)
    (root / "web.py").write_text("import fakeweb\nimport not_installed_anywhere_xyz\n\napp = fakeweb.App()\n")
    python = project_environment(tmp_path / "envs" / "project")
    lsp_client.root, lsp_client.python = root, python

    # VS Code answers `workspace/configuration` with every organizeBackend setting, python or not.
    settings = {"python": str(python)} if request.param == "setting" else {"layout": "skill"}
    lsp_client.set_configuration(settings, section="organizeBackend")

    params = initialize_params("vscode", root)
    if request.param == "initialization option":
        params.initialization_options = {"python": str(python)}
    await lsp_client.initialize_session(params)
    lsp_client.way = request.param
    yield
    await lsp_client.shutdown_session()


async def diagnostics_after_save(client: LanguageClient) -> dict[str, list[lsp.Diagnostic]]:
    await asyncio.sleep(0.5)  # the settings the server asks for after `initialized`
    uri = (client.root / "main.py").as_uri()
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    await asyncio.wait_for(client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=30)
    await asyncio.sleep(0.5)  # every file's diagnostics arrive in one burst
    return {Path(uri.removeprefix("file://")).name: found for uri, found in client.diagnostics.items() if found}


async def test_imports_are_judged_by_the_interpreter_the_editor_names(client: LanguageClient):
    diagnostics = await diagnostics_after_save(client)

    web = [(d.range.start.line, d.severity, d.message) for d in diagnostics.pop("web.py")]
    python = client.python if client.way != "none" else sys.executable
    missing = (1, lsp.DiagnosticSeverity.Warning, f"import not_installed_anywhere_xyz: not installed in {python}")
    if client.way == "none":  # the tool's own Python lacks the framework: a warning, not an error
        assert web == [(0, lsp.DiagnosticSeverity.Warning, f"import fakeweb: not installed in {sys.executable}"), missing]
    else:
        assert web == [missing]
    assert diagnostics == {}


@pytest.mark.parametrize("client", ["setting"], indirect=True)
async def test_a_first_party_import_that_no_longer_resolves_is_an_error(client: LanguageClient):
    (client.root / "models").mkdir()  # moved by hand into a package of its own name, importers not updated
    (client.root / "models.py").rename(client.root / "models" / "models.py")

    diagnostics = await diagnostics_after_save(client)
    models = [d for found in diagnostics.values() for d in found if "from models import" in d.message]
    assert models and all(d.severity == lsp.DiagnosticSeverity.Error for d in models)
    assert all(d.severity == lsp.DiagnosticSeverity.Warning for d in diagnostics["web.py"])


@pytest.mark.parametrize("client", ["setting"], indirect=True)
async def test_a_broken_interpreter_is_said_once_instead_of_flagging_every_import(client: LanguageClient):
    client.python.unlink()
    client.python.write_text("#!/bin/sh\necho 'Fatal Python error: init' >&2\nexit 1\n")
    client.python.chmod(client.python.stat().st_mode | stat.S_IXUSR)
    await asyncio.sleep(0.5)  # the settings the server asks for after `initialized`

    uri = (client.root / "main.py").as_uri()
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    message = await asyncio.wait_for(client.wait_for_notification(lsp.WINDOW_SHOW_MESSAGE), timeout=30)
    assert message.type == lsp.MessageType.Warning
    assert "imports not checked" in message.message and "Fatal Python error: init" in message.message
    assert not [d for found in client.diagnostics.values() for d in found]
