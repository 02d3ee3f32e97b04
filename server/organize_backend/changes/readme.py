"""The README's project structure tree (seed 000, phase 5), in a block this tool owns.

The README is the team's text. The tree goes between two HTML comments, which GitHub and
editors' previews do not render:

    <!-- organize-backend:structure:start ... -->
    ```text
    backend/
    ...
    ```
    <!-- organize-backend:structure:end -->

and the next organize replaces what lies between them and nothing else. Where there is no
block yet, it goes at the end of the "Project structure" section (every line the team
wrote there stays), or in a new section at the end of the README. The one exception is a
section holding nothing but a bare tree in exactly the form earlier versions of this tool
wrote without markers: that tree is this tool's own, and the block takes its place.

The tree is for reading: the packages and modules of the organized folder, without tests,
`__init__.py` files or anything but Python modules, and big packages folded to
"package/ (N modules)" until it fits in MAX_LINES lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from organize_backend.planning.layouts import TEST_NAMES, first_match
from organize_backend.source_text import split_lines

HEADING = "Project structure"
# Headings a team gives the section that describes its layout: the block goes there.
_SECTION_TITLES = {
    "project structure", "project layout", "directory structure", "folder structure", "file structure",
    "repository structure", "code structure", "code layout", "structure",
}
START = "<!-- organize-backend:structure:start (generated: the next organize replaces the lines up to the end mark) -->"
END = "<!-- organize-backend:structure:end -->"
_START_RE = re.compile(r"^\s*<!--\s*organize-backend:structure:start\b.*-->\s*$")
_END_RE = re.compile(r"^\s*<!--\s*organize-backend:structure:end\b.*-->\s*$")
_HEADING_LINE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
MAX_LINES = 40


class BrokenBlock(ValueError):
    """The README's block marks are not one start followed by one end: which lines are ours is unclear."""


# --- which files the tree shows -------------------------------------------------------

_TEST_FOLDERS = {"tests", "test", "testing"}
_HIDDEN_FOLDERS = {"__pycache__"}


def is_shown(path: str) -> bool:
    """True for a module that belongs in the tree: Python, not a test, not a cache."""
    parts = PurePosixPath(path).parts
    name = parts[-1]
    if not name.endswith(".py") or name == "__init__.py":
        return False
    if any(part in _TEST_FOLDERS or part in _HIDDEN_FOLDERS or part.startswith(".") for part in parts[:-1]):
        return False
    return first_match(name, TEST_NAMES) is None


# --- the tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Drawing:
    tee: str
    last: str
    pipe: str
    blank: str = "    "


BOX = _Drawing("├── ", "└── ", "│   ")
ASCII = _Drawing("|-- ", "`-- ", "|   ")  # as `tree --charset=ascii` draws, for files in 8-bit encodings
BOX_CHARACTERS = "├└│─"


def render_tree(folder_name: str, paths: Iterable[str], *, drawing: _Drawing = BOX, max_lines: int = MAX_LINES) -> str:
    """A `tree`-style drawing of the modules and packages of one folder, at most about `max_lines` long.

    `paths` are relative to the folder; the caller has chosen them (`is_shown`). A folder
    that only holds an `__init__.py` still shows as a package.
    """
    tree: dict = {}
    for path in sorted(paths):
        node = tree
        *folders, name = PurePosixPath(path).parts
        for folder in folders:
            node = node.setdefault(folder, {})
        if name != "__init__.py":
            node.setdefault(name, None)
    folded = _folded(tree, max_lines - 1)
    return "\n".join([f"{folder_name}/", *_draw(tree, "", (), folded, drawing)])


def _draw(node: dict, prefix: str, path: tuple, folded: set, drawing: _Drawing) -> list[str]:
    # Files first, then packages, each alphabetically: how people read a backend's root.
    names = sorted(node, key=lambda name: (node[name] is not None, name))
    lines = []
    for index, name in enumerate(names):
        last = index == len(names) - 1
        child, child_path = node[name], (*path, name)
        label = name if child is None else f"{name}/"
        if child_path in folded:
            count = _modules_in(child)
            label += f" ({count} module{'' if count == 1 else 's'})"
        lines.append(f"{prefix}{drawing.last if last else drawing.tee}{label}")
        if child is not None and child_path not in folded:
            lines += _draw(child, prefix + (drawing.blank if last else drawing.pipe), child_path, folded, drawing)
    return lines


def _folded(tree: dict, max_lines: int) -> set[tuple]:
    """Packages to show as one line: the biggest innermost one first, until the tree fits.

    Innermost first keeps the top of the layout visible, which is what a reader of the
    README looks for; a folder at the root is folded only once everything in it is.
    """
    folded: set[tuple] = set()
    while _line_count(tree, (), folded) > max_lines:
        candidates = [
            (-_line_count(node, path, folded), path) for path, node in _packages(tree, (), folded)
            if _line_count(node, path, folded) > 0
            and all((*path, name) in folded for name, child in node.items() if child is not None)
        ]
        if not candidates:
            break
        folded.add(min(candidates)[1])
    return folded


def _packages(node: dict, path: tuple, folded: set):
    for name, child in node.items():
        if child is not None and (*path, name) not in folded:
            yield (*path, name), child
            yield from _packages(child, (*path, name), folded)


