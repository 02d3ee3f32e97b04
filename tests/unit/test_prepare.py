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
        written = tmp_path / "pid.part"
        written.write_text(str(os.getpid()))
        written.rename(pid_file)  # whole, or not there: the test reads it as soon as it exists
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


def test_a_preparation_runs_below_the_editors_priority():
    preparer = Preparer()
    preparer.start("key", lambda: change_set(str(os.nice(0))))  # os.nice(0): the current niceness
    assert int(preparer.take("key").warnings[0]) == min(os.nice(0) + 10, 19)  # Linux caps niceness at 19


def test_a_failed_preparation_gives_nothing_to_take():
    def broken():
        raise RuntimeError("rope failed")

    preparer = Preparer()
    preparer.start("key", broken)
    assert preparer.take("key") is None


def test_a_delayed_preparation_waits_for_the_content_to_settle(tmp_path):
    def work(name: str):
        def run():
            (tmp_path / name).touch()  # in the child: proof that this preparation ran
            return change_set(name)
        return run

    preparer = Preparer(delay=0.5)
    preparer.start("typed", work("typed"))
    preparer.start("typed more", work("typed more"))  # within the delay: replaces it
    time.sleep(0.2)
    assert list(tmp_path.iterdir()) == []  # nothing runs while the content keeps changing
    time.sleep(0.8)  # past the delay: "typed more" is under way or ready, and take waits for it
    assert preparer.take("typed more").warnings == ("typed more",)
    assert [path.name for path in tmp_path.iterdir()] == ["typed more"]


def test_picking_before_the_delay_is_over_computes_at_once():
    preparer = Preparer(delay=30)
    preparer.start("key", lambda: change_set("prepared"))
    started = time.monotonic()
    assert preparer.take("key") is None  # the caller computes it now; the timer is cancelled
    assert time.monotonic() - started < 1


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
