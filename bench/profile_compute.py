"""Profile the engine's stages on the workload of bench/run.py, to see where the time goes.

    python bench/profile_compute.py [--modules 1600] [--moves 10] [--stage compute] [--top 15]
                                    [--out bench/results/compute.prof]

Generates the workspace, writes the same organize-backend.toml as bench/run.py, runs the
stages before `--stage` unprofiled, then that stage under cProfile, and prints the top
functions by cumulative time. The .prof file can be read again with `python -m pstats`.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate import generate  # noqa: E402
from run import config_text, planned_moves  # noqa: E402

from organize_backend.pipeline import compute, open_workspace, plan_organize  # noqa: E402
from organize_backend.sinks.disk import apply_changes  # noqa: E402

STAGES = ("snapshot", "plan", "compute", "apply")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", type=int, default=1600)
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--stage", choices=STAGES, default="compute")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--sort", default="cumulative", help="a pstats sort key: cumulative, tottime, ...")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "compute.prof")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="organize-profile-") as scratch:
        root = generate(Path(scratch) / "backend", args.modules)
        (root / "organize-backend.toml").write_text(config_text(planned_moves(args.moves)))
        steps = {
            "snapshot": lambda state: state.update(workspace=open_workspace(root)),
            "plan": lambda state: state.update(plan=plan_organize(state["workspace"])),
            "compute": lambda state: state.update(changes=compute(state["workspace"], state["plan"])),
            "apply": lambda state: apply_changes(state["changes"]),
        }
        state: dict = {}
        for name in STAGES[: STAGES.index(args.stage)]:
            steps[name](state)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.runcall(steps[args.stage], state)
        elapsed = time.perf_counter() - started

    args.out.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(args.out))
    print(f"{args.stage} on {args.modules} modules, {args.moves} moves: {elapsed:.2f} s under cProfile")
    pstats.Stats(str(args.out)).strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
