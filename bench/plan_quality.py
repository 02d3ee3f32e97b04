"""Plan quality: the tool's plan against maintainers' own reorganizations of a flat folder.

    python bench/plan_quality.py [--mirrors /work/.mirror] [--json]
                                 [--split tune|holdout|holdout2|...|holdout7]
    python bench/plan_quality.py record OWNER/NAME COMMIT FOLDER [--parent SHA] [--target-root DIR]

Each case in bench/reorgs/*.json names a public commit in which maintainers moved the modules
of one flat folder into packages, and records where every module of that folder went (the
mapping), never the code. For each case this script exports the parent commit from a local
mirror of the repository, makes the tool's plan for `--root <folder>` there (the planner alone,
as `organize-backend plan --json` reports it; `--whole-command` runs that command itself, edits
computed too) and compares the plan with the mapping:

* pairwise grouping F1: over all pairs of the folder's modules, a pair is "together" when both
  end in the same folder. The modules left directly in the flat folder (or, for a case with a
  `target_root`, in that folder) count as one group, in the mapping as in the plan.
  F1 = 2 |together in both| / (|together in the mapping| + |together in the plan|),
  1.0 when neither has a pair.
* move/stay agreement: the fraction of modules that both moved or both stayed.

A plan that fails (non-zero exit, no JSON, timeout) scores 0 on both, with its message; the
run goes on. A case whose mirror is missing is listed as such and left out of the means.
`record` prints a new case from a mirror (renames found by `git diff -M`, then by file name).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path, PurePosixPath

BENCH = Path(__file__).resolve().parent
CASES = BENCH / "reorgs"
ROOT_GROUP = "<root>"  # the group of the modules that stay directly in the flat folder
LARGEST_FILE = 2_000_000  # bytes; larger blobs (data, archives) play no part in a plan
SPLITS = ("tune", "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "holdout7")
# Blind splits: left out of a run that names no split, so that a routine run during planner work
# cannot score them by accident; `--split holdoutN` scores them. holdout2 to holdout7 were blind until a
# session scored them (and went on tuning): they are development splits now. None is blind today:
# record holdout8 before the next planner change that is to be measured.
BLIND_SPLITS: set[str] = set()


@dataclass
class Score:
    case: str
    split: str
    modules: int
    status: str = "ok"  # ok | failed | missing
    message: str = ""
    maintainer_packages: int = 0
    plan_packages: int = 0
    maintainer_moved: int = 0
    plan_moved: int = 0
    pairwise_f1: float = 0.0
    move_stay: float = 0.0
    nothing_moves_move_stay: float = 0.0  # the trivial plan's agreement, to read the figure against
    nothing_moves_f1: float = 0.0  # and its F1: all modules in one group, as if all went into one package
    plan: dict[str, str] = field(default_factory=dict)


# --- scoring ------------------------------------------------------------------------------


def group_of(destination: str, root: str) -> str:
    folder = str(PurePosixPath(destination).parent)
    folder = "" if folder == "." else folder
    return ROOT_GROUP if folder == root else folder


def pairwise_f1(truth: dict[str, str], planned: dict[str, str]) -> float:
    """Dice over the pairs grouped together: the F1 of pair precision and pair recall."""
    together_truth = {pair for pair in combinations(sorted(truth), 2) if truth[pair[0]] == truth[pair[1]]}
    together_plan = {pair for pair in combinations(sorted(planned), 2) if planned[pair[0]] == planned[pair[1]]}
    if not together_truth and not together_plan:
        return 1.0
    return 2 * len(together_truth & together_plan) / (len(together_truth) + len(together_plan))


def maintainer_groups(case: dict) -> dict[str, str]:
    target_root = case.get("target_root", case["folder"])
    return {module: group_of(new, target_root) for module, new in case["mapping"].items()}


def new_score(case: dict) -> Score:
    """A case's score before any plan: the maintainers' side, and the empty plan's agreement."""
    truth = maintainer_groups(case)
    moved = sum(group != ROOT_GROUP for group in truth.values())
    return Score(case["name"], case["split"], len(truth), maintainer_packages=len(set(truth.values()) - {ROOT_GROUP}),
                 maintainer_moved=moved, nothing_moves_move_stay=(len(truth) - moved) / len(truth),
                 nothing_moves_f1=pairwise_f1(truth, dict.fromkeys(truth, ROOT_GROUP)))


