"""Second stage: which module goes where, and why. A pure function of snapshot and config.

Explicit moves from the configuration come first, in their order; then the modules of
the flat folder are placed by the layout preset and the user's package rules. Everything
that would make the change unsafe is refused here, before rope runs.
"""

from __future__ import annotations

import ast
import keyword
import operator
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePosixPath

from organize_backend.changes.references import (
    dotted_strings_of_no_known_kind,
    module_names_handed_to_calls,
    modules_run_where_deployed,
    scripts_run_by_path,
)
from organize_backend.config import Config
from organize_backend.environment import Environment
from organize_backend.model import Hazard, Kept, Move, OrganizeError, Plan, Snapshot
from organize_backend.planning.django_apps import (
    conventions_of,
    django_app_notes,
    find_django_app,
)
from organize_backend.planning.hazards import (
    FILE_RELATIVE,
    FRAMEWORK_CONVENTION,
    MODULE_NAME_HANDED_ON,
    PACKAGE_RESOURCE,
    PUBLIC_MODULE,
    SYS_PATH_FOLDER,
    ShadowedNames,
    adjust_file_relative_paths,
    adjust_modules_file_paths,
    distribution_name,
    find_hazards,
    fixed_references,
    folders_put_on_sys_path,
    modules_files_read,
    package_resource_reason,
)
from organize_backend.planning.import_graph import module_graph
from organize_backend.planning.layouts import AUTO, Placement, classify
from organize_backend.planning.placement import Folder, is_test_file, place_folder
from organize_backend.planning.roots import (
    package_name,
    refuse_namespace_relative_imports,
)
from organize_backend.snapshot import (
    inside_workspace,
    join,
    parent_of,
    relocated,
    source_roots,
)
from organize_backend.source_text import parse_python
from organize_backend.two_processes import Child, can_split, split_work

MAX_REPORTED_ERRORS = 10
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def make_plan(snapshot: Snapshot, config: Config, with_syntax_check: bool = True, whole_folder: bool = True,
              environment: Environment | None = None) -> Plan:
    """`whole_folder`: the organize of a folder, which also documents the new structure in
    its README; a single move or an explorer rename changes references only.
    `environment`: the project's Python, so that no new package hides an installed one;
    None skips that check (a rename the user already made in the editor)."""
    broken = check_syntax(snapshot) if with_syntax_check else {}
    done = {index for index in range(len(config.moves)) if _already_done(snapshot, config.moves, index)}
    notes = tuple(f"already done: {source} -> {destination}"
                  for index, (source, destination) in enumerate(config.moves) if index in done)
    explicit = [_explicit_move(snapshot, source, destination)
                for index, (source, destination) in enumerate(config.moves) if index not in done]
    _check_conflicts(explicit)
    django_app = find_django_app(snapshot.files, snapshot.organize_root)  # read once: the layout, notes, hazards
    conventions = django_app.conventions() if django_app else {}
    placed, kept, hazards = _layout_moves(snapshot, config, environment, explicit, conventions)
    hazards = _explicit_hazards(snapshot, explicit) + hazards
    moves = tuple(explicit + placed)
    refuse_namespace_relative_imports(snapshot.files, moves)
    _refuse_broken_files_naming(broken, snapshot, moves)
    return Plan(
        moves=moves,
        kept=tuple(sorted(kept, key=lambda item: item.path)),
        new_packages=_new_packages(snapshot, moves),
        hazards=tuple(hazards + _sys_path_hazards(snapshot, moves) + _public_path_hazards(snapshot, moves)
                      + _convention_hazards(snapshot, moves, {snapshot.organize_root: conventions})
                      + _moved_files_read_elsewhere(snapshot, moves)
                      + _module_names_handed_on(snapshot, moves)),
        notes=notes + _notes(snapshot, moves, whole_folder, whole_folder and not (config.packages or config.moves))
        + django_app_notes(django_app, kept) + _left_broken(broken),
        whole_folder=whole_folder,
    )


def check_syntax(snapshot: Snapshot) -> dict[str, str]:
    """Imports cannot be read in what does not parse. A file of the organized folder that does not
    parse refuses the whole plan, naming file and line; one elsewhere is returned (path -> error)
    for the plan to weigh once it knows what moves: a file naming no moved module is left as it is.

    Parsing is most of a plan's time, so contents already seen to parse are not parsed again
    (a long-lived language server plans on every code-action request)."""
    unseen = _not_seen_to_parse(snapshot)
    failures = split_work(lambda paths: _syntax_errors(snapshot, paths), unseen, operator.add)
    failed = {path for path, _ in failures}
    _remember_parsed(snapshot.digests[path] for path in unseen if path not in failed)
    in_folder = [message for path, message in failures if parent_of(path) == snapshot.organize_root]
    if in_folder:
        _refuse_syntax_errors(in_folder)
    return dict(failures)


def _refuse_syntax_errors(errors: list[str]) -> None:
    errors = sorted(errors)
    shown = errors[:MAX_REPORTED_ERRORS]
    more = f"\n... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
    raise OrganizeError("cannot organize: fix these first, nothing was changed\n" + "\n".join(shown) + more
                        + "\n" + _reading_hint(errors))


