"""Edits prepared ahead of the user's pick, and reused while the workspace is unchanged.

Listing the organize action starts computing its change in a forked child, once the content
has stayed the same for `delay` seconds (an editor lists actions as the user types: each
keystroke would otherwise start, and stop, a whole computation). The child runs at a lower
priority than the editor. When the user picks the action, the prepared change is used if the
workspace's content is still the same (the content key); a preparation for other content is
stopped, so a user's request never waits behind a guess.
"""

from __future__ import annotations

import threading
from typing import Callable

from organize_backend.model import ChangeSet
from organize_backend.two_processes import Child


BACKGROUND_NICENESS = 10  # the editor and the user's other tools come first


class Preparer:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._ready: tuple[str, ChangeSet] | None = None
        self._running: tuple[str, Child, threading.Event] | None = None
        self._waiting: tuple[str, threading.Timer] | None = None

    def start(self, key: str, work: Callable[[], ChangeSet]) -> None:
        """Compute `work` in the background, unless that key is ready or under way already."""
        with self._lock:
            if any(job and job[0] == key for job in (self._ready, self._running, self._waiting)):
                return
            self._stop_running()
            self._cancel_waiting()
            if self.delay <= 0:
                self._launch(key, work)
                return
            timer = threading.Timer(self.delay, self._launch_when_due, args=(key, work))
            timer.daemon = True
            self._waiting = (key, timer)
            timer.start()

    def take(self, key: str) -> ChangeSet | None:
        """The change for `key` if it is ready or being prepared (then wait for it); else None."""
        with self._lock:
            self._cancel_waiting()  # the user asked: computing now beats waiting for the timer
            if self._ready and self._ready[0] == key:
                return self._ready[1]
            if self._running and self._running[0] != key:
                self._stop_running()
            job = self._running
        if job is None:
            return None
        job[2].wait()
        with self._lock:
            return self._ready[1] if self._ready and self._ready[0] == key else None

    def remember(self, key: str, changes: ChangeSet) -> None:
        with self._lock:
            self._ready = (key, changes)

    def stop(self) -> None:
        with self._lock:
            self._cancel_waiting()
            self._stop_running()

    def _launch_when_due(self, key: str, work: Callable[[], ChangeSet]) -> None:
        with self._lock:
            if self._waiting is None or self._waiting[1] is not threading.current_thread():
                return  # cancelled, or replaced by a newer request
            self._waiting = None
            self._launch(key, work)

    def _launch(self, key: str, work: Callable[[], ChangeSet]) -> None:
        """Caller holds the lock."""
        job = (key, Child(work, niceness=BACKGROUND_NICENESS), threading.Event())
        self._running = job
        threading.Thread(target=self._collect, args=(job,), name="prepare-edit", daemon=True).start()

    def _collect(self, job: tuple[str, Child, threading.Event]) -> None:
        key, child, finished = job
        changes = child.result()
        with self._lock:
            if self._running is job:
                self._running = None
                if isinstance(changes, ChangeSet):
                    self._ready = (key, changes)
        finished.set()

    def _cancel_waiting(self) -> None:
        """Caller holds the lock."""
        if self._waiting is not None:
            self._waiting[1].cancel()
            self._waiting = None

    def _stop_running(self) -> None:
        """Caller holds the lock."""
        if self._running is not None:
            self._running[1].stop()
            self._running = None
