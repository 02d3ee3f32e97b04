"""Packaging files that list the project's packages one by one get the packages the organize makes.

`[tool.setuptools] packages = ["scout"]` in pyproject.toml, or `setup(packages=["scout"])` in
setup.py, installs exactly the packages named: a new `scout/core/` would be left out of the built
distribution, and the installed `scout` command would fail on `import scout.core` (coleifer/scout),
while the tests, which import the source tree, pass. Each new package whose parent package is
listed is added after the last item, in the list's own quotes and layout. `find:` and
`find_packages()` find the new packages by themselves and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

# `packages = [...]` (TOML, or a keyword of a Python call); the items are simple quoted names.
_PACKAGES_LIST = re.compile(r"(?<![\w.])packages[ \t]*=[ \t]*\[(?P<items>[^\]\[]*)\]")
_ITEM = re.compile(r"(?P<quote>[\"'])(?P<name>[\w.]+)(?P=quote)")
_TABLE = re.compile(r"^[ \t]*\[(?P<name>[^\]\r\n]+)\][ \t]*$", re.MULTILINE)


def listed_packages_edits(files: Mapping[str, bytes], created: Iterable[str],
                          roots: Sequence[str]) -> Iterator[tuple[str, bytes]]:
    """(path, new content) for pyproject.toml and setup.py at the workspace root."""
    new_packages = sorted({name for path in created if path.endswith("/__init__.py")
                           if (name := _dotted(path, roots)) is not None})
    if not new_packages:
        return
    for path, in_table in (("pyproject.toml", "tool.setuptools"), ("setup.py", None)):
        if path in files:
            text = files[path].decode("utf-8", errors="surrogateescape")
            new_text = _with_new_packages(text, new_packages, in_table)
            if new_text != text:
                yield path, new_text.encode("utf-8", errors="surrogateescape")


def _dotted(init_path: str, roots: Sequence[str]) -> str | None:
    """The package's dotted name from the source root it is under (`src/scout/core` -> scout.core)."""
    folder = init_path.rsplit("/", 1)[0] if "/" in init_path else ""
    for root in sorted(roots, key=len, reverse=True):
        if folder and (not root or folder.startswith(root + "/")):
            return (folder[len(root) + 1:] if root else folder).replace("/", ".")
    return None


def _with_new_packages(text: str, new_packages: list[str], in_table: str | None) -> str:
    tables = [(match.start(), match["name"].strip()) for match in _TABLE.finditer(text)]
    for match in reversed(list(_PACKAGES_LIST.finditer(text))):
        if in_table is not None and _table_at(tables, match.start()) != in_table:
            continue
        items = list(_ITEM.finditer(match["items"]))
        listed = {item["name"] for item in items}
        missing = [name for name in new_packages if name.rsplit(".", 1)[0] in listed and name not in listed]
        if items and missing:
            start = match.start("items")
            text = text[:start] + _extended(match["items"], items, missing) + text[match.end("items"):]
    return text


def _extended(body: str, items: list[re.Match[str]], missing: list[str]) -> str:
    """The list's inside with `missing` added after its last item, written as that one is."""
    last = items[-1]
    quote = last["quote"]
    if "\n" not in body:  # ["scout"] -> ["scout", "scout.core"]
        return body[:last.end()] + "".join(f", {quote}{name}{quote}" for name in missing) + body[last.end():]
    line_start = body.rfind("\n", 0, last.start()) + 1
    indent = body[line_start:last.start()]
    trailing_comma = body[last.end():].lstrip(" \t").startswith(",")
    after = last.end() + (body[last.end():].index(",") + 1 if trailing_comma else 0)
    added = "".join(f"\n{indent}{quote}{name}{quote}," for name in missing)
    if not trailing_comma:
        added = "," + added.rstrip(",")
    return body[:after] + added + body[after:]


def _table_at(tables: list[tuple[int, str]], position: int) -> str:
    before = [name for start, name in tables if start < position]
    return before[-1] if before else ""
