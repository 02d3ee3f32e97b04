"""A changed line past the line length of a formatter the project's checks run is named."""

from __future__ import annotations

from pathlib import Path

from helpers import write_tree
from organize_backend.cli import main

PATCH = '    with mock.patch("agent.VectorStore.search_documents_by_embedding", return_value=[]):\n'
FILES = {
    "agent.py": "class VectorStore:\n    def search_documents_by_embedding(self):\n        return ['doc']\n",
    "agent_memory.py": "HISTORY = []\n",  # agents/ holds two modules: no new package is made for one
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


DOCS = "Plugins\n=======\n\n.. code-block:: python\n\n    from agent import VectorStore, search\n"


def test_a_docs_import_grown_past_blacken_docs_length_is_named(tmp_path: Path, capsys) -> None:
    # datasette's CI runs `blacken-docs -l 60 docs/*.rst`: a renamed import in a code block grew to 61.
    # blacken-docs measures the code without the block's indent (44 here), and reads only docs/*.rst.
    ci = ("jobs:\n  docs:\n    steps:\n      - name: Check if blacken-docs needs to be run\n        run: |\n"
          "          blacken-docs -l 43 docs/*.rst\n")
    files = {**FILES, "docs/plugins.rst": DOCS, "docs/notes.md": "```python\nfrom agent import VectorStore, search\n```\n",
             ".github/workflows/docs.yml": ci}
    root = write_tree(tmp_path / "ws", files)
    assert main(["apply", str(root)]) == 0
    assert "    from agents.agent import VectorStore, search" in (root / "docs" / "plugins.rst").read_text()
    err = capsys.readouterr().err
    assert ("docs/plugins.rst:6: now 44 characters in its code block, past the 43 blacken-docs formats code blocks at: "
            "re-wrap it (run blacken-docs on this file)") in err
    assert "docs/notes.md" not in err  # the command does not read it
    root = write_tree(tmp_path / "wider", {**files, ".github/workflows/docs.yml": ci.replace("-l 43", "-l 44")})
    assert main(["apply", str(root)]) == 0
    assert "blacken-docs" not in capsys.readouterr().err


def test_a_blacken_docs_hook_gives_its_length_on_the_lines_after_its_id(tmp_path: Path, capsys) -> None:
    hook = ("repos:\n  - repo: https://example.invalid/blacken-docs\n    hooks:\n      - id: blacken-docs\n"
            "        args: [--line-length=40]\n")
    root = write_tree(tmp_path / "ws", {**FILES, "docs/plugins.rst": DOCS, ".pre-commit-config.yaml": hook})
    assert main(["apply", str(root)]) == 0
    assert "past the 40 blacken-docs formats code blocks at" in capsys.readouterr().err
    root = write_tree(tmp_path / "plain", {**FILES, "docs/plugins.rst": DOCS})  # nothing formats the docs
    assert main(["apply", str(root)]) == 0
    assert "blacken-docs" not in capsys.readouterr().err


def test_a_cog_block_that_changed_asks_for_cog_to_run(tmp_path: Path, capsys) -> None:
    # datasette's docs/plugins.rst: cog lists the plugins by module name; `cog --check` runs in CI
    cog = (".. [[[cog\n    from agent import VectorStore\n    cog.out(VectorStore.__module__)\n.. ]]]\n"
           "agent\n.. [[[end]]]\n")
    root = write_tree(tmp_path / "ws", {**FILES, "docs/plugins.rst": cog})
    assert main(["apply", str(root)]) == 0
    assert "from agents.agent import VectorStore" in (root / "docs" / "plugins.rst").read_text()
    assert ("docs/plugins.rst: a cog block's code or output names moved modules: run `cog -r docs/plugins.rst` "
            "to regenerate its output") in capsys.readouterr().err


def test_a_line_only_suggested_for_review_is_not_measured(tmp_path: Path, capsys) -> None:
    # django-helpdesk's settings.py: the default "helpdesk.forms.PublicTicketForm" was only suggested,
    # and the unchanged line was named as past the formatter's 88 all the same
    suggested = '    "agent.lookup",  # the name a plugin registry shows, padded to 88 characters........\n'
    assert len(suggested.rstrip("\n")) <= 88 < len(suggested.replace("agent.", "agents.agent.").rstrip("\n"))
    root = write_tree(tmp_path / "ws", {**FILES, "agent.py": FILES["agent.py"] + "\n\ndef lookup():\n    pass\n",
                                        "registry.py": "NAMES = [\n" + suggested + "]\n",
                                        "pyproject.toml": "[tool.black]\n"})
    assert main(["apply", str(root)]) == 0
    err = capsys.readouterr().err
    assert (root / "registry.py").read_text() == "NAMES = [\n" + suggested + "]\n"
    assert "registry.py" not in "".join(line for line in err.splitlines(keepends=True) if "characters, past" in line)


def test_a_lint_exclude_pattern_the_moved_module_leaves_is_named(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "ws", {**FILES, "agent_memory.py": "HISTORY = []\n",
                                        "pyproject.toml": '[tool.ruff]\nexclude = ["agent*"]\nextend-exclude = ["./agent_*.py"]\n'})
    assert main(["apply", str(root)]) == 0
    err = capsys.readouterr().err
    assert ('pyproject.toml:3: "./agent_*.py" matched agent_memory.py and not agents/agent_memory.py, where it moves: '
            "what reads the pattern (a lint exclude, per-file ignores, coverage's omit) treats the module otherwise "
            "now; adjust it") in err
