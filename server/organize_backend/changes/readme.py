"""The README's "Project structure" section (seed 000, phase 5), written from the new tree."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Iterable

HEADING = "Project structure"
_HEADING_LINE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def render_tree(folder_name: str, paths: Iterable[str]) -> str:
    """A `tree`-style drawing of Python files and packages under one folder."""
    tree: dict = {}
    for path in sorted(paths):
        node = tree
        for part in PurePosixPath(path).parts:
            node = node.setdefault(part, {})
    lines = [f"{folder_name}/"]
    lines += _draw(tree, "")
    return "\n".join(lines)


def _draw(node: dict, prefix: str) -> list[str]:
    # Files first, then packages, each alphabetically: how people read a backend's root.
    names = sorted(node, key=lambda name: (bool(node[name]), name))
    lines = []
    for index, name in enumerate(names):
        last = index == len(names) - 1
        lines.append(f"{prefix}{'└── ' if last else '├── '}{name}{'/' if node[name] else ''}")
        lines += _draw(node[name], prefix + ("    " if last else "│   "))
    return lines


def update_structure_section(readme: str, tree: str, newline: str = "\n") -> str:
    """Replace the "Project structure" section's body, or append the section."""
    body = f"{newline}```text{newline}{tree.replace(chr(10), newline)}{newline}```{newline}"
    lines = readme.splitlines(keepends=True)
    start = _find_heading(lines)
    if start is None:
        separator = "" if readme.endswith(("\n", "\r")) or not readme else newline
        return f"{readme}{separator}{newline}## {HEADING}{newline}{body}"
    level = len(_HEADING_LINE.match(lines[start].rstrip("\r\n")).group(1))
    end = _section_end(lines, start, level)
    trailing = newline if end < len(lines) else ""
    return "".join(lines[: start + 1]) + body + trailing + "".join(lines[end:])


def _find_heading(lines: list[str]) -> int | None:
    in_fence = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING_LINE.match(line.rstrip("\r\n"))
        if match and match.group(2).strip().lower() == HEADING.lower():
            return index
    return None


def _section_end(lines: list[str], start: int, level: int) -> int:
    in_fence = False
    for index in range(start + 1, len(lines)):
        if lines[index].lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING_LINE.match(lines[index].rstrip("\r\n"))
        if match and len(match.group(1)) <= level:
            return index
    return len(lines)
