"""Work split over two processes: a forked child does one half while this process does the other.

The child inherits this process's state exactly, so it needs no copy of the data; only its
result travels back, pickled. Used where per-file work is independent and large enough to
pay for a fork: the import pass, and the syntax check.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import warnings
from typing import Callable, TypeVar

T = TypeVar("T")
U = TypeVar("U")

MIN_ITEMS_TO_SPLIT = 48  # below this, forking costs more than it saves


def can_split(count: int) -> bool:
    return count >= MIN_ITEMS_TO_SPLIT and hasattr(os, "fork") and (os.cpu_count() or 1) >= 2


def split_work(work: Callable[[list], T], items: list, combine: Callable[[T, T], T]) -> T:
    """`work(items)`, with the first half done in a child when there is enough to split."""
    if not can_split(len(items)):
        return work(list(items))
    half = len(items) // 2
    here, there = in_two_processes(lambda: work(items[half:]), lambda: work(items[:half]))
    return combine(there if there is not None else work(items[:half]), here)


def in_two_processes(here: Callable[[], T], there: Callable[[], U]) -> tuple[T, U | None]:
    """Run `there` in a forked child while `here` runs in this process; the child's result
    comes back, or None if it failed (the caller then does that part itself)."""
    child = Child(there, own_group=False)  # in this process's group: stopped along with it
    try:
        result = here()
    except BaseException:
        child.stop()  # this side failed or was interrupted: the other half is of no use
        child.result()
        raise
    return result, child.result()


class Child:
    """`work` running in a forked child, until it ends or is stopped.

    Unlike `in_two_processes`, the caller goes on at once and collects the result later. A
    child with a process group of its own (`own_group`) is stopped with every helper it forked,
    so an outdated job costs nothing more; `niceness` lowers its priority."""

    def __init__(self, work: Callable[[], T], niceness: int = 0, own_group: bool = True) -> None:
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork beside threads: the child only computes
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, reported through the pipe
            os.close(read_end)
            if own_group:
                with contextlib.suppress(OSError):  # the parent sets the group too
                    os.setpgid(0, 0)
            _child(lambda: _at_niceness(niceness, work), write_end)
        os.close(write_end)
        if own_group:
            # here too, so that `stop` finds the group even before the child ran; an error
            # means the child got there first, or has already ended
            with contextlib.suppress(OSError):
                os.setpgid(pid, pid)
        self.pid, self._read_end, self._own_group = pid, read_end, own_group

    def result(self):
        """Wait for the child; its result, or None if it failed or was stopped."""
        received = _read_all(self._read_end)
        os.waitpid(self.pid, 0)
        status, payload = pickle.loads(received) if received else ("error", "stopped")
        return payload if status == "ok" else None

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
            if self._own_group:
                os.killpg(self.pid, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)


def _at_niceness(niceness: int, work: Callable[[], T]) -> T:
    if niceness:
        os.nice(niceness)
    return work()


def _child(there: Callable[[], object], write_end: int) -> None:  # pragma: no cover - runs in the child
    try:
        data = pickle.dumps(("ok", there()))
    except BaseException as error:  # noqa: BLE001 - anything goes back as a failure
        data = pickle.dumps(("error", repr(error)))
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
    finally:
        os._exit(0)


def _read_all(read_end: int) -> bytes:
    with os.fdopen(read_end, "rb") as pipe:
        return pipe.read()
