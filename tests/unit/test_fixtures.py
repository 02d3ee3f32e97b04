"""The two fixture backends are what the engine is tested on: check that they are what they claim.

Each one must pass its own test suite (run on a copy, in a subprocess, as a user would) and
must contain the features the engine has to cope with: every import form, string references
to modules, a file-relative path, a CRLF module, an encoding cookie, scripts and config files.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO_ROOT, copy_fixture, fixture_path, run_fixture_tests, tree_bytes

CHAT = FIXTURES["chat_backend"]
RAI = FIXTURES["rai_chat"]
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}
TEST_ONLY = {"pytest"}


def _modules(root: Path) -> dict[str, ast.Module]:
    """Every Python file of a fixture (relative POSIX path -> parsed tree), caches left out."""
    trees = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        trees[path.relative_to(root).as_posix()] = ast.parse(path.read_bytes(), filename=str(path))
    return trees


def _is_test(path: str) -> bool:
    name = Path(path).name
    return name.startswith("test_") or name == "conftest.py"


def _imports(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node


def _string_constants(tree: ast.Module) -> set[str]:
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


# --- both fixtures -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "least", "most"), [("chat_backend", 25, 40), ("rai_chat", 15, 30)])
def test_fixture_suite_passes_on_a_copy_and_leaves_nothing_behind(name, least, most, tmp_path):
    root = copy_fixture(name, tmp_path)
    before = tree_bytes(root)
    result = run_fixture_tests(root)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = int(re.search(r"\b(\d+) passed\b", result.stdout).group(1))
    assert least <= passed <= most, result.stdout
    assert not re.search(r"\b(failed|error|errors|skipped)\b", result.stdout.splitlines()[-1])
    after = {path for path in root.rglob("*") if "__pycache__" not in path.parts}
    assert {p.relative_to(root).as_posix() for p in after if p.is_file()} == set(before)
    assert tree_bytes(root) == before


@pytest.mark.parametrize("name", ["chat_backend", "rai_chat"])
def test_fixture_code_uses_the_standard_library_only(name):
    root = fixture_path(name)
    trees = _modules(root)
    local = {Path(path).stem for path in trees} | {path.split("/")[0] for path in trees}
    for path, tree in trees.items():
        for node in _imports(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
            for top in (name.split(".")[0] for name in names):
                allowed = STDLIB | local | (TEST_ONLY if _is_test(path) else set())
                assert top in allowed, f"{path}: imports {top}"


def test_copy_fixture_ignores_caches_and_keeps_bytes(tmp_path):
    root = copy_fixture("chat_backend", tmp_path)
    assert root == tmp_path / "chat_backend"
    assert tree_bytes(root) == tree_bytes(CHAT)
    assert (root / ".github" / "workflows" / "ci.yml").is_file()
    assert not list(root.rglob("__pycache__")) and not (root / ".pytest_cache").exists()
    with pytest.raises(FileNotFoundError):
        copy_fixture("no_such_fixture", tmp_path)


def test_repository_collection_skips_the_fixture_suites():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:benchmark"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    assert collected, result.stdout + result.stderr
    assert not [line for line in collected if line.startswith(("tests/fixtures/", "examples/"))]


# --- chat_backend (seed 000) --------------------------------------------------------------


def test_chat_backend_is_flat_and_big_enough():
    trees = _modules(CHAT)
    assert all("/" not in path for path in trees), "every module sits at the root"
    assert "__init__.py" not in trees
    app_modules = [path for path in trees if not _is_test(path)]
    assert len(app_modules) >= 17 and len(trees) >= 15
    for expected in ("main.py", "database.py", "models.py", "agent.py", "vector_store.py", "embeddings.py",
                     "chatkit_server.py", "chatkit_store.py", "session_service.py", "seed_db.py", "plugins.py",
                     "conftest.py", "test_agent.py", "test_auth.py", "test_vector_store.py", "test_main.py"):
        assert expected in trees, expected


def test_chat_backend_modules_really_import_each_other():
    trees = _modules(CHAT)
    local = {Path(path).stem for path in trees}
    importers = {}
    for path, tree in trees.items():
        if _is_test(path):
            continue
        for node in _imports(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                if name in local:
                    importers.setdefault(name, set()).add(path)
    for module in ("database", "models", "config", "vector_store", "embeddings", "agent", "auth", "text_utils"):
        assert importers.get(module), f"nobody imports {module}"
    assert len(importers) >= 12


def test_chat_backend_uses_every_import_form():
    trees = _modules(CHAT)
    local = {Path(path).stem for path in trees}
    forms: dict[str, set[str]] = {}

    def saw(form, path):
        forms.setdefault(form, set()).add(path)

    for path, tree in trees.items():
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
                if not set(names) & local:
                    continue
                saw("import x", path)
                if len(names) > 1 and set(names) <= local:
                    saw("import a, b", path)
                if any(alias.asname for alias in node.names):
                    saw("import x as y", path)
            elif node.module in local and not node.level:
                saw("from x import y", path)
                if any(alias.name == "*" for alias in node.names):
                    saw("from x import *", path)
                    target = trees[f"{node.module}.py"]
                    assert any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
                               for n in target.body), f"{node.module} defines __all__"
                if node.end_lineno > node.lineno:
                    saw("from x import (a, b) across lines", path)
                if any(alias.asname for alias in node.names):
                    saw("from x import y as z", path)
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            if any(isinstance(n, (ast.Import, ast.ImportFrom)) and _local(n, local) for n in ast.walk(function)):
                saw("import in a function", path)
        for branch in (n for n in ast.walk(tree) if isinstance(n, ast.If)):
            if isinstance(branch.test, ast.Name) and branch.test.id == "TYPE_CHECKING":
                if any(_local(n, local) for n in branch.body if isinstance(n, (ast.Import, ast.ImportFrom))):
                    saw("import under TYPE_CHECKING", path)
    assert set(forms) == {
        "import x", "import a, b", "import x as y", "from x import y", "from x import *",
        "from x import (a, b) across lines", "from x import y as z", "import in a function",
        "import under TYPE_CHECKING",
    }
    assert "main.py" in forms["import a, b"] and "main.py" in forms["from x import *"]


def _local(node, local) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name in local for alias in node.names)
    return node.module in local and not node.level


def test_chat_backend_call_sites_go_through_module_names():
    source = {path: (CHAT / path).read_text(encoding="utf-8") for path in _modules(CHAT)}
    assert "database.get_db()" in source["vector_store.py"]
    assert "vs.VectorStore.from_database()" in source["agent_tools.py"]
    assert "database.count(" in source["main.py"] and "auth.register_user(" in source["main.py"]
    assert "agent.run(text)" in source["chat_service.py"]


def test_chat_backend_string_references():
    trees = _modules(CHAT)
    strings = {path: _string_constants(tree) for path, tree in trees.items()}
    assert "agent.VectorStore" in strings["test_agent.py"]
    assert "vector_store.embed" in strings["test_vector_store.py"]
    assert "chatkit_server.run_agent" in strings["test_chatkit.py"]
    assert "agent.run" in strings["test_chat_service.py"]
    assert "chat_service.agent.run" in strings["test_main.py"]
    assert "auth.time.time" in strings["test_auth.py"]
    assert {"indexer", "agent:run", "agent_tools:search_documents", "indexer:index_document"} <= strings["plugins.py"]
    assert 'importlib.import_module("indexer")' in (CHAT / "plugins.py").read_text()


def test_chat_backend_has_exactly_one_file_relative_path():
    users = [path for path in _modules(CHAT) if "__file__" in (CHAT / path).read_text(encoding="utf-8")]
    assert users == ["config.py"]
    assert "BASE_DIR = Path(__file__).resolve().parent" in (CHAT / "config.py").read_text()
    settings = json.loads((CHAT / "settings.json").read_text())
    assert settings["app_name"] == "Chat Backend"


def test_chat_backend_has_one_crlf_module_and_one_coding_cookie():
    data = {path: (CHAT / path).read_bytes() for path in _modules(CHAT)}
    crlf = [path for path, content in data.items() if b"\r" in content]
    assert crlf == ["text_utils.py"]
    content = data["text_utils.py"]
    assert content.count(b"\n") == content.count(b"\r\n") > 50
    assert b"\r\nimport config\r\n" in content  # a CRLF line the engine must rewrite
    cookies = [path for path, content in data.items() if content.startswith(b"# -*- coding: utf-8 -*-\n")]
    assert cookies == ["embeddings.py"]
    assert not data["embeddings.py"].isascii()
    assert all(b"\r" not in line for line in data["embeddings.py"].splitlines(keepends=True))


def test_chat_backend_scripts_and_config_files_name_the_modules():
    assert not (CHAT / "pyproject.toml").exists()
    assert (CHAT / "requirements.txt").is_file()
    procfile = (CHAT / "Procfile").read_text()
    assert "web: python main.py" in procfile and "release: python seed_db.py" in procfile
    makefile = (CHAT / "Makefile").read_text()
    assert "\tpython seed_db.py" in makefile and "\tpython -m pytest" in makefile
    ci = (CHAT / ".github" / "workflows" / "ci.yml").read_text()
    assert "run: python seed_db.py" in ci and "python -m pytest" in ci
    readme = (CHAT / "README.md").read_text()
    assert "python seed_db.py" in readme and "`agent.py`" in readme and "`database.py`" in readme
    main = (CHAT / "main.py").read_text()
    seed = (CHAT / "seed_db.py").read_text()
    assert 'if __name__ == "__main__":' in main and 'if __name__ == "__main__":' in seed


def test_chat_backend_seed_script_runs_by_path(tmp_path):
    root = copy_fixture("chat_backend", tmp_path / "copy")
    before = tree_bytes(root)
    database = tmp_path / "seed.db"
    env = dict(os.environ, CHAT_DB=str(database), PYTHONDONTWRITEBYTECODE="1")
    for _ in range(2):  # idempotent
        result = subprocess.run([sys.executable, "seed_db.py"], cwd=root, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"Seeded {database}: 1 users, 4 documents")
    assert database.is_file()
    assert tree_bytes(root) == before


# --- rai_chat (seeds 002 and 003) ---------------------------------------------------------


def _rai_config() -> dict:
    return tomllib.loads((RAI / "organize-backend.toml").read_text())["tool"]["organize-backend"]


def test_rai_chat_is_a_package_tree():
    trees = _modules(RAI)
    folders = {str(Path(path).parent.as_posix()) for path in trees if path.startswith("RAI_Chat/")}
    for folder in folders:
        assert f"{folder}/__init__.py" in trees, f"{folder} is a package"
    for expected in ("core/auth/models.py", "core/auth/service.py", "core/auth/utils.py",
                     "core/database/connection.py", "core/database/models.py",
                     "managers/conversation_manager.py", "managers/chat_file_manager.py",
                     "managers/user_session_manager.py", "managers/memory/contextual_memory.py",
                     "managers/memory/episodic_memory.py", "components/action_handler.py",
                     "components/prompt_builder.py", "components/prompts.py", "utils/path_finder.py",
                     "utils/module_loader.py", "services/file_storage.py", "Launch_App.py"):
        assert f"RAI_Chat/Backend/{expected}" in trees, expected
    assert len([p for p in trees if p.startswith("RAI_Chat/Backend/tests/test_")]) >= 5


def test_rai_chat_configuration_exercises_every_kind_of_move():
    config = _rai_config()
    assert config["layout"] == "none"
    moves = [(move["from"], move["to"]) for move in config["move"]]
    for source, _ in moves:
        assert (RAI / source).exists(), source
    module_moves = [(s, d) for s, d in moves if s.endswith(".py")]
    assert all(not (RAI / d).exists() for _, d in module_moves)
    renamed_in_place = [(s, d) for s, d in module_moves if Path(s).parent == Path(d).parent]
    assert renamed_in_place, "a module renamed where it is"
    into_existing = [(s, d) for s, d in module_moves if (RAI / Path(d).parent).is_dir() and Path(s).parent != Path(d).parent]
    assert into_existing, "a module moved (and renamed) into an existing package"
    into_new = [(s, d) for s, d in module_moves if not (RAI / Path(d).parent).exists()]
    assert into_new, "a module moved into a package that does not exist yet"
    merges = [(s, d) for s, d in moves if (RAI / s).is_dir() and (RAI / d).is_dir()]
    assert ("RAI_Chat/Backend/components", "RAI_Chat/Backend/services") in merges
    services = {p.name for p in (RAI / "RAI_Chat/Backend/services").glob("*.py")}
    components = {p.name for p in (RAI / "RAI_Chat/Backend/components").glob("*.py")}
    assert services - {"__init__.py"} and services & components == {"__init__.py"}
    assert moves[-1] == ("RAI_Chat/Backend", "RAI_Chat/backend")


def test_rai_chat_mixes_absolute_and_relative_imports():
    trees = _modules(RAI)
    absolute, relative, from_dot = set(), set(), set()
    for path, tree in trees.items():
        for node in _imports(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                relative.add(path)
                if node.module is None:
                    from_dot.add(path)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("RAI_Chat.Backend"):
                absolute.add(path)
    app_absolute = {p for p in absolute if "/tests/" not in p}
    assert {"RAI_Chat/Backend/managers/user_session_manager.py",
            "RAI_Chat/Backend/managers/memory/contextual_memory.py"} <= app_absolute
    assert "RAI_Chat/Backend/managers/conversation_manager.py" in relative
    assert "RAI_Chat/Backend/components/prompt_builder.py" in from_dot
    text = (RAI / "RAI_Chat/Backend/managers/memory/episodic_memory.py").read_text()
    assert "from ...core.database import connection" in text
    assert "from .prompts import SYSTEM" in (RAI / "RAI_Chat/Backend/components/prompt_builder.py").read_text()
    assert "from ..core.database.connection import" in (RAI / "RAI_Chat/Backend/managers/conversation_manager.py").read_text()


def test_rai_chat_string_references():
    trees = _modules(RAI)
    tests = set().union(*(_string_constants(t) for p, t in trees.items() if "/tests/" in p))
    assert "RAI_Chat.Backend.managers.conversation_manager.PromptBuilder" in tests
    assert "RAI_Chat.Backend.components.action_handler.load_object" in tests
    actions = _string_constants(trees["RAI_Chat/Backend/components/action_handler.py"])
    assert "RAI_Chat.Backend.managers.memory.contextual_memory:remember_command" in actions
    readme = (RAI / "README.md").read_text()
    assert "python RAI_Chat/Backend/Launch_App.py" in readme
    assert "RAI_Chat.Backend.core.database.connection" in readme


def test_rai_chat_launcher_runs_by_path(tmp_path):
    root = copy_fixture("rai_chat", tmp_path / "copy")
    env = dict(os.environ, RAI_DB_PATH=str(tmp_path / "rai.db"), RAI_DATA_DIR=str(tmp_path / "data"),
               PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, "RAI_Chat/Backend/Launch_App.py", "-m", "my name is Ada"],
        cwd=root, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Hello Ada! You said: my name is Ada" in result.stdout
    assert (tmp_path / "rai.db").is_file()
