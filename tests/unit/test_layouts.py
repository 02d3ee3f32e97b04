"""Where each module of a flat backend goes, and why."""

from __future__ import annotations

import pytest

from organize_backend.model import OrganizeError
from organize_backend.planning.layouts import ENTRY_POINTS, PRESETS, Placement, classify

# A typical seed-000 backend, by name alone (empty sources).
SKILL_TABLE = {
    "main.py": None,
    "database.py": "database",
    "models.py": "models",
    "schemas.py": "models",
    "auth.py": "auth",
    "auth_middleware.py": "auth",
    "agent.py": "agents",
    "agent_tools.py": "agents",
    "vector_store.py": "data",
    "embeddings.py": "data",
    "indexer.py": "data",
    "chatkit_server.py": "chatkit",
    "chatkit_store.py": "chatkit",
    "session_service.py": "services",
    "chat_service.py": "services",
    "rate_limiting.py": "utils",
    "text_utils.py": "utils",
    "config.py": None,
    "seed_db.py": "scripts",
    "init_db.py": "scripts",
    "migrate.py": "scripts",
    "plugins.py": None,
    "conftest.py": "tests",
    "test_agent.py": "tests",
    "agent_test.py": "tests",
}

# Seed 001: main.py stays, services/ data/ configs/ simple_agents/ tests/.
LAYERED_TABLE = {
    "main.py": None,
    "chatkit_service.py": "services",
    "rag.py": "services",
    "indexer.py": "services",
    "vector_store.py": "data",
    "embeddings.py": "data",
    "storage.py": "data",
    "config.py": "configs",
    "settings.py": "configs",
    "aagents.py": "simple_agents",
    "test_rag.py": "tests",
    "conftest.py": "tests",
    "seed_db.py": None,
    "text_utils.py": None,
}

# The seed skill's own rewrite table: `from database import` -> `from database.database import`, ...
SEED_REWRITES = {
    "database.py": "database",
    "models.py": "models",
    "agent.py": "agents",
    "vector_store.py": "data",
    "rate_limiting.py": "utils",
    "session_service.py": "services",
    "embeddings.py": "data",
}


@pytest.mark.parametrize("file_name, package", SEED_REWRITES.items())
def test_seed_rewrite_table_holds(file_name: str, package: str) -> None:
    assert classify(file_name, "", "skill").package == package


@pytest.mark.parametrize("file_name, package", SKILL_TABLE.items())
def test_skill_preset(file_name: str, package: str | None) -> None:
    assert classify(file_name, "", "skill").package == package


@pytest.mark.parametrize("file_name, package", LAYERED_TABLE.items())
def test_layered_preset(file_name: str, package: str | None) -> None:
    assert classify(file_name, "", "layered").package == package


@pytest.mark.parametrize("file_name", ["database.py", "agent.py", "test_x.py", "plugins.py"])
def test_none_preset_keeps_everything(file_name: str) -> None:
    assert classify(file_name, "", "none") == Placement(None, "layout is none")


@pytest.mark.parametrize("layout", ["skill", "layered"])
@pytest.mark.parametrize("file_name", sorted({*SKILL_TABLE, *LAYERED_TABLE}))
def test_packages_belong_to_the_preset(layout: str, file_name: str) -> None:
    package = classify(file_name, "", layout).package
    assert package is None or package in PRESETS[layout]


@pytest.mark.parametrize("layout", ["skill", "layered", "none"])
@pytest.mark.parametrize("file_name", sorted({*SKILL_TABLE, *LAYERED_TABLE, "weird-name.py", "x.py"}))
def test_every_reason_is_said(layout: str, file_name: str) -> None:
    assert classify(file_name, "", layout).reason.strip()


def test_reasons_name_the_rule() -> None:
    assert classify("agent.py", "", "skill").reason == 'name matches "*agent*" (skill preset)'
    assert classify("plugins.py", "", "skill").reason == "no rule matched"
    assert classify("main.py", "", "skill").reason == "entry point: kept at the root"
    assert "configs" in classify("config.py", "", "skill").reason


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_entry_points_stay(entry_point: str) -> None:
    assert classify(entry_point, "", "skill").package is None
    assert classify(entry_point, "", "layered", rules={"everything": ["*"]}).package is None


def test_conftest_is_not_an_entry_point() -> None:
    assert "conftest.py" not in ENTRY_POINTS


def test_path_is_reduced_to_file_name() -> None:
    assert classify("backend/agent.py", "", "skill").package == "agents"


# --- user rules and keep globs --------------------------------------------------------


def test_user_rule_wins_over_preset() -> None:
    placement = classify("agent.py", "", "skill", rules={"simple_agents": ["*agent*"]})
    assert placement == Placement("simple_agents", 'package rule "simple_agents": "*agent*"')


def test_user_rules_first_match_wins() -> None:
    rules = {"core": ["auth*"], "security": ["*auth*"]}
    assert classify("auth_middleware.py", "", "skill", rules=rules).package == "core"
    assert classify("oauth.py", "", "skill", rules=rules).package == "security"


def test_user_rules_apply_with_layout_none() -> None:
    assert classify("agent.py", "", "none", rules={"agents": ["agent"]}).package == "agents"


