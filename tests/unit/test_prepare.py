"""Changes prepared in a forked child ahead of the user's pick, and stopped when outdated."""

from __future__ import annotations

import os
import time
from pathlib import Path

from organize_backend.lsp.prepare import Preparer
from organize_backend.model import ChangeSet


def change_set(name: str) -> ChangeSet:
    return ChangeSet(root=Path("/workspace"), files=(), warnings=(name,))


def test_a_prepared_change_is_taken_for_the_same_content():
    preparer = Preparer()
    preparer.start("key-1", lambda: change_set(f"computed in {os.getpid()}"))
    taken = preparer.take("key-1")
    assert taken is not None and taken.warnings != (f"computed in {os.getpid()}",)  # by the child


def test_a_preparation_for_other_content_is_stopped_and_not_used(tmp_path):
    pid_file = tmp_path / "pid"

    def slow():
        pid_file.write_text(str(os.getpid()))
        time.sleep(60)
        return change_set("outdated")

    preparer = Preparer()
    preparer.start("old", slow)
    while not pid_file.exists():
        time.sleep(0.01)
    started = time.monotonic()
    assert preparer.take("new") is None
    assert time.monotonic() - started < 5
    assert preparer.take("old") is None  # stopped, so never ready
    _wait_until_gone(int(pid_file.read_text()))


def test_a_failed_preparation_gives_nothing_to_take():
    def broken():
        raise RuntimeError("rope failed")

    preparer = Preparer()
    preparer.start("key", broken)
    assert preparer.take("key") is None


def test_a_remembered_change_is_taken_only_for_its_key():
    preparer = Preparer()
    preparer.remember("key", change_set("remembered"))
    assert preparer.take("key").warnings == ("remembered",)
    assert preparer.take("other") is None


def _wait_until_gone(pid: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still runs")
