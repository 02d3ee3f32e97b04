"""The command line: a thin shell over the pipeline. Exit codes are part of the interface."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Sequence

from organize_backend import __version__
from organize_backend.config import LAYOUTS
from organize_backend.model import OrganizeError
from organize_backend.pipeline import (
    Workspace,
    compute,
    open_workspace,
    plan_move,
    plan_organize,
    project_environment,
)
from organize_backend.planning.plan_file import write_plan
from organize_backend.report import plan_as_data, render_plan, render_review
from organize_backend.sinks.diff import render_diff
from organize_backend.sinks.disk import apply_changes, describe_interruption, undo_last
from organize_backend.sinks.journal import (
    interrupted_journal,
    interrupted_message,
    journal_states,
)
from organize_backend.snapshot import source_roots, workspace_package
from organize_backend.verify import (
    UnresolvedImport,
    compare_with_before,
    find_unresolved_imports,
)

EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # the workspace's own imports do not resolve (`check`; after `apply`/`move`: newly)
EXIT_REFUSED = 2  # bad input or a refused operation; nothing was changed
EXIT_NOTHING_TO_DO = 3
EXIT_INTERRUPTED = 4  # Ctrl-C or SIGTERM after the workspace changed: the message says what is true

DESCRIPTION = """\
Reorganize a flat Python backend into packages with rope, fixing every import,
string reference, config line and doc that points at the moved modules.

Installed packages are looked up in the project's Python: --python, else the
`python` config key, else $VIRTUAL_ENV, else a .venv or venv folder, else this one.

