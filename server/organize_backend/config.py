"""`[tool.organize-backend]` in pyproject.toml (or organize-backend.toml), checked.

Precedence, as in ruff and black: command-line flags (`flags`) win over the project's file,
and the file wins over an editor's settings (`overrides`), which only fill what it leaves open:
a flag is typed for this one run, an editor setting is a standing default.
"""

from __future__ import annotations

import keyword
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from organize_backend.model import OrganizeError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LAYOUTS = ("auto", "skill", "layered", "none")
CONFIG_FILES = ("pyproject.toml", "organize-backend.toml")
KEYS = {"root", "layout", "keep", "packages", "move", "python", "strip_affixes"}


@dataclass(frozen=True)
class Config:
    root: str = ""
    layout: str = "auto"
    keep: tuple[str, ...] = ()
    packages: tuple[tuple[str, tuple[str, ...]], ...] = ()  # ordered: first match wins
    moves: tuple[tuple[str, str], ...] = ()
    strip_affixes: bool = False  # the auto layout renames user_service.py to services/user.py
    python: str = ""  # the project's interpreter (or its virtual environment); "" finds one
    source: str = "defaults"  # where the settings came from, for messages


def load_config(workspace: Path, overrides: Mapping[str, Any] | None = None,
                flags: Mapping[str, Any] | None = None) -> Config:
    table, source = _read_table(Path(workspace))
    merged = {**(overrides or {}), **table, **(flags or {})}
    return _parse(merged, source)


def _read_table(workspace: Path) -> tuple[dict[str, Any], str]:
    for name in CONFIG_FILES:
        path = workspace / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise OrganizeError(f"{name}: not valid TOML: {error}") from None
        table = data.get("tool", {}).get("organize-backend")
        if table is None and name == "organize-backend.toml":
            table = data  # the dedicated file may hold the keys at its top level
        if table is not None:
            return table, name
    return {}, "defaults"


def _parse(table: Mapping[str, Any], source: str) -> Config:
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise OrganizeError(f"{source}: unknown key(s) in [tool.organize-backend]: {', '.join(unknown)}")
    layout = _string(table, "layout", source, "auto")
    if layout not in LAYOUTS:
        raise OrganizeError(f"{source}: layout = {layout!r}: expected one of {', '.join(LAYOUTS)}")
    return Config(
        root=_string(table, "root", source, ""),
        layout=layout,
        keep=tuple(_strings(table.get("keep", []), f"{source}: keep")),
        packages=_packages(table.get("packages", {}), source),
        moves=_moves(table.get("move", []), source),
        python=_string(table, "python", source, ""),
        strip_affixes=_boolean(table, "strip_affixes", source),
        source=source,
    )


def _string(table: Mapping[str, Any], key: str, source: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise OrganizeError(f"{source}: {key} must be a string, not {value!r}")
    return value


def _boolean(table: Mapping[str, Any], key: str, source: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise OrganizeError(f"{source}: {key} must be true or false, not {value!r}")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise OrganizeError(f"{where} must be a list of strings, not {value!r}")
    return value


def _packages(value: Any, source: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        raise OrganizeError(f"{source}: [tool.organize-backend.packages] must be a table of package = [globs]")
    result = []
    for package, globs in value.items():
        # "core.auth" or "core/auth" (nested, as in seed 002); the layouts read dotted names
        parts = package.replace("/", ".").split(".")
        if not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
            raise OrganizeError(f"{source}: package {package!r} is not a valid package path")
        result.append((".".join(parts), tuple(_strings(globs, f"{source}: packages.{package}"))))
    return tuple(result)


def _moves(value: Any, source: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise OrganizeError(f"{source}: [[tool.organize-backend.move]] must be an array of tables")
    moves = []
    for index, entry in enumerate(value, start=1):
        if not isinstance(entry, Mapping) or set(entry) != {"from", "to"}:
            raise OrganizeError(f"{source}: move #{index} must have exactly the keys 'from' and 'to'")
        if not all(isinstance(entry[key], str) and entry[key] for key in ("from", "to")):
            raise OrganizeError(f"{source}: move #{index}: 'from' and 'to' must be non-empty strings")
        moves.append((entry["from"], entry["to"]))
    return tuple(moves)