def _reading_hint(errors: list[str]) -> str:
    if any("Missing parentheses in call to 'print'" in error for error in errors):
        return f"(read as Python {PYTHON_VERSION}: this looks like Python 2 code, which organize-backend cannot read)"
    return (f"(read as Python {PYTHON_VERSION}, the Python organize-backend runs on: code written for a newer "
            "Python needs organize-backend installed in that Python)")


def _refuse_broken_files_naming(broken: Mapping[str, str], snapshot: Snapshot, moves: Sequence[Move]) -> None:
    """A file that does not parse and moves, or names a moved module (it may import it), cannot
    have its imports rewritten: the plan is refused. One that names none cannot import any."""
    names = {PurePosixPath(move.source).stem for move in moves}
    sources = {move.source for move in moves}
    mentions = re.compile(rb"\b(?:" + b"|".join(re.escape(name.encode()) for name in sorted(names)) + rb")\b")
    naming = [message for path, message in broken.items()
              if path in sources or (names and mentions.search(snapshot.files[path]))]
    if naming:
        _refuse_syntax_errors(naming)


def _left_broken(broken: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(f"{message}; it names no moved module, so it is left as it is"
                 for _, message in sorted(broken.items()))


def parse_in_children(snapshot: Snapshot) -> None:
    """The syntax check's parsing, done ahead in two forked children, so that this process
    stays free to answer requests meanwhile (a parse in a thread here would hold its
    interpreter lock): only which contents parse comes back, to be remembered. A child that
    fails leaves its files to the next check."""
    unseen = _not_seen_to_parse(snapshot)
    if not can_split(len(unseen)):  # few files, or no fork: parse them here
        _remember_parsed(_parsing(snapshot, unseen))
        return
    children = [Child(lambda part=part: _parsing(snapshot, part), own_group=False) for part in (unseen[::2], unseen[1::2])]
    for child in children:
        _remember_parsed(child.result() or [])


def _not_seen_to_parse(snapshot: Snapshot) -> list[str]:
    digests = snapshot.digests
    return [path for path in snapshot.python_files() if digests[path] not in _PARSES]


def _parsing(snapshot: Snapshot, paths: list[str]) -> list[bytes]:
    failed = {path for path, _ in _syntax_errors(snapshot, paths)}
    return [snapshot.digests[path] for path in paths if path not in failed]


_PARSES: set[bytes] = set()  # digests of file contents that parsed; validity depends on content only
MAX_REMEMBERED = 200_000


def _remember_parsed(digests) -> None:
    if len(_PARSES) > MAX_REMEMBERED:
        _PARSES.clear()
    _PARSES.update(digests)


def _syntax_errors(snapshot: Snapshot, paths: list[str]) -> list[tuple[str, str]]:
    errors = []
    for path in paths:
        try:
            parse_python(snapshot.files[path])
        except SyntaxError as error:
            errors.append((path, f"{path}:{error.lineno or 1}: syntax error: {error.msg}"))
        except ValueError as error:  # null bytes
            errors.append((path, f"{path}:1: cannot parse: {error}"))
    return errors


# --- explicit moves -----------------------------------------------------------------------


def _already_done(snapshot: Snapshot, moves: tuple[tuple[str, str], ...], index: int) -> bool:
    """A configured move whose source is gone and whose result is there (followed through the
    later moves, which may carry it along): an earlier run did it; running again is a no-op."""
    paths = [(inside_workspace(snapshot.root, s, what="move source"),
              inside_workspace(snapshot.root, d, what="move destination")) for s, d in moves]
    source, destination = paths[index]
    if _exists(snapshot, source):
        return False
    if source.endswith(".py") and not destination.endswith(".py"):
        destination = f"{destination}/{PurePosixPath(source).name}"
    for later_source, later_destination in paths[index + 1:]:
        destination = relocated(destination, later_source, later_destination) or destination
    return _exists(snapshot, destination)


def _exists(snapshot: Snapshot, path: str) -> bool:
    return path in snapshot.files or any(p.startswith(path + "/") for p in snapshot.files)


def _explicit_move(snapshot: Snapshot, source: str, destination: str) -> Move:
    source = inside_workspace(snapshot.root, source, what="move source")
    destination = inside_workspace(snapshot.root, destination, what="move destination")
    is_module = source in snapshot.files and source.endswith(".py")
    is_folder = any(path.startswith(source + "/") for path in snapshot.files) if source else False
    if not (is_module or is_folder):
        raise OrganizeError(f"move source {source}: no such module or package in the workspace")
    if is_module and not destination.endswith(".py"):
        destination = f"{destination}/{PurePosixPath(source).name}"  # into a package folder
    if is_module and destination in snapshot.files:
        raise OrganizeError(f"cannot move {source} to {destination}: {destination} exists")
    if is_folder and (destination + "/").startswith(source + "/"):
        raise OrganizeError(f"cannot move {source} into itself ({destination})")
    for part in PurePosixPath(destination).with_suffix("").parts:
        if not part.isidentifier() or keyword.iskeyword(part):
            raise OrganizeError(f"move destination {destination}: {part!r} is not a valid Python name")
    return Move(source, destination, "explicit move in the configuration")


def _check_conflicts(moves: list[Move]) -> None:
    sources: dict[str, str] = {}
    modules: dict[str, str] = {}  # destination file -> source; folders may receive several merges
    for move in moves:
        if move.source in sources:
            raise OrganizeError(f"conflicting moves: {move.source} is moved twice "
                                f"(to {sources[move.source]} and to {move.destination})")
        if move.destination in modules:
            raise OrganizeError(f"conflicting moves: {modules[move.destination]} and {move.source} "
                                f"both go to {move.destination}")
        sources[move.source] = move.destination
        if move.destination.endswith(".py"):
            modules[move.destination] = move.source


# --- the layout -------------------------------------------------------------------------


def _layout_moves(snapshot: Snapshot, config: Config, environment: Environment | None, explicit: list[Move],
                  conventions: Mapping[str, str]):
    """The layout's moves, less those that the checks below keep where they are, with the hazards
    found. What the checks keep is handed back to the layout, which places the rest again knowing
    it (so that no new package is left holding one module), until the checks keep nothing more."""
    claimed = {move.source for move in explicit}
    taken = {move.destination for move in explicit}
    paths = [path for path in _flat_modules(snapshot) if path not in claimed]
    folder = _auto_folder(snapshot, paths, conventions) if config.layout == AUTO else None  # read once
    named: dict[str, str] | None = None  # path -> why; the files are read once, when the layout moves something
    staying: dict[str, str] = {}  # path -> why a check keeps it
    hazards_of_staying: list[Hazard] = []
    while True:
        placed, kept = _place_flat_modules(snapshot, config, paths, taken, conventions, folder, staying)
        by_layout = {item.path for item in kept}
        if named is None:
            named = _named_where_no_rewrite_follows(snapshot, paths) if placed else {}
        placed, kept = _keep_named(placed, kept, named)
        placed, kept, hazards = _weigh_hazards(snapshot, placed, kept)  # of what still moves
        placed, kept, shadowing = _keep_out_of_shadowing(snapshot, environment, explicit, placed, kept)
        placed, kept = _keep_clashing_with_kept_modules(snapshot, placed, kept)
        by_checks = {item.path: item.reason for item in kept if item.path not in by_layout and item.path not in staying}
        hazards += shadowing
        if not by_checks or config.layout != AUTO:  # a preset places each module on its own: nothing to redo
            return placed, kept, hazards_of_staying + hazards
        staying.update(by_checks)  # it grows each time round: the loop ends
        hazards_of_staying += [hazard for hazard in hazards if hazard.path in by_checks]


def _flat_modules(snapshot: Snapshot) -> list[str]:
    folder = snapshot.organize_root
    return [
        path for path in snapshot.python_files()
        if parent_of(path) == folder and PurePosixPath(path).name != "__init__.py"
    ]


def _place_flat_modules(
    snapshot: Snapshot, config: Config, paths: list[str], taken: set[str], conventions: Mapping[str, str],
    folder: Folder | None, staying: Mapping[str, str],
) -> tuple[list[Move], list[Kept]]:
    placed, kept = [], []
    placements = _placements(snapshot, config, paths, conventions, folder, staying)
    for path, placement in placements.items():
        name = PurePosixPath(path).name
        if placement.package is None:
            kept.append(Kept(path, placement.reason))
            continue
        destination = join(snapshot.organize_root, f"{placement.package.replace('.', '/')}/{placement.file_name or name}")
        if destination in snapshot.files:
            kept.append(Kept(path, f"{destination} exists already"))
            continue
        if destination in taken:
            kept.append(Kept(path, f"{destination} is the destination of an explicit move"))
            continue
        placed.append(Move(path, destination, placement.reason))
    return placed, kept


def _placements(snapshot: Snapshot, config: Config, paths: list[str], conventions: Mapping[str, str],
                folder: Folder | None, staying: Mapping[str, str]) -> dict[str, Placement]:
    """The layout's answer for each module: the auto layout reads the folder as a whole
    (`folder`, from `_auto_folder`), a preset each file on its own. Both keep the modules a
    framework imports by name (`conventions`, stem -> why); the auto layout also knows the
    modules the plan's checks keep (`staying`, path -> why)."""
    if folder is None:
        return {path: classify(PurePosixPath(path).name, snapshot.text(path), config.layout, dict(config.packages),
                               config.keep, conventions) for path in paths}
    folder = replace(folder, staying={PurePosixPath(path).stem: reason for path, reason in staying.items()})
    placements = place_folder(folder, dict(config.packages), config.keep, config.strip_affixes)
    names = {PurePosixPath(path).name: path for path in paths}
    return {names[name]: placement for name, placement in placements.items()}


def _auto_folder(snapshot: Snapshot, paths: list[str], conventions: Mapping[str, str]) -> Folder:
    """The flat folder as the auto layout reads it: its modules, who imports whom, its packages,
    what the project runs. Read once a plan, whatever the number of times the folder is placed."""
    folder_name = package_name(snapshot.files, snapshot.organize_root)
    return Folder(
        modules={PurePosixPath(path).name: snapshot.text(path) for path in paths},
        graph=module_graph(snapshot.files, snapshot.organize_root, folder_name),
        existing_packages=frozenset(_existing_packages(snapshot)),
        name=PurePosixPath(snapshot.organize_root).name if snapshot.organize_root else snapshot.root.name,
        run_by=_run_by(snapshot, folder_name),
        conventions=conventions,
    )


# `name = "module:attr"` (or `name = module:attr` in setup.cfg and setup.py's console_scripts).
_SCRIPT_ENTRY = re.compile(r"""^[ \t]*["']?(?P<name>[\w.-]+)["']?[ \t]*=[ \t]*["']?(?P<module>[\w.]+):[\w.]+""",
                           re.MULTILINE)
_SCRIPT_SECTIONS = re.compile(r"^[ \t]*\[(?:project\.(?:gui-)?scripts|tool\.poetry\.scripts)\][ \t]*$"
                              r"|console_scripts|gui_scripts", re.MULTILINE)


def _run_by(snapshot: Snapshot, package: str | None) -> dict[str, str]:
    """stem -> how the project runs a module of the flat folder: an installed command,
    `python -m` where it is deployed (xandikos's entrypoint.sh runs `python3 -m xandikos.web`), or,
    in a folder that is a package, `python pkg/script.py` in a command file (otterwiki's Makefile
    runs `python otterwiki/profiler.py`). Entry points, whose paths users, packagers and operators know."""
    found = _console_scripts(snapshot, package)
    for path, line, module in modules_run_where_deployed(snapshot.files):
        stem = module[len(package) + 1:] if package and module.startswith(package + ".") else module
        if "." not in stem and (package is None or stem != module):
            found.setdefault(stem, f"run as `python -m {module}` in {path}:{line}")
    if package is not None:  # a top-level script could run as a module after the move; a package's cannot
        for path, line, script in scripts_run_by_path(snapshot.files):
            if parent_of(script) == snapshot.organize_root:
                found.setdefault(PurePosixPath(script).stem, f"run by its path in {path}:{line}: moved, it would run "
                                                             "with another folder first on sys.path")
    return found


def _console_scripts(snapshot: Snapshot, package: str | None) -> dict[str, str]:
    """stem -> the installed command that runs a module of the flat folder (`datasette = datasette.cli:cli`)."""
    found = {}
    for path in ("pyproject.toml", "setup.cfg", "setup.py"):
        text = snapshot.files.get(path, b"").decode("utf-8", errors="replace")
        for section in _SCRIPT_SECTIONS.finditer(text):
            block = text[section.end():section.end() + 2000].split("\n[", 1)[0]  # up to the next table
            for entry in _SCRIPT_ENTRY.finditer(block):
                module = entry["module"]
                stem = module[len(package) + 1:] if package and module.startswith(package + ".") else module
                if "." not in stem:
                    found.setdefault(stem, f"the installed command `{entry['name']} = {module}:... in {path}`")
    return found


def _existing_packages(snapshot: Snapshot) -> set[str]:
    """Names of the folders directly in the flat folder that hold Python modules."""
    folders = {_top_folder(snapshot, path) for path in snapshot.python_files()}
    return {folder for folder in folders if folder is not None and folder.isidentifier()}


def _top_folder(snapshot: Snapshot, path: str) -> str | None:
    """The folder directly in the flat folder that `path` lies in; None for a path outside it or
    directly in it."""
    root = snapshot.organize_root
    if root and not path.startswith(root + "/"):
        return None
    parts = PurePosixPath(path[len(root) + 1:] if root else path).parts
    return parts[0] if len(parts) > 1 else None


def _weigh_hazards(snapshot: Snapshot, moves: list[Move], kept: list[Kept]):
    """Name what a move may break; a module whose file-relative paths cannot be kept stays, and so
    does one that finds its data files by its own package name."""
    hazards, safe = [], []
    for move in moves:
        found = _hazards_of_move(snapshot, move)
        deeper = move.destination.count("/") - move.source.count("/")
        if any(h.kind == FILE_RELATIVE for h in found) and deeper > 0:
            if adjust_file_relative_paths(snapshot.text(move.source), deeper) is None:
                kept.append(Kept(move.source, "finds files relative to its own location in a way that cannot be "
                                              "adjusted safely; moving it would break those paths"))
                hazards += found
                continue
        if any(h.kind == PACKAGE_RESOURCE for h in found):
            kept.append(Kept(move.source, package_resource_reason(snapshot.text(move.source))))
            hazards += found
            continue
        hazards += [_adjusted(h) if h.kind == FILE_RELATIVE and deeper > 0 else h for h in found]
        safe.append(move)
    return safe, kept, hazards


# Cheap text test before parsing a file for fixed references: an import call, a dotted name
# completed at run time ("app.tasks.{name}", "app.tasks." + name, "app.tasks.%s"), a file name.
# No `\w` before the dot: a pattern that starts with a class is tried at every byte, ten times slower.
_MAY_HOLD_FIXED_REFERENCES = re.compile(rb"__import__|import_module|\.\{|\.%|\.[\"']\s*\+|\.py[\"']")


def _keep_named(moves: list[Move], kept: list[Kept], named: Mapping[str, str]):
    """The moves of the modules in `named` (path -> why) are dropped, and those modules kept."""
    kept += [Kept(move.source, named[move.source]) for move in moves if move.source in named]
    return [move for move in moves if move.source not in named], kept


def _named_where_no_rewrite_follows(snapshot: Snapshot, paths: Sequence[str]) -> dict[str, str]:
    """path -> why it stays, for each of `paths` that another file names where no rewrite can
    follow (hazards.fixed_references: `__import__("_app", ..., 1)` in pypiserver,
    `f"app.tasks.{name}"` handed to a task queue in microblog: moved, it would be found at run
    time only, and then not at all), or names by a string the rewrite cannot vouch for."""
    candidates = set(paths)
    roots = list(dict.fromkeys([*source_roots(snapshot), "", snapshot.organize_root]))
    staying: dict[str, str] = {}
    for path in snapshot.python_files():
        data = snapshot.files[path]
        if not _MAY_HOLD_FIXED_REFERENCES.search(data):
            continue
        for reference in fixed_references(path, snapshot.text(path), roots):
            if reference.target in candidates and reference.target not in staying:
                staying[reference.target] = (f"named at {path}:{reference.line} by `{reference.shown}`, which no "
                                             "rewrite can follow; moving it would break that at run time")
    for source, reason in _named_by_uncertain_strings(snapshot, paths).items():
        staying.setdefault(source, reason)
    return staying


def _named_by_uncertain_strings(snapshot: Snapshot, paths: Iterable[str]) -> dict[str, str]:
    """source -> why it stays, for a module that a string of the application's code (tests aside)
    names where the rewrite cannot vouch for what the string is:
    - its dotted name handed to a function that gives it no known meaning: sshuttle's `empackage(z,
      'sshuttle.helpers')` ships the module by that name and rebuilds it remotely, parent package
      first; renamed, the server no longer started, and no test ran that;
    - the dotted path of a class or function it defines, anywhere else: django-helpdesk's setting
      default "helpdesk.forms.PublicTicketForm", loaded with import_module at run time, is only
      suggested for review (a `module.attr` string may be anything), so the moved forms.py broke
      its pages; a callback's path ("app.hooks.notify") is loaded the same way.
    A test's strings are rewritten or suggested, and the test runs to tell (`module name handed on`)."""
    names = _flat_module_names(snapshot, paths)
    encoded = [name.encode() for name in names if "." in name]  # bare names are never rewritten in strings
    staying: dict[str, str] = {}
    defined: dict[str, frozenset[str]] = {}  # path -> the classes and functions it defines, read once
    for path in snapshot.python_files() if encoded else ():
        if is_test_file(path) or not any(name in snapshot.files[path] for name in encoded):
            continue
        for line, value, callee in dotted_strings_of_no_known_kind(snapshot.files[path]):
            module, _, attr = value.rpartition(".")
            if value in names and callee:
                staying.setdefault(names[value], f"named at {path}:{line} by '{value}', handed to {callee}(), which "
                                                 f"organize-backend does not know: moved, what {callee}() does with "
                                                 "the name (build, ship or look up the module) could break at run time")
            elif module in names and attr in _classes_and_functions_of(snapshot, names[module], defined):
                staying.setdefault(names[module], f"named at {path}:{line} by '{value}', the dotted path of a class "
                                                  "or function it defines, which the rewrite only suggests: code that "
                                                  "loads it by that name at run time would no longer find it")
    return staying


def _classes_and_functions_of(snapshot: Snapshot, path: str, read: dict[str, frozenset[str]]) -> frozenset[str]:
    """The classes and functions a module defines at its top level (`read`: what earlier calls found)."""
    if path not in read:
        try:
            body = parse_python(snapshot.files[path]).body
        except (SyntaxError, ValueError, RecursionError):
            body = []
        read[path] = frozenset(node.name for node in body if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)))
    return read[path]


