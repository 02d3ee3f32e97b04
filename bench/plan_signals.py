"""Which signals tell that maintainers put two modules in the same package.

    python bench/plan_signals.py [--mirrors /work/.mirror] [--split tune] [--json]

For every case of bench/reorgs/ (the blind split left out unless named, as in plan_quality.py)
and every pair of the flat folder's modules, the pair is *together* when the maintainers put
both in the same folder (modules that stayed form one group, as in plan_quality.py). For each
signal below, the script reports p(together | the pair has the signal) and the share of all
pairs that have it. Each case weighs the same: its pairs count 1 / (its number of pairs).

A plan gains pairwise F1 by putting a pair together when p(together) is above half the F1 it
reaches (a pair added to the plan adds 1 to the numerator's half and 1 to the denominator), so
a signal helps only where p(together) is well above the base rate *and* it covers many pairs.

Signals, all read from the parent commit:

* `import edge`: one module imports the other (the planner's import graph);
* `shared name word`: their file names share a word of three letters or more (`case_sla_service`
  and `case_ioc_service`);
* `shared rare name word`: such a word that at most max(2, 30%) of the folder's modules have;
* `same importers`, `same imports`: Jaccard similarity >= 0.5 of the modules of the folder that
  import them, or that they import;
* `changed together`: git history before the parent (at most 3,000 commits that touch the
  folder; commits touching more than 12 of its modules left out): the commits changing both,
  each weighted 1 / (modules it changes - 1), over the commits changing the less changed one, >= 0.2;
* `planned together`, `planned apart`: the tool's own plan (the planner alone, `auto` layout).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))
from organize_backend.planning.import_graph import module_graph
from plan_quality import (
    SPLITS,
    export_tree,
    find_mirror,
    group_of,
    load_cases,
    maintainer_groups,
    run_plan,
)

BASE = "all pairs (the base rate)"
HISTORY_COMMITS = 3000
LARGEST_COMMIT = 12  # modules of the folder; larger commits are reformatting or renaming sweeps


def name_words(stem: str) -> set[str]:
    return {word for word in re.sub(r"([a-z])([A-Z])", r"\1_\2", stem).lower().split("_") if len(word) > 2}


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    return len(first & second) / len(first | second) if first | second else 0.0


def changed_together(git_dir: Path, case: dict, modules: set[str]) -> dict[tuple[str, str], float]:
    log = subprocess.run(["git", "--git-dir", str(git_dir), "log", "--no-merges", "--name-only", "--format=format:@@",
                          "-n", str(HISTORY_COMMITS), case["parent"], "--", case["folder"] or "."],
                         capture_output=True, text=True, check=False).stdout
    together: Counter = Counter()
    changes: Counter = Counter()
    for commit in log.split("@@"):
        touched = sorted({line for line in commit.splitlines() if line in modules})
        changes.update(touched)
        if 2 <= len(touched) <= LARGEST_COMMIT:
            for pair in combinations(touched, 2):
                together[pair] += 1 / (len(touched) - 1)
    return {pair: weight / max(1, min(changes[pair[0]], changes[pair[1]])) for pair, weight in together.items()}


def pair_signals(case: dict, workspace: Path, git_dir: Path, plan: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    truth = maintainer_groups(case)
    folder = case["folder"]
    files = {str(path.relative_to(workspace)): path.read_bytes() for path in workspace.rglob("*.py") if path.is_file()}
    package = PurePosixPath(folder).name if f"{folder}/__init__.py".lstrip("/") in files else None
    graph = module_graph(files, folder, package)
    stem = {module: PurePosixPath(module).stem for module in truth}
    words = {module: name_words(stem[module]) for module in truth}
    frequency = Counter(word for module in truth for word in words[module])
    rare = max(2, 0.3 * len(truth))
    history = changed_together(git_dir, case, set(truth))
    planned = {module: group_of(plan.get(module, module), folder) for module in truth}
    signals = {}
    for first, second in combinations(sorted(truth), 2):
        a, b = stem[first], stem[second]
        shared = words[first] & words[second]
        found = [BASE]
        found += ["import edge"] if b in graph.imports.get(a, ()) or a in graph.imports.get(b, ()) else []
        found += ["shared name word"] if shared else []
        found += ["shared rare name word"] if any(frequency[word] <= rare for word in shared) else []
        found += ["same importers"] if jaccard(graph.importers.get(a, frozenset()),
                                               graph.importers.get(b, frozenset())) >= 0.5 else []
        found += ["same imports"] if jaccard(graph.imports.get(a, frozenset()),
                                             graph.imports.get(b, frozenset())) >= 0.5 else []
        found += ["changed together"] if history.get((first, second), 0.0) >= 0.2 else []
        found += ["planned together"] if planned[first] == planned[second] else ["planned apart"]
        signals[(first, second)] = found
    return signals


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="p(together) of module pairs, per signal.")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    together: defaultdict[str, float] = defaultdict(float)
    weight: defaultdict[str, float] = defaultdict(float)
    cases = 0
    for case in load_cases(args.split, []):
        git_dir = find_mirror(args.mirrors, case)
        if git_dir is None:
            continue
        truth = maintainer_groups(case)
        with tempfile.TemporaryDirectory(prefix="plan-signals-") as scratch:
            workspace = Path(scratch) / "workspace"
            export_tree(git_dir, case["parent"], workspace)
            try:
                plan = run_plan(sys.executable, workspace, case["folder"], 600, False)
            except RuntimeError:
                plan = {}  # a plan that fails moves nothing
            signals = pair_signals(case, workspace, git_dir, plan)
        cases += 1
        for pair, found in signals.items():
            for signal in found:
                together[signal] += (truth[pair[0]] == truth[pair[1]]) / len(signals)
                weight[signal] += 1 / len(signals)
        print(f"  {case['name']}: {len(signals)} pairs", file=sys.stderr, flush=True)
    rows = {signal: {"p_together": together[signal] / weight[signal], "share_of_pairs": weight[signal] / cases}
            for signal in weight}
    if args.json:
        print(json.dumps({"cases": cases, "signals": rows}, indent=2))
        return 0
    print(f"{cases} cases; each case weighs the same\n")
    print(f"{'signal':<28} p(together)  share of pairs")
    for signal, row in sorted(rows.items(), key=lambda item: -item[1]["share_of_pairs"]):
        print(f"{signal:<28} {row['p_together']:>11.2f}  {row['share_of_pairs']:>14.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
