"""The language server's listing of the organize action, before and after its start-up parse.

A listing must answer fast (the editor asks on every cursor move). Until the parse the server
starts with has finished (about 1 s on 1,600 modules), a listing does not parse beside it: the
action is offered from a plan made without the syntax check, nothing is prepared from it, and
picking the action checks. Once the parse is done, a syntax error disables the action at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import write_tree
from organize_backend.lsp import server as lsp_server
from organize_backend.lsp.client import ClientProfile
from organize_backend.pipeline import open_workspace

FILES = {
    "db_session.py": "from db_engine import ENGINE\n\n\ndef get_db():\n    return ENGINE\n",
    "db_engine.py": "ENGINE = 1\n",
    "user_models.py": "from db_session import get_db\n\n\ndef load():\n    return get_db()\n",
    "order_models.py": "from user_models import load\n\n\ndef orders():\n    return [load()]\n",
    "home_views.py": "def login(:\n    pass\n",  # line 1: a syntax error
    "order_views.py": "from order_models import orders\n\n\ndef index():\n    return orders()\n",
}


def listing(tmp_path: Path, monkeypatch, warm: bool) -> tuple[list, list]:
    root = write_tree(tmp_path / "ws", FILES)
    ls = lsp_server.OrganizeServer()
    ls.root, ls.profile = root, ClientProfile(resource_operations=True, resolve_edit=True, disabled_actions=True)
    monkeypatch.setattr(ls, "workspace_view", lambda near=None: open_workspace(root, near=near))
    monkeypatch.setattr(lsp_server, "WARM_UP_WAIT_SECONDS", 0.01)
    prepared: list[str] = []
    monkeypatch.setattr(ls.preparer, "start", lambda key, work: prepared.append(key))
    if not warm:
        ls.warm.clear()  # the start-up parse is still running
    return lsp_server.list_actions(ls, (root / "user_models.py").as_uri(), "user_models.py", ["source"]), prepared


def test_after_the_start_up_parse_a_syntax_error_disables_the_action(tmp_path: Path, monkeypatch) -> None:
    listed, prepared = listing(tmp_path, monkeypatch, warm=True)
    assert [action.disabled.reason.splitlines()[:2] for action in listed] == [
        ["cannot organize: fix these first, nothing was changed", "home_views.py:1: syntax error: invalid syntax"]]
    assert prepared == []


def test_during_the_start_up_parse_the_action_is_listed_unchecked_and_not_prepared(tmp_path: Path, monkeypatch) -> None:
    listed, prepared = listing(tmp_path, monkeypatch, warm=False)
    assert [(action.title, action.disabled) for action in listed] == [("Organize backend: move 6 modules into 3 packages", None)]
    assert prepared == []


def test_picking_the_unchecked_action_checks(tmp_path: Path, monkeypatch) -> None:
    listed, _ = listing(tmp_path, monkeypatch, warm=False)
    ls = lsp_server.OrganizeServer()
    root = tmp_path / "ws"
    monkeypatch.setattr(ls, "workspace_view", lambda near=None: open_workspace(root, near=near))
    with pytest.raises(lsp_server.OrganizeError, match="home_views.py:1: syntax error"):
        lsp_server.changes_for(ls, listed[0].data)