def _sys_path_hazards(snapshot: Snapshot, moves: Sequence[Move]) -> list[Hazard]:
    """A file that puts a folder on sys.path by its own location (AppDaemon's app_management.py:
    `sys.path.insert(0, os.path.dirname(__file__))`, "Add Path for adbase") makes that folder's
    modules importable by bare name, by code the workspace does not hold (its users' apps). The
    imports the workspace holds are rewritten; those outside break, which only the user can weigh."""
    leaving: dict[str, list[str]] = {}
    for move in moves:
        if move.source.endswith(".py") and parent_of(move.source) != parent_of(move.destination):
            leaving.setdefault(parent_of(move.source), []).append(PurePosixPath(move.source).stem)
    hazards = []
    for path in snapshot.python_files() if leaving else ():
        if b"sys.path" not in snapshot.files[path]:
            continue
        for entry in folders_put_on_sys_path(path, snapshot.text(path)):
            if not entry.by_location:
                continue  # a literal folder depends on where a script is run from: nothing certain to warn about
            stems = sorted(leaving.get(entry.folder, []))
            if stems:
                named = ", ".join(f"`{stem}`" for stem in stems[:3]) + (f" and {len(stems) - 3} more" if len(stems) > 3 else "")
                verb, them = ("moves", "it") if len(stems) == 1 else ("move", "them")
                hazards.append(Hazard(path, entry.line, SYS_PATH_FOLDER, (
                    f"{entry.shown} puts {entry.folder or '.'}/ on sys.path, so that its modules import by bare "
                    f"name (`import {stems[0]}`): {named} {verb} out of it, so code outside the workspace that "
                    f"imports {them} so (plugins, users' apps) no longer finds {them}; the workspace's own imports "
                    "are rewritten")))
    return hazards


