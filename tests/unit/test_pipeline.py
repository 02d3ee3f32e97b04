"""The pipeline's entry points that front ends share: here, organizing one picked folder."""

from __future__ import annotations

import pytest

from helpers import write_tree
from organize_backend.model import OrganizeError
from organize_backend.pipeline import open_workspace, plan_folder

TREE = {
    "pyproject.toml": "[tool.organize-backend]\nroot = \"\"\n",
    "main.py": "from backend.agent import run\n",
    "agent.py": "def run():\n    return 1\n",  # at the workspace root: not in the picked folder
    "backend/agent.py": "def run():\n    return 2\n",
    "backend/vector_store.py": "STORE = {}\n",
}


def test_a_picked_folder_is_organized_instead_of_the_configured_root(tmp_path):
    workspace = open_workspace(write_tree(tmp_path, TREE))
    plan = plan_folder(workspace, "backend")
    assert {(m.source, m.destination) for m in plan.moves} == {
        ("backend/agent.py", "backend/agents/agent.py"),
        ("backend/vector_store.py", "backend/data/vector_store.py"),
    }


@pytest.mark.parametrize("folder, message", [
    ("../elsewhere", "outside the workspace"),
    ("main.py", "main.py is not a folder of the workspace"),
    ("missing", "missing is not a folder of the workspace"),
])
def test_a_folder_that_cannot_be_organized_is_refused(tmp_path, folder, message):
    workspace = open_workspace(write_tree(tmp_path, TREE))
    with pytest.raises(OrganizeError, match=message):
        plan_folder(workspace, folder)
