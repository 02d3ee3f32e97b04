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
* `similar identifiers`: the TF-IDF cosine of the words of their identifiers is >= 0.2 (every
  identifier-like word of the source, comments and strings included, split at `_` and case changes,
  lower-cased, three letters or more, a few generic ones such as `self` or `name` left out; tf
  is 1 + log(count), idf log(modules / modules with the word), a word in every module dropped);
* `mutual nearest identifiers`: each is the other's most similar module of the folder by that cosine;
* `rare shared import`: both import (absolutely) the same top-level package, one that at most
  max(2, 30%) of the folder's modules import;
* `rare shared base class`: both define a class derived from the same base (last dotted name;
  `object` and `Exception` left out), one that at most max(2, 30%) of the modules use;
* `planned together`, `planned apart`: the tool's own plan (the planner alone, `auto` layout).

`pair_features` gives the same signals as numbers (the Jaccard similarities, the history weight
and the cosine unrounded); `plan_ceiling.py` combines them.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))
from organize_backend.planning.import_graph import module_graph
from plan_quality import (
    ROOT_GROUP,
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


# --- what a module's text says -------------------------------------------------------------

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
WORD_PART = re.compile(r"[A-Za-z][a-z0-9]+|[A-Z]+(?![a-z])")  # HTTPServer -> HTTP, Server; user_id -> user
GENERIC_WORDS = frozenset({"self", "cls", "none", "true", "false", "return", "import", "from", "def", "class", "the",
                           "and", "for", "not", "with", "str", "int", "list", "dict", "get", "set", "len", "args",
                           "kwargs", "init", "value", "name", "data", "type"})
COMMON_BASES = frozenset({"object", "Exception"})  # shared by unrelated classes everywhere
SIMILAR_IDENTIFIERS = 0.2  # cosine; about twice the base rate of together above it


@dataclass(frozen=True)
class ModuleText:
    words: Counter  # identifier words and their counts
    imports: frozenset[str]  # top-level packages imported absolutely
    bases: frozenset[str]  # base classes of its classes, last dotted name


def identifier_words(source: str) -> Counter:
    words: Counter = Counter()
    for identifier in IDENTIFIER.findall(source):
        words.update(word for word in map(str.lower, WORD_PART.findall(identifier))
                     if len(word) > 2 and word not in GENERIC_WORDS)
    return words


def read_module(path: Path) -> ModuleText:
    """A module's words, absolute imports and base classes; a file that is missing or does not
    parse still gives its words (or nothing)."""
    try:
        source = path.read_text(errors="replace")
    except OSError:
        return ModuleText(Counter(), frozenset(), frozenset())
    imports, bases = set(), set()
    try:
        nodes = ast.walk(ast.parse(source))
    except (SyntaxError, ValueError):
        nodes = iter(())
    for node in nodes:
        if isinstance(node, ast.Import):
            imports.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imports.add(node.module.split(".")[0])
        elif isinstance(node, ast.ClassDef):
            bases.update(ast.unparse(base).split(".")[-1] for base in node.bases)
    return ModuleText(identifier_words(source), frozenset(imports), frozenset(bases))


def tfidf_vectors(words: dict[str, Counter]) -> dict[str, dict[str, float]]:
    """Unit TF-IDF vectors of the modules' words, idf over these modules; a word every module has
    weighs nothing and is dropped."""
    modules = len(words)
    frequency = Counter(word for counts in words.values() for word in counts)
    vectors = {}
    for module, counts in words.items():
        vector = {word: (1 + math.log(count)) * math.log(modules / frequency[word])
                  for word, count in counts.items() if frequency[word] < modules}
        norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
        vectors[module] = {word: weight / norm for word, weight in vector.items()}
    return vectors


def cosine(first: dict[str, float], second: dict[str, float]) -> float:
    if len(first) > len(second):
        first, second = second, first
    return sum(weight * second.get(word, 0.0) for word, weight in first.items())


def mutual_nearest(similarity: dict[tuple[str, str], float], modules: list[str]) -> set[tuple[str, str]]:
    """The pairs (sorted) in which each module is the other's most similar one (ties: the later
    name); a module similar to none has no nearest."""
    nearest = {}
    for module in modules:
        scored = [(similarity[tuple(sorted((module, other)))], other) for other in modules if other != module]
        if scored and max(scored)[0] > 0:
            nearest[module] = max(scored)[1]
    return {tuple(sorted((module, other))) for module, other in nearest.items() if nearest.get(other) == module}


def rare_in_both(first: frozenset[str], second: frozenset[str], frequency: Counter, rare: float) -> bool:
    return any(frequency[name] <= rare for name in first & second)


# --- pair signals ---------------------------------------------------------------------------


def pair_features(case: dict, workspace: Path, git_dir: Path, plan: dict[str, str]) -> dict[tuple[str, str], dict]:
    """Every signal of every pair (sorted module paths) as a number: 0/1 for the yes-no signals,
    the Jaccard similarities, the history weight and the cosine as they are."""
    truth = maintainer_groups(case)
    modules = sorted(truth)
    folder = case["folder"]
    files = {str(path.relative_to(workspace)): path.read_bytes() for path in workspace.rglob("*.py") if path.is_file()}
    package = PurePosixPath(folder).name if f"{folder}/__init__.py".lstrip("/") in files else None
    graph = module_graph(files, folder, package)
    stem = {module: PurePosixPath(module).stem for module in modules}
    words = {module: name_words(stem[module]) for module in modules}
    rare = max(2, 0.3 * len(modules))
    name_frequency = Counter(word for module in modules for word in words[module])
    text = {module: read_module(workspace / module) for module in modules}
    import_frequency = Counter(name for module in modules for name in text[module].imports)
    base_frequency = Counter(name for module in modules for name in text[module].bases - COMMON_BASES)
    vectors = tfidf_vectors({module: text[module].words for module in modules})
    similarity = {(a, b): cosine(vectors[a], vectors[b]) for a, b in combinations(modules, 2)}
    nearest = mutual_nearest(similarity, modules)
    history = changed_together(git_dir, case, set(modules))
    planned = {module: group_of(plan.get(module, module), folder) for module in modules}
    features = {}
    for first, second in combinations(modules, 2):
        a, b = stem[first], stem[second]
        features[(first, second)] = {
            "import_edge": float(b in graph.imports.get(a, ()) or a in graph.imports.get(b, ())),
            "same_imports": jaccard(graph.imports.get(a, frozenset()), graph.imports.get(b, frozenset())),
            "same_importers": jaccard(graph.importers.get(a, frozenset()), graph.importers.get(b, frozenset())),
            "changed_together": history.get((first, second), 0.0),
            "name_word": float(bool(words[first] & words[second])),
            "rare_name_word": float(rare_in_both(words[first], words[second], name_frequency, rare)),
            "identifier_similarity": similarity[(first, second)],
            "identifier_mutual_nearest": float((first, second) in nearest),
            "rare_shared_import": float(rare_in_both(text[first].imports, text[second].imports, import_frequency,
                                                     rare)),
            "rare_shared_base": float(rare_in_both(text[first].bases - COMMON_BASES, text[second].bases, base_frequency,
                                                   rare)),
            "planned_together": float(planned[first] == planned[second]),
            "planned_both_stay": float(planned[first] == ROOT_GROUP == planned[second]),
        }
    return features


def pair_signals(case: dict, workspace: Path, git_dir: Path, plan: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    """The signals each pair has, by the names the table prints."""
    return {pair: signal_names(features) for pair, features in pair_features(case, workspace, git_dir, plan).items()}


def signal_names(features: dict) -> list[str]:
    found = [BASE]
    found += ["import edge"] if features["import_edge"] else []
    found += ["shared name word"] if features["name_word"] else []
    found += ["shared rare name word"] if features["rare_name_word"] else []
    found += ["same importers"] if features["same_importers"] >= 0.5 else []
    found += ["same imports"] if features["same_imports"] >= 0.5 else []
    found += ["changed together"] if features["changed_together"] >= 0.2 else []
    found += ["similar identifiers"] if features["identifier_similarity"] >= SIMILAR_IDENTIFIERS else []
    found += ["mutual nearest identifiers"] if features["identifier_mutual_nearest"] else []
    found += ["rare shared import"] if features["rare_shared_import"] else []
    found += ["rare shared base class"] if features["rare_shared_base"] else []
    found += ["planned together"] if features["planned_together"] else ["planned apart"]
    return found


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