def _moved_files_read_elsewhere(snapshot: Snapshot, moves: Sequence[Move]) -> list[Hazard]:
    """Another file that reads a moved module's `__file__` (sshuttle's test of its sudoers
    module climbs `.parent.parent` from it to site-packages): the paths it builds start from the
    new package folder. The common forms are lifted to name the same folder, as a module's own
    are (`adjust_modules_file_paths`); the others are for the user to check."""
    by_source = {move.source: move for move in moves}
    moved = {name: by_source[source] for name, source in _flat_module_names(snapshot, by_source).items()}
    levels = {module: move.destination.count("/") - move.source.count("/") for module, move in moved.items()}
    hazards = []
    for path in snapshot.python_files() if moved else ():
        if b"__file__" not in snapshot.files[path]:
            continue
        text = snapshot.text(path)
        reads = [(line, moved[module], shown) for line, module, shown in modules_files_read(text)
                 if module in moved and moved[module].source != path]
        adjusted = " (adjusted to point at the same folder)" if adjust_modules_file_paths(text, levels) else ""
        hazards += [Hazard(path, line, FILE_RELATIVE, (
            f"{shown} is the path of {move.source}, which moves to {move.destination}: paths built from it start "
            f"from {parent_of(move.destination)}/ now{adjusted or '; check where they lead'}")) for line, move, shown in reads]
    return sorted(hazards, key=lambda hazard: (hazard.path, hazard.line))