def score_plan(case: dict, plan_destinations: dict[str, str], score: Score) -> Score:
    """Fill `score` from the plan's destinations (module path -> new path; absent: stays)."""
    truth = maintainer_groups(case)
    planned = {module: group_of(plan_destinations.get(module, module), case["folder"]) for module in truth}
    moved_truth = {module for module, group in truth.items() if group != ROOT_GROUP}
    moved_plan = {module for module, group in planned.items() if group != ROOT_GROUP}
    score.plan_packages = len(set(planned.values()) - {ROOT_GROUP})
    score.plan_moved = len(moved_plan)
    score.pairwise_f1 = pairwise_f1(truth, planned)
    score.move_stay = sum((m in moved_truth) == (m in moved_plan) for m in truth) / len(truth)
    score.plan = {module: plan_destinations[module] for module in truth if module in plan_destinations}
    return score


# --- mirrors and checkouts ----------------------------------------------------------------


def find_mirror(mirrors: Path, case: dict) -> Path | None:
    """A git directory of the case's repository (or of a recorded alternative that holds the commits)."""
    for repository in [case["repository"], *case.get("also_in", [])]:
        base = mirrors / repository.replace("/", "+")
        for candidate in (base / "repo" / ".git", base / "repo", base / ".git", base, Path(f"{base}.git")):
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir() and _has_commit(candidate, case):
                return candidate
    return None


def _has_commit(git_dir: Path, case: dict) -> bool:
    probe = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "-e", f"{case['parent']}^{{commit}}"],
                           check=False, capture_output=True)
    return probe.returncode == 0


def export_tree(git_dir: Path, sha: str, destination: Path) -> None:
    """Write the commit's files; blobs a snapshot lacks (large files) and symlinks are skipped,
    which `git archive` would refuse."""
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", "--long", sha],
                             capture_output=True, check=True).stdout.decode()
    blobs = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, object_id, size = meta.split()
        if kind == "blob" and mode != "120000" and size.isdigit() and int(size) <= LARGEST_FILE:  # "BAD": absent
            blobs.append((object_id, path))
    with tempfile.TemporaryFile() as requests:  # a file, not a pipe: git answers while it still reads
        requests.write("".join(f"{object_id}\n" for object_id, _ in blobs).encode())
        requests.seek(0)
        batch = subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                                 stdin=requests, stdout=subprocess.PIPE)
        _write_blobs(batch, blobs, destination)


def _write_blobs(batch: subprocess.Popen, blobs: list[tuple[str, str]], destination: Path) -> None:
    for object_id, path in blobs:
        header = batch.stdout.readline().split()
        if header[-1] == b"missing":
            continue
        content = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)  # the newline after each object
        target = destination / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    batch.wait()


# The planner alone, as `plan --json` prints it but without computing the edits: the score needs
# only the moves, and a slow or failing edit computation says nothing about the plan's quality.
PLAN_ONLY = """
import json, sys
from organize_backend.model import OrganizeError
from organize_backend.pipeline import open_workspace, plan_organize
from organize_backend.report import plan_as_data
try:
    layout = {"layout": sys.argv[3]} if sys.argv[3:] else {}
    workspace = open_workspace(sys.argv[1], {"root": sys.argv[2]}, flags=layout)
    print(json.dumps(plan_as_data(plan_organize(workspace), None)))
except OrganizeError as error:
    sys.exit(f"organize-backend: {error}")
"""


def run_plan(python: str, workspace: Path, folder: str, timeout: float, whole_command: bool,
             layout: str | None = None) -> dict[str, str]:
    """The plan's destinations, module path -> new path; raises RuntimeError with the tool's message.
    `whole_command`: run `organize-backend plan --json` itself, which also computes the edits."""
    root = folder or "."  # named even for the workspace's own folder: left out, the tool guesses one
    if whole_command:
        command = [python, "-m", "organize_backend", "plan", str(workspace), "--json", "--root", root]
        command += ["--layout", layout] if layout else []
    else:
        command = [python, "-c", PLAN_ONLY, str(workspace), root, *([layout] if layout else [])]
    try:
        result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {timeout:.0f} s") from None
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise RuntimeError(f"exit {result.returncode}: {lines[-1] if lines else 'no output'}")
    try:
        plan = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise RuntimeError("the plan printed no JSON") from None
    return {move["from"]: move["to"] for move in plan["moves"]}


