"""The plain-importer pass must give rope's answer, byte for byte.

Each case runs the same moves twice on a small workspace: once as the engine does (plain
importers renamed without rope, the rest by rope) and once with every file given to rope.
The results must be identical. A spy checks which importers the pass took itself, so a case
meant for it cannot pass by quietly falling back to rope.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from helpers import copy_fixture, write_tree
from organize_backend.changes import import_style, rope_moves
from rope.refactor import occurrences

from organize_backend.changes.plain_importers import code_mentions, renamed_in_plain_importer
from organize_backend.changes.rope_moves import run_moves
from organize_backend.model import Move
from organize_backend.pipeline import compute, open_workspace, plan_organize
from organize_backend.snapshot import take_snapshot

AGENT = "class Agent:\n    pass\n\n\ndef run(x=None):\n    return x\n\n\ndef stop():\n    return None\n"

# Importers of agent.py (moved to agents/agent.py), each in a shape the pass takes itself.
TAKEN = {
    "from_import": "from agent import run\n\n\ndef go():\n    return run()\n",
    "wrapped_from_import": "from agent import (\n    run,\n    stop,\n)\n\nrun(), stop()\n",
    "comment_after": "from agent import run  # the agent's entry point\n",
    "local_from_import": "def go():\n    from agent import run\n    return run()\n",
    "plain_import": "import agent\n\n\ndef go():\n    return agent.run()\n",
    "annotations": "import agent\n\n\ndef go(a: agent.Agent) -> agent.Agent:\n    return agent.run(a)\n",
    "docs_and_strings": '"""Talks to agent."""\nimport agent\n\n# agent does the work\nNAME = "agent.run"\n\n\n'
                        "def go():\n    return agent.run(NAME)\n",
    "both_forms": "import agent\nfrom agent import stop\n\nagent.run(), stop()\n",
    "crlf": "import agent\r\nfrom agent import run\r\n\r\nagent.stop(), run()\r\n",
    "bom": "\ufefffrom agent import run\n\nrun()\n",
    "comment_only": "# agent is not imported here\nVALUE = 1\n",
    "unicode_before": "import agent\n\nLABEL = 'héllo wörld'; agent.run(LABEL)\n",
    "statement_use": "import agent\n\n\ndef go():\n    agent.run()\n    agent.stop()\n",
    "type_checking_from": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from agent import Agent\n",
    "import_with_comment": "import agent  # the agent\n\nagent.run()\n",
    "multiline_string": 'import agent\n\nHELP = """\n  import agent\n  from agent import run\n"""\nagent.run(HELP)\n',
    "raw_docstring": 'r"""Doc."""\nimport agent\n\nagent.run()\n',
    "quote_before_comment": "from agent import run\n\nx = '#'  # agent\n",
    "use_after_a_comment_line": "import agent\n\n\ndef go():\n    # start it.\n    agent.run()\n",
    "subpackage_form": "from agent import run\n\n\nclass Box:\n    def go(self):\n        return run(), self\n",
}

# Shapes the pass leaves to rope.
LEFT_TO_ROPE = {
    "alias": "import agent as a\n\na.run()\n",
    "several_names": "import os, agent\n\nagent.run(os)\n",
    "star": "from agent import *\n\nrun()\n",
    "local_import": "def go():\n    import agent\n    return agent.run()\n",
    "rebound": "import agent\n\nagent = None\n",
    "parameter": "import agent\n\n\ndef go(agent):\n    return agent.run()\n",
    "bare_name": "import agent\n\nprint(agent)\n",
    "attribute_of_other": "import agent\n\n\nclass Box:\n    agent = None\n\nBox().agent, agent.run()\n",
    "f_string": "import agent\n\nLABEL = f'{agent.run()}'\n",
    "type_checking": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import agent\n",
    "name_imported_from_it": "from agent import run as agent\n\nagent()\n",
    "f_string_literal": "from agent import run\n\nLABEL = f'agent: {run()}'\n",
    "attribute_on_next_line": "import agent\n\nx = (agent\n     .agent.run())\n",
    "attribute_after_backslash": "import agent\n\nx = agent. \\\n    agent.run()\n",
    "attribute_after_a_comment": "import agent\n\nx = (agent.  # the box\n\n     agent.run())\n",
    "semicolon_import": "import os; import agent\n\nagent.run(os)\n",
    "relative_import": "from . import agent\n\nagent.run()\n",
    "import_line_in_a_string": 'import agent\n\nHELP = """\nimport agent\n"""\nagent.run(HELP)\n',
    "assignment_before_imports": "requests = 5\nimport agent\n\nagent.run(requests)\n",
    "continued_in_a_function": "def go():\n    from os \\\nimport agent\n",
}


def workspace(tmp_path: Path, files: dict[str, str | bytes]):
    return take_snapshot(write_tree(tmp_path / "ws", files))


def both_ways(tmp_path: Path, files: dict, pairs: list[tuple[str, str]], monkeypatch) -> tuple[dict, list]:
    """(the engine's result, rope's result, the files the pass took), for the same moves."""
    taken: list[str] = []

    def spy(text: str, old: str, new: str):
        answer = renamed_in_plain_importer(text, old, new)
        if answer is not None and answer != text:
            taken.append(text)
        return answer

    moves = [Move(source, destination, "test") for source, destination in pairs]
    with monkeypatch.context() as patch:
        patch.setattr(rope_moves, "renamed_in_plain_importer", spy)
        engine = run_moves(workspace(tmp_path / "engine", files), moves)
    with monkeypatch.context() as patch:
        patch.setattr(rope_moves, "renamed_in_plain_importer", lambda text, old, new: None)
        rope = run_moves(workspace(tmp_path / "rope", files), moves)
    assert engine.files == rope.files
    assert engine.origin == rope.origin
    return engine.files, taken


@pytest.mark.parametrize("shape", sorted(TAKEN))
def test_a_shape_the_pass_takes_gets_ropes_answer(tmp_path: Path, monkeypatch, shape: str) -> None:
    files = {"agent.py": AGENT, "user.py": TAKEN[shape], "agents/__init__.py": ""}
    result, taken = both_ways(tmp_path, files, [("agent.py", "agents/agent.py")], monkeypatch)
    if shape == "comment_only":
        assert result["user.py"] == files["user.py"].encode()
    else:
        assert len(taken) == 1
        assert b"agents.agent" in result["user.py"]


@pytest.mark.parametrize("shape", sorted(LEFT_TO_ROPE))
def test_a_shape_left_to_rope(tmp_path: Path, monkeypatch, shape: str) -> None:
    assert renamed_in_plain_importer(LEFT_TO_ROPE[shape], "agent", "agents.agent") is None
    files = {"agent.py": AGENT, "user.py": LEFT_TO_ROPE[shape], "agents/__init__.py": ""}
    both_ways(tmp_path, files, [("agent.py", "agents/agent.py")], monkeypatch)


def test_modules_into_packages_of_their_own_name(tmp_path: Path, monkeypatch) -> None:
    """database.py -> database/database.py goes through a temporary package and rope's Rename."""
    files = {
        "database.py": "def get_db():\n    return 1\n",
        "models.py": "def load():\n    return 2\n",
        "main.py": "import database\nfrom models import load\n\ndatabase.get_db(), load()\n",
        "repo.py": "from database import get_db\nimport models\n\n\ndef go():\n    return get_db(), models.load()\n",
    }
    result, taken = both_ways(tmp_path, files, [("database.py", "database/database.py"),
                                                ("models.py", "models/models.py")], monkeypatch)
    assert b"from database.database import get_db" in result["repo.py"]
    assert len(taken) >= 4  # the moves, then the renames of the temporary packages