def _module_names_handed_on(snapshot: Snapshot, moves: Sequence[Move]) -> list[Hazard]:
    """A moved module's dotted name in a test's string handed to a function that gives it no known
    meaning: the rewrite renames the string, and what the function does with the name is for the
    user to check. A folder that is no package has bare names, which no rewrite takes for modules."""
    package = package_name(snapshot.files, snapshot.organize_root)
    destinations = {move.source: move.destination for move in moves}
    renamed = {name: _module_name(snapshot, package, destinations[source])
               for name, source in _flat_module_names(snapshot, destinations).items() if package}
    encoded = [name.encode() for name in renamed]
    hazards = []
    for path in snapshot.python_files() if renamed else ():
        if not is_test_file(path) or not any(name in snapshot.files[path] for name in encoded):
            continue  # in the application's code such a module stays (`_named_by_uncertain_strings`)
        for line, name, callee in module_names_handed_to_calls(snapshot.files[path]):
            if name in renamed:
                hazards.append(Hazard(path, line, MODULE_NAME_HANDED_ON, (
                    f"{callee}() is handed the module name '{name}', which the rewrite makes '{renamed[name]}'; "
                    f"what {callee}() does with a module's name is not known here: check that it works with the "
                    f"new one (code that builds or ships modules by name needs the new package, "
                    f"{renamed[name].rsplit('.', 1)[0]}, too)")))
    return sorted(hazards, key=lambda hazard: (hazard.path, hazard.line))