def score_case(case: dict, mirrors: Path, python: str, timeout: float, whole_command: bool,
               layout: str | None = None) -> Score:
    score = new_score(case)
    git_dir = find_mirror(mirrors, case)
    if git_dir is None:
        score.status = "missing"
        score.message = f"no mirror of {case['repository']} with {case['parent'][:10]} under {mirrors}"
        return score
    with tempfile.TemporaryDirectory(prefix="plan-quality-") as scratch:
        workspace = Path(scratch) / PurePosixPath(case["repository"]).name
        export_tree(git_dir, case["parent"], workspace)
        try:
            destinations = run_plan(python, workspace, case["folder"], timeout, whole_command, layout)
            return score_plan(case, destinations, score)
        except RuntimeError as error:
            score.status, score.message = "failed", str(error)
            return score


# --- report -------------------------------------------------------------------------------


def load_cases(split: str | None, names: list[str]) -> list[dict]:
    cases = []
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text()) | {"name": path.stem}
        chosen = case["split"] == split if split else case["split"] not in BLIND_SPLITS
        if chosen and (not names or any(n in path.stem for n in names)):
            cases.append(case)
    return cases


def means(scores: list[Score]) -> dict[str, dict[str, float | int]]:
    """Mean per split and over all, over the cases that ran (a failed plan counts as 0)."""
    result = {}
    for split in sorted({s.split for s in scores}) + ["all"]:
        chosen = [s for s in scores if s.status != "missing" and split in ("all", s.split)]
        if chosen:
            result[split] = {
                "cases": len(chosen),
                "failed": sum(s.status == "failed" for s in chosen),
                "pairwise_f1": sum(s.pairwise_f1 for s in chosen) / len(chosen),
                "move_stay": sum(s.move_stay for s in chosen) / len(chosen),
                "nothing_moves_move_stay": sum(s.nothing_moves_move_stay for s in chosen) / len(chosen),
                "nothing_moves_f1": sum(s.nothing_moves_f1 for s in chosen) / len(chosen),
            }
    return result


def print_table(scores: list[Score]) -> None:
    width = max(len(s.case) for s in scores)
    print(f"{'case':<{width}}  split    mods  pkgs m/p  moved m/p    F1  move/stay  (nothing moves: F1, move/stay)")
    for s in scores:
        if s.status == "missing":
            print(f"{s.case:<{width}}  {s.split:<7}  {s.modules:>4}  MISSING: {s.message}")
            continue
        print(f"{s.case:<{width}}  {s.split:<7}  {s.modules:>4}  {s.maintainer_packages:>4}/{s.plan_packages:<3}"
              f"  {s.maintainer_moved:>5}/{s.plan_moved:<4}  {s.pairwise_f1:.2f}  {s.move_stay:>9.2f}"
              f"  ({s.nothing_moves_f1:.2f}, {s.nothing_moves_move_stay:.2f})"
              + (f"  FAILED: {s.message}" if s.status == "failed" else ""))
    print()
    for split, figures in means(scores).items():
        print(f"mean {split:<8} {figures['cases']:>2} cases ({figures['failed']} failed): "
              f"pairwise F1 {figures['pairwise_f1']:.2f}, move/stay {figures['move_stay']:.2f} "
              f"(nothing moves: F1 {figures['nothing_moves_f1']:.2f}, move/stay {figures['nothing_moves_move_stay']:.2f})")
    missing = [s.case for s in scores if s.status == "missing"]
    if missing:
        print(f"\n{len(missing)} case(s) without a mirror, left out of the means: {', '.join(missing)}")
        print("Get a mirror with `git clone --mirror <repository> <mirrors>/<owner>+<name>.git` (see bench/README.md).")


# --- recording a case ---------------------------------------------------------------------


