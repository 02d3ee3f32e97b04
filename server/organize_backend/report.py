"""The plan report (seed 000, phase 1): what moves where and why, what stays and why."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from organize_backend.model import Category, ChangeSet, Plan, Suggestion
from organize_backend.planning.import_graph import edges_in_cycles, import_cycles


def plan_as_data(plan: Plan, changes: ChangeSet | None) -> dict[str, Any]:
    return {
        "moves": [{"from": m.source, "to": m.destination, "reason": m.reason} for m in plan.moves],
        "kept": [{"path": k.path, "reason": k.reason} for k in plan.kept],
        "new_packages": list(plan.new_packages),
        "hazards": [{"path": h.path, "line": h.line, "kind": h.kind, "message": h.message} for h in plan.hazards],
        "notes": list(plan.notes),
        "organizing": plan.organizing,
        "package_imports": [{"from": _node_name(a), "to": _node_name(b)} for a, b in plan.package_imports],
        "import_cycles": [[_node_name(node) for node in cycle] for cycle in import_cycles(_between_packages(plan))],
        "mermaid": "\n".join(render_mermaid(plan)),
        "changes": change_counts(changes) if changes is not None else None,
        "not_in_place": list(changes.warnings) if changes is not None else [],
        "review": [_review_entry(suggestion) for suggestion in changes.suggestions()] if changes is not None else [],
    }


def _review_entry(suggestion: Suggestion) -> dict[str, Any]:
    current, suggested = _changed_part(suggestion)
    return {"path": suggestion.path, "line": suggestion.line, "current": current, "suggested": suggested}


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
    lines = [f"Organizing {plan.organizing}"] if plan.organizing else []
    lines.append(f"Moves ({len(plan.moves)}):")
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
        lines.append(f"Not in place ({len(changes.warnings)}): where the change could not keep the file's form")
        lines += [f"  {warning}" for warning in changes.warnings]
    if changes is not None:
        lines += render_review(changes)
    if plan.notes:
        lines.append("Notes:")
        lines += [f"  {note}" for note in plan.notes]
    if plan.package_imports:
        lines.append("Imports between packages after the moves (A --> B: A imports B):")
        lines += ["```mermaid", *render_mermaid(plan), "```"]
        lines += [f"Import cycle: {' -> '.join(_node_name(node) for node in cycle)}"
                  for cycle in import_cycles(_between_packages(plan))]
    return "\n".join(lines)


ROOT_NODE = "root modules"  # the modules left directly in the organized folder


def render_mermaid(plan: Plan) -> list[str]:
    """The packages and the imports between them as a Mermaid flowchart, without the fence.
    Edges inside an import cycle between packages are red and dashed. The modules left at the
    root are one node, left out of the cycles: entry points there import the packages whose
    modules import the root's leftovers (config), which is no cycle between packages."""
    if not plan.package_imports:
        return []
    nodes = sorted({node for pair in plan.package_imports for node in pair} | set(plan.packages_after))
    ids = {node: f"pkg_{node}" if node else "root" for node in nodes}  # prefixed: `end` is a Mermaid word
    lines = ["graph LR"]
    lines += [f'    {ids[node]}["{_node_name(node)}"]' for node in nodes]
    lines += [f"    {ids[a]} --> {ids[b]}" for a, b in plan.package_imports]
    cyclic = edges_in_cycles(_between_packages(plan))
    marked = [str(index) for index, pair in enumerate(plan.package_imports) if pair in cyclic]
    if marked:
        lines.append(f"    linkStyle {','.join(marked)} stroke:red,stroke-width:2px,stroke-dasharray:5 5")
    return lines


def _between_packages(plan: Plan) -> list[tuple[str, str]]:
    return [(a, b) for a, b in plan.package_imports if a and b]


def _node_name(node: str) -> str:
    return f"{node}/" if node else ROOT_NODE


def render_review(changes: ChangeSet) -> list[str]:
    """The review-only rewrites, one a line (`path:line: "agent.run" -> "agents.agent.run"`):
    strings that look like module paths where nothing says they are one. Nothing applies them
    by default; an editor offers them for confirmation."""
    suggestions = changes.suggestions()
    if not suggestions:
        return []
    lines = [f"For review, left unchanged ({len(suggestions)}): strings that may name a moved module"]
    for suggestion in suggestions:
        current, suggested = _changed_part(suggestion)
        lines.append(f"  {suggestion.path}:{suggestion.line}: {current} -> {suggested}")
    return lines


_WORD = re.compile(r"[\w.:]")


def _changed_part(suggestion: Suggestion) -> tuple[str, str]:
    """The part of the line that changes, widened to whole words and their quotes."""
    old, new = suggestion.current, suggestion.suggested
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    while start > 0 and _WORD.match(old[start - 1]):
        start -= 1
    old_end, new_end = len(old) - end, len(new) - end
    while old_end < len(old) and _WORD.match(old[old_end]):
        old_end, new_end = old_end + 1, new_end + 1
    if start > 0 and old_end < len(old) and old[start - 1] == old[old_end] and old[old_end] in "\"'":
        start, old_end, new_end = start - 1, old_end + 1, new_end + 1
    return old[start:old_end], new[start:new_end]