def _public_path_hazards(snapshot: Snapshot, moves: Sequence[Move]) -> list[Hazard]:
    """A package the project builds as a distribution has users who import its modules by their
    dotted paths (datasette's plugins: `from datasette.utils import ...`): a move changes the
    path for them, which no edit here fixes. One hazard for the plan, where the name is declared."""
    package = package_name(snapshot.files, snapshot.organize_root)
    published = distribution_name(snapshot.files) if package else None
    moved = [move for move in moves if move.source.endswith(".py") and parent_of(move.source) == snapshot.organize_root]
    if published is None or not moved:
        return []
    path, name = published
    shown = next((move for move in moved if not PurePosixPath(move.source).name.startswith("_")), moved[0])
    old, new = _module_name(snapshot, package, shown.source), _module_name(snapshot, package, shown.destination)
    more = f", and {len(moved) - 1} more" if len(moved) > 1 else ""
    return [Hazard(path, _line_of(snapshot.text(path), name), PUBLIC_MODULE, (
        f"the project builds the distribution `{name}`, whose package {package} has users who import its modules by "
        f"path: `{old}` becomes `{new}`{more}, which only the workspace's own imports follow; keep public modules "
        "with `keep`, or re-export them from their old place"))]


def _line_of(text: str, name: str) -> int:
    """The first line of `text` that holds `name` (1 when none does)."""
    index = text.find(name)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _explicit_hazards(snapshot: Snapshot, moves: list[Move]) -> list[Hazard]:
    """Explicit module moves are made as asked, but what they may break is named all the same."""
    hazards = []
    for move in moves:
        if not move.source.endswith(".py"):
            continue  # a package moves with its data files: lookups by its name still find them
        found = _hazards_of_move(snapshot, move)
        deeper = move.destination.count("/") - move.source.count("/")
        if any(h.kind == FILE_RELATIVE for h in found) and deeper != 0:
            adjustable = deeper > 0 and adjust_file_relative_paths(snapshot.text(move.source), deeper) is not None
            found = [(_adjusted(h) if adjustable else _moved_anyway(h)) if h.kind == FILE_RELATIVE else h
                     for h in found]
        hazards += [_moved_anyway(h) if h.kind == PACKAGE_RESOURCE else h for h in found]
    # what would keep a module of the folder where it is, had the layout placed it
    named = _named_by_uncertain_strings(snapshot, [move.source for move in moves])
    hazards += [_moved_anyway(Hazard(source, 1, MODULE_NAME_HANDED_ON, reason)) for source, reason in named.items()]
    return hazards


