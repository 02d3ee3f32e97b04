"""rope's per-file work for one refactoring, on two cores.

`MoveModule.get_changes(dest, resources=...)` and `Rename.get_changes(name, resources=...)`
look at each file on its own and write nothing, so the files can be split: a forked child
(which inherits the project exactly as it is) computes the new text of one half while this
process computes the other. Only the child's new texts come back; the file moves come from
this process's half alone. Small batches, and systems without fork, stay in one process.
"""

from __future__ import annotations

import os
import pickle
import warnings
from typing import Callable, Sequence

from rope.base import change as rope_change

MIN_FILES_TO_SPLIT = 48  # below this, forking costs more than it saves


def changes_on_two_cores(compute: Callable[[list], rope_change.ChangeSet], resources: Sequence,
                         keep_here) -> rope_change.ChangeSet:
    """`compute(resources)`, with part of the files computed in a child process.

    `keep_here` is the resource whose own change only this process may compute (the
    moved module: rope adds its move to whichever half holds it).
    """
    if len(resources) < MIN_FILES_TO_SPLIT or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return compute(list(resources))
    others = [r for r in resources if r != keep_here]
    child_part = others[: len(others) // 2]
    here_part = [r for r in resources if r not in set(child_part)]
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork beside threads: the child only computes
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, reported through the pipe
        os.close(read_end)
        _child(compute, child_part, write_end)
    os.close(write_end)
    try:
        changes = compute(here_part)
    finally:
        received = _read_all(read_end)
        os.waitpid(pid, 0)
    status, payload = pickle.loads(received) if received else ("error", "the helper process died")
    if status != "ok":
        return compute(list(resources))  # the child failed: do it all here, as rope would
    return _merged(changes, payload, resources)


def _child(compute, part, write_end: int) -> None:  # pragma: no cover - runs in the child
    try:
        changes = compute(part)
        texts = [(c.resource.path, c.new_contents) for c in flatten(changes)
                 if isinstance(c, rope_change.ChangeContents)]
        data = pickle.dumps(("ok", texts))
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


def _merged(changes: rope_change.ChangeSet, texts, resources: Sequence) -> rope_change.ChangeSet:
    """This process's changes with the child's new texts inserted before any file move."""
    by_path = {resource.path: resource for resource in resources}
    merged = rope_change.ChangeSet(changes.description)
    for path, new_contents in texts:
        merged.add_change(rope_change.ChangeContents(by_path[path], new_contents))
    for single in changes.changes:
        merged.add_change(single)
    return merged


def flatten(changes: rope_change.Change):
    """The single changes of a (nested) rope ChangeSet, in order."""
    if isinstance(changes, rope_change.ChangeSet):
        for inner in changes.changes:
            yield from flatten(inner)
    else:
        yield changes
