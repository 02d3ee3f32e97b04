"""Tests for the second stage: which module goes where and why, and every refusal before rope runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from helpers import write_tree
from organize_backend.cli import main
from organize_backend.config import Config
from organize_backend.model import Kept, Move, OrganizeError, Plan
from organize_backend.planning.hazards import COMPUTED_IMPORT, FILE_RELATIVE, PACKAGE_RESOURCE
from organize_backend.planning.plan import make_plan
from organize_backend.planning import plan as plan_module
from organize_backend.snapshot import take_snapshot

# A flat backend modeled on seed 000: modules that import each other, tests, a script.
SEED_000 = {
    "main.py": "from fastapi import FastAPI\nfrom database import get_db\nfrom agent import run_agent\n"
               "from chatkit_server import ChatServer\n\napp = FastAPI()\n",
    "database.py": "import sqlite3\n\n\ndef get_db():\n    return sqlite3.connect('chat.db')\n",
    "models.py": "from pydantic import BaseModel\n\n\nclass Message(BaseModel):\n    text: str\n",
    "agent.py": "from vector_store import VectorStore\nfrom models import Message\n\n\n"
                "def run_agent(text):\n    return VectorStore().search(text)\n",
    "vector_store.py": "from embeddings import embed\n\n\nclass VectorStore:\n    def search(self, text):\n"
                       "        return embed(text)\n",
    "embeddings.py": "def embed(text):\n    return [len(text)]\n",
    "rate_limiting.py": "import time\n\nLIMIT = 10\n",
    "session_service.py": "from database import get_db\n\n\nclass SessionService:\n    pass\n",
    "auth.py": "import hashlib\n\n\ndef login(user):\n    return hashlib.sha1(user.encode()).hexdigest()\n",
    "chatkit_server.py": "from agent import run_agent\nfrom session_service import SessionService\n\n\n"
                        "class ChatServer:\n    pass\n",
    "text_utils.py": "def clean(text):\n    return text.strip()\n",
    "config.py": "DEBUG = True\n",
    "seed_db.py": "from database import get_db\n\n\nif __name__ == '__main__':\n    get_db()\n",
    "conftest.py": "import pytest\n",
    "test_agent.py": "from unittest import mock\nfrom agent import run_agent\n\n\ndef test_run():\n"
                     "    with mock.patch('agent.VectorStore'):\n        run_agent('x')\n",
    "README.md": "# Chat\n",
    "Procfile": "web: uvicorn main:app\n",
}

SEED_000_MOVES = {
    "agent.py": "agents/agent.py",
    "auth.py": "auth/auth.py",
    "chatkit_server.py": "chatkit/chatkit_server.py",
    "conftest.py": "tests/conftest.py",
    "database.py": "database/database.py",
    "embeddings.py": "data/embeddings.py",
    "models.py": "models/models.py",
    "rate_limiting.py": "utils/rate_limiting.py",
    "seed_db.py": "scripts/seed_db.py",
    "session_service.py": "services/session_service.py",
    "test_agent.py": "tests/test_agent.py",
    "text_utils.py": "utils/text_utils.py",
    "vector_store.py": "data/vector_store.py",
}


def make(root: Path, files: dict[str, str | bytes], under: str = "") -> Path:
    write_tree(root / under, files)
    return root


def plan_for(root: Path, config: Config | None = None, organize_root: str = "") -> Plan:
    return make_plan(take_snapshot(root, organize_root), config or Config())


def moves_of(plan: Plan) -> dict[str, str]:
    return {move.source: move.destination for move in plan.moves}


def kept_of(plan: Plan) -> dict[str, str]:
    return {kept.path: kept.reason for kept in plan.kept}


# --- the skill layout on a seed-000 backend -------------------------------------------------


def test_seed_000_backend_gets_the_skill_packages(tmp_path: Path) -> None:
    make(tmp_path, SEED_000, under="backend")
    plan = plan_for(tmp_path, organize_root="backend")
    expected = {f"backend/{source}": f"backend/{destination}" for source, destination in SEED_000_MOVES.items()}
    assert moves_of(plan) == expected
    assert set(kept_of(plan)) == {"backend/config.py", "backend/main.py"}
    assert kept_of(plan)["backend/main.py"] == "entry point: kept at the root"
    assert "configuration stays at the root" in kept_of(plan)["backend/config.py"]
    assert plan.new_packages == tuple(f"backend/{package}" for package in (
        "agents", "auth", "chatkit", "data", "database", "models", "scripts", "services", "tests", "utils"))
    assert plan.hazards == ()
    assert not plan.is_empty


def test_every_move_says_which_rule_placed_it(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    plan = plan_for(tmp_path)
    reasons = {move.source: move.reason for move in plan.moves}
    # the seed-000 backend is what the skill preset was written for: the auto layout says it uses it
    assert reasons["database.py"].startswith('name matches "database.py" (skill preset: ')
    assert reasons["vector_store.py"].startswith('name matches "*vector*" (skill preset: ')
    assert all(reason for reason in reasons.values())


def test_the_plan_is_a_pure_function_of_the_snapshot(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    snapshot = take_snapshot(tmp_path)
    assert make_plan(snapshot, Config()) == make_plan(snapshot, Config())
    assert {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()} == before


def test_modules_in_subfolders_are_not_flat_modules(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "lib/agent_helpers.py": "X = 1\n", "lib/__init__.py": ""})
    plan = plan_for(tmp_path)
    assert not [source for source in moves_of(plan) if source.startswith("lib/")]


def test_a_module_whose_destination_exists_stays(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "utils/__init__.py": "", "utils/text_utils.py": "def clean(t):\n    return t\n"})
    plan = plan_for(tmp_path)
    assert "text_utils.py" not in moves_of(plan)
    assert kept_of(plan)["text_utils.py"] == "utils/text_utils.py exists already"
    assert moves_of(plan)["rate_limiting.py"] == "utils/rate_limiting.py"
    assert "utils" not in plan.new_packages  # it is a package already


def test_layout_none_without_moves_is_an_empty_plan(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    plan = plan_for(tmp_path, Config(layout="none"))
    assert plan.is_empty
    assert plan.moves == ()
    assert kept_of(plan)["agent.py"] == "layout is none"
    assert plan.new_packages == ()
    assert plan.notes == ()


def test_user_package_rules_come_before_the_preset(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    plan = plan_for(tmp_path, Config(packages=(("simple_agents", ("*agent*",)),)))
    assert moves_of(plan)["agent.py"] == "simple_agents/agent.py"
    assert moves_of(plan)["test_agent.py"] == "simple_agents/test_agent.py"  # first match wins
    assert "simple_agents" in plan.new_packages


def test_nested_package_rules_become_nested_folders(tmp_path: Path) -> None:
    # Seed 002 nests packages; a rule for "core.auth" puts the module in core/auth/.
    make(tmp_path, SEED_000)
    plan = plan_for(tmp_path, Config(packages=(("core.auth", ("auth.py",)),)))
    assert moves_of(plan)["auth.py"] == "core/auth/auth.py"
    assert {"core", "core/auth"} <= set(plan.new_packages)


# --- keep -----------------------------------------------------------------------------------


def test_keep_globs_leave_modules_in_place(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "agent_tools.py": "def tool():\n    pass\n"})
    plan = plan_for(tmp_path, Config(keep=("agent*", "seed_db.py")))
    assert kept_of(plan)["agent.py"] == 'kept by keep glob "agent*"'
    assert kept_of(plan)["agent_tools.py"] == 'kept by keep glob "agent*"'
    assert kept_of(plan)["seed_db.py"] == 'kept by keep glob "seed_db.py"'
    assert not {"agent.py", "agent_tools.py", "seed_db.py"} & set(moves_of(plan))
    assert "agents" not in plan.new_packages and "scripts" not in plan.new_packages


def test_a_package_clashing_with_a_kept_module_is_not_created(tmp_path: Path) -> None:
    # models.py stays: a models/ package beside it would shadow it, so schemas.py stays too.
    make(tmp_path, {**SEED_000, "schemas.py": "from pydantic import BaseModel\n\n\nclass Chat(BaseModel):\n    id: int\n"})
    plan = plan_for(tmp_path, Config(keep=("models.py",)))
    assert "schemas.py" not in moves_of(plan)
    assert kept_of(plan)["schemas.py"] == "package models/ would clash with models.py, which stays"
    assert "models" not in plan.new_packages


def test_a_module_moving_into_its_own_name_is_no_clash(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "schemas.py": "from pydantic import BaseModel\n\n\nclass Chat(BaseModel):\n    id: int\n"})
    plan = plan_for(tmp_path)
    assert moves_of(plan)["models.py"] == "models/models.py"
    assert moves_of(plan)["schemas.py"] == "models/schemas.py"


# --- explicit moves ---------------------------------------------------------------------------

RAI_CHAT = {
    "RAI_Chat/__init__.py": "",
    "RAI_Chat/Backend/__init__.py": "",
    "RAI_Chat/Backend/core/__init__.py": "",
    "RAI_Chat/Backend/core/database/__init__.py": "",
    "RAI_Chat/Backend/core/database/connection.py": "import sqlite3\n\n\ndef get_db():\n    return sqlite3.connect('x')\n",
    "RAI_Chat/Backend/components/__init__.py": "",
    "RAI_Chat/Backend/components/prompts.py": "SYSTEM = 'be nice'\n",
    "RAI_Chat/Backend/services/__init__.py": "",
    "RAI_Chat/Backend/services/file_storage.py": "from ..core.database.connection import get_db\n",
    "RAI_Chat/Backend/managers/__init__.py": "",
    "RAI_Chat/Backend/managers/conversation_manager.py":
        "from RAI_Chat.Backend.components.prompts import SYSTEM\nfrom ..core.database import connection\n",
}


def test_explicit_moves_come_first_in_their_order(tmp_path: Path) -> None:
    make(tmp_path, RAI_CHAT)
    moves = (
        ("RAI_Chat/Backend/core/database/connection.py", "RAI_Chat/Backend/core/database/session.py"),
        ("RAI_Chat/Backend/managers/conversation_manager.py", "RAI_Chat/Backend/services/conversation.py"),
        ("RAI_Chat/Backend/components", "RAI_Chat/Backend/services"),
        ("RAI_Chat/Backend", "RAI_Chat/backend"),
    )
    plan = plan_for(tmp_path, Config(layout="none", moves=moves))
    assert [(move.source, move.destination) for move in plan.moves] == list(moves)
    assert all(move.reason == "explicit move in the configuration" for move in plan.moves)
    assert plan.new_packages == ()  # every destination folder exists or is a moved package


def test_an_explicit_move_into_a_folder_keeps_the_file_name(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    plan = plan_for(tmp_path, Config(layout="none", moves=(("agent.py", "simple_agents"),)))
    assert plan.moves == (Move("agent.py", "simple_agents/agent.py", "explicit move in the configuration"),)
    assert plan.new_packages == ("simple_agents",)


def test_explicit_moves_claim_their_modules_before_the_layout(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    plan = plan_for(tmp_path, Config(moves=(("database.py", "database/session.py"),)))
    assert moves_of(plan)["database.py"] == "database/session.py"
    assert [move.source for move in plan.moves].count("database.py") == 1
    assert plan.moves[0].source == "database.py"


def test_explicit_paths_are_normalised(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    plan = plan_for(tmp_path, Config(layout="none", moves=((str(tmp_path / "agent.py"), "./agents/agent.py"),)))
    assert moves_of(plan) == {"agent.py": "agents/agent.py"}


def refused(tmp_path: Path, moves, match: str, files=None) -> None:
    make(tmp_path, files or SEED_000)
    with pytest.raises(OrganizeError, match=match):
        plan_for(tmp_path, Config(layout="none", moves=tuple(moves)))


def test_a_missing_source_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, [("agnet.py", "agents/agnet.py")],
            r"^move source agnet\.py: no such module or package in the workspace$")


def test_a_source_that_is_not_python_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, [("Procfile", "deploy/Procfile")], r"move source Procfile: no such module or package")


def test_an_existing_destination_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, [("agent.py", "auth.py")], r"^cannot move agent\.py to auth\.py: auth\.py exists$")


def test_an_existing_destination_in_a_folder_is_refused(tmp_path: Path) -> None:
    files = {**SEED_000, "agents/__init__.py": "", "agents/agent.py": ""}
    refused(tmp_path, [("agent.py", "agents")], r"cannot move agent\.py to agents/agent\.py: agents/agent\.py exists",
            files)


def test_one_source_moved_twice_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, [("agent.py", "agents/agent.py"), ("agent.py", "bots/agent.py")],
            r"^conflicting moves: agent\.py is moved twice \(to agents/agent\.py and to bots/agent\.py\)$")


def test_two_moves_to_one_file_are_refused(tmp_path: Path) -> None:
    refused(tmp_path, [("auth.py", "security/core.py"), ("rate_limiting.py", "security/core.py")],
            r"^conflicting moves: auth\.py and rate_limiting\.py both go to security/core\.py$")


def test_two_folders_may_merge_into_one(tmp_path: Path) -> None:
    make(tmp_path, RAI_CHAT)
    moves = (("RAI_Chat/Backend/components", "RAI_Chat/Backend/services"),
             ("RAI_Chat/Backend/managers", "RAI_Chat/Backend/services"))
    assert len(plan_for(tmp_path, Config(layout="none", moves=moves)).moves) == 2


def test_an_explicit_move_and_the_layout_never_target_the_same_file(tmp_path: Path) -> None:
    # The layout would put text_utils.py at utils/text_utils.py, which the explicit move takes.
    make(tmp_path, {**SEED_000, "helpers.py": "def helper():\n    pass\n"})
    plan = plan_for(tmp_path, Config(moves=(("helpers.py", "utils/text_utils.py"),)))
    destinations = [move.destination for move in plan.moves]
    assert len(destinations) == len(set(destinations))
    assert moves_of(plan)["helpers.py"] == "utils/text_utils.py"
    assert "text_utils.py" in kept_of(plan)


@pytest.mark.parametrize(
    ("source", "destination", "match"),
    [
        ("../outside.py", "agents/outside.py", r"move source \.\./outside\.py: outside the workspace .*'\.\.'"),
        ("agent.py", "../agents/agent.py", r"move destination \.\./agents/agent\.py: outside the workspace"),
        ("agent.py", "agents/../../agent.py", r"move destination .*: outside the workspace"),
        ("agent.py", "/tmp/elsewhere/agent.py", r"move destination /tmp/elsewhere/agent\.py: outside the workspace"),
    ],
)
def test_a_path_outside_the_workspace_is_refused(tmp_path: Path, source: str, destination: str, match: str) -> None:
    (tmp_path.parent / "outside.py").write_text("")
    refused(tmp_path / "ws", [(source, destination)], match)


def test_a_destination_through_a_symlink_outside_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    make(tmp_path / "ws", SEED_000)
    os.symlink(elsewhere, tmp_path / "ws" / "agents", target_is_directory=True)
    with pytest.raises(OrganizeError, match=r"move destination agents/agent\.py: outside the workspace .*symbolic link"):
        plan_for(tmp_path / "ws", Config(layout="none", moves=(("agent.py", "agents/agent.py"),)))


@pytest.mark.parametrize(
    ("destination", "part"),
    [
        ("simple-agents/agent.py", "simple-agents"),
        ("agents/agent-v2.py", "agent-v2"),
        ("2024/agent.py", "2024"),
        ("my agents/agent.py", "my agents"),
        ("class/agent.py", "class"),  # a keyword cannot be imported either
    ],
)
def test_a_destination_that_is_no_python_name_is_refused(tmp_path: Path, destination: str, part: str) -> None:
    refused(tmp_path, [("agent.py", destination)],
            rf"^move destination {destination}: '{part}' is not a valid Python name$")


def test_a_folder_moved_into_itself_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, [("RAI_Chat/Backend", "RAI_Chat/Backend/core/backend")],
            r"^cannot move RAI_Chat/Backend into itself \(RAI_Chat/Backend/core/backend\)$", RAI_CHAT)


def test_a_folder_moved_onto_itself_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, [("RAI_Chat/Backend", "RAI_Chat/Backend")], r"cannot move RAI_Chat/Backend into itself", RAI_CHAT)


def test_a_folder_moved_beside_a_look_alike_name_is_not_into_itself(tmp_path: Path) -> None:
    make(tmp_path, RAI_CHAT)
    plan = plan_for(tmp_path, Config(layout="none", moves=(("RAI_Chat/Backend", "RAI_Chat/Backend2"),)))
    assert moves_of(plan) == {"RAI_Chat/Backend": "RAI_Chat/Backend2"}


# --- syntax errors --------------------------------------------------------------------------


def test_a_syntax_error_is_refused_with_file_and_line(tmp_path: Path) -> None:
    files = {**SEED_000, "agent.py": "from models import Message\n\n\ndef run_agent(text)\n    return text\n"}
    make(tmp_path, files, under="backend")
    with pytest.raises(OrganizeError) as raised:
        plan_for(tmp_path, organize_root="backend")
    message = str(raised.value)
    assert message.startswith("cannot organize: fix these first, nothing was changed\n")
    assert "backend/agent.py:4: syntax error: " in message
    assert message.endswith(f"(read as Python {sys.version_info.major}.{sys.version_info.minor}, the Python "
                            "organize-backend runs on: code written for a newer Python needs organize-backend "
                            "installed in that Python)")


def test_syntax_errors_in_the_folder_and_where_a_moved_module_is_named_are_listed(tmp_path: Path) -> None:
    files = {**SEED_000, "models.py": "class Message(\n", "tools/old.py": "from agent import run_agent\nx = = 1\n",
             "tools/unrelated.py": "x = = 1\n"}
    make(tmp_path, files)
    with pytest.raises(OrganizeError) as raised:
        plan_for(tmp_path)
    lines = str(raised.value).splitlines()[1:-1]
    assert [line.split(": ")[0] for line in lines] == ["models.py:1"]
    (tmp_path / "models.py").write_text(SEED_000["models.py"])
    with pytest.raises(OrganizeError) as raised:
        plan_for(tmp_path)
    assert [line.split(": ")[0] for line in str(raised.value).splitlines()[1:-1]] == ["tools/old.py:2"]


def test_a_file_elsewhere_that_does_not_parse_and_names_no_moved_module_is_a_note(tmp_path: Path) -> None:
    # ClashKingBot: one broken command module elsewhere no longer stops the organize of Background/
    make(tmp_path, {**SEED_000, "tools/tags.py": "def tags(guild):\n    guild = ctx.guild if guild is None\n"})
    plan = plan_for(tmp_path)
    assert "tools/tags.py:2: syntax error: expected 'else' after 'if' expression; it names no moved module, " \
           "so it is left as it is" in plan.notes
    assert plan.moves


def test_a_file_that_does_not_parse_is_not_moved_even_when_asked(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "tools/old.py": "x = = 1\n"})
    with pytest.raises(OrganizeError, match=r"\ntools/old\.py:1: syntax error"):
        plan_for(tmp_path, Config(moves=(("tools/old.py", "scripts/old.py"),)))


def test_an_ipython_cell_script_that_imports_a_moved_module_gets_its_import_rewritten(tmp_path: Path) -> None:
    # Astera-org/simplexity keeps notebooks as `#%%` scripts with `%load_ext autoreload`: they were refused
    notebook = ("#%%\n%load_ext autoreload\n%autoreload 2\n!pip install -q fastapi\n\n"
                "from agent import run_agent\n\n#%%\nprint(run_agent('hi'))\n")
    make(tmp_path, {**SEED_000, "notebooks/explore.py": notebook})
    assert main(["apply", str(tmp_path)]) == 0
    after = (tmp_path / "notebooks" / "explore.py").read_text().splitlines()
    before = notebook.splitlines()
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    assert len(after) == len(before) and len(changed) == 1
    assert changed[0][0] == "from agent import run_agent" and changed[0][1].endswith(".agent import run_agent")


def test_python_2_code_is_named_as_such(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "agent.py": "print 'hello'\n"})
    with pytest.raises(OrganizeError, match="this looks like Python 2 code, which organize-backend cannot read"):
        plan_for(tmp_path)


def test_null_bytes_are_refused_with_file_and_line(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "embeddings.py": b"def embed(t):\x00\n    return t\n"})
    with pytest.raises(OrganizeError, match=r"\nembeddings\.py:1: "):
        plan_for(tmp_path)


def test_many_syntax_errors_are_summarised(tmp_path: Path) -> None:
    make(tmp_path, {f"broken_{index:02}.py": "def f(:\n" for index in range(13)})
    with pytest.raises(OrganizeError) as raised:
        plan_for(tmp_path)
    lines = str(raised.value).splitlines()
    assert len([line for line in lines if "syntax error" in line]) == 10
    assert lines[-2] == "... and 3 more"


def test_a_syntax_error_in_an_unsaved_buffer_counts(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    snapshot = take_snapshot(tmp_path, buffers={"agent.py": "def run_agent(:\n"})
    with pytest.raises(OrganizeError, match=r"\nagent\.py:1: syntax error"):
        make_plan(snapshot, Config())


def test_a_file_that_parsed_before_is_checked_again_once_its_text_changes(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    make_plan(take_snapshot(tmp_path), Config())  # every file parses, and is remembered so
    broken = take_snapshot(tmp_path, buffers={"agent.py": "def run_agent(:\n"})
    for _ in range(2):  # a failure is never remembered as a success
        with pytest.raises(OrganizeError, match=r"\nagent\.py:1: syntax error"):
            make_plan(broken, Config())


# --- hazards ----------------------------------------------------------------------------------


def test_an_unadjustable_file_relative_path_keeps_the_module_in_place(tmp_path: Path) -> None:
    loader = "import os\n\nHERE = __file__.rsplit(os.sep, 1)[0]\nPROMPTS = os.path.join(HERE, 'prompts')\n"
    make(tmp_path, {**SEED_000, "prompt_loader.py": loader})
    plan = plan_for(tmp_path)
    assert "prompt_loader.py" not in moves_of(plan)
    assert kept_of(plan)["prompt_loader.py"] == (
        "finds files relative to its own location in a way that cannot be adjusted safely; "
        "moving it would break those paths")
    hazards = [hazard for hazard in plan.hazards if hazard.path == "prompt_loader.py"]
    assert [(hazard.line, hazard.kind) for hazard in hazards] == [(3, FILE_RELATIVE)]


def test_an_adjustable_file_relative_path_moves_and_is_named(tmp_path: Path) -> None:
    loader = "from pathlib import Path\n\nDATA = Path(__file__).parent / 'data'\n"
    make(tmp_path, {**SEED_000, "vector_store.py": SEED_000["vector_store.py"] + loader})
    plan = plan_for(tmp_path)
    assert moves_of(plan)["vector_store.py"] == "data/vector_store.py"
    (hazard,) = [hazard for hazard in plan.hazards if hazard.path == "vector_store.py"]
    assert hazard.kind == FILE_RELATIVE
    assert hazard.line == 9
    assert hazard.message.endswith("(adjusted to point at the same folder)")


def test_other_hazards_are_named_without_keeping_the_module(tmp_path: Path) -> None:
    plugins = "import importlib\n\n\ndef load(name):\n    return importlib.import_module('plugins_' + name)\n"
    make(tmp_path, {**SEED_000, "plugin_manager.py": plugins})
    plan = plan_for(tmp_path)
    assert moves_of(plan)["plugin_manager.py"] == "services/plugin_manager.py"
    assert [(h.path, h.line, h.kind) for h in plan.hazards] == [("plugin_manager.py", 5, COMPUTED_IMPORT)]


def test_hazards_of_explicit_moves_are_named(tmp_path: Path) -> None:
    # Explicitly moved modules can break the same way; the plan must say so.
    loader = "from pathlib import Path\n\nTEMPLATES = Path(__file__).parent / 'templates'\n"
    make(tmp_path, {**SEED_000, "render.py": loader})
    plan = plan_for(tmp_path, Config(layout="none", moves=(("render.py", "web/render.py"),)))
    assert [(h.path, h.kind) for h in plan.hazards] == [("render.py", FILE_RELATIVE)]


def test_an_explicit_move_with_an_unadjustable_path_is_made_and_named(tmp_path: Path) -> None:
    loader = "import os\n\nHERE = __file__.rsplit(os.sep, 1)[0]\n"
    make(tmp_path, {**SEED_000, "render.py": loader})
    plan = plan_for(tmp_path, Config(layout="none", moves=(("render.py", "web/render.py"),)))
    assert moves_of(plan) == {"render.py": "web/render.py"}
    (hazard,) = plan.hazards
    assert (hazard.path, hazard.line, hazard.kind) == ("render.py", 3, FILE_RELATIVE)
    assert hazard.message.endswith("(moved all the same: the configuration asks for this move explicitly)")


def test_an_adjustable_explicit_move_is_named_as_adjusted(tmp_path: Path) -> None:
    loader = "import os\n\nTEMPLATES = os.path.join(os.path.dirname(__file__), 'templates')\n"
    make(tmp_path, {**SEED_000, "render.py": loader})
    plan = plan_for(tmp_path, Config(layout="none", moves=(("render.py", "web/views/render.py"),)))
    (hazard,) = plan.hazards
    assert hazard.message.endswith("(adjusted to point at the same folder)")


def test_a_module_that_only_uses_its_own_file_name_is_no_hazard(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "text_utils.py": "from pathlib import Path\n\nNAME = Path(__file__).stem\n"})
    plan = plan_for(tmp_path)
    assert moves_of(plan)["text_utils.py"] == "utils/text_utils.py"
    assert plan.hazards == ()


# A helper module serving a page that sits next to it, found by the module's own name.
WELCOME_LOADER = ("import pkgutil\n\nCLEAN = str.strip\n\n\ndef welcome():\n"
                  "    return pkgutil.get_data(__name__, 'welcome.html').decode()\n")


def test_a_module_loading_data_files_by_its_package_name_stays(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "text_utils.py": WELCOME_LOADER, "welcome.html": "<h1>hi</h1>\n"})
    plan = plan_for(tmp_path)
    assert "text_utils.py" not in moves_of(plan)
    assert kept_of(plan)["text_utils.py"] == (
        "loads data files by its package name (pkgutil.get_data(__name__, ...), line 7): "
        "moving it would look for them in the new package")
    assert [(h.path, h.line, h.kind) for h in plan.hazards] == [("text_utils.py", 7, PACKAGE_RESOURCE)]
    assert moves_of(plan)["database.py"] == "database/database.py"  # the others move as before


def test_a_module_loading_data_files_by_a_literal_package_name_moves(tmp_path: Path) -> None:
    loader = WELCOME_LOADER.replace("get_data(__name__,", "get_data('static',")
    make(tmp_path, {**SEED_000, "text_utils.py": loader})
    plan = plan_for(tmp_path)
    assert moves_of(plan)["text_utils.py"] == "utils/text_utils.py"
    assert plan.hazards == ()


def test_an_explicit_move_of_a_module_loading_data_files_by_its_package_name_is_made_and_named(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "text_utils.py": WELCOME_LOADER})
    plan = plan_for(tmp_path, Config(layout="none", moves=(("text_utils.py", "helpers/text_utils.py"),)))
    assert moves_of(plan) == {"text_utils.py": "helpers/text_utils.py"}
    (hazard,) = plan.hazards
    assert (hazard.path, hazard.line, hazard.kind) == ("text_utils.py", 7, PACKAGE_RESOURCE)
    assert hazard.message.endswith("(moved all the same: the configuration asks for this move explicitly)")


def test_renaming_a_module_loading_data_files_by_its_package_name_in_place_is_no_hazard(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "text_utils.py": WELCOME_LOADER})
    plan = plan_for(tmp_path, Config(layout="none", moves=(("text_utils.py", "strings.py"),)))
    assert moves_of(plan) == {"text_utils.py": "strings.py"}
    assert plan.hazards == ()


def test_a_package_moved_whole_takes_its_data_files_along(tmp_path: Path) -> None:
    make(tmp_path, {**SEED_000, "web/__init__.py": "", "web/pages.py": WELCOME_LOADER, "web/welcome.html": "<h1/>\n"})
    plan = plan_for(tmp_path, Config(layout="none", moves=(("web", "api/web"),)))
    assert moves_of(plan) == {"web": "api/web"}
    assert plan.hazards == ()


# --- notes ------------------------------------------------------------------------------------


def test_notes_say_how_tests_keep_finding_the_application(tmp_path: Path) -> None:
    make(tmp_path, SEED_000, under="backend")
    plan = plan_for(tmp_path, organize_root="backend")
    (tests_note,) = [note for note in plan.notes if "pytest" in note]
    assert tests_note.startswith("backend/tests/__init__.py makes pytest put backend/ on sys.path")
    assert "`pytest` and `python -m pytest`" in tests_note
    assert "backend/README.md gets the new tree in a block the tool owns (in its 'Project structure' section; no other line of the README changes)" in plan.notes


def test_no_sys_path_note_where_pytest_imports_in_importlib_mode(tmp_path: Path) -> None:
    # AppDaemon runs pytest with --import-mode=importlib, which leaves sys.path alone
    make(tmp_path, {**SEED_000, "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "--import-mode=importlib"\n'})
    assert not [note for note in plan_for(tmp_path).notes if "pytest" in note]


def test_notes_for_a_workspace_root_backend(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    plan = plan_for(tmp_path)
    assert any(note.startswith("tests/__init__.py makes pytest put the workspace root on sys.path") for note in plan.notes)
    assert "README.md gets the new tree in a block the tool owns (in its 'Project structure' section; no other line of the README changes)" in plan.notes


def test_no_tests_note_when_no_test_moves(tmp_path: Path) -> None:
    files = {name: text for name, text in SEED_000.items() if not name.startswith(("test_", "conftest", "README"))}
    make(tmp_path, files)
    plan = plan_for(tmp_path)
    assert plan.moves
    assert plan.notes == ()


def test_kept_entries_are_sorted_by_path(tmp_path: Path) -> None:
    make(tmp_path, SEED_000)
    plan = plan_for(tmp_path, Config(keep=("text_utils.py", "agent.py")))
    assert [kept.path for kept in plan.kept] == sorted(kept.path for kept in plan.kept)
    assert Kept("agent.py", 'kept by keep glob "agent.py"') in plan.kept


def test_parsing_in_children_remembers_what_parses_and_not_what_does_not(tmp_path: Path, monkeypatch) -> None:
    """The language server's start-up parse: after it, the check parses nothing it has seen."""
    files = {f"mod_{index}.py": f"VALUE = {index}\n" for index in range(60)}
    files["broken.py"] = "def f(:\n"
    snapshot = take_snapshot(write_tree(tmp_path / "ws", files))
    monkeypatch.setattr(plan_module, "_PARSES", set())
    plan_module.parse_in_children(snapshot)
    assert plan_module._PARSES == {digest for path, digest in snapshot.digests.items() if path != "broken.py"}
    parsed = []
    monkeypatch.setattr(plan_module, "_syntax_errors", lambda snapshot, paths: parsed.extend(paths) or [])
    plan_module.check_syntax(snapshot)
    assert parsed == ["broken.py"]
