"""Strings that only look like module paths: the command line never writes them, it reports them."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import tree_bytes, write_tree
from organize_backend.cli import main

FILES = {
    "agent.py": "import logging\n\nlog = logging.getLogger(\"agent\")\n\n\ndef run():\n    return 'ran'\n",
    "main.py": "import agent\n\nprint(agent.run())\n",
    "test_agent.py": "from unittest import mock\n\nimport agent\n\n\ndef test_run():\n"
                     "    with mock.patch(\"agent.run\", return_value='fake'):\n        assert agent.run() == 'fake'\n",
    "main_events.py": "ANSWERED = \"agent.run\"  # an event name\n",
    # the seed preset keeps main_events.py where it is, so its string is reviewed in place
    "organize-backend.toml": 'layout = "skill"\n',
}
REVIEW = [
    'agents/agent.py:3: "agent" -> "agents.agent"',
    'main_events.py:1: "agent.run" -> "agents.agent.run"',
]


def test_plan_lists_them_under_review(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "ws", FILES)
    assert main(["plan", str(root)]) == 0
    out = capsys.readouterr().out
    assert "For review, left unchanged (2): strings that may name a moved module" in out
    assert all(f"  {line}" in out for line in REVIEW)
    assert main(["plan", str(root), "--json"]) == 0
    review = json.loads(capsys.readouterr().out)["review"]
    assert review == [
        {"path": "agents/agent.py", "line": 3, "current": '"agent"', "suggested": '"agents.agent"'},
        {"path": "main_events.py", "line": 1, "current": '"agent.run"', "suggested": '"agents.agent.run"'},
    ]


def test_apply_leaves_them_and_reports_them(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "ws", FILES)
    assert main(["apply", str(root), "--dry-run"]) == 0
    dry = capsys.readouterr()
    assert "agents.agent.run" in dry.out  # the mock.patch target: certain, applied
    assert '"agents.agent"' not in dry.out and "ANSWERED" not in dry.out
    assert all(line in dry.err for line in REVIEW)

    assert main(["apply", str(root)]) == 0
    out = capsys.readouterr().out
    assert all(line in out for line in REVIEW)
    after = tree_bytes(root)
    assert after["main_events.py"] == FILES["main_events.py"].encode()
    assert b'logging.getLogger("agent")' in after["agents/agent.py"]
    assert b'mock.patch("agents.agent.run"' in after["tests/test_agent.py"]
