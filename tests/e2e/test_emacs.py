"""Emacs 28.2 with eglot 1.9 (Debian 12): it would drop every file move, so the server applies.

eglot declares no resource operations; the server sees that and offers the organize action as
the command `organizeBackend.apply`, which it carries out on disk itself. The Emacs Lisp script
(emacs/run_action.el) goes through eglot's own code-action path, as M-x eglot-code-actions does.
"""

from __future__ import annotations

from pathlib import Path

from helpers import tree_bytes

SCRIPT = Path(__file__).resolve().parent / "emacs" / "run_action.el"


def run_emacs(run_editor, emacs, root: Path, **settings: str):
    """One batch Emacs run of the script on the workspace `root`."""
    run = run_editor(emacs, ["-l", str(SCRIPT)], {"root": str(root), **settings}, root.parent.parent)
    assert run.returncode == 0, f"{run.report.get('error')}\n{run.output[-3000:]}"
    return run


def test_organize_backend_action(emacs, backend, run_editor, check_organized, check_backend_tests):
    before = set(tree_bytes(backend))
    run = run_emacs(run_editor, emacs, backend, file="main.py", kind="source.organizeBackend")
    assert run.report["titles"] == ["Organize backend: move 30 modules into 10 packages"]
    # eglot ran the action's command, and the server says it applied the change itself.
    [executed] = run.report["commands"]
    assert executed["command"] == "organizeBackend.apply"
    assert executed["result"]["applied"] is True, executed
    assert executed["result"]["message"].startswith("moved 30 files")
    check_organized(backend, before)
    check_backend_tests(backend)
