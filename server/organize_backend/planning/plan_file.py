"""`plan --write`: the plan written into the configuration as explicit moves, for the user to edit.

The moves go into a block between two marker comments, as `[[tool.organize-backend.move]]`
tables (`[[move]]` at the top level of a dedicated organize-backend.toml), and the settings get
`layout = "none"` and the organized folder as `root`, so that `apply` then makes exactly the
written moves and nothing else. A new `plan --write` replaces the block.

The user's file keeps every other byte: there is no TOML writer in the standard library, and
rewriting the whole file would reformat it. Lines are edited where they are: the block, the
`layout` and `root` lines of the table (inserted below its header when missing), and any move
tables written by hand, whose moves are in the plan and so in the block. What is written is
read back with the TOML parser before it replaces the file; a mismatch leaves the file as it was.

Editors write a plan the user edited (`write_edited_moves`, the language server's
`organizeBackend.writePlan`): the moves come as data, and are planned with the settings that
`apply` will then read before a byte is written, so that what is written is what is made.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from organize_backend.config import CONFIG_FILES, Config
from organize_backend.environment import Environment
from organize_backend.model import OrganizeError, Plan, Snapshot
from organize_backend.planning.plan import make_plan
from organize_backend.snapshot import inside_workspace, parent_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TABLE = "tool.organize-backend"
BEGIN = "# >>> organize-backend plan --write: edit a `to`, then run `organize-backend apply`; " \
        "a new `plan --write` replaces this block"
END = "# <<< organize-backend plan --write"
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?$")


@dataclass(frozen=True)
class Written:
    path: Path
    moves: int

    def summary(self) -> str:
        return (f"wrote {self.moves} move(s) to {self.path.name} with layout = \"none\": edit them if you like, "
                "then run `organize-backend apply`, which makes exactly these moves")

    def editor_summary(self) -> str:
        return (f"wrote {self.moves} move(s) to {self.path.name} with layout = \"none\": "
                "organizing the backend now makes exactly these moves")


def write_plan(workspace: Path, config: Config, plan: Plan, organize_root: str) -> Written:
    """Write `plan` into the workspace's configuration file (see the module docstring)."""
    path, table = _target(Path(workspace), config)
    text = path.read_bytes().decode("utf-8") if path.is_file() else ""  # line ends as they are
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = _without_moves(_without_block(text.splitlines(keepends=True)), table)
    lines = _with_settings(lines, table, {"layout": "none", "root": organize_root or "."}, newline)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    lines += _block(plan, table, newline, separated=bool(lines) and lines[-1].strip() != "")
    new_text = "".join(lines)
    _check(new_text, table, plan, organize_root or ".", path.name)
    _replace(path, new_text)
    return Written(path, len(plan.moves))


# --- a plan edited in an editor ------------------------------------------------------------


def editable_plan(snapshot: Snapshot, plan: Plan) -> dict[str, Any]:
    """What an editor shows the user to edit: the moves, the modules that stay, and the packages
    a module may go to."""
    return {
        "root": snapshot.organize_root,
        "moves": [{"from": move.source, "to": move.destination, "reason": move.reason} for move in plan.moves],
        "kept": [{"path": kept.path, "reason": kept.reason} for kept in plan.kept],
        "packages": destination_packages(snapshot, plan),
    }


def destination_packages(snapshot: Snapshot, plan: Plan) -> list[str]:
    """The packages below the organized folder that exist, and those the plan creates."""
    existing = {parent_of(path) for path in snapshot.files if path.endswith("/__init__.py")}
    planned = {parent_of(move.destination) for move in plan.moves} | set(plan.new_packages)
    root = snapshot.organize_root
    return sorted(folder for folder in existing | planned if folder and (not root or folder.startswith(root + "/")))


def write_edited_moves(snapshot: Snapshot, config: Config, data: Any, environment: Environment | None) -> Written:
    """Write the moves an editor sends (`[{"from": ..., "to": ...}]`, workspace-relative), after
    checking that `apply` will make exactly them; else an OrganizeError and nothing written."""
    path, _ = _target(snapshot.root, config)
    name = path.relative_to(snapshot.root).as_posix()
    if name in snapshot.open_documents and path.is_file() and snapshot.files.get(name) != path.read_bytes():
        raise OrganizeError(f"{name} has unsaved changes in the editor: save it first, nothing was written")
    plan = edited_plan(snapshot, config, moves_from_data(data), environment)
    return write_plan(snapshot.root, config, plan, snapshot.organize_root)


def moves_from_data(data: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(data, list) or not data:
        raise OrganizeError("the edited plan moves nothing: nothing was written")
    moves = []
    for index, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) and entry[key] for key in ("from", "to")):
            raise OrganizeError(f"the edited plan: move #{index} needs a 'from' and a 'to' path, not {entry!r}")
        moves.append((entry["from"], entry["to"]))
    return tuple(moves)


