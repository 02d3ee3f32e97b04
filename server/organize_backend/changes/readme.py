"""The README's "Project structure" section (seed 000, phase 5), written from the new tree."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Iterable

HEADING = "Project structure"
_HEADING_LINE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


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
        if not readme:
            return f"## {HEADING}{newline}{body}"
        separator = "" if readme.endswith(("\n", "\r")) else newline
        return f"{readme}{separator}{newline}## {HEADING}{newline}{body}"
    level = len(_HEADING_LINE.match(lines[start].rstrip("\r\n")).group(1))
    end = _section_end(lines, start, level)
    trailing = newline if end < len(lines) else ""
    return "".join(lines[: start + 1]) + body + trailing + "".join(lines[end:])


def _headings(lines: list[str], start: int = 0):
    """(index, level, title) of each heading outside code fences, from `start` on."""
    fence = ""  # the opening run of ``` or ~~~ while inside a fence
    for index in range(start, len(lines)):
        line = lines[index].rstrip("\r\n")
        marker = _FENCE.match(line)
        if marker and not fence:
            fence = marker.group(1)
        elif marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
            fence = ""  # a closing fence: same character, at least as long
        elif not fence:
            match = _HEADING_LINE.match(line)
            if match:
                yield index, len(match.group(1)), match.group(2)


def _find_heading(lines: list[str]) -> int | None:
    for index, _, title in _headings(lines):
        if title.strip().lower() == HEADING.lower():
            return index
    return None


def _section_end(lines: list[str], start: int, level: int) -> int:
    for index, heading_level, _ in _headings(lines, start + 1):
        if heading_level <= level:
            return index
    return len(lines)
