"""How far any combination of the pair signals could take pairwise F1: a learned ceiling.

    python bench/plan_ceiling.py [--mirrors /work/.mirror] [--split tune|...|holdout7] [--json]
                                 [--features import_edge,same_imports,...]

`plan_signals.py` measures each pair signal alone: p(together | the pair has it). This script asks
what the signals are worth together. For every case of bench/reorgs/ it computes the signals of
every pair of the flat folder's modules (`plan_signals.pair_features`, the one place they are
computed; the tool's own plan is one of them), then:

* a logistic regression learns p(together) from the signals, by batch gradient descent with a weak
  L2 penalty, each case weighing the same (its pairs 1 / its number of pairs), trained
  leave-one-split-out: a development split is scored with the model of the other development
  splits, the blind split (scored only when named, as in plan_quality.py) with the model of all of them;
* each case's modules are grouped by average-linkage clustering on the distance 1 - p, cut at the
  distance that gives the best mean pairwise F1 on the training cases (from `CUTS`);
* the groups are scored with plan_quality.py's pairwise F1 (its helpers load, export and score).

Per split it prints the learned grouping's F1 next to one group (all modules together, as if all
went into one package) and the planner's own plan, the chosen cut, and the *oracle cut*: for each
case the best F1 over the cuts of `ORACLE_CUTS`, chosen by looking at the maintainers' answer.
The oracle is not a result a tool could reach; it bounds what these signals and this clustering
can give, whatever the cut. If the learned figure is not clearly above the planner and one group,
no re-weighting of these signals will move the benchmark: a new signal is needed.

Each case is exported into a temporary folder and planned there (the planner alone, in this
process, without the syntax check: see `planner_destinations`); a plan the planner refuses moves
nothing (and counts so in the planner column, flagged). The run takes several minutes: every development case is needed to train, whatever
split is named.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from dataclasses import asdict, dataclass
from itertools import combinations
from operator import mul
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))
from organize_backend.model import OrganizeError
from organize_backend.pipeline import open_workspace
from organize_backend.planning.plan import make_plan
from plan_quality import (
    BLIND_SPLITS,
    ROOT_GROUP,
    SPLITS,
    export_tree,
    find_mirror,
    group_of,
    load_cases,
    maintainer_groups,
    pairwise_f1,
)
from plan_signals import pair_features

FEATURES = ("import_edge", "same_imports", "same_importers", "changed_together", "name_word", "rare_name_word",
            "identifier_similarity", "rare_shared_import", "rare_shared_base", "planned_together", "planned_both_stay")
CUTS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)  # 1.0: every module in one group
ORACLE_CUTS = tuple(step / 100 for step in range(20, 101, 2))
GRADIENT_TOLERANCE = 1e-6  # largest partial derivative of the mean loss at which descent stops
MOST_STEPS = 5000


@dataclass
class CaseSignals:
    name: str
    split: str
    modules: list[str]  # sorted; pairs in combinations(modules, 2) order
    truth: dict[str, str]
    planned: dict[str, str]
    plan_failed: str  # the planner's message, "" when it planned
    rows: list[list[float]]  # one per pair, the FEATURES chosen
    together: list[bool]


@dataclass
class CaseResult:
    case: str
    split: str
    modules: int
    learned_f1: float
    one_group_f1: float
    planner_f1: float
    oracle_f1: float
    oracle_cut: float
    plan_failed: str


# --- logistic regression --------------------------------------------------------------------


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-500.0, min(500.0, z))))


def predict(coefficients: list[float], row: list[float]) -> float:
    """p(together) of a pair; coefficients[0] is the intercept."""
    return sigmoid(coefficients[0] + sum(map(mul, coefficients[1:], row)))


def fit_logistic(rows: list[list[float]], labels: list[bool], weights: list[float], l2: float) -> list[float]:
    """Intercept and coefficients minimising sum(weight * log-loss) + l2 / 2 * |coefficients|^2 (the
    intercept unpenalised), by Nesterov-accelerated batch gradient descent with the step 1 / L (L the
    gradient's Lipschitz constant): no step size to tune, and a few hundred steps for a dozen features."""
    total = sum(weights)
    shares = [weight / total for weight in weights]  # the weighted mean: same minimum, a step size free of the data's size
    columns = [[1.0] * len(rows), *map(list, zip(*rows))]
    penalty = l2 / total
    step = 1 / (largest_eigenvalue(weighted_gram(columns, shares)) / 4 + penalty)
    coefficients = [0.0] * len(columns)
    previous = coefficients
    for number in range(1, MOST_STEPS + 1):
        momentum = (number - 1) / (number + 2)
        ahead = [c + momentum * (c - p) for c, p in zip(coefficients, previous)]
        gradient = loss_gradient(columns, rows, labels, shares, ahead, penalty)
        previous, coefficients = coefficients, [a - step * g for a, g in zip(ahead, gradient)]
        if max(map(abs, gradient)) < GRADIENT_TOLERANCE:
            break
    return coefficients


def loss_gradient(columns: list[list[float]], rows: list[list[float]], labels: list[bool], shares: list[float],
                  coefficients: list[float], penalty: float) -> list[float]:
    residuals = [share * (predict(coefficients, row) - label) for row, label, share in zip(rows, labels, shares)]
    gradient = [sum(map(mul, column, residuals)) for column in columns]
    return [gradient[0]] + [g + penalty * c for g, c in zip(gradient[1:], coefficients[1:])]


def weighted_gram(columns: list[list[float]], shares: list[float]) -> list[list[float]]:
    weighted = [list(map(mul, column, shares)) for column in columns]
    return [[sum(map(mul, first, second)) for second in columns] for first in weighted]


def largest_eigenvalue(matrix: list[list[float]], steps: int = 200) -> float:
    """Of a symmetric positive semi-definite matrix, by power iteration. It approaches the value from
    below, and a step from an underestimate can diverge: 1% is added."""
    vector = [1.0] * len(matrix)
    value = 0.0
    for _ in range(steps):
        product = [sum(map(mul, line, vector)) for line in matrix]
        norm = math.sqrt(sum(x * x for x in product))
        if norm == 0:
            return 1.0
        value = norm / math.sqrt(sum(x * x for x in vector))
        vector = [x / norm for x in product]
    return value * 1.01


# --- average-linkage clustering -------------------------------------------------------------


def average_linkage(distance: list[list[float]]) -> list[tuple[float, int, int]]:
    """The merges of agglomerative clustering with average linkage (UPGMA), in order: (height, a
    member of one cluster, a member of the other). Heights never decrease with this linkage, so a
    cut at any distance is a prefix of the merges. O(n^3): fine for the ~130 modules of a folder."""
    size = {index: 1 for index in range(len(distance))}
    between = {index: {other: distance[index][other] for other in size if other != index} for index in size}
    merges = []
    while len(size) > 1:
        height, first, second = min((d, a, b) for a, row in between.items() for b, d in row.items() if a < b)
        merges.append((height, first, second))
        for other in between[first]:
            if other != second:  # Lance-Williams: the mean over all member pairs
                merged = (size[first] * between[first][other] + size[second] * between[second][other])
                between[first][other] = between[other][first] = merged / (size[first] + size[second])
        size[first] += size.pop(second)
        for other in between.pop(second):
            if other != first:
                del between[other][second]
        del between[first][second]
    return merges


def cut(count: int, merges: list[tuple[float, int, int]], threshold: float) -> list[int]:
    """The group of each of `count` items once the merges at a height <= threshold are made."""
    parent = list(range(count))

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for height, first, second in merges:
        if height > threshold:
            break
        parent[root(second)] = root(first)
    return [root(item) for item in range(count)]


def distances(modules: list[str], probabilities: list[float]) -> list[list[float]]:
    index = {module: i for i, module in enumerate(modules)}
    matrix = [[0.0] * len(modules) for _ in modules]
    for (first, second), p in zip(combinations(modules, 2), probabilities):
        matrix[index[first]][index[second]] = matrix[index[second]][index[first]] = 1 - p
    return matrix


def grouping_f1(case: CaseSignals, merges: list[tuple[float, int, int]], threshold: float) -> float:
    groups = cut(len(case.modules), merges, threshold)
    return pairwise_f1(case.truth, {module: str(group) for module, group in zip(case.modules, groups)})


# --- the measurement ------------------------------------------------------------------------


def planner_destinations(workspace: Path, folder: str) -> tuple[dict[str, str], str]:
    """The planner's moves (module path -> new path) and, when it refuses, its message and no move.
    Made in this process without the syntax check, as the evaluation scripts make it: a folder the
    tool refuses to read whole (Python 2, or a Python newer than its own) still gets the plan its
    reading gives, so the planner's grouping stays one of the signals. plan_quality.py scores
    such a plan 0 instead."""
    try:
        workspace_read = open_workspace(workspace, {"root": folder or "."})
        plan = make_plan(workspace_read.snapshot, workspace_read.config, with_syntax_check=False)
    except OrganizeError as error:
        return {}, str(error)
    except Exception as error:  # noqa: BLE001 - a planner crash is a failed plan, as in plan_quality.py: the run goes on
        return {}, f"{type(error).__name__}: {error}"
    return {move.source: move.destination for move in plan.moves}, ""


def case_signals(case: dict, mirrors: Path, features: tuple[str, ...]) -> CaseSignals | None:
    """The case's pairs and their signals, from its parent commit exported into a temporary folder;
    None without a mirror."""
    git_dir = find_mirror(mirrors, case)
    if git_dir is None:
        return None
    truth = maintainer_groups(case)
    with tempfile.TemporaryDirectory(prefix="plan-ceiling-") as scratch:
        workspace = Path(scratch) / PurePosixPath(case["repository"]).name
        export_tree(git_dir, case["parent"], workspace)
        plan, failed = planner_destinations(workspace, case["folder"])
        signals = pair_features(case, workspace, git_dir, plan)
    known = next(iter(signals.values()), dict.fromkeys(features))
    if set(features) - set(known):
        raise SystemExit(f"plan_ceiling.py: unknown pair signal(s) {', '.join(sorted(set(features) - set(known)))}; "
                         f"known: {', '.join(known)}")
    modules = sorted(truth)
    pairs = list(combinations(modules, 2))
    return CaseSignals(case["name"], case["split"], modules, truth,
                       {module: group_of(plan.get(module, module), case["folder"]) for module in modules}, failed,
                       [[signals[pair][feature] for feature in features] for pair in pairs],
                       [truth[a] == truth[b] for a, b in pairs])


def train(cases: list[CaseSignals]) -> list[float]:
    rows = [row for case in cases for row in case.rows]
    labels = [label for case in cases for label in case.together]
    weights = [1 / len(case.rows) for case in cases for _ in case.rows]
    # Weak: it only keeps the coefficients finite where a signal separates its pairs perfectly.
    return fit_logistic(rows, labels, weights, l2=1 / len(cases))


def dendrogram(case: CaseSignals, coefficients: list[float]) -> list[tuple[float, int, int]]:
    return average_linkage(distances(case.modules, [predict(coefficients, row) for row in case.rows]))


def score_split(training: list[CaseSignals], scored: list[CaseSignals]) -> tuple[float, list[CaseResult]]:
    """The cut chosen on the training cases and each scored case's figures."""
    coefficients = train(training)
    trees = {case.name: dendrogram(case, coefficients) for case in [*training, *scored]}
    chosen = max(CUTS, key=lambda c: sum(grouping_f1(case, trees[case.name], c) for case in training))
    results = []
    for case in scored:
        oracle = max(ORACLE_CUTS, key=lambda c: grouping_f1(case, trees[case.name], c))
        results.append(CaseResult(
            case.name, case.split, len(case.modules), grouping_f1(case, trees[case.name], chosen),
            pairwise_f1(case.truth, dict.fromkeys(case.modules, ROOT_GROUP)), pairwise_f1(case.truth, case.planned),
            grouping_f1(case, trees[case.name], oracle), oracle, case.plan_failed))
    return chosen, results


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def split_figures(cut_chosen: float, results: list[CaseResult]) -> dict:
    return {"cases": len(results), "cut": cut_chosen,
            **{figure: mean([getattr(r, figure) for r in results])
               for figure in ("learned_f1", "one_group_f1", "planner_f1", "oracle_f1")}}


def measure(development: list[CaseSignals], blind: list[CaseSignals], only: str | None) -> dict:
    """Leave-one-split-out over the development splits; the blind cases with every development case."""
    splits = {}
    for split in sorted({case.split for case in [*development, *blind]}, key=SPLITS.index):
        if only and split != only:
            continue
        training = [case for case in development if case.split != split]
        scored = [case for case in [*development, *blind] if case.split == split]
        splits[split] = score_split(training, scored)
    figures = {split: split_figures(*outcome) for split, outcome in splits.items()}
    dev = [figures[split] for split in figures if split not in BLIND_SPLITS]
    summary = {figure: mean([f[figure] for f in dev]) for figure in ("learned_f1", "one_group_f1", "planner_f1",
                                                                     "oracle_f1")}
    every_case = [r for _, results in splits.values() for r in results]
    return {"splits": figures, "development_mean_by_split": summary if dev else {},
            "oracle_f1_all_cases": mean([r.oracle_f1 for r in every_case]),
            "cases": [asdict(r) for r in every_case]}


def print_report(report: dict, features: tuple[str, ...], missing: list[str]) -> None:
    print(f"features: {', '.join(features)}\n")
    print("split      cases  learned F1  one group  planner  cut   oracle cut")
    for split, f in report["splits"].items():
        print(f"{split:<9}  {f['cases']:>5}  {f['learned_f1']:>10.3f}  {f['one_group_f1']:>9.3f}  "
              f"{f['planner_f1']:>7.3f}  {f['cut']:<4}  {f['oracle_f1']:>10.3f}")
    if report["development_mean_by_split"]:
        s = report["development_mean_by_split"]
        print(f"\ndevelopment splits, mean by split: learned {s['learned_f1']:.3f}, one group {s['one_group_f1']:.3f}, "
              f"planner {s['planner_f1']:.3f}, oracle cut {s['oracle_f1']:.3f}")
    print(f"oracle cut, mean over all cases scored: {report['oracle_f1_all_cases']:.3f}")
    failed = [r["case"] for r in report["cases"] if r["plan_failed"]]
    if failed:
        print(f"\nplan failed (counted as moving nothing): {', '.join(failed)}")
    if missing:
        print(f"\n{len(missing)} case(s) without a mirror, left out: {', '.join(missing)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="The pairwise F1 that a learned combination of the pair signals "
                                                 "reaches, and its oracle-cut ceiling.")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"),
                        help="folder of git mirrors, one per repository as <owner>+<name> (default: /work/.mirror)")
    parser.add_argument("--split", choices=SPLITS,
                        help="score only this split (a blind split is scored only when named here); "
                             "the model still trains on the other development splits")
    parser.add_argument("--features", default=",".join(FEATURES),
                        help=f"comma-separated pair signals of plan_signals.pair_features (default: {','.join(FEATURES)})")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    features = tuple(args.features.split(","))
    cases = load_cases(None, []) + (load_cases(args.split, []) if args.split in BLIND_SPLITS else [])
    signals, missing = [], []
    for case in cases:
        found = case_signals(case, args.mirrors, features)
        if found is None:
            missing.append(case["name"])
        else:
            signals.append(found)
        print(f"  {case['name']}: {'missing' if found is None else f'{len(found.rows)} pairs'}", file=sys.stderr,
              flush=True)
    development = [case for case in signals if case.split not in BLIND_SPLITS]
    if not development or (args.split and not any(case.split == args.split for case in signals)):
        print("no case to train on or to score", file=sys.stderr)
        return 2
    report = measure(development, [case for case in signals if case.split in BLIND_SPLITS], args.split)
    if args.json:
        print(json.dumps({"features": features, "missing": missing, **report}, indent=2))
    else:
        print_report(report, features, missing)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