def edited_plan(snapshot: Snapshot, config: Config, moves: tuple[tuple[str, str], ...],
                environment: Environment | None) -> Plan:
    """The plan `apply` makes once `moves` are written: the settings it will read (layout none,
    this root, the project's `packages` rules and `keep`), planned now. The moves must be all
    of it: a `packages` rule that would still move a module the user left out is refused."""
    written = replace(config, layout="none", root=snapshot.organize_root or ".", moves=moves)
    plan = make_plan(snapshot, written, environment=environment)
    asked = {inside_workspace(snapshot.root, source, what="move source") for source, _ in moves}
    made = {move.source for move in plan.moves}
    if asked - made:
        raise OrganizeError(f"the edited plan: already moved, nothing was written: {', '.join(sorted(asked - made))}")
    extra = [move for move in plan.moves if move.source not in asked]
    if extra:
        listed = ", ".join(f"{move.source} -> {move.destination} ({move.reason})" for move in extra)
        raise OrganizeError("the edited plan leaves out modules that the project's `packages` rules would still "
                            f"move: {listed}; give them a move, or change the rules; nothing was written")
    return plan


def _target(workspace: Path, config: Config) -> tuple[Path, str]:
    """The file the settings come from; else pyproject.toml if there is one; else a new
    organize-backend.toml. A pyproject.toml without the table must not get it when the settings
    live in organize-backend.toml: the new table would hide them."""
    pyproject, dedicated = (workspace / name for name in CONFIG_FILES)
    if config.source == dedicated.name or (config.source != pyproject.name and not pyproject.is_file()):
        holds_table = dedicated.is_file() and _table_of(_parsed(dedicated), TABLE) is not None
        return dedicated, TABLE if holds_table else ""
    return pyproject, TABLE


def _without_block(lines: list[str]) -> list[str]:
    starts = [index for index, line in enumerate(lines) if line.rstrip("\r\n") == BEGIN]
    if not starts:
        return lines
    ends = [index for index, line in enumerate(lines) if line.rstrip("\r\n") == END and index > starts[0]]
    if not ends:
        raise OrganizeError(f"the block that `plan --write` wrote has lost its end line ({END!r}): "
                            "remove the block or restore that line, nothing was changed")
    start = starts[0] - 1 if starts[0] > 0 and not lines[starts[0] - 1].strip() else starts[0]
    return lines[:start] + lines[ends[0] + 1:]


def _without_moves(lines: list[str], table: str) -> list[str]:
    """Move tables written by hand go: their moves are part of the plan, written in the block."""
    name = f"{table}.move" if table else "move"
    kept, skipping = [], False
    for line in lines:
        header = _header(line)
        if header is not None:
            skipping = header == ("[[", name)
        if not skipping:
            kept.append(line)
    return kept


def _with_settings(lines: list[str], table: str, settings: dict[str, str], newline: str) -> list[str]:
    lines = list(lines)
    start, end = _table_span(lines, table)
    if start is None:  # no table yet: one at the end of the file
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        lines += [newline] if lines and lines[-1].strip() else []
        lines.append(f"[{table}]{newline}")
        start, end = len(lines), len(lines)
    inserted = 0
    for key, value in settings.items():
        written = f"{key} = {json.dumps(value)}{newline}"
        found = next((index for index in range(start, end) if re.match(rf"\s*{key}\s*=", lines[index])), None)
        if found is None:
            lines.insert(start + inserted, written)
            inserted, end = inserted + 1, end + 1
        elif _value_of(lines[found]) != value:
            lines[found] = written
    return lines


def _table_span(lines: list[str], table: str) -> tuple[int | None, int]:
    """Where the keys of `table` go: after its header, up to the next header ("" the top level)."""
    start = 0 if not table else None
    for index, line in enumerate(lines):
        header = _header(line)
        if header is None:
            continue
        if start is not None:
            return start, index
        if header == ("[", table):
            start = index + 1
    return start, len(lines)


def _header(line: str) -> tuple[str, str] | None:
    match = _HEADER.match(line)
    if match is None:
        return None
    return match.group(1), ".".join(part.strip().strip("\"'") for part in match.group(2).split("."))


def _value_of(line: str) -> Any:
    try:
        return next(iter(tomllib.loads(line).values()))
    except (tomllib.TOMLDecodeError, StopIteration):
        return None


def _block(plan: Plan, table: str, newline: str, separated: bool) -> list[str]:
    header = f"[[{table}.move]]" if table else "[[move]]"
    lines = [newline] if separated else []
    lines.append(BEGIN + newline)
    for index, move in enumerate(plan.moves):
        lines += [newline] if index else []
        lines += [header + newline, f"from = {json.dumps(move.source)}{newline}",
                  f"to = {json.dumps(move.destination)}{newline}"]
    lines.append(END + newline)
    return lines


def _check(text: str, table: str, plan: Plan, root: str, name: str) -> None:
    """What `apply` will read: exactly the plan's moves, layout none, the same root."""
    try:
        settings = _table_of(tomllib.loads(text), table) or {}
    except tomllib.TOMLDecodeError as error:
        raise OrganizeError(f"{name}: writing the plan would leave the file invalid ({error}); "
                            "nothing was changed") from None
    moves = [(entry.get("from"), entry.get("to")) for entry in settings.get("move", [])]
    expected = [(move.source, move.destination) for move in plan.moves]
    if settings.get("layout") != "none" or settings.get("root") != root or moves != expected:
        raise OrganizeError(f"{name}: the plan could not be written so that it reads back the same "
                            "(an unusual layout of the file); nothing was changed")


def _table_of(data: dict, table: str) -> dict | None:
    if not table:
        return data
    for part in table.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else None


def _parsed(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise OrganizeError(f"{path.name}: not valid TOML: {error}") from None


def _replace(path: Path, text: str) -> None:
    """All or nothing: a reader sees the old file or the new one, never half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OrganizeError(f"{path.name}: cannot write the plan: {error}; nothing was changed") from None