def _line_count(node: dict, path: tuple, folded: set) -> int:
    count = 0
    for name, child in node.items():
        count += 1
        if child is not None and (*path, name) not in folded:
            count += _line_count(child, (*path, name), folded)
    return count


def _modules_in(node: dict) -> int:
    return sum(1 if child is None else _modules_in(child) for child in node.values())


# --- the README -------------------------------------------------------------------------


def structure_block(tree: str, newline: str = "\n") -> str:
    """The block this tool owns, marks included, ending with a line break."""
    return newline.join([START, "```text", *tree.split("\n"), "```", END]) + newline


def update_structure_section(readme: str, tree: str, newline: str = "\n") -> str:
    """The README with the tree's block refreshed, or added without removing a line.

    Raises BrokenBlock when the marks are there but not as one start and one end.
    """
    block = structure_block(tree, newline)
    lines = split_lines(readme)
    marks = list(_marks(lines))
    if marks:
        return _replace_block(lines, marks, block)
    start = _find_heading(lines)
    if start is None:
        return _append_section(readme, block, newline)
    end = _section_end(lines, start, _level(lines[start]))
    if _title(lines[start]) == HEADING.lower() and _is_earlier_tree(lines[start + 1:end]):
        trailing = newline if end < len(lines) else ""
        return "".join(lines[: start + 1]) + newline + block + trailing + "".join(lines[end:])
    return _insert_into_section(lines, start, end, block, newline)


def _replace_block(lines: list[str], marks: list[tuple[int, str]], block: str) -> str:
    if [kind for _, kind in marks] != ["start", "end"]:
        raise BrokenBlock("the README's organize-backend:structure marks are not one start followed by one end")
    (start, _), (end, _) = marks
    if not lines[end].endswith(("\n", "\r")):
        block = block.rstrip("\r\n")  # the mark was the last line, without a line break: so is the new one
    return "".join(lines[:start]) + block + "".join(lines[end + 1:])


def _append_section(readme: str, block: str, newline: str) -> str:
    if not readme:
        return f"## {HEADING}{newline}{newline}{block}"
    separator = "" if readme.endswith(("\n", "\r")) else newline
    return f"{readme}{separator}{newline}## {HEADING}{newline}{newline}{block}"


def _insert_into_section(lines: list[str], start: int, end: int, block: str, newline: str) -> str:
    """The block after the section's last non-blank line: the team's text stays above it, as written."""
    last = max(index for index in range(start, end) if lines[index].strip())
    head, rest = lines[: last + 1], lines[last + 1:]
    if not head[-1].endswith(("\n", "\r")):
        head[-1] += newline
    after = newline if rest and rest[0].strip() else ""  # a heading right below gets its blank line
    return "".join(head) + newline + block + after + "".join(rest)


# Lines of a tree as earlier versions wrote it, bare: "├── name", "│   └── name/".
_EARLIER_TREE_LINE = re.compile(r"(?:│   |    )*[├└]── [\w.-]+/?")


def _is_earlier_tree(body: list[str]) -> bool:
    """True for a section body that is one ```text fence holding only a bare tree, as this tool
    wrote it before it marked its block: no comment, no other line."""
    content = [line.rstrip("\r\n") for line in body]
    while content and not content[-1].strip():
        content.pop()
    if len(content) < 4 or content[0] != "" or content[1] != "```text" or content[-1] != "```":
        return False
    root, *entries = content[2:-1]
    return bool(re.fullmatch(r"[\w.-]+/", root)) and all(_EARLIER_TREE_LINE.fullmatch(line) for line in entries)


def _marks(lines: list[str]):
    """(index, "start" | "end") of each block mark outside code fences."""
    for index in _lines_outside_fences(lines):
        line = lines[index].rstrip("\r\n")
        if _START_RE.match(line):
            yield index, "start"
        elif _END_RE.match(line):
            yield index, "end"


def _lines_outside_fences(lines: list[str], start: int = 0):
    fence = ""  # the opening run of ``` or ~~~ while inside a fence
    for index in range(start, len(lines)):
        marker = _FENCE.match(lines[index].rstrip("\r\n"))
        if marker and not fence:
            fence = marker.group(1)
        elif marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
            fence = ""  # a closing fence: same character, at least as long
        elif not fence:
            yield index


def _headings(lines: list[str], start: int = 0):
    """(index, level, title) of each heading outside code fences, from `start` on."""
    for index in _lines_outside_fences(lines, start):
        match = _HEADING_LINE.match(lines[index].rstrip("\r\n"))
        if match:
            yield index, len(match.group(1)), match.group(2)


def _level(line: str) -> int:
    return len(_HEADING_LINE.match(line.rstrip("\r\n")).group(1))


def _title(line: str) -> str:
    return _HEADING_LINE.match(line.rstrip("\r\n")).group(2).strip().rstrip(":").strip().lower()


def _find_heading(lines: list[str]) -> int | None:
    """The "Project structure" heading, else the first one with another title for the layout."""
    found = [index for index, _, _ in _headings(lines) if _title(lines[index]) in _SECTION_TITLES]
    exact = [index for index in found if _title(lines[index]) == HEADING.lower()]
    return (exact or found or [None])[0]


def _section_end(lines: list[str], start: int, level: int) -> int:
    for index, heading_level, _ in _headings(lines, start + 1):
        if heading_level <= level:
            return index
    return len(lines)
