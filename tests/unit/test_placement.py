"""The auto layout: where each module of a flat folder goes, decided for the folder as a whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree
from organize_backend.cli import main
from organize_backend.config import Config
from organize_backend.planning.import_graph import ModuleGraph, module_graph
from organize_backend.planning.placement import Folder, place_folder, words
from organize_backend.planning.plan import make_plan
from organize_backend.planning.signals import read_module
from organize_backend.snapshot import take_snapshot


def folder(modules: dict[str, str], existing: tuple[str, ...] = (), name: str = "backend",
           is_package: bool = False) -> Folder:
    """`is_package`: the folder is imported as the package `backend` (`from backend import x`)."""
    # a Folder whose graph is read the way the plan reads it, from the files themselves
    files = {name_: text.encode() for name_, text in modules.items()}
    files.update({f"{package}/__init__.py": b"" for package in existing})
    graph = module_graph(files, "", "backend" if is_package else None)
    return Folder(modules, graph, frozenset(existing), name)


def packages(placed: dict) -> dict[str, str | None]:
    return {name: placement.package for name, placement in placed.items()}


# --- words of a name ---------------------------------------------------------------------------


@pytest.mark.parametrize("stem, expected", [
    ("user_service", ["user", "service"]),
    ("BiblesSqlite", ["bibles", "sqlite"]),
    ("HTTPClient", ["http", "client"]),
    ("db2_helper", ["db2", "helper"]),
])
def test_words_of_a_name(stem: str, expected: list[str]) -> None:
    assert words(stem) == expected


# --- names: vocabulary, not look-alikes -----------------------------------------------------------


def test_a_word_of_the_name_names_the_kind_of_module() -> None:
    placed = place_folder(folder({
        "main.py": "", "user_service.py": "", "order_service.py": "", "db_helper.py": "", "text_helper.py": "",
        "routes.py": "", "user_routes.py": "", "settings.py": "", "model_routing_config.py": "", "dashboard.py": "",
        "format_translation.py": "",
    }))
    assert packages(placed) | {"dashboard.py": None, "format_translation.py": None} == {
        "main.py": None, "user_service.py": "services", "order_service.py": "services", "db_helper.py": "utils",
        "text_helper.py": "utils", "routes.py": "api", "user_routes.py": "api", "settings.py": "config",
        "model_routing_config.py": "config", "dashboard.py": None, "format_translation.py": None,
    }
    # look-alikes are not words: dashboard is not a db, format_translation is not a formatter
    assert placed["dashboard.py"].package != "database" and placed["format_translation.py"].package != "utils"
    assert placed["user_service.py"].reason == 'name says "service"'


def test_existing_packages_are_destinations_under_their_own_names() -> None:
    placed = place_folder(folder({"main.py": "", "NoteSqlite.py": "", "git_ops.py": "", "text_helpers.py": ""},
                                 existing=("db", "git", "util")))
    assert packages(placed) == {"main.py": None, "NoteSqlite.py": "db", "git_ops.py": "git", "text_helpers.py": "util"}
    assert "the folder has db/" in placed["NoteSqlite.py"].reason


# --- families ------------------------------------------------------------------------------------


def test_modules_named_alike_make_a_package_nested_where_they_share_more() -> None:
    names = ["filesystem.py", "filesystem_ext4.py", "filesystem_xfs.py", "bootloader_config.py",
             "bootloader_config_grub2.py", "bootloader_config_zipl.py", "bootloader_install_grub2.py",
             "bootloader_install_zipl.py", "lfi_emulator.py", "xss_emulator.py", "sqli_emulator.py"]
    placed = place_folder(folder({name: "" for name in names}))
    assert packages(placed) == {
        "filesystem.py": "filesystem", "filesystem_ext4.py": "filesystem", "filesystem_xfs.py": "filesystem",
        "bootloader_config.py": "bootloader.config", "bootloader_config_grub2.py": "bootloader.config",
        "bootloader_config_zipl.py": "bootloader.config", "bootloader_install_grub2.py": "bootloader.install",
        "bootloader_install_zipl.py": "bootloader.install",
        "lfi_emulator.py": "emulators", "xss_emulator.py": "emulators", "sqli_emulator.py": "emulators",
    }
    assert placed["lfi_emulator.py"].reason.startswith("a family of 3 modules named alike")


def test_two_modules_named_alike_are_no_family() -> None:
    placed = place_folder(folder({"cli.py": "", "cli_task.py": "", "main.py": "import cli, cli_task\n"}))
    assert placed["cli.py"].package != "cli"


def test_strip_affixes_renames_what_the_package_says_already() -> None:
    placed = place_folder(folder({"user_service.py": "", "order_service.py": "", "lfi_emulator.py": "",
                                  "xss_emulator.py": "", "sqli_emulator.py": "", "email_service.py": ""}),
                          strip_affixes=True)
    assert {name: (p.package, p.file_name) for name, p in placed.items()} == {
        "user_service.py": ("services", "user.py"), "order_service.py": ("services", "order.py"),
        "lfi_emulator.py": ("emulators", "lfi.py"), "xss_emulator.py": ("emulators", "xss.py"),
        "sqli_emulator.py": ("emulators", "sqli.py"),
        "email_service.py": ("services", None),  # services/email.py would be the standard library's name
    }


def test_names_are_kept_unless_asked() -> None:
    placed = place_folder(folder({"user_service.py": ""}))
    assert placed["user_service.py"].file_name is None


# --- what the code is ------------------------------------------------------------------------------

ROUTES = "from fastapi import APIRouter\nrouter = APIRouter()\n\n@router.get('/items')\ndef items():\n    return []\n"
ORM = ("from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base()\n"
       "class Item(Base):\n    __tablename__ = 'items'\n    id = Column(Integer, primary_key=True)\n")
SCHEMAS = "from pydantic import BaseModel\nclass Item(BaseModel):\n    id: int\nclass ItemIn(Item):\n    pass\n"
SETTINGS = "from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    url: str = ''\n"
ENGINE = "from sqlalchemy import create_engine\nengine = create_engine('sqlite://')\n"
CLIENT = "import httpx\nclass WeatherClient:\n    def get(self):\n        return httpx.get('x')\n"
CLI = "import argparse\n\ndef main():\n    argparse.ArgumentParser()\n\nif __name__ == '__main__':\n    main()\n"
TESTS = "import pytest\n\ndef test_a():\n    assert True\n"
APP = "from fastapi import FastAPI\napp = FastAPI()\n"


@pytest.mark.parametrize("source, role, evidence", [
    (ROUTES, "api", "defines 1 route(s) (@router.get, line 4)"),
    (ORM, "models", "defines ORM tables (Item)"),
    (SCHEMAS, "schemas", "defines only data classes (Item, ItemIn)"),
    (SETTINGS, "config", "defines settings (Settings)"),
    (ENGINE, "db", "imports sqlalchemy and sets up engine (line 2)"),
    (CLIENT, "clients", "imports httpx and defines WeatherClient"),
    (CLI, "cli", "a command-line program (argparse, __main__ block)"),
    (TESTS, "tests", "defines tests (test_a)"),
    (APP, "app", "creates the application (app = FastAPI(...), line 2)"),
])
def test_each_content_signal(source: str, role: str, evidence: str) -> None:
    facts = read_module("misc.py", source)
    found = {found.name: found.evidence for found in facts.roles}
    assert found.get(role) == evidence


def test_test_functions_that_assert_nothing_or_that_the_application_imports_make_no_test_module() -> None:
    # AppDaemon's pyversions.py: test_lt_376() and test_ge_376() are version switches, not tests
    versions = ("import sys\n\n\ndef test_lt_376():\n    return sys.version_info < (3, 7, 6)\n\n\n"
                "def test_ge_376():\n    return not test_lt_376()\n")
    placed = place_folder(folder({"pyversions.py": versions, "engine.py": "", "rules.py": ""}))
    assert placed["pyversions.py"].package != "tests"
    imported = place_folder(folder({"checks.py": TESTS, "engine.py": "import checks\n", "rules.py": ""}))
    assert imported["checks.py"].package != "tests"
    plain = "def test_a():\n    assert 1\n\n\ndef test_b():\n    assert 2\n"  # pytest's plain asserts
    for source in (TESTS, plain):
        alone = place_folder(folder({"checks.py": source, "engine.py": "", "rules.py": ""}))
        assert alone["checks.py"].package == "tests"


def test_a_module_that_does_not_parse_has_no_facts() -> None:
    assert read_module("broken.py", "def oops(:\n") is None


@pytest.mark.parametrize("source, package", [
    (ROUTES, "api"), (ORM, "models"), (SCHEMAS, "models"), (SETTINGS, "config"), (ENGINE, "database"),
    (CLIENT, "clients"),
])
def test_code_places_modules_whose_names_say_nothing(source: str, package: str) -> None:
    # two modules of the kind: a package is made for more than one module
    placed = place_folder(folder({"main.py": "import things\nimport stuff\n", "things.py": source, "stuff.py": source}))
    assert placed["things.py"].package == placed["stuff.py"].package == package
    assert placed["things.py"].reason == read_module("things.py", source).strongest().evidence


def test_the_module_that_builds_the_app_stays_as_an_entry_point() -> None:
    placed = place_folder(folder({"server_app.py": APP, "routes.py": ROUTES}))
    assert placed["server_app.py"].package is None
    assert placed["server_app.py"].reason.startswith("entry point: creates the application")


def test_a_module_with_a_main_block_that_others_import_is_not_an_entry_point() -> None:
    demo = "def parse(text):\n    return text\n\nif __name__ == '__main__':\n    print(parse('x'))\n"
    placed = place_folder(folder({"main.py": "import text_parser\n", "worker.py": "import text_parser\n",
                                  "text_parser.py": demo, "tool.py": demo}))
    assert placed["text_parser.py"].package is not None
    assert placed["tool.py"].reason == "entry point: has a __main__ block and no module imports it"


def test_a_setup_module_that_is_no_setup_script_moves() -> None:
    placed = place_folder(folder({"setup.py": "def configure(app):\n    return app\n", "main.py": "import setup\n",
                                  "util.py": "import setup\n"}))
    assert placed["setup.py"].reason != "entry point: kept at the root"


# --- the import graph and what is left ---------------------------------------------------------------


def test_a_module_joins_the_package_of_the_modules_it_talks_to() -> None:
    placed = place_folder(folder({
        "main.py": "import chat_service\n",
        "chat_service.py": "import prompts\n", "user_service.py": "import prompts\n",
        "prompts.py": "TEMPLATE = 'x'\n",
    }))
    assert placed["prompts.py"].package == "services"
    assert placed["prompts.py"].reason == "imports or is imported by 2 of the modules in services/"


def test_what_no_signal_places_goes_to_core_even_what_only_entry_points_use() -> None:
    placed = place_folder(folder({
        "main.py": "import banner, engine\n", "banner.py": "TEXT = 'hi'\n",
        "engine.py": "import rules\n", "rules.py": "R = 1\n", "worker.py": "import engine\n",
    }))
    assert placed["main.py"].package is None
    assert packages(placed) | {"main.py": "core"} == dict.fromkeys(placed, "core")
    assert placed["banner.py"].reason.startswith("no name or code signal")


def test_a_module_named_core_leaves_its_name_to_no_new_package() -> None:
    # pypiserver: core.py held PkgFile; a new core/ would make `pypiserver.core` name a package without it
    placed = place_folder(folder({"core.py": "class PkgFile:\n    pass\n", "plugin.py": "", "backend.py": ""},
                                 name="pypiserver"))
    assert packages(placed) == {"core.py": "lib", "plugin.py": "lib", "backend.py": "lib"}
    assert placed["plugin.py"].reason == "no name or code signal: the application's core (lib/), not the top level"


def test_in_a_package_what_no_signal_places_goes_to_its_core_package() -> None:
    # maintainers who reorganize a package leave little at its top (bench/reorgs), as in a folder
    placed = place_folder(folder({"engine.py": "", "rules.py": "", "worker.py": ""}, name="shop"))
    assert packages(placed) == {"engine.py": "core", "rules.py": "core", "worker.py": "core"}
    assert placed["rules.py"].reason.startswith("no name or code signal")


def test_in_a_folder_named_core_what_no_signal_places_stays_at_its_top() -> None:
    # benavlabs/FastAPI-boilerplate organizes src/app/core/: a core/ inside it would say nothing more
    placed = place_folder(folder({"logger.py": "", "queue.py": "", "rate_limit.py": ""}, name="core"))
    assert packages(placed) == dict.fromkeys(placed)
    assert placed["queue.py"].reason == "no name or code signal: core/ is the application's core already"


def test_a_new_package_named_like_its_only_module_is_not_made() -> None:
    # config/config.py only adds a level: in bench/reorgs maintainers did that once in 15 such plans
    modules = {"config.py": "DEBUG = True\n", "engine.py": "import rules\n", "rules.py": "R = 1\n",
               "user_service.py": "", "order_service.py": ""}
    placed = place_folder(folder(modules))
    assert packages(placed) == {"config.py": "core", "engine.py": "core", "rules.py": "core",
                                "user_service.py": "services", "order_service.py": "services"}
    assert placed["config.py"].reason == "config/config.py would hold only it: joins core/, the application's core"
    alone = place_folder(folder({"config.py": "DEBUG = True\n", "user_service.py": "", "order_service.py": ""}))
    assert packages(alone)["config.py"] is None  # no core/ to join: it stays
    assert alone["config.py"].reason == "config/config.py would hold only it: stays at the top"


def test_no_new_package_is_made_for_one_module_named_otherwise() -> None:
    # sazbula/date_jar_app: db.py went alone into database/ while auth.py stayed ("auth/auth.py would hold only it")
    modules = {
        "main.py": "from fastapi import FastAPI\n\nimport auth\nimport models\n\napp = FastAPI()\n",
        "db.py": "from sqlalchemy import create_engine\n\nengine = create_engine('sqlite://')\n",
        "models.py": "from sqlalchemy.orm import declarative_base\n\nimport db\n\nBase = declarative_base()\n",
        "schemas.py": "from pydantic import BaseModel\n\n\nclass IdeaIn(BaseModel):\n    text: str\n",
        "auth.py": "import db\n\n\ndef current_user():\n    return db.engine\n",
    }
    placed = place_folder(folder(modules))
    assert packages(placed) == {"main.py": None, "db.py": None, "models.py": "models", "schemas.py": "models",
                                "auth.py": None}
    assert placed["db.py"].reason == "database/db.py would hold only it: stays at the top"
    with_core = place_folder(folder({**modules, "engine.py": "", "rules.py": ""}))
    assert packages(with_core)["db.py"] == "core"
    assert with_core["db.py"].reason == "database/db.py would hold only it: joins core/, the application's core"


def test_a_core_of_one_module_is_not_made_either() -> None:
    placed = place_folder(folder({"main.py": "import engine\n", "engine.py": "", "user_service.py": "",
                                  "order_service.py": ""}))
    assert packages(placed) == {"main.py": None, "engine.py": None, "user_service.py": "services",
                                "order_service.py": "services"}
    assert placed["engine.py"].reason == "core/engine.py would hold only it: stays at the top"


def test_a_lone_test_module_still_goes_to_tests() -> None:
    # tools find tests/ by its name: it is made for one test module (but not for tests.py, below)
    placed = place_folder(folder({"engine.py": "", "rules.py": "", "test_engine.py": "import engine\n"}))
    assert packages(placed)["test_engine.py"] == "tests"


def test_a_lone_tests_module_stays_rather_than_join_the_core() -> None:
    # scout's tests.py (and a Django app's) went to core/: tests are no part of the application's core
    modules = {"tests.py": "import unittest\n\nimport engine\n\n\nclass T(unittest.TestCase):\n"
                           "    def test_run(self):\n        self.assertTrue(engine.run())\n",
               "engine.py": "import rules\n\n\ndef run():\n    return rules.R\n", "rules.py": "R = 1\n"}
    placed = place_folder(folder(modules))
    assert packages(placed)["tests.py"] is None and packages(placed)["engine.py"] == "core"
    assert placed["tests.py"].reason == "tests/tests.py would hold only it: stays at the top"


def test_a_namesake_package_the_user_asks_for_or_that_exists_is_kept() -> None:
    modules = {"config.py": "DEBUG = True\n", "engine.py": "", "rules.py": ""}
    assert packages(place_folder(folder(modules), rules={"config": ["config.py"]}))["config.py"] == "config"
    assert packages(place_folder(folder(modules, existing=("config",))))["config.py"] == "config"


def test_a_package_named_core_or_lib_already_takes_what_no_signal_places() -> None:
    placed = place_folder(folder({"engine.py": "", "rules.py": "", "text_utils.py": ""}, existing=("lib", "utils")))
    assert packages(placed) == {"engine.py": "lib", "rules.py": "lib", "text_utils.py": "utils"}
    assert "joins lib/" in placed["engine.py"].reason


def test_a_folder_that_is_a_kind_already_gets_no_package_of_that_kind() -> None:
    placed = place_folder(folder({"text_utils.py": "", "dict_utils.py": "", "date_utils.py": ""}, name="utils"))
    assert "utils" not in packages(placed).values()


# --- the skill preset where it fits ------------------------------------------------------------------


def test_the_skill_preset_decides_where_it_fits_the_folder() -> None:
    modules = {name: "" for name in ("main.py", "agent.py", "auth.py", "database.py", "models.py",
                                     "vector_store.py", "rate_limiting.py", "config.py", "plugins.py")}
    placed = place_folder(folder(modules))
    assert packages(placed) == {
        "main.py": None, "agent.py": "agents", "auth.py": "auth", "database.py": "database", "models.py": "models",
        "vector_store.py": "data", "rate_limiting.py": "utils", "config.py": None, "plugins.py": None,
    }
    assert placed["agent.py"].reason == 'name matches "*agent*" (skill preset: 7 of 8 modules)'


def test_organizing_the_example_twice_moves_nothing_the_second_time(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "chat_backend"
    root = write_tree(tmp_path / "chat", {str(p.relative_to(example)): p.read_text()
                                          for p in example.rglob("*") if p.is_file() and "__pycache__" not in p.parts})
    assert main(["apply", str(root)]) == 0
    again = make_plan(take_snapshot(root), Config())
    assert again.moves == ()


def test_an_empty_graph_is_allowed() -> None:
    placed = place_folder(Folder({"a_thing.py": "", "b_thing.py": ""}, ModuleGraph({}, {})))
    assert packages(placed) == {"a_thing.py": "core", "b_thing.py": "core"}


def test_a_module_imported_from_elsewhere_in_the_workspace_is_no_entry_point(tmp_path: Path) -> None:
    """A GUI in gui/ importing a root module by bare name makes that module a library."""
    demo = "def parse(text):\n    return text\n\nif __name__ == '__main__':\n    print(parse('x'))\n"
    files = {"main.py": b"import gui.window\n", "parser_tools.py": demo.encode(), "standalone.py": demo.encode(),
             "rules.py": b"", "gui/__init__.py": b"", "gui/window.py": b"from parser_tools import parse\n"}
    graph = module_graph(files, "", None)
    assert graph.used_elsewhere == {"parser_tools": {"gui/window.py"}}
    placed = place_folder(Folder({name: files[name].decode() for name in ("main.py", "parser_tools.py",
                                                                          "standalone.py", "rules.py")}, graph))
    assert placed["parser_tools.py"].package is not None
    assert placed["standalone.py"].package is None


def test_scripts_named_alike_move_together() -> None:
    script = "import sys\n\nif __name__ == '__main__':\n    sys.exit(0)\n"
    placed = place_folder(folder({f"fetch_{name}.py": script for name in ("currencies", "languages", "units")}
                                 | {"standalone.py": script}))
    assert {placed[f"fetch_{name}.py"].package for name in ("currencies", "languages", "units")} == {"fetch"}
    assert placed["standalone.py"].package is None


def test_a_launcher_a_test_imports_stays_an_entry_point() -> None:
    launcher = "def port():\n    return 7001\n\nif __name__ == '__main__':\n    import uvicorn\n    uvicorn.run('main:app')\n"
    files = {"main.py": b"app = object()\n", "start.py": launcher.encode(), "helpers.py": b"X = 1\n",
             "tests/test_start.py": b"import start\n", "test_helpers.py": b"import start\n"}
    graph = module_graph(files, "", None)
    modules = {name: files[name].decode() for name in ("main.py", "start.py", "helpers.py", "test_helpers.py")}
    placed = place_folder(Folder(modules, graph))
    assert placed["start.py"].package is None
    assert placed["start.py"].reason == "entry point: has a __main__ block and no module imports it"


@pytest.mark.parametrize("name", ["__version__.py", "__about__.py", "_version.py", "version.py"])
def test_package_metadata_stays_where_tools_read_it(name: str) -> None:
    placed = place_folder(folder({name: "__version__ = '1.0'\n", "utils.py": f"from {name[:-3]} import __version__\n",
                                  "text_utils.py": "", "date_utils.py": ""}))
    assert placed[name].package is None and placed[name].reason.startswith("package metadata")


def test_a_published_package_is_told_its_users_paths_change(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {
        "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "shell_gpt"\n',
        "sgpt/__init__.py": "", "sgpt/role_config.py": "X = 1\n", "sgpt/chat_config.py": "Y = 1\n",
        "sgpt/app.py": "from sgpt.role_config import X\n"})
    plan = make_plan(take_snapshot(root, "sgpt"), Config(root="sgpt"))
    assert any(move.source == "sgpt/role_config.py" for move in plan.moves)
    assert [(h.path, h.line, h.kind) for h in plan.hazards] == [("pyproject.toml", 5, "public module path")]
    assert plan.hazards[0].message == (
        "the project builds the distribution `shell_gpt`, whose package sgpt has users who import its modules by "
        "path: `sgpt.chat_config` becomes `sgpt.config.chat_config`, and 1 more, which only the workspace's own imports "
        "follow; keep public modules with `keep`, or re-export them from their old place")


@pytest.mark.parametrize(("packaging", "published"), [
    ({"pyproject.toml": '[project]\nname = "sgpt"\n'}, False),  # uv names an application too; nothing is built
    ({"pyproject.toml": "[tool.ruff]\n"}, False),
    ({"pyproject.toml": '[build-system]\nrequires = ["poetry-core"]\n[tool.poetry]\nname = "sgpt"\n'}, True),
    ({"setup.cfg": "[metadata]\nname = shell-gpt\nversion = 1.0\n"}, True),
    ({"setup.py": "from setuptools import setup\n\nsetup(name='shell-gpt')\n"}, True),
    ({"pyproject.toml": "[build-system\n"}, False),  # unreadable TOML: no claim made on it
])
def test_only_a_distribution_the_project_builds_is_published(tmp_path: Path, packaging: dict, published: bool) -> None:
    root = write_tree(tmp_path / "ws", {**packaging, "sgpt/__init__.py": "", "sgpt/role_config.py": "X = 1\n",
                                        "sgpt/chat_config.py": "Y = 1\n", "sgpt/app.py": "from sgpt.role_config import X\n"})
    plan = make_plan(take_snapshot(root, "sgpt"), Config(root="sgpt"))
    assert any(hazard.kind == "public module path" for hazard in plan.hazards) is published


def test_words_that_cannot_name_a_package_make_no_family() -> None:
    placed = place_folder(folder({"class_a.py": "", "class_b.py": "", "class_c.py": "",
                                  "2fa_sms.py": "", "2fa_mail.py": "", "2fa_totp.py": ""}))
    assert not {placement.package for placement in placed.values()} & {"class", "2fa"}


def test_constants_beside_a_big_class_that_reads_the_environment_are_no_configuration() -> None:
    method_body = "".join(f"        step_{n} = os.environ.get('STEP_{n}')\n" for n in range(40))
    source = ("import os\n\nMAX_TRIES = 3\nTIMEOUT = 30\nRETRY = 2\n\n\nclass Verifier:\n    def run(self):\n"
              + method_body)
    assert "config" not in {role.name for role in read_module("verifier.py", source).roles}
    settings = "import os\n\nDB_URL = os.environ['DB_URL']\nSECRET = os.getenv('SECRET')\nDEBUG = os.getenv('DEBUG')\n"
    assert read_module("settings_module.py", settings).strongest().evidence == "reads the environment into 3 constants"


def test_one_dataclass_beside_the_module_s_main_function_is_no_schema_module() -> None:
    logic = "".join(f"    score += {n}\n" for n in range(30))
    source = ("from dataclasses import dataclass\n\n@dataclass\nclass Decision:\n    ok: bool\n\n\n"
              f"def evaluate_merge(pr):\n    score = 0\n{logic}    return Decision(score > 3)\n")
    assert "schemas" not in {role.name for role in read_module("merge.py", source).roles}


def test_no_package_goes_into_a_folder_of_package_data(tmp_path: Path) -> None:
    files = {"shop/__init__.py": "", "shop/cli.py": "from shop import vector_store, embeddings, agent\n",
             "shop/agent.py": "", "shop/chatkit_store.py": "", "shop/vector_store.py": "", "shop/embeddings.py": "",
             "shop/data/Dockerfile.runner": "FROM python\n"}
    root = write_tree(tmp_path / "ws", files)
    plan = make_plan(take_snapshot(root, "shop"), Config(root="shop", layout="skill"))
    kept = {item.path: item.reason for item in plan.kept}
    assert kept["shop/vector_store.py"] == ("data/ holds the package's data files and no module: a package there "
                                            "would mix modules into them")
    assert any(move.source == "shop/agent.py" for move in plan.moves)
    # a flat folder of top-level modules has no package data: its data/ folder may become a package
    flat = write_tree(tmp_path / "flat", {path.removeprefix("shop/"): text for path, text in files.items()
                                          if path != "shop/__init__.py"})
    assert any(move.source == "vector_store.py" for move in make_plan(take_snapshot(flat), Config(layout="skill")).moves)


def test_a_module_an_installed_command_runs_stays_as_an_entry_point(tmp_path: Path) -> None:
    # datasette: `datasette = "datasette.cli:cli"` in [project.scripts]; cli.py had moved to core/
    root = write_tree(tmp_path / "ws", {
        "pyproject.toml": '[project]\nname = "shop"\n\n[project.scripts]\nshop = "shop.cli:main"\n',
        "shop/__init__.py": "", "shop/cli.py": "from shop.engine import run\n\n\ndef main():\n    run()\n",
        "shop/engine.py": "def run():\n    pass\n", "shop/rules.py": "", "shop/store.py": "",
    })
    plan = make_plan(take_snapshot(root, "shop"), Config(root="shop"))
    assert "shop/cli.py" not in {move.source for move in plan.moves}
    assert any(kept.path == "shop/cli.py" and kept.reason == (
        "entry point: the installed command `shop = shop.cli:... in pyproject.toml`") for kept in plan.kept)


@pytest.mark.parametrize(("deployment", "runs"), [
    ({"entrypoint.sh": '#!/bin/sh\nexec python3 -m shop.web "$@"\n'}, "run as `python -m shop.web` in entrypoint.sh:2"),
    ({"Dockerfile": 'FROM python:3.12\nCMD ["python3", "-m", "shop.web"]\n'}, "run as `python -m shop.web` in Dockerfile:2"),
    ({"deploy/web.yaml": 'command:\n  - python3\n  - -m\n  - shop.web\n'}, "run as `python -m shop.web` in deploy/web.yaml:4"),
])
def test_a_module_the_deployment_runs_stays_as_an_entry_point(tmp_path: Path, deployment: dict, runs: str) -> None:
    # xandikos: web.py, which other modules import, is what its container runs (`python3 -m xandikos.web`)
    root = write_tree(tmp_path / "ws", {**deployment,
        "shop/__init__.py": "", "shop/web.py": "from shop.engine import run\n\nif __name__ == '__main__':\n    run()\n",
        "shop/engine.py": "def run():\n    pass\n", "shop/views.py": "import shop.web\n", "shop/store.py": "",
    })
    plan = make_plan(take_snapshot(root, "shop"), Config(root="shop"))
    assert [kept.reason for kept in plan.kept if kept.path == "shop/web.py"] == [f"entry point: {runs}"]


def test_a_module_only_a_makefile_runs_is_no_entry_point(tmp_path: Path) -> None:
    # make targets and CI steps run development tools too: only what the deployment runs stays for it
    root = write_tree(tmp_path / "ws", {"Makefile": "web:\n\tpython3 -m shop.web\n",
        "shop/__init__.py": "", "shop/web.py": "from shop.engine import run\n\nif __name__ == '__main__':\n    run()\n",
        "shop/engine.py": "def run():\n    pass\n", "shop/views.py": "import shop.web\n", "shop/store.py": "",
    })
    plan = make_plan(take_snapshot(root, "shop"), Config(root="shop"))
    assert not [kept for kept in plan.kept if kept.path == "shop/web.py" and "run as" in kept.reason]


@pytest.mark.parametrize(("command_file", "line"), [
    ({"Makefile": "profile:\n\tvenv/bin/python shop/profiler.py\n"}, "Makefile:2"),
    ({"tox.ini": "[testenv:profile]\ncommands = cd shop && python profiler.py\n"}, "tox.ini:2"),
    ({".github/workflows/ci.yml": "jobs:\n  p:\n    steps:\n      - run: python3 -u shop/profiler.py\n"},
     ".github/workflows/ci.yml:4"),
])
def test_a_package_module_a_command_file_runs_by_path_stays(tmp_path: Path, command_file: dict, line: str) -> None:
    # otterwiki's Makefile runs `python otterwiki/profiler.py`: moved into core/, the path could only be
    # suggested (run by path, its own folder is first on sys.path), and `make profiler` broke
    profiler = "import cProfile\n\nfrom shop.engine import run\n\ncProfile.run('run()')\n"
    root = write_tree(tmp_path / "ws", {**command_file, "shop/__init__.py": "", "shop/profiler.py": profiler,
                                        "shop/engine.py": "def run():\n    pass\n", "shop/rules.py": "",
                                        "shop/store.py": ""})
    plan = make_plan(take_snapshot(root, "shop"), Config(root="shop"))
    assert [kept.reason for kept in plan.kept if kept.path == "shop/profiler.py"] == [
        f"entry point: run by its path in {line}: moved, it would run with another folder first on sys.path"]
    assert {move.source for move in plan.moves} == {"shop/engine.py", "shop/rules.py", "shop/store.py"}


def test_a_top_level_script_run_by_path_still_moves(tmp_path: Path) -> None:
    # outside a package the run becomes `python -m core.profiler`, a certain rewrite
    root = write_tree(tmp_path / "ws", {"Makefile": "profile:\n\tpython backend/profiler.py\n",
                                        "backend/profiler.py": "import engine\n\nengine.run()\n",
                                        "backend/engine.py": "def run():\n    pass\n", "backend/rules.py": ""})
    plan = make_plan(take_snapshot(root, "backend"), Config(root="backend"))
    assert "backend/profiler.py" in {move.source for move in plan.moves}


def test_a_wildcard_package_rule_leaves_what_the_project_runs_but_naming_it_moves_it(tmp_path: Path) -> None:
    files = {"Dockerfile": 'FROM python:3.12\nCMD ["python3", "-m", "shop.web"]\n', "shop/__init__.py": "",
             "shop/web.py": "from shop.engine import run\n", "shop/engine.py": "def run():\n    pass\n",
             "shop/store.py": ""}
    root = write_tree(tmp_path / "ws", files)
    swept = make_plan(take_snapshot(root, "shop"), Config(root="shop", packages=(("lib", ("*.py",)),)))
    assert {move.source for move in swept.moves} == {"shop/engine.py", "shop/store.py"}
    named = make_plan(take_snapshot(root, "shop"), Config(root="shop", packages=(("lib", ("*.py", "web.py")),)))
    assert "shop/web.py" in {move.source for move in named.moves}


def test_a_plan_with_one_package_for_everything_says_it_groups_nothing(tmp_path: Path) -> None:
    # wikmd and todoman: 8 of 9 and 6 of 9 modules into core/, the only new package
    root = write_tree(tmp_path / "ws", {"wiki/__init__.py": "", "wiki/wiki.py": "from wiki import git_manager\n",
                                        "wiki/git_manager.py": "", "wiki/knowledge_graph.py": "", "wiki/image_manager.py": "",
                                        "wiki/test_wiki.py": "import wiki.wiki\n\n\ndef test_x():\n    assert wiki.wiki\n"})
    plan = make_plan(take_snapshot(root, "wiki"), Config(root="wiki"))
    assert {move.destination.rsplit("/", 1)[0] for move in plan.moves} == {"wiki/core", "wiki/tests"}
    assert ("wiki/core/ is the only new package for the application's modules (4 of the folder's 5): it groups "
            "nothing, and every import of them gets longer; to group them, name packages with `packages` rules or "
            "edit the plan (`plan --write`) before applying") in plan.notes
    # the user's own rule made that one package: no advice to write rules
    ruled = make_plan(take_snapshot(root, "wiki"), Config(root="wiki", packages=(("core", ("*.py",)),)))
    assert not any("only new package" in note for note in ruled.notes)
    grouped = write_tree(tmp_path / "ws2", {"app/__init__.py": "", "app/engine.py": "", "app/rules.py": "",
                                            "app/user_service.py": "", "app/order_service.py": ""})
    assert not any("only new package" in note for note in make_plan(take_snapshot(grouped, "app"), Config(root="app")).notes)