def test_a_package_moved_into_another(tmp_path: Path, monkeypatch) -> None:
    files = {
        "util/__init__.py": "",
        "util/text.py": "def clean(s):\n    return s.strip()\n",
        "main.py": "import util.text\nfrom util.text import clean\n\nutil.text.clean(' a '), clean('b')\n",
        "common/__init__.py": "",
    }
    result, taken = both_ways(tmp_path, files, [("util", "common/util")], monkeypatch)
    assert result["main.py"].startswith(b"import common.util.text\nfrom common.util.text import clean")
    assert taken


def test_a_module_moved_and_renamed(tmp_path: Path, monkeypatch) -> None:
    files = {"helpers.py": "def h():\n    return 1\n", "main.py": "import helpers\nfrom helpers import h\n\nhelpers.h(), h()\n"}
    result, taken = both_ways(tmp_path, files, [("helpers.py", "tools/utils.py")], monkeypatch)
    assert result["main.py"].startswith(b"import tools.utils\nfrom tools.utils import h")
    assert len(taken) == 1  # the move; the rename then meets `import tools.helpers`, a dotted name: rope


def test_a_module_of_a_package_moved_deeper(tmp_path: Path, monkeypatch) -> None:
    """A dotted old name: the from-import is renamed by the pass, the plain import by rope."""
    files = {
        "app/__init__.py": "",
        "app/agent.py": AGENT,
        "app/main.py": "from app.agent import run\n\nrun()\n",
        "app/cli.py": "import app.agent\n\napp.agent.run()\n",
    }
    result, taken = both_ways(tmp_path, files, [("app/agent.py", "app/agents/agent.py")], monkeypatch)
    assert b"from app.agents.agent import run" in result["app/main.py"]
    assert len(taken) == 1