def test_user_rule_accepts_nested_package_and_single_string() -> None:
    assert classify("auth.py", "", "none", rules={"core.auth": "auth.py"}).package == "core.auth"


def test_user_rule_with_bad_package_name_is_refused() -> None:
    with pytest.raises(OrganizeError):
        classify("auth.py", "", "skill", rules={"my-auth": ["auth.py"]})


def test_user_rule_naming_an_entry_point_moves_it() -> None:
    assert classify("app.py", "", "skill", rules={"api": ["app.py"]}).package == "api"


def test_keep_glob_wins_over_rules_and_preset() -> None:
    placement = classify("agent.py", "", "skill", rules={"x": ["*"]}, keep=["agent*"])
    assert placement == Placement(None, 'kept by keep glob "agent*"')


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(OrganizeError, match="unknown layout"):
        classify("agent.py", "", "hexagonal")


def test_unimportable_file_name_stays() -> None:
    placement = classify("gunicorn.conf.py", "", "skill")
    assert placement.package is None
    assert "run by path" in placement.reason


# --- order of the name rules ----------------------------------------------------------


@pytest.mark.parametrize(
    "file_name, package",
    [
        ("chatkit_store.py", "chatkit"),  # chatkit before data's *store*
        ("auth_service.py", "auth"),  # auth before services
        ("author.py", None),  # not auth
        ("tokenizer.py", None),  # not auth
        ("restore.py", None),  # not data's *store*
        ("embedding_model.py", "data"),  # data before models' *model*
        ("db_models.py", "models"),
        ("db_session.py", "database"),
        ("vector_db.py", "data"),
        ("information.py", None),  # not utils' *format*
        ("formatters.py", "utils"),
        ("logging_config.py", None),
    ],
)
def test_name_rule_order(file_name: str, package: str | None) -> None:
    assert classify(file_name, "", "skill").package == package


# --- content signals ------------------------------------------------------------------

MAIN_BLOCK = 'def main():\n    pass\n\nif __name__ == "__main__":\n    main()\n'


def test_script_like_name_with_main_block_is_a_script() -> None:
    placement = classify("update_password.py", MAIN_BLOCK, "skill")
    assert placement.package == "scripts"
    assert placement.reason == 'has a __main__ block and name matches "update_*" (skill preset)'


def test_script_like_name_without_main_block_falls_through() -> None:
    assert classify("update_password.py", "def update(): ...\n", "skill").package == "auth"
    assert classify("run_jobs.py", "def run(): ...\n", "skill").package is None


def test_session_goes_to_database_only_with_a_driver() -> None:
    assert classify("session.py", "import sqlalchemy\n", "skill").package == "database"
    assert classify("session.py", "import uuid\n", "skill").package is None
    assert classify("session_service.py", "import sqlalchemy\n", "skill").package == "services"


@pytest.mark.parametrize(
    "source, package, evidence",
    [
        ("import sqlite3\n\ndef get_db():\n    return sqlite3.connect('x')\n", "database",
         "imports sqlite3 and defines get_db"),
        ("from sqlalchemy import create_engine\nengine = create_engine('sqlite://')\n", "database",
         "imports sqlalchemy and defines engine"),
        ("class ResearchAgent:\n    pass\n", "agents", "defines ResearchAgent"),
        ("from passlib.context import CryptContext\n", "auth", "imports passlib"),
        ("from chatkit.server import ChatKitServer\n", "chatkit", "imports chatkit"),
        ("from pydantic import BaseModel\nclass User(BaseModel):\n    id: int\n"
         "class UserCreate(User):\n    pass\n", "models", "defines only model classes (User, UserCreate)"),
        ("import faiss\n", "data", "imports faiss"),
        ("class BillingService:\n    pass\n", "services", "defines BillingService"),
    ],
)
def test_content_signals(source: str, package: str, evidence: str) -> None:
    placement = classify("misc.py", source, "skill")
    assert placement == Placement(package, f"{evidence} (skill preset)")


def test_driver_import_without_factory_is_not_database() -> None:
    assert classify("reports.py", "import sqlite3\n\ndef monthly(): ...\n", "skill").package is None


def test_model_classes_with_many_functions_are_not_models() -> None:
    source = "from dataclasses import dataclass\n@dataclass\nclass Row:\n    x: int\n\ndef a(): ...\ndef b(): ...\n"
    assert classify("misc.py", source, "skill").package is None


def test_content_signals_map_to_layered_packages() -> None:
    assert classify("misc.py", "class ResearchAgent: ...\n", "layered").package == "simple_agents"
    assert classify("misc.py", "import chromadb\n", "layered").package == "data"


def test_name_decides_before_content() -> None:
    # an agent module that also opens a database is still the agent
    source = "import sqlite3\ndef get_db(): ...\n"
    assert classify("agent.py", source, "skill").package == "agents"


def test_syntax_error_falls_back_to_the_name() -> None:
    broken = "def oops(:\n"
    assert classify("agent.py", broken, "skill").package == "agents"
    # the __main__ condition cannot be read: the plain name rules decide
    assert classify("update_password.py", broken + MAIN_BLOCK, "skill").package == "auth"
    assert classify("misc.py", broken, "skill") == Placement(None, "no rule matched")
    assert classify("misc.py", "x = 1\0\n", "skill").package is None
