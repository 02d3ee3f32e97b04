"""rope's per-file work for one refactoring, on two cores.

`MoveModule.get_changes(dest, resources=...)` and `Rename.get_changes(name, resources=...)`
look at each file on its own and write nothing, so the files can be split: a forked child
(which inherits the project exactly as it is) computes the new text of one half while this
process computes the other. Only the child's new texts come back; the file moves come from
this process's half alone. Small batches, and systems without fork, stay in one process.
"""

from __future__ import annotations

from typing import Callable, Sequence

from rope.base import change as rope_change

from organize_backend.two_processes import can_split, in_two_processes


def changes_on_two_cores(compute: Callable[[list], rope_change.ChangeSet], resources: Sequence,
                         keep_here) -> rope_change.ChangeSet:
    """`compute(resources)`, with part of the files computed in a child process.

    `keep_here` is the resource whose own change only this process may compute (the
    moved module: rope adds its move to whichever half holds it).
    """
    if not can_split(len(resources)):
        return compute(list(resources))
    others = [r for r in resources if r != keep_here]
    child_part = others[: len(others) // 2]
    in_child = set(child_part)
    here_part = [r for r in resources if r not in in_child]
    changes, texts = in_two_processes(lambda: compute(here_part), lambda: _new_texts(compute(child_part)))
    if texts is None:
        return compute(list(resources))  # the child failed: do it all here, as rope would
    return _merged(changes, texts, resources)


def _new_texts(changes: rope_change.ChangeSet) -> list[tuple[str, str]]:
    return [(c.resource.path, c.new_contents) for c in flatten(changes) if isinstance(c, rope_change.ChangeContents)]


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
