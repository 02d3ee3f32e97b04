"""Bad input gets a clear message, a documented exit code, and leaves every byte as it was."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest

from helpers import tree_bytes
from organize_backend.cli import EXIT_NOTHING_TO_DO, EXIT_REFUSED, main

BACKEND = {
    "main.py": "from agent import run\n\nprint(run())\n",
    "agent.py": "from agent_memory import lookup\nfrom database import get_db\n\n\ndef run():\n    return lookup(get_db())\n",
    "agent_memory.py": "def lookup(db):\n    return db\n",
    "database.py": "def get_db():\n    return 'db'\n",
}


@pytest.fixture
def backend(tmp_path):
    root = tmp_path / "backend"
    root.mkdir()
    for name, text in BACKEND.items():
        (root / name).write_text(text)
    return root


def refused(capsys, root, argv, expected_code=EXIT_REFUSED):
    """Run the command; return its error message after checking that nothing changed."""
    before = tree_bytes(root)
    code = main(argv)
    err = capsys.readouterr().err
    assert code == expected_code, err
    assert tree_bytes(root) == before
    assert not (root / ".organize-backend").exists()
    assert "Traceback" not in err
    return err


def test_syntax_error_names_file_and_line(backend, capsys):
    (backend / "broken.py").write_text("import os\n\ndef broken(:\n    pass\n")
    err = refused(capsys, backend, ["apply", str(backend)])
    assert "broken.py:3: syntax error" in err


def test_move_to_an_existing_destination(backend, capsys):
    (backend / "agents").mkdir()
    (backend / "agents" / "agent.py").write_text("x = 1\n")
    err = refused(capsys, backend, ["move", str(backend / "agent.py"), str(backend / "agents"),
                                    "--workspace", str(backend)])
    assert "agents/agent.py exists" in err


def test_conflicting_explicit_moves(backend, capsys):
    (backend / "organize-backend.toml").write_text(
        '[[tool.organize-backend.move]]\nfrom = "agent.py"\nto = "a/agent.py"\n'
        '[[tool.organize-backend.move]]\nfrom = "agent.py"\nto = "b/agent.py"\n')
    err = refused(capsys, backend, ["apply", str(backend)])
    assert "conflicting moves: agent.py is moved twice" in err


@pytest.mark.parametrize("source", ["../outside.py", "/etc/hostname"])
def test_paths_outside_the_workspace(backend, capsys, source):
    (backend.parent / "outside.py").write_text("x = 1\n")
    err = refused(capsys, backend, ["move", source, "data/", "--workspace", str(backend)])
    assert "outside the workspace" in err


def test_path_through_a_symlink_out_of_the_workspace(backend, capsys, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.py").write_text("x = 1\n")
    os.symlink(elsewhere, backend / "linked")
    err = refused(capsys, backend, ["move", str(backend / "linked" / "secret.py"), str(backend / "data"),
                                    "--workspace", str(backend)])
    assert "outside the workspace" in err


def test_missing_source(backend, capsys):
    err = refused(capsys, backend, ["move", str(backend / "nothere.py"), str(backend / "data"),
                                    "--workspace", str(backend)])
    assert "nothere.py: no such module or package" in err


def test_read_only_file(backend, capsys):
    target = backend / "main.py"  # an importer whose imports must change
    target.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        err = refused(capsys, backend, ["apply", str(backend)])
    finally:
        target.chmod(0o644)
    assert "main.py" in err and "read-only" in err


def test_folder_with_nothing_to_organize(tmp_path, capsys):
    (tmp_path / "main.py").write_text("print('hi')\n")
    err = refused(capsys, tmp_path, ["apply", str(tmp_path)], expected_code=EXIT_NOTHING_TO_DO)
    assert "nothing to organize" in err


def test_unknown_config_key(backend, capsys):
    (backend / "pyproject.toml").write_text('[tool.organize-backend]\nlayuot = "skill"\n')
    err = refused(capsys, backend, ["plan", str(backend)])
    assert "unknown key(s) in [tool.organize-backend]: layuot" in err


def test_undo_refuses_when_a_file_changed_since(backend, capsys):
    assert main(["apply", str(backend)]) == 0
    (backend / "main.py").write_text((backend / "main.py").read_text() + "# edited\n")
    before = tree_bytes(backend)
    assert main(["undo", str(backend)]) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "main.py" in err and "changed since" in err
    assert tree_bytes(backend) == before


def test_undo_with_nothing_to_undo(backend, capsys):
    err = refused(capsys, backend, ["undo", str(backend)])
    assert "nothing to undo" in err


def test_dirty_git_tree_is_warned_about_not_refused(backend, capsys):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    subprocess.run(["git", "init", "-q"], cwd=backend, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=backend, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=backend, check=True, env=env)
    (backend / "main.py").write_text(BACKEND["main.py"] + "# uncommitted\n")
    assert main(["apply", str(backend)]) == 0
    assert "uncommitted changes" in capsys.readouterr().err
    assert (backend / "agents" / "agent.py").is_file()


def test_apply_leaves_a_file_elsewhere_that_does_not_parse_byte_for_byte(backend, capsys) -> None:
    broken = b"def tags(guild):\n    guild = ctx.guild if guild is None\n"
    (backend / "tools").mkdir()
    (backend / "tools" / "tags.py").write_bytes(broken)
    assert main(["apply", str(backend), "--root", "."]) == 0
    assert (backend / "tools" / "tags.py").read_bytes() == broken
    assert not (backend / "agent.py").exists()
    assert main(["undo", str(backend)]) == 0
    assert (backend / "agent.py").read_text() == BACKEND["agent.py"]
