"""The pure parts of bench/plan_ceiling.py and of the text signals it takes from bench/plan_signals.py:
logistic regression, average-linkage clustering, identifier TF-IDF."""

from __future__ import annotations

import math
import sys
from itertools import combinations
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import plan_ceiling
import plan_signals

# --- logistic regression ----------------------------------------------------------------------


def test_logistic_regression_separates_a_separable_set() -> None:
    # Together when the pair shares an import and a name word; the third signal is noise.
    rows = [[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.9, 0.8, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0],
            [0.1, 0.2, 1.0], [0.0, 0.1, 0.0]]
    labels = [True, True, True, False, False, False, False, False]
    coefficients = plan_ceiling.fit_logistic(rows, labels, [1.0] * len(rows), l2=0.01)
    predictions = [plan_ceiling.predict(coefficients, row) for row in rows]
    assert [p > 0.5 for p in predictions] == labels
    assert coefficients[1] > 0 and coefficients[2] > 0
    assert abs(coefficients[3]) < min(coefficients[1], coefficients[2])


def test_weights_count_as_repeated_pairs_and_the_intercept_is_not_penalised() -> None:
    # The same pair seen together with weight 3 and apart with weight 1: p = 3/4 whatever the penalty.
    coefficients = plan_ceiling.fit_logistic([[0.0], [0.0]], [True, False], [3.0, 1.0], l2=10.0)
    assert plan_ceiling.predict(coefficients, [0.0]) == pytest.approx(0.75, abs=1e-4)


def test_the_penalty_shrinks_the_coefficients() -> None:
    rows = [[1.0], [1.0], [1.0], [0.0], [0.0], [0.0]]
    labels = [True, True, False, False, False, True]
    weak = plan_ceiling.fit_logistic(rows, labels, [1.0] * 6, l2=0.001)
    strong = plan_ceiling.fit_logistic(rows, labels, [1.0] * 6, l2=5.0)
    assert weak[1] == pytest.approx(math.log(4), abs=0.01)  # log odds 2:1 against 1:2
    assert 0 < strong[1] < weak[1] / 2


# --- average-linkage clustering ---------------------------------------------------------------


def symmetric(size: int, known: dict[tuple[int, int], float], default: float = 1.0) -> list[list[float]]:
    matrix = [[0.0 if i == j else default for j in range(size)] for i in range(size)]
    for (i, j), distance in known.items():
        matrix[i][j] = matrix[j][i] = distance
    return matrix


def groups(labels: list[int]) -> set[frozenset[int]]:
    return {frozenset(i for i, label in enumerate(labels) if label == group) for group in set(labels)}


def test_average_linkage_cut_gives_the_two_tight_groups() -> None:
    matrix = symmetric(5, {(0, 1): 0.1, (0, 2): 0.2, (1, 2): 0.15, (3, 4): 0.3, (0, 3): 0.9, (2, 4): 0.8})
    merges = plan_ceiling.average_linkage(matrix)
    assert [height for height, _, _ in merges] == sorted(height for height, _, _ in merges)
    assert groups(plan_ceiling.cut(5, merges, 0.5)) == {frozenset({0, 1, 2}), frozenset({3, 4})}
    assert groups(plan_ceiling.cut(5, merges, 1.0)) == {frozenset(range(5))}
    assert groups(plan_ceiling.cut(5, merges, 0.05)) == {frozenset({i}) for i in range(5)}


def test_linkage_is_the_average_not_the_nearest_member() -> None:
    # 2 is close to 0 but far from 1: on average 0.6 from {0, 1}, so a cut at 0.4 leaves it alone
    # (single linkage would join it at 0.3).
    merges = plan_ceiling.average_linkage(symmetric(3, {(0, 1): 0.1, (0, 2): 0.3, (1, 2): 0.9}))
    assert merges[1][0] == pytest.approx(0.6)
    assert groups(plan_ceiling.cut(3, merges, 0.4)) == {frozenset({0, 1}), frozenset({2})}


def test_measure_learns_a_perfect_signal_leave_one_split_out() -> None:
    modules = [f"app/m{i}.py" for i in range(6)]
    truth = {module: "billing" if i < 3 else "mail" for i, module in enumerate(modules)}
    pairs = list(combinations(modules, 2))

    def case(name: str, split: str) -> plan_ceiling.CaseSignals:
        together = [truth[a] == truth[b] for a, b in pairs]
        return plan_ceiling.CaseSignals(name, split, modules, truth, dict.fromkeys(modules, "<root>"), "",
                                        [[float(t), 0.5] for t in together], together)

    cases = [case(f"{split}-{n}", split) for split in ("tune", "holdout") for n in range(2)]
    report = plan_ceiling.measure(cases, [case("blind", "holdout7")], None)
    assert set(report["splits"]) == {"tune", "holdout", "holdout7"}
    for figures in report["splits"].values():
        assert figures["learned_f1"] == pytest.approx(1.0)
        assert figures["one_group_f1"] == pytest.approx(2 * 6 / (6 + 15))  # 6 pairs together out of 15
        assert figures["oracle_f1"] == pytest.approx(1.0)


# --- identifier TF-IDF ------------------------------------------------------------------------


def test_identifier_words_split_at_underscores_and_case_changes() -> None:
    words = plan_signals.identifier_words("class HTTPServer:\n    def send_invoice(self, user_id): return self.invoice")
    assert words == {"http": 1, "server": 1, "send": 1, "invoice": 2, "user": 1}


def test_tfidf_cosine_of_two_modules_sharing_a_rare_word(tmp_path: Path) -> None:
    sources = {"billing.py": "invoice = invoice_total + shared_config\n",
               "payments.py": "invoice = shared_config\n",
               "mailer.py": "mailer = shared_config\n"}
    for name, source in sources.items():
        (tmp_path / name).write_text(source)
    words = {name: plan_signals.read_module(tmp_path / name).words for name in sources}
    vectors = plan_signals.tfidf_vectors(words)
    assert "shared" not in vectors["billing.py"] and "config" not in vectors["billing.py"]  # in every module
    invoice = (1 + math.log(2)) * math.log(3 / 2)  # twice in billing.py, in two modules of three
    total = math.log(3)  # once, in one module
    expected = invoice / math.hypot(invoice, total)
    assert plan_signals.cosine(vectors["billing.py"], vectors["payments.py"]) == pytest.approx(expected)
    assert plan_signals.cosine(vectors["billing.py"], vectors["mailer.py"]) == 0.0


def test_mutual_nearest_needs_both_ways() -> None:
    modules = ["a.py", "b.py", "c.py", "d.py"]
    similarity = {("a.py", "b.py"): 0.8, ("a.py", "c.py"): 0.1, ("b.py", "c.py"): 0.5, ("a.py", "d.py"): 0.0,
                  ("b.py", "d.py"): 0.0, ("c.py", "d.py"): 0.0}
    # c's nearest is b, but b's is a; d is similar to none
    assert plan_signals.mutual_nearest(similarity, modules) == {("a.py", "b.py")}


def test_module_text_reads_absolute_imports_and_base_classes(tmp_path: Path) -> None:
    (tmp_path / "views.py").write_text("import django.http\nfrom rest_framework import generics\nfrom . import models\n"
                                       "class InvoiceView(generics.ListAPIView, Mixin):\n    pass\n")
    text = plan_signals.read_module(tmp_path / "views.py")
    assert text.imports == {"django", "rest_framework"}
    assert text.bases == {"ListAPIView", "Mixin"}
