"""Conventions of command-line tools that users rely on without reading the manual."""

from __future__ import annotations

import subprocess
import sys

from organize_backend.cli import main

BACKEND = {
    "main.py": "from agent import run\n\nprint(run())\n",
    "agent.py": "from database import get_db\n\n\ndef run():\n    return get_db()\n",
    "database.py": "def get_db():\n    return 'db'\n",
}


def write_backend(root):
    root.mkdir()
    for name, text in BACKEND.items():
        (root / name).write_text(text)
    return root


def test_a_layout_flag_wins_over_the_configuration_file(tmp_path, capsys):
    root = write_backend(tmp_path / "backend")
    (root / "organize-backend.toml").write_text('layout = "none"\n')
    assert main(["plan", str(root)]) == 0
    assert "Moves (0)" in capsys.readouterr().out
    assert main(["plan", str(root), "--layout", "skill"]) == 0
    out = capsys.readouterr().out
    assert "agents/agent.py" in out and "Moves (2)" in out


def test_a_closed_pipe_ends_quietly(tmp_path):
    root = write_backend(tmp_path / "backend")
    plan = subprocess.Popen([sys.executable, "-m", "organize_backend", "plan", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    plan.stdout.close()  # `plan | true`: the reader is gone before the first line
    _, err = plan.communicate(timeout=120)
    assert plan.returncode == 0, err.decode()
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_an_internal_error_is_a_message_that_says_what_is_true(tmp_path, capsys, monkeypatch):
    root = write_backend(tmp_path / "backend")
    monkeypatch.delenv("ORGANIZE_BACKEND_DEBUG", raising=False)

    def broken(*args, **kwargs):
        raise KeyError("placement")

    monkeypatch.setattr("organize_backend.cli.plan_organize", broken)
    assert main(["apply", str(root)]) == 2
    err = capsys.readouterr().err
    assert err == ("organize-backend: stopped by an internal error (KeyError: 'placement'); please report it; "
                   "nothing was changed\n")
