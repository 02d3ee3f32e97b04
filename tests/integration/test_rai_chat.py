"""End to end on the seed-002/003 workspace: explicit moves with renames, a merge, a package rename."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import copy_fixture, organized_copy, run_fixture_tests, tree_bytes
from organize_backend.cli import main


@pytest.fixture(scope="module")
def organized(tmp_path_factory):
    return organized_copy("rai_chat", tmp_path_factory.mktemp("rai"))


def test_the_workspaces_own_tests_pass_after_the_moves(organized):
    root, _ = organized
    result = run_fixture_tests(root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_restructuring_plan_layout(organized):
    root, _ = organized
    backend = root / "RAI_Chat/backend"
    for path in ("core/database/session.py", "services/memory/contextual.py", "services/memory/episodic.py",
                 "services/conversation.py", "services/prompt_builder.py", "services/prompts.py",
                 "services/action_handler.py", "services/file_storage.py", "core/auth/service.py"):
        assert (backend / path).is_file(), path
    assert not (root / "RAI_Chat/Backend").exists()
    assert not (backend / "components").exists(), "a package merged away is removed"
    assert not (backend / "managers/memory").exists(), "a package emptied by the moves is removed"


def test_imports_follow_the_seed_examples(organized):
    root, _ = organized
    texts = "\n".join(p.read_text() for p in (root / "RAI_Chat").rglob("*.py"))
    imports = [line for line in texts.splitlines() if line.lstrip().startswith(("import ", "from "))]
    assert not [line for line in imports if "RAI_Chat.Backend" in line]
    # `from ..database import connection` keeps binding `connection`: only the module it names changes
    stale = [line for line in imports if "connection" in line and "import session as connection" not in line]
    assert not stale
    assert "from RAI_Chat.backend.core.database.session import" in texts


def test_relative_imports_still_resolve(organized, capsys):
    root, _ = organized
    assert main(["check", str(root)]) == 0, capsys.readouterr().out


def test_docs_follow_the_moves(organized):
    root, before = organized
    readme = (root / "README.md").read_text()
    assert "RAI_Chat/Backend/Launch_App.py" in before["README.md"].decode()
    assert "RAI_Chat/backend/Launch_App.py" in readme


def test_undo_restores_the_original_byte_for_byte(tmp_path):
    root = copy_fixture("rai_chat", tmp_path)
    before = tree_bytes(root)
    assert main(["apply", str(root)]) == 0
    assert main(["undo", str(root)]) == 0
    assert tree_bytes(root) == before


def test_the_configuration_keeps_its_moves_and_a_second_run_is_a_no_op(organized, capsys):
    root, before = organized
    assert (root / "organize-backend.toml").read_bytes() == before["organize-backend.toml"]
    capsys.readouterr()
    assert main(["plan", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Moves (0):" in out and "already done: RAI_Chat/Backend -> RAI_Chat/backend" in out


def test_a_module_moved_with_its_whole_package_keeps_its_file_relative_paths(tmp_path):
    root = tmp_path / "ws"
    (root / "app" / "assets").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "assets" / "greeting.txt").write_text("hello\n")
    (root / "app" / "loader.py").write_text(
        "from pathlib import Path\n\nASSETS = Path(__file__).parent / 'assets'\n\n\n"
        "def greeting():\n    return (ASSETS / 'greeting.txt').read_text().strip()\n")
    (root / "main.py").write_text("from app.loader import greeting\n\nprint(greeting())\n")
    (root / "organize-backend.toml").write_text('layout = "none"\n[[move]]\nfrom = "app"\nto = "core/app"\n')
    assert main(["apply", str(root)]) == 0
    assert "Path(__file__).parent / 'assets'" in (root / "core" / "app" / "loader.py").read_text()
    assert (root / "core" / "app" / "assets" / "greeting.txt").is_file()
    result = subprocess.run([sys.executable, "main.py"], cwd=root, capture_output=True, text=True)
    assert result.stdout.strip() == "hello", result.stderr
