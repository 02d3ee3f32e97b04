"""A changed line past the line length of a formatter the project's checks run is named."""

from __future__ import annotations

from pathlib import Path

from helpers import write_tree
from organize_backend.cli import main

PATCH = '    with mock.patch("agent.VectorStore.search_documents_by_embedding", return_value=[]):\n'
FILES = {
    "agent.py": "class VectorStore:\n    def search_documents_by_embedding(self):\n        return ['doc']\n",
    "main.py": "import agent\n\nprint(agent.VectorStore().search_documents_by_embedding())\n",
    "test_agent.py": "from unittest import mock\n\nimport agent\n\n\ndef test_search():\n" + PATCH
                     + "        assert agent.VectorStore().search_documents_by_embedding() == []\n",
}


def test_a_string_grown_past_the_formatters_length_is_named(tmp_path: Path, capsys) -> None:
    assert len(PATCH.rstrip("\n")) <= 88
    root = write_tree(tmp_path / "ws", {**FILES, "pyproject.toml": "[tool.black]\n"})
    assert main(["apply", str(root)]) == 0
    err = capsys.readouterr().err
    grown = '    with mock.patch("agents.agent.VectorStore.search_documents_by_embedding", return_value=[]):'
    assert grown in (root / "tests" / "test_agent.py").read_text()
    assert (f"tests/test_agent.py:7: now {len(grown)} characters, past the 88 of the formatter the project's checks "
            "run: re-wrap it (run the formatter on this file)") in err


def test_without_a_formatter_a_long_line_is_no_concern(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "ws", FILES)
    assert main(["apply", str(root)]) == 0
    assert "characters, past the" not in capsys.readouterr().err
