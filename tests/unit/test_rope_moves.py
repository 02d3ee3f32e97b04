"""Tests for the moves: rope's MoveModule and Rename on small workspaces, then the imports
rewritten in place (changes/imports.py), as compute_changes chains them.

Each test builds a workspace whose modules import each other, runs both, checks the result
as data (paths, contents, origin, created, removed folders) and, where it matters, writes
the result to a fresh folder and imports it with Python: the proof that the layout works.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import write_tree
from rope.base.project import Project

from organize_backend.changes import rope_moves
from organize_backend.changes.rope_project import source_folders_of
from organize_backend.changes.compute import _imports_rewritten, module_tree
from organize_backend.changes.project_style import style_policy
from organize_backend.changes.rope_moves import TEMPORARY_PREFIX, RopeResult
from organize_backend.model import Move, OrganizeError, Snapshot
from organize_backend.snapshot import take_snapshot

# --- workspaces -------------------------------------------------------------------------------

FLAT = {
    "database.py": "import sqlite3\n\n\ndef get_db():\n    return sqlite3.connect(':memory:')\n",
    "models.py": "from dataclasses import dataclass\n\nfrom database import get_db\n\n\n@dataclass\nclass User:\n"
                 "    name: str\n\n\ndef load():\n    return get_db()\n",
    "agent.py": "import database\nfrom models import User\n\n\ndef run(name):\n    return User(name), database.get_db()\n",
    "main.py": "import agent\nfrom database import get_db\nfrom models import User\n\n\n"
               "def app():\n    return agent.run('x'), get_db(), User('y')\n",
    "test_agent.py": "from agent import run\n\n\ndef test_run():\n    assert run('a')[0].name == 'a'\n",
}

# A package tree modeled on seeds 002/003, with absolute and relative imports.
RAI = {
    "conftest.py": "from RAI_Chat.Backend.core.database.connection import get_db\n",
    "RAI_Chat/__init__.py": "",
    "RAI_Chat/Backend/__init__.py": "",
    "RAI_Chat/Backend/Launch_App.py":
        "from RAI_Chat.Backend.managers.conversation_manager import ConversationManager\n"
        "from .services.file_storage import save\n\n\n"
        "def main():\n    return ConversationManager().run(), save()\n",
    "RAI_Chat/Backend/core/__init__.py": "",
    "RAI_Chat/Backend/core/database/__init__.py": "",
    "RAI_Chat/Backend/core/database/connection.py":
        "import sqlite3\n\nfrom . import models\n\n\ndef get_db():\n    return sqlite3.connect(':memory:'), models.TABLES\n",
    "RAI_Chat/Backend/core/database/models.py": "TABLES = ['users']\n",
    "RAI_Chat/Backend/components/__init__.py": "",
    "RAI_Chat/Backend/components/prompts.py": "SYSTEM = 'be nice'\n",
    "RAI_Chat/Backend/components/prompt_builder.py":
        "from .prompts import SYSTEM\nfrom RAI_Chat.Backend.core.database.connection import get_db\n\n\n"
        "def build():\n    return SYSTEM, get_db()\n",
    "RAI_Chat/Backend/services/__init__.py": "",
    "RAI_Chat/Backend/services/file_storage.py":
        "from ..core.database.connection import get_db\nfrom ..core.database import connection\n\n\n"
        "def save():\n    return get_db(), connection.get_db()\n",
    "RAI_Chat/Backend/managers/__init__.py": "",
    "RAI_Chat/Backend/managers/conversation_manager.py":
        "from RAI_Chat.Backend.components.prompt_builder import build\n"
        "from RAI_Chat.Backend.components import prompts\n"
        "from .memory.episodic_memory import Episodic\n\n\n"
        "class ConversationManager:\n    def run(self):\n        return build(), prompts.SYSTEM, Episodic().db()\n",
    "RAI_Chat/Backend/managers/memory/__init__.py": "",
    "RAI_Chat/Backend/managers/memory/episodic_memory.py":
        "from RAI_Chat.Backend.core.database.connection import get_db\n\n\n"
        "class Episodic:\n    def db(self):\n        return get_db()\n",
}
RAI_RUN = "from RAI_Chat.{backend}.Launch_App import main; main(); import conftest; conftest.get_db()"


make = write_tree


def run_moves(snapshot: Snapshot, planned: list[Move]) -> RopeResult:
    """rope's moves, then every file's imports rewritten in place: the files as they end up."""
    result = rope_moves.run_moves(snapshot, planned)
    path_map = {original: final for final, original in result.origin.items() if original != final}
    rewritten, _ = _imports_rewritten(snapshot, result, module_tree(snapshot, result, path_map),
                                      style_policy(snapshot.files))
    result.files.update(rewritten)
    return result


def snapshot_of(root: Path, files: dict[str, str | bytes], **kwargs) -> Snapshot:
    return take_snapshot(make(root / "ws", files), **kwargs)


def moves(*pairs: tuple[str, str]) -> list[Move]:
    return [Move(source, destination, "test") for source, destination in pairs]


def text(result: RopeResult, path: str) -> str:
    return result.files[path].decode("utf-8")


def runs(result: RopeResult, folder: Path, code: str) -> subprocess.CompletedProcess:
    """Write the result to `folder` and run `code` there with a plain Python."""
    write_tree(folder, result.files)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-B", "-c", code], cwd=folder, env=env, capture_output=True, text=True)


def assert_runs(result: RopeResult, folder: Path, code: str) -> None:
    done = runs(result, folder, code)
    assert done.returncode == 0, done.stderr


def assert_no_temporary_names(result: RopeResult) -> None:
    assert not [path for path in result.files if TEMPORARY_PREFIX in path]
    assert not [path for path, data in result.files.items() if TEMPORARY_PREFIX.encode() in data]
    assert not [path for path in result.created if TEMPORARY_PREFIX in path]


# --- a flat backend ---------------------------------------------------------------------------


def test_module_into_a_new_package(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, FLAT)
    result = run_moves(snapshot, moves(("agent.py", "agents/agent.py")))
    assert set(result.files) == {"database.py", "models.py", "main.py", "test_agent.py",
                                 "agents/__init__.py", "agents/agent.py"}
    assert result.files["agents/__init__.py"] == b""
    assert result.created == {"agents/__init__.py"}
    assert result.origin["agents/agent.py"] == "agent.py"
    assert all(result.origin[path] == path for path in ("database.py", "models.py", "main.py", "test_agent.py"))
    assert "agents/__init__.py" not in result.origin
    assert result.removed_dirs == []
    assert result.moved_folders == {}
    assert result.deleted == set()
    # in place: the statement binds the same name, so the call site stays
    assert text(result, "main.py").startswith("from agents import agent\n")
    assert "agent.run('x')" in text(result, "main.py")
    assert text(result, "test_agent.py").startswith("from agents.agent import run\n")
    # the moved module's imports of its former neighbours still resolve from the root
    assert result.files["agents/agent.py"] == snapshot.files["agent.py"]
    assert result.files["database.py"] == snapshot.files["database.py"]
    assert_runs(result, tmp_path / "out", "import main; main.app(); import test_agent; test_agent.test_run()")


@pytest.mark.parametrize("order", ["database first", "models first"])
def test_modules_into_packages_of_their_own_name(tmp_path: Path, order: str) -> None:
    pairs = [("database.py", "database/database.py"), ("models.py", "models/models.py")]
    if order == "models first":
        pairs.reverse()
    snapshot = snapshot_of(tmp_path, FLAT)
    result = run_moves(snapshot, moves(*pairs))
    assert set(result.files) == {"agent.py", "main.py", "test_agent.py", "database/__init__.py",
                                 "database/database.py", "models/__init__.py", "models/models.py"}
    assert result.created == {"database/__init__.py", "models/__init__.py"}
    assert result.origin["database/database.py"] == "database.py"
    assert result.origin["models/models.py"] == "models.py"
    # the seed skill's rewrite table, verbatim
    main = text(result, "main.py")
    assert "from database.database import get_db\n" in main
    assert "from models.models import User\n" in main
    assert "from models.models import User\n" in text(result, "agent.py")
    assert text(result, "agent.py").startswith("from database import database\n")
    assert "database.get_db()" in text(result, "agent.py")
    assert "from database.database import get_db\n" in text(result, "models/models.py")
    assert "from database import" not in main and "from models import" not in main
    assert_no_temporary_names(result)
    assert_runs(result, tmp_path / "out", "import main; main.app(); import models.models as m; m.load()")


def test_the_skill_layout_of_a_flat_backend_runs(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, FLAT)
    result = run_moves(snapshot, moves(
        ("agent.py", "agents/agent.py"), ("database.py", "database/database.py"),
        ("models.py", "models/models.py"), ("test_agent.py", "tests/test_agent.py"),
    ))
    assert set(result.files) == {"main.py", "agents/__init__.py", "agents/agent.py", "database/__init__.py",
                                 "database/database.py", "models/__init__.py", "models/models.py",
                                 "tests/__init__.py", "tests/test_agent.py"}
    assert_no_temporary_names(result)
    assert_runs(result, tmp_path / "out", "import main; main.app(); from tests import test_agent; test_agent.test_run()")


def test_a_module_moved_and_renamed(tmp_path: Path) -> None:
    files = {
        "connection.py": "def get_db():\n    return 'db'\n",
        "repo.py": "from connection import get_db\n\n\ndef rows():\n    return get_db()\n",
        "main.py": "import connection\nimport repo\n\nVALUE = connection.get_db(), repo.rows()\n",
    }
    result = run_moves(snapshot_of(tmp_path, files), moves(("connection.py", "db/session.py")))
    assert set(result.files) == {"db/__init__.py", "db/session.py", "repo.py", "main.py"}
    assert result.origin["db/session.py"] == "connection.py"
    assert result.created == {"db/__init__.py"}
    assert text(result, "repo.py").startswith("from db.session import get_db\n")
    assert text(result, "main.py").startswith("from db import session as connection\n")
    assert "connection.get_db()" in text(result, "main.py")  # the binding keeps its name: no call site changes
    assert "connection" not in text(result, "repo.py")
    assert_runs(result, tmp_path / "out", "import main")


def test_a_module_renamed_in_place(tmp_path: Path) -> None:
    files = {"connection.py": "def get_db():\n    return 'db'\n", "main.py": "from connection import get_db\n"}
    result = run_moves(snapshot_of(tmp_path, files), moves(("connection.py", "session.py")))
    assert set(result.files) == {"session.py", "main.py"}
    assert result.origin["session.py"] == "connection.py"
    assert result.created == set()
    assert text(result, "main.py") == "from session import get_db\n"


def test_a_module_into_a_new_nested_package(tmp_path: Path) -> None:
    result = run_moves(snapshot_of(tmp_path, FLAT), moves(("agent.py", "core/agents/agent.py")))
    assert result.created == {"core/__init__.py", "core/agents/__init__.py"}
    assert text(result, "test_agent.py").startswith("from core.agents.agent import run\n")
    assert_runs(result, tmp_path / "out", "import main; main.app()")


def test_the_users_files_are_never_touched_and_the_scratch_copy_goes(tmp_path: Path, monkeypatch) -> None:
    scratch_parent = tmp_path / "scratch"
    scratch_parent.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch_parent))
    snapshot = snapshot_of(tmp_path, FLAT)
    before = {path: path.read_bytes() for path in (tmp_path / "ws").rglob("*") if path.is_file()}
    run_moves(snapshot, moves(("agent.py", "agents/agent.py"), ("database.py", "database/database.py")))
    after = {path: path.read_bytes() for path in (tmp_path / "ws").rglob("*") if path.is_file()}
    assert after == before
    assert list(scratch_parent.iterdir()) == []


def test_unsaved_buffers_are_what_rope_rewrites(tmp_path: Path) -> None:
    typed = "from agent import run\nfrom database import get_db\n"
    snapshot = snapshot_of(tmp_path, FLAT, buffers={"main.py": typed})
    result = run_moves(snapshot, moves(("agent.py", "agents/agent.py")))
    assert text(result, "main.py") == "from agents.agent import run\nfrom database import get_db\n"


def test_a_file_rope_leaves_alone_keeps_its_exact_bytes(tmp_path: Path) -> None:
    files = {**FLAT, "notes.py": b"# unrelated \xe9\r\nX = 1   \r\n"}
    snapshot = snapshot_of(tmp_path, files)
    result = run_moves(snapshot, moves(("agent.py", "agents/agent.py")))
    assert result.files["notes.py"] == files["notes.py"]


# --- a package tree (seeds 002/003) -------------------------------------------------------------


def test_a_package_folder_renamed(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, RAI)
    result = run_moves(snapshot, moves(("RAI_Chat/Backend", "RAI_Chat/backend")))
    expected = {path.replace("RAI_Chat/Backend/", "RAI_Chat/backend/") for path in RAI}
    assert set(result.files) == expected
    assert result.moved_folders == {"RAI_Chat/Backend": "RAI_Chat/backend"}
    assert result.created == set()
    assert result.deleted == set()
    assert all(result.origin[path] == path.replace("RAI_Chat/backend/", "RAI_Chat/Backend/") for path in expected)
    # absolute imports follow the new name, relative ones need no change
    assert text(result, "conftest.py") == "from RAI_Chat.backend.core.database.connection import get_db\n"
    assert text(result, "RAI_Chat/backend/Launch_App.py").startswith(
        "from RAI_Chat.backend.managers.conversation_manager import ConversationManager\n"
        "from .services.file_storage import save\n")
    assert text(result, "RAI_Chat/backend/services/file_storage.py") == RAI["RAI_Chat/Backend/services/file_storage.py"]
    assert text(result, "RAI_Chat/backend/core/database/connection.py") == RAI["RAI_Chat/Backend/core/database/connection.py"]
    assert "RAI_Chat.Backend" not in "".join(data.decode() for data in result.files.values())
    assert not [folder for folder in result.removed_dirs if folder.startswith("RAI_Chat/backend")]
    assert_runs(result, tmp_path / "out", RAI_RUN.format(backend="backend"))


def test_a_package_merged_into_an_existing_folder(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, RAI)
    result = run_moves(snapshot, moves(("RAI_Chat/Backend/components", "RAI_Chat/Backend/services")))
    assert "RAI_Chat/Backend/services/prompts.py" in result.files
    assert "RAI_Chat/Backend/services/prompt_builder.py" in result.files
    assert not [path for path in result.files if "/components/" in path]
    assert result.origin["RAI_Chat/Backend/services/prompts.py"] == "RAI_Chat/Backend/components/prompts.py"
    assert result.origin["RAI_Chat/Backend/services/file_storage.py"] == "RAI_Chat/Backend/services/file_storage.py"
    # the emptied package goes, with its empty __init__.py
    assert result.removed_dirs == ["RAI_Chat/Backend/components"]
    assert result.deleted == {"RAI_Chat/Backend/components/__init__.py"}
    assert result.moved_folders == {}  # merged module by module, not moved as a whole
    assert result.created == set()
    manager = text(result, "RAI_Chat/Backend/managers/conversation_manager.py")
    assert "from RAI_Chat.Backend.services.prompt_builder import build\n" in manager
    assert "from RAI_Chat.Backend.services import prompts\n" in manager
    assert "components" not in "".join(data.decode() for data in result.files.values())
    assert_runs(result, tmp_path / "out", RAI_RUN.format(backend="Backend"))


def test_a_package_merged_into_a_folder_that_holds_a_module_of_the_same_name(tmp_path: Path) -> None:
    files = {**RAI, "RAI_Chat/Backend/services/prompts.py": "OTHER = 1\n"}
    with pytest.raises(OrganizeError, match=r"RAI_Chat/Backend/services/prompts\.py exists"):
        run_moves(snapshot_of(tmp_path, files), moves(("RAI_Chat/Backend/components", "RAI_Chat/Backend/services")))


def test_a_package_with_a_real_init_is_not_removed(tmp_path: Path) -> None:
    files = {**RAI, "RAI_Chat/Backend/components/__init__.py": "from .prompts import SYSTEM\n\nVERSION = 2\n"}
    result = run_moves(snapshot_of(tmp_path, files), moves(("RAI_Chat/Backend/components", "RAI_Chat/Backend/services")))
    assert result.removed_dirs == []
    assert result.deleted == set()
    assert "RAI_Chat/Backend/components/__init__.py" in result.files
    assert_runs(result, tmp_path / "out", RAI_RUN.format(backend="Backend")
                + "; from RAI_Chat.Backend.components import SYSTEM, VERSION")


def test_a_package_with_data_files_is_not_removed(tmp_path: Path) -> None:
    files = {**RAI, "RAI_Chat/Backend/components/templates/system.txt": "be nice\n",
             "RAI_Chat/Backend/components/logo.png": b"\x89PNG"}
    result = run_moves(snapshot_of(tmp_path, files), moves(("RAI_Chat/Backend/components", "RAI_Chat/Backend/services")))
    assert result.removed_dirs == []
    assert "RAI_Chat/Backend/components/__init__.py" in result.files


def test_an_emptied_package_of_the_old_layout_is_removed(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, RAI)
    result = run_moves(snapshot, moves(
        ("RAI_Chat/Backend/managers/memory/episodic_memory.py", "RAI_Chat/Backend/services/memory/episodic.py"),
    ))
    assert result.removed_dirs == ["RAI_Chat/Backend/managers/memory"]
    assert result.deleted == {"RAI_Chat/Backend/managers/memory/__init__.py"}
    assert "RAI_Chat/Backend/managers/memory/__init__.py" not in result.files
    assert "RAI_Chat/Backend/managers/__init__.py" in result.files  # still holds conversation_manager
    assert result.created == {"RAI_Chat/Backend/services/memory/__init__.py"}
    assert result.origin["RAI_Chat/Backend/services/memory/episodic.py"] == (
        "RAI_Chat/Backend/managers/memory/episodic_memory.py")
    manager = text(result, "RAI_Chat/Backend/managers/conversation_manager.py")
    assert "episodic_memory" not in manager and "Episodic" in manager
    assert_runs(result, tmp_path / "out", RAI_RUN.format(backend="Backend"))


def test_a_move_whose_source_an_earlier_folder_move_carried_along(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, RAI)
    result = run_moves(snapshot, moves(
        ("RAI_Chat/Backend", "RAI_Chat/backend"),
        # named by its original path: the engine finds where the first move put it
        ("RAI_Chat/Backend/core/database/connection.py", "RAI_Chat/backend/core/database/session.py"),
    ))
    assert "RAI_Chat/backend/core/database/session.py" in result.files
    assert result.origin["RAI_Chat/backend/core/database/session.py"] == "RAI_Chat/Backend/core/database/connection.py"
    assert result.moved_folders == {"RAI_Chat/Backend": "RAI_Chat/backend"}
    assert text(result, "conftest.py") == "from RAI_Chat.backend.core.database.session import get_db\n"
    storage = text(result, "RAI_Chat/backend/services/file_storage.py")
    assert "from ..core.database.session import get_db\n" in storage
    assert "from ..core.database import session as connection\n" in storage
    assert "connection.get_db()" in storage
    assert_runs(result, tmp_path / "out", RAI_RUN.format(backend="backend"))


def test_the_seed_003_sequence_of_moves(tmp_path: Path) -> None:
    # The order of tests/fixtures/rai_chat: renames and moves first, then a merge, then the package rename.
    snapshot = snapshot_of(tmp_path, RAI)
    result = run_moves(snapshot, moves(
        ("RAI_Chat/Backend/core/database/connection.py", "RAI_Chat/Backend/core/database/session.py"),
        ("RAI_Chat/Backend/managers/memory/episodic_memory.py", "RAI_Chat/Backend/services/memory/episodic.py"),
        ("RAI_Chat/Backend/managers/conversation_manager.py", "RAI_Chat/Backend/services/conversation.py"),
        ("RAI_Chat/Backend/components", "RAI_Chat/Backend/services"),
        ("RAI_Chat/Backend", "RAI_Chat/backend"),
    ))
    assert set(result.files) == {
        "conftest.py", "RAI_Chat/__init__.py", "RAI_Chat/backend/__init__.py", "RAI_Chat/backend/Launch_App.py",
        "RAI_Chat/backend/core/__init__.py", "RAI_Chat/backend/core/database/__init__.py",
        "RAI_Chat/backend/core/database/session.py", "RAI_Chat/backend/core/database/models.py",
        "RAI_Chat/backend/services/__init__.py", "RAI_Chat/backend/services/file_storage.py",
        "RAI_Chat/backend/services/prompts.py", "RAI_Chat/backend/services/prompt_builder.py",
        "RAI_Chat/backend/services/conversation.py", "RAI_Chat/backend/services/memory/__init__.py",
        "RAI_Chat/backend/services/memory/episodic.py",
    }
    assert result.origin["RAI_Chat/backend/services/conversation.py"] == "RAI_Chat/Backend/managers/conversation_manager.py"
    assert result.origin["RAI_Chat/backend/services/prompts.py"] == "RAI_Chat/Backend/components/prompts.py"
    assert result.created == {"RAI_Chat/backend/services/memory/__init__.py"}
    assert result.moved_folders == {"RAI_Chat/Backend": "RAI_Chat/backend"}
    assert result.deleted == {"RAI_Chat/Backend/components/__init__.py", "RAI_Chat/Backend/managers/__init__.py",
                              "RAI_Chat/Backend/managers/memory/__init__.py"}
    # the emptied packages of the old layout, wherever the package rename put their names
    emptied = {"components", "managers", "managers/memory"}
    assert {folder.split("/", 2)[2] for folder in result.removed_dirs} == emptied
    assert not [folder for folder in result.removed_dirs
                if any(path.startswith(folder + "/") for path in result.files)]
    assert_no_temporary_names(result)
    all_text = "".join(data.decode() for data in result.files.values())
    assert "RAI_Chat.Backend" not in all_text and "components" not in all_text
    # `from ..core.database import connection` keeps its binding: only the module it names changed
    assert "connection" not in all_text.replace("import session as connection", "").replace("connection.get_db", "")
    assert_runs(result, tmp_path / "out", RAI_RUN.format(backend="backend"))


def test_a_package_moved_into_a_new_package(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, RAI)
    result = run_moves(snapshot, moves(("RAI_Chat/Backend/managers", "RAI_Chat/Backend/core/managers")))
    assert result.moved_folders == {"RAI_Chat/Backend/managers": "RAI_Chat/Backend/core/managers"}
    assert "RAI_Chat/Backend/core/managers/memory/episodic_memory.py" in result.files
    assert "RAI_Chat.Backend.core.managers.conversation_manager" in text(result, "RAI_Chat/Backend/Launch_App.py")
    assert_runs(result, tmp_path / "out", RAI_RUN.format(backend="Backend"))


@pytest.mark.parametrize("destination", [
    "RAI_Chat/Backend/core/database/session.py",  # rope's Rename
    "RAI_Chat/Backend/core/connection.py",  # rope's MoveModule
])
def test_a_three_dot_relative_import_of_a_moved_module_is_updated(tmp_path: Path, destination: str) -> None:
    # rope 1.15's Rename and MoveModule both miss `from ...x import y` (three dots, then a name);
    # `from ..x import y` and `from ... import x` are found.
    files = {**RAI, "RAI_Chat/Backend/managers/memory/episodic_memory.py":
             "from ...core.database.connection import get_db\n\n\nclass Episodic:\n    def db(self):\n"
             "        return get_db()\n"}
    snapshot = snapshot_of(tmp_path, files)
    result = run_moves(snapshot, moves(("RAI_Chat/Backend/core/database/connection.py", destination)))
    episodic = text(result, "RAI_Chat/Backend/managers/memory/episodic_memory.py")
    assert "database.connection" not in episodic, episodic
    assert_runs(result, tmp_path / "out", RAI_RUN.format(backend="Backend"))


# --- errors -------------------------------------------------------------------------------------


def test_a_destination_that_exists_by_the_time_of_the_move_is_refused(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, FLAT)
    with pytest.raises(OrganizeError, match=r"cannot move models\.py to core/agent\.py: core/agent\.py exists"):
        run_moves(snapshot, moves(("agent.py", "core/agent.py"), ("models.py", "core/agent.py")))


def test_a_package_whose_name_a_staying_module_holds_is_refused(tmp_path: Path) -> None:
    # database/ cannot be created while database.py stays beside it
    snapshot = snapshot_of(tmp_path, FLAT)
    with pytest.raises(OrganizeError, match=r"cannot create package database/: module database\.py stays"):
        run_moves(snapshot, moves(("models.py", "database/models.py")))


def test_a_source_that_is_gone_is_refused(tmp_path: Path) -> None:
    snapshot = snapshot_of(tmp_path, FLAT)
    with pytest.raises(OrganizeError, match=r"cannot move nothing\.py: it does not exist"):
        run_moves(snapshot, moves(("nothing.py", "agents/nothing.py")))


# --- imports rope moves around -------------------------------------------------------------------


def test_a_function_local_import_stays_local(tmp_path: Path) -> None:
    # The usual way out of a circular import: models imports database at the top, database
    # imports models inside the function that needs it. rope rewrites the local import and
    # adds a module-level one as well, which brings the cycle back.
    files = {
        "database.py": "import sqlite3\n\n\ndef get_db():\n    return sqlite3.connect(':memory:')\n\n\n"
                       "def init_db():\n    import models\n    return models.create_tables(get_db())\n",
        "models.py": "from database import get_db\n\n\ndef create_tables(db):\n    return db\n",
        "main.py": "from database import init_db\n\ninit_db()\n",
    }
    snapshot = snapshot_of(tmp_path, files)
    result = run_moves(snapshot, moves(("database.py", "database/database.py"), ("models.py", "models/models.py")))
    database = text(result, "database/database.py")
    top_level = database.split("\ndef ", 1)[0]
    assert "models" not in top_level, database
    assert_runs(result, tmp_path / "out", "import main")


@pytest.mark.parametrize("guarded", ["if TYPE_CHECKING:\n    import models\n", "if TYPE_CHECKING: import models\n"])
def test_a_type_checking_import_stays_under_type_checking(tmp_path: Path, guarded: str) -> None:
    files = {
        "models.py": "class User:\n    pass\n",
        "service.py": "from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n\n"
                      f"{guarded}\n\ndef greet(user: models.User) -> str:\n    return 'hi'\n",
    }
    result = run_moves(snapshot_of(tmp_path, files), moves(("models.py", "models/models.py")))
    service = text(result, "service.py")
    assert service.count("import models") == 1, service
    assert guarded.replace("import models", "from models import models") in service


# --- bytes: line endings, BOMs, encodings -----------------------------------------------------------


def test_crlf_and_bom_survive_ropes_edits(tmp_path: Path) -> None:
    files = {
        "database.py": b"\xef\xbb\xbf# -*- coding: utf-8 -*-\r\nimport sqlite3\r\n\r\n\r\n"
                       b"def get_db():\r\n    return sqlite3.connect(':memory:')  # caf\xc3\xa9\r\n",
        "main.py": b"\xef\xbb\xbf# main \xe2\x80\x94 entry\r\nimport os\r\nfrom database import get_db  # db\r\n\r\n\r\n"
                   b"def handler():\r\n    return get_db(), os.sep  # \xc3\xa9\r\n",
        "app.py": b"# app\r\nimport database\r\n\r\nX = database.get_db()\r\n",
    }
    snapshot = snapshot_of(tmp_path, files)
    result = run_moves(snapshot, moves(("database.py", "database/database.py")))
    assert result.files["database/database.py"] == files["database.py"]
    assert result.files["main.py"] == files["main.py"].replace(b"from database import", b"from database.database import")
    assert result.files["app.py"] == b"# app\r\nfrom database import database\r\n\r\nX = database.get_db()\r\n"


@pytest.mark.parametrize(
    ("destination", "expected"),
    [
        ("db/database.py", b"\xef\xbb\xbffrom db.database import get_db\r\n\r\nX = get_db()\r\n"),
        ("database/database.py", b"\xef\xbb\xbffrom database.database import get_db\r\n\r\nX = get_db()\r\n"),
        ("session.py", b"\xef\xbb\xbffrom session import get_db\r\n\r\nX = get_db()\r\n"),
    ],
)
def test_a_bom_file_importing_the_moved_module_on_its_first_line(tmp_path: Path, destination: str,
                                                                  expected: bytes) -> None:
    # rope 1.15 alone misses an occurrence on the first line of a file with a byte order mark.
    files = {"database.py": "def get_db():\n    return 1\n",
             "main.py": b"\xef\xbb\xbffrom database import get_db\r\n\r\nX = get_db()\r\n"}
    result = run_moves(snapshot_of(tmp_path, files), moves(("database.py", destination)))
    assert result.files["main.py"] == expected


def test_a_moved_bom_file_keeps_its_bom_when_rope_rewrites_it(tmp_path: Path) -> None:
    files = {"database.py": "def get_db():\n    return 1\n",
             "models.py": b"\xef\xbb\xbffrom database import get_db\r\n",
             "main.py": "import models\n"}
    result = run_moves(snapshot_of(tmp_path, files), moves(("models.py", "models/models.py"),
                                                           ("database.py", "database/database.py")))
    assert result.files["models/models.py"] == b"\xef\xbb\xbffrom database.database import get_db\r\n"


def test_crlf_in_a_moved_module_that_rope_rewrites(tmp_path: Path) -> None:
    # A merged module's relative imports are rewritten by rope: the other lines keep CRLF.
    files = {**RAI,
             "RAI_Chat/Backend/components/prompt_builder.py":
                 b"\xef\xbb\xbf# builds prompts\r\nfrom .prompts import SYSTEM\r\n"
                 b"from RAI_Chat.Backend.core.database.connection import get_db\r\n\r\n\r\n"
                 b"def build():\r\n    return SYSTEM, get_db()  # \xc3\xa9\r\n"}
    result = run_moves(snapshot_of(tmp_path, files), moves(("RAI_Chat/Backend/components", "RAI_Chat/Backend/services")))
    data = result.files["RAI_Chat/Backend/services/prompt_builder.py"]
    assert data.startswith(b"\xef\xbb\xbf# builds prompts\r\n")
    assert data.endswith(b"\r\n\r\n\r\ndef build():\r\n    return SYSTEM, get_db()  # \xc3\xa9\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert_runs(result, tmp_path / "out", RAI_RUN.format(backend="Backend"))


def test_crlf_in_a_renamed_package(tmp_path: Path) -> None:
    files = {path: content.replace("\n", "\r\n").encode() for path, content in RAI.items()}
    files["RAI_Chat/Backend/Launch_App.py"] = b"\xef\xbb\xbf" + files["RAI_Chat/Backend/Launch_App.py"]
    result = run_moves(snapshot_of(tmp_path, files), moves(("RAI_Chat/Backend", "RAI_Chat/backend")))
    for path, data in result.files.items():
        assert b"\n" not in data.replace(b"\r\n", b""), path
    launch = result.files["RAI_Chat/backend/Launch_App.py"]
    assert launch.startswith(b"\xef\xbb\xbffrom RAI_Chat.backend.managers.conversation_manager import")
    assert result.files["RAI_Chat/backend/services/file_storage.py"] == files["RAI_Chat/Backend/services/file_storage.py"]


def test_a_line_rope_adds_to_a_crlf_file_is_crlf(tmp_path: Path) -> None:
    files = {
        "database.py": b"def get_db():\r\n    return 1\r\n",
        "main.py": b"import os\r\n\r\n\r\ndef handler():\r\n    import database\r\n    return database.get_db(), os.sep\r\n",
    }
    result = run_moves(snapshot_of(tmp_path, files), moves(("database.py", "db/database.py")))
    data = result.files["main.py"]
    assert b"\n" not in data.replace(b"\r\n", b""), data


def test_a_latin1_file_with_an_encoding_cookie_keeps_its_bytes(tmp_path: Path) -> None:
    files = {
        "database.py": "def get_db():\n    return 1\n",
        "legacy.py": b"# -*- coding: latin-1 -*-\r\nimport database\r\nNAME = '\xe9t\xe9'\r\nX = database.get_db()\r\n",
    }
    result = run_moves(snapshot_of(tmp_path, files), moves(("database.py", "db/database.py")))
    assert result.files["legacy.py"] == (
        b"# -*- coding: latin-1 -*-\r\nfrom db import database\r\nNAME = '\xe9t\xe9'\r\nX = database.get_db()\r\n")


# --- where the scratch copy goes ------------------------------------------------------------------


def test_the_scratch_copy_goes_to_memory_when_it_has_room(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(rope_moves, "RAM_FOLDER", tmp_path)
    small = Snapshot(root=tmp_path, files={"agent.py": b"x = 1\n"})
    assert rope_moves._scratch_parent(small) == str(tmp_path)


def test_the_scratch_copy_stays_on_disk_when_memory_is_short(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(rope_moves, "RAM_FOLDER", tmp_path)
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    huge = Snapshot(root=tmp_path, files={"agent.py": b"x"})
    monkeypatch.setattr(rope_moves, "RAM_HEADROOM", free)  # as if the copy needed more than is free
    assert rope_moves._scratch_parent(huge) is None
    monkeypatch.setattr(rope_moves, "RAM_FOLDER", tmp_path / "missing")
    assert rope_moves._scratch_parent(Snapshot(root=tmp_path, files={})) is None


@pytest.mark.parametrize("files", [FLAT, RAI, {
    "src/app/__init__.py": "", "src/app/main.py": "", "scripts/run.py": "", "scripts/tools/x.py": "",
    "lib/a.py": "", "lib/pkg/__init__.py": "", "lib/pkg/b.py": "", "docs/conf.py": "", "top.py": "",
}], ids=["flat", "packages", "several roots"])
def test_source_folders_are_the_ones_rope_finds(tmp_path: Path, files: dict) -> None:
    root = make(tmp_path / "ws", files)
    project = Project(str(root), ropefolder=None)
    try:
        ropes = sorted(folder.path for folder in project.get_source_folders())
    finally:
        project.close()
    assert sorted(source_folders_of(sorted(files))) == ropes
