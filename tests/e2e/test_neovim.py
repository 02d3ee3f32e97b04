"""Neovim 0.7.2 (Debian 12) applies the server's edits itself: CreateFile, text edits, RenameFile.

The Lua script (nvim/run_action.lua) asks for the code actions, resolves the chosen one and
applies it with Neovim's own `vim.lsp.util.apply_workspace_edit`, or runs its command and lets
Neovim's `workspace/applyEdit` handler apply what the server pushes; then `:wall`.
"""

from __future__ import annotations

from pathlib import Path

from helpers import tree_bytes

SCRIPT = Path(__file__).resolve().parent / "nvim" / "run_action.lua"
# The modules that import indexer in the flat backend, and how.
# Each importer's statement, before and after: in place, binding `indexer` as before.
INDEXER_IMPORTS = {"main.py": ("import indexer", "from data import indexer"),
                   "seed_db.py": ("import database, indexer", "import database, data.indexer as indexer"),
                   "test_vector_store.py": ("import indexer", "from data import indexer")}


def run_nvim(run_editor, nvim, root: Path, **settings: str):
    """One headless Neovim run of the script on the workspace `root`."""
    run = run_editor(nvim, ["-c", f"luafile {SCRIPT}"], {"root": str(root), **settings}, root.parent.parent)
    assert run.returncode == 0, f"{run.report.get('error')}\n{run.output[-3000:]}"
    return run


def test_organize_backend_action(nvim, backend, run_editor, check_organized, check_backend_tests):
    before = set(tree_bytes(backend))
    run = run_nvim(run_editor, nvim, backend, file="main.py", kind="source.organizeBackend",
                   title="Organize backend")
    # Neovim 0.7.2 declares resolveSupport for `edit`: the edit comes from codeAction/resolve.
    assert run.report["titles"] == ["Organize backend: move 30 modules into 10 packages"]
    assert run.report["chosen"]["has_edit"] and "command" not in run.report
    check_organized(backend, before)
    check_backend_tests(backend)


def test_move_to_a_package_the_user_picks(nvim, backend, run_editor, check_backend_tests):
    before = set(tree_bytes(backend))
    run = run_nvim(run_editor, nvim, backend, file="indexer.py", kind="refactor.move", title="Move to…",
                   answer="data/")
    [asked] = run.report["asked"]
    assert asked["message"] == "Move indexer.py to which package?"
    assert {"data/", "services/", "utils/"} <= set(asked["titles"])
    assert run.report["command"] == "organizeBackend.moveTo"
    assert run.report["command_result"] == {"applied": True} and run.report["applied_edits"] == 1
    # Only indexer.py moved, into a new package; every importer now names data.indexer.
    assert set(tree_bytes(backend)) == before - {"indexer.py"} | {"data/indexer.py", "data/__init__.py"}
    for importer, (old, new) in INDEXER_IMPORTS.items():
        lines = (backend / importer).read_text(encoding="utf-8").splitlines()
        assert new in lines and old not in lines, importer
    assert 'importlib.import_module("data.indexer")' in (backend / "plugins.py").read_text(encoding="utf-8")
    check_backend_tests(backend)
