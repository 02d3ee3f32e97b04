"""Collateral lines: lines a reorganization added or removed without a counterpart.

The principle of issue 9: every change is the smallest edit a careful reviewer would make by
hand, in place. A renamed import changes a line in place; a hoisted import, a merged or split
statement, a re-wrapped parenthesized import, an added `import` all add or remove lines. This
module measures that, file by file, between a tree before and after `organize-backend apply`
(trees as `helpers.tree_bytes` gives them: POSIX relative path -> bytes).

For each file present before and after (a moved file is followed through `path_map`), the
lines are compared with difflib's SequenceMatcher: an 'insert' or 'delete' opcode counts all
its lines, a 'replace' counts the surplus on its longer side (its other lines are paired with
a counterpart: changed in place, not collateral). Files created by the tool (new
`__init__.py`, a README it writes) and README.md (whose "Project structure" section is the
whole-folder organize's business) are not counted.

`changed_line_pairs` gives the in-place pairs themselves, for checks on what changed.
"""

from __future__ import annotations

import difflib
import posixpath
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

SKIPPED_NAMES = frozenset({"README.md"})


@dataclass(frozen=True)
class Pair:
    """A line changed in place: its (0-based) index and text before and after."""

    old_index: int
    old: str
    new_index: int
    new: str


def split_lines(data: bytes) -> list[str]:
    """The lines of a file (any of LF, CRLF, CR), without their line breaks, decoded as UTF-8.

    Only real line breaks split (bytes.splitlines), not form feeds or the other characters
    str.splitlines splits on. A byte order mark stays on the first line.
    """
    return [line.decode("utf-8", errors="surrogateescape") for line in data.splitlines()]


def apply_moves(paths: Iterable[str], moves: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Old path -> new path for `paths`, after `moves` (file or folder, applied in order, each
    against the tree the previous ones left, as the configuration's explicit moves are).

    A folder move onto an existing folder merges into it, which the same prefix rule covers.
    """
    mapping = {}
    for path in paths:
        current = path
        for source, destination in moves:
            source, destination = source.strip("/"), destination.strip("/")
            if current == source:
                current = destination
            elif current.startswith(source + "/"):
                current = destination + current[len(source):]
        mapping[path] = posixpath.normpath(current)
    return mapping


def _counted(path: str) -> bool:
    return posixpath.basename(path) not in SKIPPED_NAMES


def _file_pairs(before: dict[str, bytes], after: dict[str, bytes],
                path_map: dict[str, str]) -> Iterator[tuple[str, list[str], list[str]]]:
    """(path after, lines before, lines after) for every counted file present on both sides."""
    for old_path in sorted(before):
        new_path = path_map.get(old_path, old_path)
        if new_path not in after or not (_counted(old_path) and _counted(new_path)):
            continue
        if before[old_path] == after[new_path]:
            continue
        yield new_path, split_lines(before[old_path]), split_lines(after[new_path])


def _pair_block(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """An order-preserving pairing of two blocks of lines, most similar lines paired
    (the lines left over are the block's collateral). (i, None) is a removed line,
    (None, j) an added one, (i, j) a line changed in place."""
    n, m = len(old), len(new)
    if n * m > 40_000:  # a huge block: pair in order; the surplus is at the end
        pairs: list[tuple[int | None, int | None]] = [(k, k) for k in range(min(n, m))]
        pairs += [(k, None) for k in range(m, n)] + [(None, k) for k in range(n, m)]
        return pairs
    similarity = [[difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() for b in new] for a in old]
    # best[i][j]: the best total similarity pairing old[i:] with new[j:], exactly min(n - i, m - j) pairs
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [similarity[i][j] + best[i + 1][j + 1]]
            if n - i > m - j:
                options.append(best[i + 1][j])
            if m - j > n - i:
                options.append(best[i][j + 1])
            best[i][j] = max(options)
    pairs, i, j = [], 0, 0
    while i < n or j < m:
        if i == n:
            pairs.append((None, j)); j += 1
        elif j == m:
            pairs.append((i, None)); i += 1
        elif n - i > m - j and best[i][j] == best[i + 1][j]:
            pairs.append((i, None)); i += 1
        elif m - j > n - i and best[i][j] == best[i][j + 1]:
            pairs.append((None, j)); j += 1
        else:
            pairs.append((i, j)); i += 1; j += 1
    return pairs


def _diff(old: list[str], new: list[str]) -> Iterator[tuple[int | None, int | None]]:
    """Every differing line of a file: (i, None) removed, (None, j) added, (i, j) changed in place."""
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "delete":
            yield from ((i, None) for i in range(i1, i2))
        elif tag == "insert":
            yield from ((None, j) for j in range(j1, j2))
        elif tag == "replace":
            for a, b in _pair_block(old[i1:i2], new[j1:j2]):
                yield (None if a is None else i1 + a, None if b is None else j1 + b)


def collateral_lines(before: dict[str, bytes], after: dict[str, bytes],
                     path_map: dict[str, str]) -> list[tuple[str, str]]:
    """(path after, "-line" or "+line") for every line removed or added without a counterpart.

    `path_map` maps the old path of each moved file to its new path; files not in it are
    looked for at the same path. Files present on one side only are not counted (files the
    tool created, files it deleted), nor README.md.
    """
    found = []
    for path, old, new in _file_pairs(before, after, path_map):
        for i, j in _diff(old, new):
            if j is None:
                found.append((path, "-" + old[i]))
            elif i is None:
                found.append((path, "+" + new[j]))
    return found


def changed_line_pairs(before: dict[str, bytes], after: dict[str, bytes],
                       path_map: dict[str, str]) -> list[tuple[str, Pair]]:
    """(path after, Pair) for every line changed in place (counterparts of each other)."""
    found = []
    for path, old, new in _file_pairs(before, after, path_map):
        for i, j in _diff(old, new):
            if i is not None and j is not None:
                found.append((path, Pair(i, old[i], j, new[j])))
    return found