def test_the_pass_would_not_rename_a_module_of_another_name() -> None:
    text = "from agent_tools import run\nimport agentx\n\nagentx.go(), run()\n"
    assert renamed_in_plain_importer(text, "agent", "agents.agent") == text


def test_the_rename_is_of_the_module_name_only() -> None:
    text = "from agent.sub import x  # keep\nimport agent.sub\n\nagent.sub.y()\n"
    assert renamed_in_plain_importer(text, "agent", "pkg.agent") == (
        "from pkg.agent.sub import x  # keep\nimport pkg.agent.sub\n\npkg.agent.sub.y()\n")


def organized_both_ways(root: Path, monkeypatch):
    """The whole pipeline's change set for `root`, as the engine computes it, and with rope
    alone and the import style read by the parser (as before either pass read lines)."""
    workspace = open_workspace(root)
    plan = plan_organize(workspace)
    engine = compute(workspace, plan)
    with monkeypatch.context() as patch:
        patch.setattr(rope_moves, "renamed_in_plain_importer", lambda text, old, new: None)
        patch.setattr(import_style, "_import_aliases_by_lines", lambda original, candidates: None)
        patch.setattr(import_style, "_restored_by_lines", lambda rewritten, restored: None)
        rope = compute(workspace, plan)
    return engine, rope


@pytest.mark.parametrize("fixture", ["chat_backend", "rai_chat"])
def test_a_fixture_organized_is_the_same_as_with_rope_alone(tmp_path: Path, monkeypatch, fixture: str) -> None:
    engine, rope = organized_both_ways(copy_fixture(fixture, tmp_path), monkeypatch)
    assert engine == rope
    assert any(change.before != change.after for change in engine.files)


def test_the_benchmark_workspace_is_the_same_as_with_rope_alone(tmp_path: Path, monkeypatch) -> None:
    """bench/generate.py's flat workspace, with the benchmark's kind of moves (core modules
    into packages, one of them into a package of its own name)."""
    spec = importlib.util.spec_from_file_location("generate", Path(__file__).parents[2] / "bench" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    root = generate.generate(tmp_path / "flat", 120)
    targets = ["services", "data", "core_0002", "utils"]
    config = ['[tool.organize-backend]', 'layout = "none"', ""]
    for index in range(8):
        name = f"core_{index:04d}"
        config += ["[[tool.organize-backend.move]]", f'from = "{name}.py"', f'to = "{targets[index % 4]}/{name}.py"', ""]
    (root / "pyproject.toml").write_text("\n".join(config))
    engine, rope = organized_both_ways(root, monkeypatch)
    assert engine == rope
    assert sum(change.before != change.after for change in engine.files) > 50


STANDARD_LIBRARY = Path(os.__file__).parent


@pytest.mark.parametrize("name", ["os", "self", "data"])
def test_code_mentions_reads_files_as_ropes_textual_search(name: str) -> None:
    """On 300 files of the standard library (strings of every kind, comments, f-strings),
    the mentions found are rope's own, wherever the pass does not hand the file to rope."""
    files = sorted(STANDARD_LIBRARY.glob("*.py")) + sorted(STANDARD_LIBRARY.glob("*/*.py"))
    compared = 0
    for path in files[:300]:
        text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
        found = code_mentions(text, name)
        ropes = list(occurrences._TextualFinder(name, docs=False)._re_search(text)) if name in text else []
        if found is None:
            continue
        assert found[0] == ropes, path
        compared += bool(ropes)
    assert compared > 40


def test_a_name_two_source_folders_hold_goes_to_rope_whole(tmp_path: Path, monkeypatch) -> None:
    """src/agent.py and scripts/agent.py: which one `import agent` means is rope's resolution."""
    files = {
        "src/agent.py": AGENT, "src/main.py": "import agent\n\nagent.run()\n", "src/agents/__init__.py": "",
        "scripts/agent.py": AGENT, "scripts/run.py": "from agent import run\n\nrun()\n",
    }
    result, taken = both_ways(tmp_path, files, [("src/agent.py", "src/agents/agent.py")], monkeypatch)
    assert taken == []
