"""Benchmark: organize-backend against plain rope, ten moves of widely imported modules.

    python bench/run.py [--sizes 100,400,1600] [--moves 10] [--out bench/results/latest.json]

For each size N, a flat workspace of N generated modules (bench/generate.py) is made twice.
The moves are `core_0000.py -> services/core_0000.py`, `core_0001.py -> data/core_0001.py`,
... alternating: the core modules are the ones most of the workspace imports.

* engine: organize-backend's pipeline in a fresh process, configured by an
  `organize-backend.toml` with `layout = "none"` and one `[[tool.organize-backend.move]]`
  per move; timed end to end and stage by stage (snapshot, plan, compute, apply).
* baseline: plain rope as a user would write it, in a fresh process that never imports
  organize_backend: `Project(root)` with default
  prefs, the two packages created through rope, then one `MoveModule(...).get_changes()`
  and `project.do()` per module.

Each process reports its peak resident memory (`ru_maxrss`), plus that of its largest
child (the engine forks one to share the import pass between two cores). Afterwards both
workspaces are checked: every import must resolve and both must hold the same Python files
(the import styles differ on purpose, so bytes are not compared). Exit status 1 when a
check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))  # for `generate`, next to this script

from generate import CORE_MODULES, generate  # noqa: E402

PACKAGES = ("services", "data")
TOOL_FOLDERS = {".ropeproject", ".organize-backend", "__pycache__"}  # written by the tools, not the user's


def planned_moves(count: int) -> list[tuple[str, str]]:
    if not 0 < count <= CORE_MODULES:
        raise SystemExit(f"--moves must be between 1 and {CORE_MODULES}")
    moves = []
    for index in range(count):
        name = f"core_{index:04d}.py"
        moves.append((name, f"{PACKAGES[index % len(PACKAGES)]}/{name}"))
    return moves


def config_text(moves: list[tuple[str, str]]) -> str:
    lines = ["[tool.organize-backend]", 'layout = "none"', ""]
    for source, destination in moves:
        lines += ["[[tool.organize-backend.move]]", f'from = "{source}"', f'to = "{destination}"', ""]
    return "\n".join(lines)


def peak_mb() -> float:
    """Peak resident memory of this process plus its largest child (the engine forks a helper
    for the import pass). Shared pages count twice: an upper bound, on purpose."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # KiB on Linux


# --- the two children: each runs in a fresh process and prints one JSON line --------------


def child_engine(root: Path) -> dict:
    started = time.perf_counter()
    from organize_backend.pipeline import compute, open_workspace, plan_organize
    from organize_backend.sinks.disk import apply_changes
    imported = time.perf_counter()

    stages = {}
    clock = time.perf_counter()
    workspace = open_workspace(root)
    stages["snapshot"], clock = time.perf_counter() - clock, time.perf_counter()
    plan = plan_organize(workspace)
    stages["plan"], clock = time.perf_counter() - clock, time.perf_counter()
    changes = compute(workspace, plan)
    stages["compute"], clock = time.perf_counter() - clock, time.perf_counter()
    apply_changes(changes)
    stages["apply"] = time.perf_counter() - clock
    finished = time.perf_counter()
    return {
        "seconds": finished - imported,
        "import_seconds": imported - started,
        "stages": stages,
        "moves_planned": len(plan.moves),
        "peak_mb": peak_mb(),
    }


def child_baseline(root: Path, moves: list[tuple[str, str]]) -> dict:
    started = time.perf_counter()
    from rope.base.project import Project
    from rope.refactor.move import MoveModule
    imported = time.perf_counter()

    project = Project(str(root))
    for package in dict.fromkeys(destination.split("/")[0] for _, destination in moves):
        project.root.create_folder(package).create_file("__init__.py")
    per_move = []
    for source, destination in moves:
        clock = time.perf_counter()
        folder = project.get_resource(destination.rsplit("/", 1)[0])
        changes = MoveModule(project, project.get_resource(source)).get_changes(folder)
        project.do(changes)
        per_move.append(time.perf_counter() - clock)
    project.close()
    finished = time.perf_counter()
    if any(name == "organize_backend" or name.startswith("organize_backend.") for name in sys.modules):
        raise SystemExit("the baseline imported organize_backend: its rope patches would skew the baseline")
    return {
        "seconds": finished - imported,
        "import_seconds": imported - started,
        "per_move_seconds": per_move,
        "peak_mb": peak_mb(),
    }


