"""End to end in real VS Code: code-server with the packaged extension, driven in headless Chromium.

One code-server and one Chromium serve the three scenarios, each on a fresh copy of the example
backend opened as its own workspace (a new window, so a new extension host and language server).
Installs (Chromium, Node 24, code-server, playwright-core, the .vsix build) are pinned and cached:
the first run takes about six minutes, later ones under three. Screenshots (the Refactor Preview,
the end state, any failure) go to tests/e2e/vscode/artifacts/; a failing step prints its screenshot
and the tail of code-server's log.
"""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_fixture, organized_copy, run_fixture_tests, tree_bytes

# tests/e2e/vscode/ holds the driver and its Node package, not a Python package: put it on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent / "vscode"))
import vscode_e2e

pytestmark = pytest.mark.skipif(shutil.which("apt-get") is None, reason="installs its editor with apt-get")


@pytest.fixture(scope="module")
def vscode(tmp_path_factory):
    tools = vscode_e2e.Tools()
    vsix = vscode_e2e.build_vsix(tools)
    with vscode_e2e.vscode(tools, vsix, tmp_path_factory.mktemp("vscode")) as instance:
        yield instance


@pytest.fixture
def backend(tmp_path):
    return copy_fixture("chat_backend", tmp_path)


def planned_moves(root: Path) -> dict[str, str]:
    """The plan's moves (source -> destination), from the command line: what the edit must do on disk."""
    command = [sys.executable, "-m", "organize_backend", "plan", str(root), "--json"]
    plan = json.loads(subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout)
    return {move["from"]: move["to"] for move in plan["moves"]}


def organized_by_the_cli(tmp_path: Path) -> dict[str, bytes]:
    """The same fixture organized by `organize-backend apply`: what the editor must produce too."""
    copy, _ = organized_copy("chat_backend", tmp_path / "by-cli")  # same folder name: same README tree
    return tree_bytes(copy)


def assert_same_tree(actual: dict[str, bytes], expected: dict[str, bytes]) -> None:
    only_cli, only_vscode = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    assert not only_cli and not only_vscode, f"files only in the CLI's result: {only_cli}; only in VS Code's: {only_vscode}"
    differing = [name for name in expected if actual[name] != expected[name]]
    if differing:
        first = differing[0]
        diff = difflib.unified_diff(expected[first].decode(errors="replace").splitlines(),
                                    actual[first].decode(errors="replace").splitlines(), "cli", "vscode", lineterm="")
        pytest.fail(f"{len(differing)} files differ from the command line's result ({differing}); {first}:\n" + "\n".join(diff))


def read(root: Path, name: str) -> str:
    return (root / name).read_text(encoding="utf-8")


def assert_fixture_tests_pass(root: Path) -> None:
    result = run_fixture_tests(root)
    assert result.returncode == 0, f"the backend's own tests fail after the change:\n{result.stdout[-3000:]}"


def assert_organized(root: Path) -> None:
    """The plan's layout is on disk and the importers follow it (imports, strings, config)."""
    assert (root / "database" / "database.py").is_file()
    assert not (root / "database.py").exists()
    assert not (root / "agent.py").exists()
    for package in ("agents", "auth", "chatkit", "data", "database", "models", "scripts", "services", "tests", "utils"):
        assert (root / package / "__init__.py").is_file(), f"{package}/__init__.py missing"
    assert "from data.vector_store import VectorStore" in read(root, "agents/agent.py")
    assert "from database import database" in read(root, "services/chat_service.py")
    # Certain rewrites of strings and config: ticked as the preview opens.
    assert 'mock.patch("data.vector_store.embed"' in read(root, "tests/test_vector_store.py")
    assert "release: python -m scripts.seed_db" in read(root, "Procfile")
    assert_fixture_tests_pass(root)


def test_source_action_organizes_the_backend(vscode, backend, tmp_path):
    events = vscode.drive("source-action", backend, planned_moves(backend))
    assert any(event["event"] == "preview" and event["rows"] for event in events)
    assert_organized(backend)
    assert_same_tree(tree_bytes(backend), organized_by_the_cli(tmp_path))


def test_folder_context_menu_organizes_the_folder(vscode, backend, tmp_path):
    vscode.drive("folder-menu", backend, planned_moves(backend))
    assert_organized(backend)
    assert_same_tree(tree_bytes(backend), organized_by_the_cli(tmp_path))


def test_moving_a_module_in_the_explorer_updates_its_importers(vscode, backend):
    vscode.drive("explorer-move", backend, {"vector_store.py": "data/vector_store.py"})
    assert (backend / "data" / "vector_store.py").is_file()
    assert not (backend / "vector_store.py").exists()
    assert "from data.vector_store import VectorStore" in read(backend, "agent.py")  # open in an editor
    assert "import data.vector_store as vs" in read(backend, "agent_tools.py")  # aliased import kept
    assert "    from data.vector_store import VectorStore" in read(backend, "indexer.py")  # inside a function
    assert 'mock.patch("data.vector_store.embed"' in read(backend, "test_vector_store.py")
    assert_fixture_tests_pass(backend)