def record(git_dir: Path, repository: str, commit: str, folder: str, parent: str | None,
           target_root: str | None) -> dict:
    """A case: where each module of `folder` at the parent went in `commit`. A module git sees as
    deleted is matched to a file added under the same name, if exactly one was; else it is listed
    as deleted."""
    def git(*arguments: str) -> str:
        return subprocess.run(["git", "--git-dir", str(git_dir), *arguments], capture_output=True, text=True,
                              check=True).stdout

    commit = git("rev-parse", commit).strip()
    parent = git("rev-parse", parent or f"{commit}^").strip()
    prefix = f"{folder}/" if folder else ""
    modules = [path for path in git("ls-tree", "--name-only", parent, prefix or ".").splitlines()
               if path.endswith(".py") and PurePosixPath(path).name != "__init__.py"]
    renamed, deleted, added = {}, set(), []
    for line in git("-c", "diff.renameLimit=20000", "diff", "-M", "--name-status", parent, commit).splitlines():
        status, *paths = line.split("\t")
        if status.startswith("R"):
            renamed[paths[0]] = paths[1]
        elif status == "D":
            deleted.add(paths[0])
        elif status == "A":
            added.append(paths[0])
    mapping, gone = {}, []
    for module in modules:
        same_name = [path for path in added if PurePosixPath(path).name == PurePosixPath(module).name]
        if module in renamed:
            mapping[module] = renamed[module]
        elif module in deleted and len(same_name) == 1:
            mapping[module] = same_name[0]
        elif module in deleted:
            gone.append(module)
        else:
            mapping[module] = module
    subject = git("log", "-1", "--format=%s", commit).strip()
    case = {"repository": repository, "parent": parent, "commit": commit, "subject": subject, "folder": folder}
    if target_root is not None:
        case["target_root"] = target_root
    return case | {"split": "", "mapping": mapping, "deleted": gone, "notes": ""}


# --- command line -------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if argv[:1] == ["record"]:
        return _record_command(argv[1:])
    parser = argparse.ArgumentParser(description="Score the tool's plans against maintainers' reorganizations.")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"),
                        help="folder of git mirrors, one per repository as <owner>+<name> (default: /work/.mirror)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter that has organize_backend")
    parser.add_argument("--split", choices=SPLITS,
                        help="only the cases of this split (a blind split is scored only when named here)")
    parser.add_argument("--case", action="append", default=[], help="only cases whose name contains this")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per plan (default: 600)")
    parser.add_argument("--json", action="store_true", help="print the scores and means as JSON")
    parser.add_argument("--layout", choices=("auto", "skill", "layered"),
                        help="the layout to plan with (default: the tool's default)")
    parser.add_argument("--whole-command", action="store_true",
                        help="run `organize-backend plan --json`, which also computes the edits (slower; a failing "
                             "edit computation then scores 0)")
    args = parser.parse_args(argv)
    scores = []
    for case in load_cases(args.split, args.case):
        scores.append(score_case(case, args.mirrors, args.python, args.timeout, args.whole_command, args.layout))
        if not args.json:
            print(f"  {case['name']}: {scores[-1].status}", file=sys.stderr, flush=True)
    if not scores:
        print("no case matches", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"cases": [asdict(s) for s in scores], "means": means(scores)}, indent=2))
    else:
        print_table(scores)
    return 0


def _record_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="plan_quality.py record", description="Print a new case as JSON.")
    parser.add_argument("repository", help="owner/name")
    parser.add_argument("commit", help="the reorganization commit")
    parser.add_argument("folder", help='the flat folder, relative to the repository ("" for its root)')
    parser.add_argument("--parent", help="the commit to compare with (default: the commit's first parent)")
    parser.add_argument("--target-root", help="the folder that takes the flat folder's place afterwards")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    args = parser.parse_args(argv)
    probe = {"repository": args.repository, "parent": args.parent or args.commit}
    git_dir = find_mirror(args.mirrors, probe)
    if git_dir is None:
        print(f"no mirror of {args.repository} under {args.mirrors}", file=sys.stderr)
        return 2
    case = record(git_dir, args.repository, args.commit, args.folder.strip("/"), args.parent, args.target_root)
    print(json.dumps(case, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
