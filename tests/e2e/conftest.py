"""Real editors, installed by the tests themselves, driven headless against the real server.

The editor starts the server (`python -m organize_backend lsp`) itself, as it would for a user.
Each editor run is a process group of its own, so the server goes down with the editor even
when a run times out.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import copy_fixture, run_fixture_tests, tree_bytes
from install import apt_install

E2E_DIR = Path(__file__).resolve().parent
SERVER_COMMAND = [sys.executable, "-m", "organize_backend", "lsp"]
EDITOR_TIMEOUT = 90  # seconds for one editor run; a warm run takes a few seconds
FIXTURE_TESTS_TIMEOUT = 120

# Debian 12's releases, the ones shared/editors.md describes (their quirks are what we test);
# pinned by release, so that a Debian security rebuild still installs.
NEOVIM_PACKAGES = {"neovim": "0.7.2"}
EMACS_PACKAGES = {"emacs-nox": "1:28.2", "elpa-eglot": "1.9"}

# The skill layout's plan for examples/chat_backend: package -> the modules it receives.
ORGANIZED = {
    "agents": ["agent.py", "agent_tools.py"],
    "auth": ["auth.py", "auth_middleware.py"],
    "chatkit": ["chatkit_server.py", "chatkit_store.py"],
    "data": ["embeddings.py", "indexer.py", "vector_store.py"],
    "database": ["database.py"],
    "models": ["models.py", "schemas.py"],
    "scripts": ["seed_db.py"],
    "services": ["chat_service.py", "session_service.py"],
    "tests": ["conftest.py", "test_agent.py", "test_auth.py", "test_chat_service.py", "test_chatkit.py",
              "test_config.py", "test_embeddings.py", "test_main.py", "test_plugins.py",
              "test_rate_limiting.py", "test_seed_db.py", "test_text_utils.py", "test_vector_store.py"],
    "utils": ["rate_limiting.py", "text_utils.py"],
}

# Lines the organize action must have written, per file (new path), and lines it must have replaced.
REWRITTEN = {
    "main.py": ["import database.database as database, auth.auth as auth\n", "from agents import agent_tools\n",
                "import services.chat_service as chat\n", "from data import indexer\n",
                "from auth.auth_middleware import require_auth\n", "from models.schemas import *\n"],
    "tests/test_agent.py": ["from agents import agent\n", "from agents.agent import run\n",
                            "from data.vector_store import Hit\n"],
    "plugins.py": ['    "answer": "agents.agent:run",\n', '    return importlib.import_module("data.indexer")\n'],
    "Procfile": ["release: python -m scripts.seed_db\n"],
}
REPLACED = {
    "main.py": ["import database, auth\n", "import indexer\n", "from schemas import *\n"],
    "tests/test_agent.py": ["import agent\n", "from vector_store import Hit\n"],
    "Procfile": ["release: python seed_db.py\n"],
}


@dataclass
class EditorRun:
    returncode: int
    output: str
    report: dict  # what the editor script recorded (chosen action, questions asked, errors)


@dataclass
class Editor:
    command: list[str]  # the executable and the options that keep user configuration out
    env: dict[str, str]


def _check_version(editor: Editor, expected: str) -> None:
    result = subprocess.run([editor.command[0], "--version"], env={**os.environ, **editor.env},
                            capture_output=True, text=True, timeout=30)
    first_line = result.stdout.splitlines()[0]
    assert first_line.startswith(expected), f"{editor.command[0]}: {first_line!r}, expected {expected}"


@pytest.fixture(scope="session")
def nvim(tmp_path_factory) -> Editor:
    """Neovim with no config, no shada, no swap; its log and state in a tmp folder, not in HOME."""
    apt_install(NEOVIM_PACKAGES)
    state = tmp_path_factory.mktemp("nvim-state")
    env = {f"XDG_{kind}_HOME": str(state / kind.lower()) for kind in ("CONFIG", "DATA", "CACHE", "STATE")}
    editor = Editor(["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-n"], env)
    _check_version(editor, "NVIM v0.7.2")
    return editor


@pytest.fixture(scope="session")
def emacs() -> Editor:
    """Emacs in batch mode with -Q: no init file, no site-start, no package state."""
    apt_install(EMACS_PACKAGES)
    editor = Editor(["emacs", "--batch", "-Q"], {})
    _check_version(editor, "GNU Emacs 28.2")
    assert Path("/usr/share/emacs/site-lisp/elpa/eglot-1.9/eglot.el").is_file()
    return editor


@pytest.fixture
def backend(tmp_path: Path) -> Path:
    """A fresh copy of the example flat backend, in its own folder."""
    return copy_fixture("chat_backend", tmp_path / "workspace")


def _run_editor(editor: Editor, script_options: list[str], settings: dict[str, str], cwd: Path) -> EditorRun:
    """Run an editor script to its end (or the timeout), then end whatever it left running.

    `settings` become the ORGANIZE_* variables the scripts read; the server command and the
    report file are added here.
    """
    report = cwd / "report.json"
    variables = {f"ORGANIZE_{key.upper()}": value for key, value in settings.items()}
    variables.update(ORGANIZE_SERVER=json.dumps(SERVER_COMMAND), ORGANIZE_REPORT=str(report))
    command = [*editor.command, *script_options]
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **editor.env, **variables},
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=EDITOR_TIMEOUT)
    except subprocess.TimeoutExpired:
        _end_group(process.pid)
        output, _ = process.communicate()
        pytest.fail(f"{command[0]} did not finish within {EDITOR_TIMEOUT} s:\n{output[-3000:]}")
    finally:
        _end_group(process.pid)  # a language server the editor did not stop
    recorded = json.loads(report.read_text()) if report.is_file() else {}
    return EditorRun(process.returncode, output, recorded)


def _end_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # everything in it has already ended


def expected_organized_paths(before: set[str]) -> set[str]:
    """The flat backend's files after the organize action: modules in packages, __init__.py added."""
    moved = {module: f"{package}/{module}" for package, modules in ORGANIZED.items() for module in modules}
    return {moved.get(path, path) for path in before} | {f"{package}/__init__.py" for package in ORGANIZED}


def _assert_organized(root: Path, before: set[str]) -> None:
    """Every module moved to its package, nothing else moved, and the importers rewritten."""
    assert set(tree_bytes(root)) == expected_organized_paths(before)
    for path, lines in REWRITTEN.items():
        text = (root / path).read_text(encoding="utf-8").splitlines(keepends=True)
        assert [line for line in lines if line not in text] == [], f"{path} lacks the rewritten lines"
        assert [line for line in REPLACED.get(path, []) if line in text] == [], f"{path} keeps old lines"


def _assert_backend_tests_pass(root: Path) -> None:
    result = run_fixture_tests(root, timeout=FIXTURE_TESTS_TIMEOUT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "39 passed" in result.stdout


# Helpers handed to the tests as fixtures: a conftest module is not importable by name.


@pytest.fixture
def run_editor():
    return _run_editor


@pytest.fixture
def check_organized():
    return _assert_organized


@pytest.fixture
def check_backend_tests():
    return _assert_backend_tests_pass
