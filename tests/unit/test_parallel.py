"""rope's work split over two processes gives exactly the single-process result."""

from __future__ import annotations

from pathlib import Path

import pytest

from organize_backend import two_processes
from organize_backend.changes.rope_moves import run_moves
from organize_backend.model import Move, OrganizeError
from organize_backend.planning.plan import check_syntax
from organize_backend.snapshot import take_snapshot


def widely_imported(root: Path, importers: int = 80) -> Path:
    root.mkdir()
    (root / "database.py").write_text("def get_db():\n    return 1\n")
    (root / "helpers.py").write_text("def helper():\n    return 2\n")
    for index in range(importers):
        style = index % 3
        text = ("import database\n\ndef use():\n    return database.get_db()\n" if style == 0 else
                "from database import get_db\nimport helpers\n\ndef use():\n    return get_db() + helpers.helper()\n"
                if style == 1 else "import os, database\n\ndef use():\n    import helpers\n    return database.get_db()\n")
        (root / f"user_{index:03d}.py").write_text(text)
    return root


MOVES = (Move("database.py", "database/database.py", "test"), Move("helpers.py", "utils/tools.py", "test"))


def test_two_processes_give_the_single_process_result(tmp_path, monkeypatch):
    snapshot = take_snapshot(widely_imported(tmp_path / "ws"))
    split = run_moves(snapshot, MOVES)
    monkeypatch.setattr(two_processes, "MIN_ITEMS_TO_SPLIT", 10**9)
    single = run_moves(snapshot, MOVES)
    assert split.files == single.files
    assert split.origin == single.origin and split.created == single.created
    assert b"from database.database import get_db" in split.files["user_001.py"]


def test_the_split_really_happens(tmp_path, monkeypatch):
    forks = []
    real_fork = two_processes.os.fork

    def counting_fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(two_processes.os, "fork", counting_fork)
    run_moves(take_snapshot(widely_imported(tmp_path / "ws")), MOVES)
    assert forks, "80 importers are enough to split"


def test_a_failing_child_falls_back_to_one_process(tmp_path, monkeypatch):
    snapshot = take_snapshot(widely_imported(tmp_path / "ws"))
    expected = run_moves(snapshot, MOVES)
    monkeypatch.setattr(two_processes, "_read_all", lambda read_end: (two_processes.os.close(read_end), b"")[1])
    assert run_moves(snapshot, MOVES).files == expected.files


def test_a_syntax_error_in_either_half_of_a_big_workspace_is_reported(tmp_path):
    root = widely_imported(tmp_path / "ws")
    (root / "user_000.py").write_text("def broken(:\n")  # the child's half
    (root / "user_079.py").write_text("x = (\n")  # this process's half
    with pytest.raises(OrganizeError) as refused:
        check_syntax(take_snapshot(root))
    assert "user_000.py:1: syntax error" in str(refused.value)
    assert "user_079.py:1: syntax error" in str(refused.value)