def _convention_hazards(snapshot: Snapshot, moves: Sequence[Move],
                        conventions: dict[str, Mapping[str, str]]) -> list[Hazard]:
    """A module a framework imports by its name, moved all the same (an explicit move, a file
    dragged in the editor's explorer, a package rule naming it): a Django app's admin.py moved
    into a package is no longer found, and its admin pages vanish without an error.
    `conventions`: folder -> its conventions, as far as they are read already; read once."""
    hazards = []
    for move in moves:
        folder = parent_of(move.source)
        stem = PurePosixPath(move.source).stem
        if move.source.endswith(".py") and (folder, stem) != (parent_of(move.destination), PurePosixPath(move.destination).stem):
            if folder not in conventions:
                conventions[folder] = conventions_of(snapshot.files, folder)
            reason = conventions[folder].get(stem)
            if reason is not None:
                hazards.append(Hazard(move.source, 1, FRAMEWORK_CONVENTION,
                                      f"{reason}: moved to {move.destination}, it is no longer found so"))
    return hazards


def _hazards_of_move(snapshot: Snapshot, move: Move) -> list[Hazard]:
    """The module's hazards that this move can set off: a lookup by package name only breaks when
    the module changes folder, not when it is renamed in place."""
    found = find_hazards(move.source, snapshot.text(move.source))
    if parent_of(move.source) == parent_of(move.destination):
        found = [h for h in found if h.kind != PACKAGE_RESOURCE]
    return found


def _moved_anyway(hazard: Hazard) -> Hazard:
    return Hazard(hazard.path, hazard.line, hazard.kind,
                  hazard.message + " (moved all the same: the configuration asks for this move explicitly)")


def _adjusted(hazard: Hazard) -> Hazard:
    return Hazard(hazard.path, hazard.line, hazard.kind, hazard.message + " (adjusted to point at the same folder)")


def _keep_out_of_shadowing(snapshot: Snapshot, environment: Environment | None, explicit: list[Move],
                           placed: list[Move], kept: list[Kept]):
    """A layout's package must not hide a module of the same name: its modules stay. Explicit
    moves are made as asked, with the hazard named."""
    if environment is None:
        return placed, kept, []
    names = ShadowedNames(snapshot, environment)
    hazards: dict[str, Hazard] = {}  # one per package
    made_anyway: set[str] = set()  # by an explicit move: the layout's modules may join it
    for move in explicit:
        package = names.new_package(move.destination)
        hidden = names.what_it_hides(package) if package else None
        if package and hidden:
            hazards.setdefault(package, _moved_anyway(names.hazard(package, hidden, move.source)))
            made_anyway.add(package)
    safe = []
    for move in placed:
        package = names.new_package(move.destination)
        hidden = names.what_it_hides(package) if package and package not in made_anyway else None
        if hidden is None:
            safe.append(move)
            continue
        hazards.setdefault(package, names.hazard(package, hidden, move.source))
        kept.append(Kept(move.source, f"package {package}/ would hide {hidden}"))
    return safe, kept, list(hazards.values())


