"""Time `organize-backend check` (find_unresolved_imports) on a generated flat backend.

    python bench/bench_check.py [--modules 1600]

Prints the time of a cold check (every file parsed), a warm one (file facts cached by
content, as in a long-running language server), and, for scale, the bare cost of
`ast.parse` on the same files: the floor a cold check cannot go below.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `generate`, next to this script

from generate import generate  # noqa: E402

from organize_backend.verify import find_unresolved_imports  # noqa: E402


def read_workspace(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*.py"))}


def parse_each(sources) -> None:
    for source in sources:
        ast.parse(source)  # each tree dropped at once, as the check does


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", type=int, default=1600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        files = read_workspace(generate(Path(scratch) / "backend", args.modules))
    size = sum(map(len, files.values())) / 1e6
    parse_floor = seconds(lambda: parse_each(files.values()))
    problems: list = []
    cold = seconds(lambda: problems.extend(find_unresolved_imports(files, [""])))
    warm = seconds(lambda: find_unresolved_imports(files, [""]))
    print(f"{len(files)} modules, {size:.1f} MB, {len(problems)} unresolved imports")
    print(f"check, cold: {cold:.3f} s   (ast.parse alone: {parse_floor:.3f} s)")
    print(f"check, warm: {warm:.3f} s   (file facts cached by content)")


if __name__ == "__main__":
    main()