def run_child(kind: str, root: Path, moves: list[tuple[str, str]]) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--root", str(root),
               "--moves", str(len(moves))]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed on {root} (exit {done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- checking and comparing the results --------------------------------------------------


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file the user owns under `root` (the tools' own folders left out), by posix path."""
    files = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in TOOL_FOLDERS)
        for name in names:
            path = Path(folder, name)
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def python_files(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path.endswith(".py")}


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> dict:
    """Files written (new path or new bytes) and paths that no longer exist."""
    written = sorted(path for path, data in after.items() if before.get(path) != data)
    removed = sorted(path for path in before if path not in after)
    return {"written": written, "removed": removed}


def verify(before: dict[str, bytes], engine: dict[str, bytes], baseline: dict[str, bytes],
           moves: list[tuple[str, str]]) -> dict:
    from organize_backend.verify import find_unresolved_imports

    problems = []
    unresolved = {}
    for name, files in (("before", before), ("engine", engine), ("baseline", baseline)):
        found = find_unresolved_imports(files, [""])
        unresolved[name] = len(found)
        if found:
            shown = "; ".join(str(problem) for problem in found[:5])
            problems.append(f"{name}: {len(found)} unresolved import(s), e.g. {shown}")
    only_engine = sorted(set(engine) - set(baseline))
    only_baseline = sorted(set(baseline) - set(engine))
    if only_engine or only_baseline:
        problems.append(f"file paths differ: only in engine {only_engine[:10]}, only in baseline {only_baseline[:10]}")
    for source, destination in moves:
        for name, files in (("engine", engine), ("baseline", baseline)):
            if source in files or destination not in files:
                problems.append(f"{name}: {source} was not moved to {destination}")
    engine_changes = changed_files(before, engine)
    baseline_changes = changed_files(before, baseline)
    if engine_changes != baseline_changes:
        problems.append(
            "changed files differ: engine only "
            f"{sorted(set(engine_changes['written']) - set(baseline_changes['written']))[:10]}, baseline only "
            f"{sorted(set(baseline_changes['written']) - set(engine_changes['written']))[:10]}"
        )
    return {
        "ok": not problems,
        "problems": problems,
        "unresolved_imports": unresolved,
        "python_files": {"engine": len(engine), "baseline": len(baseline)},
        "files_written": {"engine": len(engine_changes["written"]), "baseline": len(baseline_changes["written"])},
        "files_removed": {"engine": len(engine_changes["removed"]), "baseline": len(baseline_changes["removed"])},
    }


# --- one size --------------------------------------------------------------------------


def bench_size(size: int, moves: list[tuple[str, str]], scratch: Path) -> dict:
    pristine = generate(scratch / f"generated-{size}", size)
    engine_root, baseline_root = scratch / f"engine-{size}", scratch / f"baseline-{size}"
    shutil.copytree(pristine, engine_root)
    shutil.copytree(pristine, baseline_root)
    (engine_root / "organize-backend.toml").write_text(config_text(moves))
    before = read_tree(pristine)

    engine = run_child("engine", engine_root, moves)
    baseline = run_child("baseline", baseline_root, moves)

    engine_tree, baseline_tree = read_tree(engine_root), read_tree(baseline_root)
    check = verify(python_files(before), python_files(engine_tree), python_files(baseline_tree), moves)
    config_after = engine_tree.get("organize-backend.toml", b"").decode()
    check["engine_rewrote_its_config"] = config_after != config_text(moves)
    for root in (pristine, engine_root, baseline_root):
        shutil.rmtree(root, ignore_errors=True)
    return {
        "size": size,
        "megabytes": round(sum(map(len, before.values())) / 1e6, 2),
        "moves": len(moves),
        "engine": engine,
        "baseline": baseline,
        "ratio": baseline["seconds"] / engine["seconds"],
        "verify": check,
    }


# --- output ------------------------------------------------------------------------------


def print_table(results: list[dict]) -> None:
    header = (f"{'modules':>7}  {'engine s':>9}  {'rope s':>9}  {'ratio':>7}  "
              f"{'engine MB':>9}  {'rope MB':>8}  {'files changed':>15}  check")
    print(header)
    print("-" * len(header))
    for row in results:
        written = row["verify"]["files_written"]
        changed = f"{written['engine']} / {written['baseline']}"
        print(f"{row['size']:>7}  {row['engine']['seconds']:>9.2f}  {row['baseline']['seconds']:>9.2f}  "
              f"{row['ratio']:>6.1f}x  {row['engine']['peak_mb']:>9.0f}  {row['baseline']['peak_mb']:>8.0f}  "
              f"{changed:>15}  {'ok' if row['verify']['ok'] else 'FAILED'}")
    print("\nfiles changed = Python files written (moved, edited or created): engine / rope")
    print("engine stages (s):")
    for row in results:
        stages = "  ".join(f"{name} {seconds:.2f}" for name, seconds in row["engine"]["stages"].items())
        print(f"{row['size']:>7}  {stages}   (imports, not timed: {row['engine']['import_seconds']:.2f})")


def machine() -> dict:
    import rope

    return {
        "python": platform.python_version(),
        "rope": rope.VERSION,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,400,1600", help="comma-separated module counts")
    parser.add_argument("--moves", type=int, default=10, help="how many core modules to move")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "latest.json")
    parser.add_argument("--child", choices=("engine", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    moves = planned_moves(args.moves)

    if args.child == "engine":
        print(json.dumps(child_engine(args.root)))
        return 0
    if args.child == "baseline":
        print(json.dumps(child_baseline(args.root, moves)))
        return 0

    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if any(size < args.moves for size in sizes):
        raise SystemExit("every size must hold at least as many modules as there are moves")
    results = []
    with tempfile.TemporaryDirectory(prefix="organize-bench-") as scratch:
        for size in sizes:
            print(f"{size} modules ...", file=sys.stderr, flush=True)
            row = bench_size(size, moves, Path(scratch))
            results.append(row)
            for problem in row["verify"]["problems"]:
                print(f"!!! {size} modules: {problem}", file=sys.stderr, flush=True)
    print_table(results)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "moves": [list(move) for move in moves], "results": results}
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults written to {args.out}")
    failed = [row["size"] for row in results if not row["verify"]["ok"]]
    if failed:
        print(f"VERIFICATION FAILED for {failed} modules: see 'problems' in {args.out}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