def _keep_clashing_with_kept_modules(snapshot: Snapshot, moves: list[Move], kept: list[Kept]):
    """A package cannot share its name with a module that stays beside it, nor, in a folder that is
    itself a package, move into a folder of its package data (files and no module: RepoSteward's
    data/ is read by its CLI and shipped in its wheel)."""
    staying = {PurePosixPath(k.path).stem for k in kept if parent_of(k.path) == snapshot.organize_root}
    is_package = package_name(snapshot.files, snapshot.organize_root) is not None
    files_only = _folders_of_other_files(snapshot) if is_package else set()
    safe = []
    for move in moves:
        package = _package_below_root(snapshot, move.destination)
        if package in staying:
            kept.append(Kept(move.source, f"package {package}/ would clash with {package}.py, which stays"))
        elif package in files_only:
            kept.append(Kept(move.source, f"{package}/ holds the package's data files and no module: a package "
                                          "there would mix modules into them"))
        else:
            safe.append(move)
    return safe, kept


def _folders_of_other_files(snapshot: Snapshot) -> set[str]:
    """The folders directly in the flat folder that hold files but no Python module."""
    with_files = {_top_folder(snapshot, path) for path in [*snapshot.files, *snapshot.other_files]}
    with_modules = {_top_folder(snapshot, path) for path in snapshot.python_files()}
    return with_files - with_modules - {None}


def _package_below_root(snapshot: Snapshot, destination: str) -> str | None:
    root = snapshot.organize_root
    relative = destination[len(root) + 1:] if root else destination
    parts = PurePosixPath(relative).parts
    return parts[0] if len(parts) > 1 else None


def _new_packages(snapshot: Snapshot, moves: tuple[Move, ...]) -> tuple[str, ...]:
    existing = {path.rsplit("/", 1)[0] for path in snapshot.files if path.endswith("/__init__.py")}
    folders = set()
    for move in moves:
        folder = parent_of(move.destination) if move.destination.endswith(".py") else move.destination
        while folder and folder != snapshot.organize_root and folder not in existing:
            if folder.startswith(move.source + "/") or folder == move.source:
                break
            folders.add(folder)
            folder = parent_of(folder)
    moved_packages = {m.destination for m in moves if not m.destination.endswith(".py")}
    return tuple(sorted(folders - moved_packages))


def _pytest_imports_without_sys_path(snapshot: Snapshot) -> bool:
    """pytest's `--import-mode=importlib` (AppDaemon) leaves sys.path alone: no __init__.py changes that."""
    return any(re.search(rb"--import-mode[= ]importlib", snapshot.files.get(name, b""))
               for name in ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini"))


def _notes(snapshot: Snapshot, moves: tuple[Move, ...], whole_folder: bool, layout_alone: bool) -> tuple[str, ...]:
    """`layout_alone`: a whole-folder plan that no package rule or explicit move of the user's shaped."""
    notes = []
    tests = join(snapshot.organize_root, "tests")
    if any(m.destination.startswith(tests + "/") for m in moves) and not _pytest_imports_without_sys_path(snapshot):
        folder = f"{snapshot.organize_root}/" if snapshot.organize_root else "the workspace root"
        notes.append(f"{tests}/__init__.py makes pytest put {folder} on sys.path "
                     "(rootdir-based 'prepend' import mode), so `pytest` and `python -m pytest` keep finding the application")
    notes += _one_package_for_everything(snapshot, moves) if layout_alone else []
    readme = join(snapshot.organize_root, "README.md")
    if readme in snapshot.files and moves and whole_folder:
        notes.append(f"{readme} gets the new tree in a block the tool owns (in its 'Project structure' section; "
                     "no other line of the README changes)")
    return tuple(notes)


def _one_package_for_everything(snapshot: Snapshot, moves: tuple[Move, ...]) -> list[str]:
    """A plan whose application modules all go into one new package (core/, where no signal sets
    them apart: wikmd's 8 of 9, todoman's 6 of 9) moves them out of the top, as maintainers who
    reorganize a folder do, but groups nothing: the user is told, and how to group them."""
    tests_and_scripts = {join(snapshot.organize_root, name) for name in ("tests", "test", "scripts")}
    folders = {parent_of(move.destination) for move in moves if move.destination.endswith(".py")} - tests_and_scripts
    if len(folders) != 1 or not set(_new_packages(snapshot, moves)) & folders:
        return []
    (folder,) = folders
    held = sum(1 for move in moves if parent_of(move.destination) == folder)
    note = (f"{folder}/ is the only new package for the application's modules ({held} of the folder's "
            f"{len(_flat_modules(snapshot))}): it groups nothing, and every import of them gets longer; to group "
            "them, name packages with `packages` rules or edit the plan (`plan --write`) before applying")
    return [note]


def _flat_module_names(snapshot: Snapshot, paths: Iterable[str]) -> dict[str, str]:
    """dotted name -> path, for the flat folder's modules among `paths`, by the name the
    application imports them by: `pkg.mod` in a folder that is a package, else the bare `mod`."""
    package = package_name(snapshot.files, snapshot.organize_root)
    return {(_module_name(snapshot, package, path) if package else PurePosixPath(path).stem): path
            for path in paths if path.endswith(".py") and parent_of(path) == snapshot.organize_root}


def _module_name(snapshot: Snapshot, package: str, path: str) -> str:
    root = snapshot.organize_root
    relative = path[len(root) + 1:] if root else path
    return ".".join([package, *PurePosixPath(relative[: -len(".py")]).parts])
