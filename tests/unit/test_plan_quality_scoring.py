"""The benchmark's scoring (bench/plan_quality.py): pairwise grouping F1 and move/stay agreement."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import plan_quality

# Maintainers kept main.py, put the two billing modules together and the two mail modules together.
CASE = {"name": "shop", "split": "tune", "folder": "app", "mapping": {
    "app/main.py": "app/main.py",
    "app/invoices.py": "app/billing/invoices.py", "app/payments.py": "app/billing/payments.py",
    "app/mailer.py": "app/mail/mailer.py", "app/templates.py": "app/mail/templates.py",
}}


def scored(destinations: dict[str, str]) -> plan_quality.Score:
    return plan_quality.score_plan(CASE, destinations, plan_quality.new_score(CASE))


def test_the_maintainers_own_grouping_scores_one_whatever_the_names() -> None:
    score = scored({"app/invoices.py": "app/core/invoices.py", "app/payments.py": "app/core/payments.py",
                    "app/mailer.py": "app/notify/mailer.py", "app/templates.py": "app/notify/templates.py"})
    assert (score.pairwise_f1, score.move_stay) == (1.0, 1.0)


def test_one_package_for_everything_moved_keeps_the_recall_and_loses_precision() -> None:
    score = scored({m: m.replace("app/", "app/core/") for m in CASE["mapping"] if m != "app/main.py"})
    # together in the plan: 6 pairs of 4 modules; in the mapping: 2 pairs, both among them
    assert score.pairwise_f1 == pytest.approx(2 * 2 / (2 + 6))
    assert score.move_stay == 1.0


def test_the_plan_that_moves_nothing_is_the_baseline_of_both_figures() -> None:
    score = scored({})
    assert score.pairwise_f1 == score.nothing_moves_f1 == pytest.approx(2 * 2 / (2 + 10))  # all 5 in one group
    assert score.move_stay == score.nothing_moves_move_stay == pytest.approx(1 / 5)