exit codes: 0 done, 1 an import of the workspace's own modules does not resolve
(`check`; after `apply`/`move`, one that resolved before it ran; imports missing
from the project's Python are warnings), 2 bad input or refused (nothing changed),
3 nothing to organize,
4 interrupted after the workspace changed (the message says what to run)."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = _journal_root(args)
    states_before = journal_states(root) if root is not None else {}
    try:
        with _terminate_as_interrupt(args.command != "lsp"):
            return args.run(args)
    except OrganizeError as error:
        print(f"organize-backend: {error}", file=sys.stderr)
        return EXIT_NOTHING_TO_DO if str(error).startswith("nothing to organize") else EXIT_REFUSED
    except KeyboardInterrupt:
        # what the journals say, not where the interrupt landed: it may come just after a commit
        changed, message = describe_interruption(root, states_before) if root else (False, "interrupted")
        print(f"organize-backend: {message}", file=sys.stderr)
        return EXIT_INTERRUPTED if changed else EXIT_REFUSED
    except BrokenPipeError:
        _silence_stdout()  # `plan | head`: the reader left; Python's exit flush must not complain
        return EXIT_OK
    except Exception as error:  # a defect of ours: no traceback, but the truth about the workspace
        what = f"stopped by an internal error ({type(error).__name__}: {error}); please report it"
        changed, message = describe_interruption(root, states_before, what) if root else (False, what)
        print(f"organize-backend: {message}", file=sys.stderr)
        if os.environ.get("ORGANIZE_BACKEND_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERRUPTED if changed else EXIT_REFUSED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="organize-backend", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = _command(commands, "plan", _plan, "show what would move where and why; changes nothing")
    _workspace_arguments(plan)
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument("--write", action="store_true",
                      help="also write the plan into the configuration as explicit moves, with layout = \"none\", "
                           "so that `apply` makes exactly them (edit them first if you like); "
                           "a new --write replaces them")

    apply = _command(commands, "apply", _apply, "reorganize the workspace (all or nothing, undoable)")
    _workspace_arguments(apply)
    apply.add_argument("--dry-run", action="store_true", help="print the change as a unified diff; change nothing")

    move = _command(commands, "move", _move, "move one module or package, mv-style, fixing its references")
    move.add_argument("source", help="a module (agent.py) or package folder (utils/)")
    move.add_argument("destination", help="a package folder (data/) or a new file path (database/session.py)")
    move.add_argument("--workspace", type=Path, default=Path("."), help="the workspace root (default: .)")
    move.add_argument("--dry-run", action="store_true", help="print the change as a unified diff; change nothing")

    check = _command(commands, "check", _check, "check statically that every import in the workspace resolves")
    _workspace_arguments(check)

    lsp = _command(commands, "lsp", _lsp, "start the language server (stdio; --tcp for debugging)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP port instead of stdio")

    undo = _command(commands, "undo", _undo, "revert the last apply or move exactly, byte for byte")
    undo.add_argument("root", nargs="?", type=Path, default=Path("."), help="the workspace (default: .)")
    return parser


def _command(commands, name: str, run: Callable, help_text: str) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=help_text, description=help_text)
    command.set_defaults(run=run)
    return command


def _workspace_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("root", nargs="?", type=Path, default=Path("."),
                         help="the workspace: where pyproject.toml or organize-backend.toml is read (default: .)")
    command.add_argument("--root", dest="organize_root", metavar="FOLDER",
                         help="the flat folder to organize, inside the workspace (config key `root`)")
    command.add_argument("--layout", choices=LAYOUTS,
                         help="how modules are placed: auto reads the folder (names, families, code, imports); "
                              "skill and layered are the seed presets; none makes only the configured moves "
                              "(config key `layout`; default: auto)")
    command.add_argument("--python", metavar="PYTHON",
                         help="the project's interpreter or virtual environment, where installed packages are "
                              "looked up (config key `python`; default: $VIRTUAL_ENV, then a .venv or venv folder)")


def _open(args) -> Workspace:
    flags = {key: value for key, value in (("root", args.organize_root), ("layout", args.layout),
                                           ("python", args.python)) if value}
    return open_workspace(args.root, flags=flags)


# --- commands -----------------------------------------------------------------------------


def _plan(args) -> int:
    workspace = _open(args)
    plan = plan_organize(workspace, for_report=True)
    changes = compute(workspace, plan) if not plan.is_empty else None
    if args.json:
        print(json.dumps(plan_as_data(plan, changes), indent=2))
    else:
        print(render_plan(plan, changes))
    if args.write and plan.is_empty:  # the moves written before stay, done or not, as a record
        print("organize-backend: nothing written: the plan moves nothing", file=sys.stderr)
    elif args.write:
        written = write_plan(workspace.snapshot.root, workspace.config, plan, workspace.snapshot.organize_root)
        print(f"organize-backend: {written.summary()}", file=sys.stderr)
    return EXIT_OK


def _apply(args) -> int:
    workspace = _open(args)
    plan = plan_organize(workspace)
    return _carry_out(workspace, plan, args.dry_run)


def _move(args) -> int:
    workspace = open_workspace(args.workspace)
    root = workspace.snapshot.root
    plan = plan_move(workspace, _relative(args.source, root), _relative(args.destination, root))
    return _carry_out(workspace, plan, args.dry_run)


def _carry_out(workspace: Workspace, plan, dry_run: bool) -> int:
    changes = compute(workspace, plan)
    for warning in changes.warnings:
        print(f"organize-backend: not in place: {warning}", file=sys.stderr)
    for hazard in plan.hazards:  # what the moves may break that no rewrite covers: `plan` is not always run first
        print(f"organize-backend: hazard: {hazard.path}:{hazard.line}: {hazard.kind}: {hazard.message}", file=sys.stderr)
    if dry_run:
        sys.stdout.write(render_diff(changes))
        _report_review(changes, sys.stderr)  # stdout stays a patch `git apply` takes
        return EXIT_OK
    _warn_if_dirty(workspace.snapshot.root)
    before = _unresolved_in(workspace, changes.module_map)  # the snapshot planned from; parses are cached
    journal = apply_changes(changes)
    print(f"organize-backend: {journal.summary()}; `organize-backend undo` reverts it")
    _report_review(changes, sys.stdout)
    return _report_unresolved(workspace.snapshot.root, workspace.config, after_apply=True,
                              moved_names=changes.module_map, organized=workspace.snapshot.organize_root,
                              before=before, path_map=changes.path_map,
                              change="the organize" if plan.whole_folder else "the move")


def _report_review(changes, stream) -> None:
    """Review-only rewrites are never written here (no one could confirm them): listed instead."""
    for line in render_review(changes):
        print(line, file=stream)


def _check(args) -> int:
    workspace = _open(args)
    return _report_unresolved(workspace.snapshot.root, workspace.config, after_apply=False,
                              organized=workspace.snapshot.organize_root)


def _report_unresolved(root: Path, config, after_apply: bool, moved_names=(), organized: str = "",
                       before: Sequence[UnresolvedImport] = (), path_map=None, change: str = "") -> int:
    """Errors (the workspace's own imports) fail, unless they were there `before` the change;
    what the project's environment lacks is a warning.
    `organized`: the folder organized, named again (a search for it after the moves could differ)."""
    flags = {key: value for key, value in (("root", organized or "."), ("python", config.python)) if value}
    workspace = open_workspace(root, flags=flags)
    snapshot, environment = workspace.snapshot, project_environment(workspace)
    print(f"organize-backend: imports checked with {environment.interpreter}")
    found = compare_with_before(_unresolved_in(workspace, moved_names), before, path_map, moved_names)
    errors, warnings = found.errors, found.warnings
    for problem in errors:
        print(problem)
    for problem in found.already:
        print(f"{problem.path}:{problem.line}: already unresolved before {change}: {problem.message}")
    for problem in warnings:
        print(f"{problem.path}:{problem.line}: warning: {problem.message}")
    if warnings:
        print(f"organize-backend: warning: {len(warnings)} import(s) not installed in "
              f"{environment.interpreter.executable}", file=sys.stderr)
    if found.already:
        print(f"organize-backend: warning: {len(found.already)} import(s) already unresolved before {change} "
              f"(not counted)", file=sys.stderr)
    if errors:
        print(f"organize-backend: {len(errors)} import(s) do not resolve", file=sys.stderr)
        return EXIT_CHECK_FAILED
    if not after_apply:
        what = "every workspace import resolves" if warnings else "every import resolves"
        print(f"organize-backend: {what} ({len(snapshot.python_files())} files)")
    return EXIT_OK


def _unresolved_in(workspace: Workspace, moved_names=()) -> list[UnresolvedImport]:
    snapshot = workspace.snapshot
    return find_unresolved_imports(snapshot.files, source_roots(snapshot), first_party=moved_names,
                                   workspace_package=workspace_package(snapshot),
                                   environment=project_environment(workspace), organized_folder=snapshot.organize_root)


def _undo(args) -> int:
    interrupted = interrupted_journal(args.root.resolve())
    journal = undo_last(args.root.resolve())
    if interrupted is not None:  # its summary is what was planned, not what got done
        print(f"organize-backend: restored the original files; {interrupted_message(interrupted).split(';')[0]} "
              f"(it would have {journal.summary()})")
    else:
        print(f"organize-backend: undone: {journal.summary()}")
    return EXIT_OK


def _lsp(args) -> int:
    import logging

    from organize_backend.lsp.server import server  # pygls loads only for this command

    logging.basicConfig(level=logging.WARNING, format="organize-backend: %(message)s", stream=sys.stderr)
    logging.getLogger("organize-backend").setLevel(logging.INFO)
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return EXIT_OK


# --- helpers ------------------------------------------------------------------------------


def _journal_root(args) -> Path | None:
    """The workspace whose journals tell what an interrupt left (None for `lsp`)."""
    root = getattr(args, "workspace", None) or getattr(args, "root", None)
    return Path(root).resolve() if isinstance(root, Path) else None


@contextmanager
def _terminate_as_interrupt(enabled: bool):
    """SIGTERM (a CI timeout, a closed terminal) takes the same orderly path as Ctrl-C: the
    disk sink rolls back what is not committed, and `main` says what is true afterwards."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _relative(path: str, root: Path) -> str:
    """A command-line path (relative to the current folder) as a workspace path."""
    absolute = Path(path).absolute()
    try:
        return absolute.relative_to(root).as_posix() if absolute != root else ""
    except ValueError:
        resolved = absolute.resolve()
        try:
            return resolved.relative_to(root).as_posix() if resolved != root else ""
        except ValueError:
            raise OrganizeError(f"{path}: outside the workspace {root}") from None


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _warn_if_dirty(root: Path) -> None:
    """A dirty git tree is worth a warning, not a refusal: undo works either way."""
    try:
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return
    if status.returncode == 0 and status.stdout.strip():
        print("organize-backend: warning: the git work tree has uncommitted changes; "
              "`organize-backend undo` can still revert this change", file=sys.stderr)
