"""The plan report (seed 000, phase 1): what moves where and why, what stays and why."""

from __future__ import annotations

from collections import Counter
from typing import Any

from organize_backend.model import Category, ChangeSet, Plan


def plan_as_data(plan: Plan, changes: ChangeSet | None) -> dict[str, Any]:
    return {
        "moves": [{"from": m.source, "to": m.destination, "reason": m.reason} for m in plan.moves],
        "kept": [{"path": k.path, "reason": k.reason} for k in plan.kept],
        "new_packages": list(plan.new_packages),
        "hazards": [{"path": h.path, "line": h.line, "kind": h.kind, "message": h.message} for h in plan.hazards],
        "notes": list(plan.notes),
        "changes": change_counts(changes) if changes is not None else None,
        "not_in_place": list(changes.warnings) if changes is not None else [],
    }


def change_counts(changes: ChangeSet) -> dict[str, int]:
    """How many files each kind of change touches ("imports": files whose imports change)."""
    counts: Counter[str] = Counter()
    for change in changes.files:
        for category in set(change.categories):
            counts[category.value] += 1
        if change.moved:
            counts[Category.MOVE.value] += 1
        if change.new_path is None:
            counts["deleted"] += 1
    counts["removed_folders"] = len(changes.removed_dirs)
    return dict(sorted(counts.items()))


def render_plan(plan: Plan, changes: ChangeSet | None) -> str:
    lines = [f"Moves ({len(plan.moves)}):"]
    width = max((len(m.source) for m in plan.moves), default=0)
    lines += [f"  {m.source:<{width}} -> {m.destination}   ({m.reason})" for m in plan.moves] or ["  none"]
    lines.append(f"Stay in place ({len(plan.kept)}):")
    lines += [f"  {k.path}   ({k.reason})" for k in plan.kept] or ["  none"]
    lines.append(f"New packages ({len(plan.new_packages)}): " + (", ".join(f"{p}/" for p in plan.new_packages) or "none"))
    if plan.hazards:
        lines.append(f"Hazards ({len(plan.hazards)}):")
        lines += [f"  {h.path}:{h.line}: {h.kind}: {h.message}" for h in plan.hazards]
    if changes is not None:
        counts = change_counts(changes)
        lines.append(
            "Changes: {move} files move, imports change in {imports} files, {strings} files get string "
            "references updated, {config} config files and {docs} docs updated, {package} __init__.py created".format(
                **{key: counts.get(key, 0) for key in ("move", "imports", "strings", "config", "docs", "package")}
            )
        )
    if changes is not None and changes.warnings:
        lines.append(f"Not in place ({len(changes.warnings)}): imports that could not keep their form")
        lines += [f"  {warning}" for warning in changes.warnings]
    if plan.notes:
        lines.append("Notes:")
        lines += [f"  {note}" for note in plan.notes]
    return "\n".join(lines)
