"""find_unresolved_imports on small in-memory workspaces: one test per resolution rule."""

from __future__ import annotations

import sys
from textwrap import dedent

import pytest

from organize_backend.verify import UnresolvedImport, compare_with_before, find_unresolved_imports


def check(files: dict[str, str] | dict[str, bytes], roots: tuple[str, ...] = ("",), **options) -> list[str]:
    """Problems as printed; the tool's own Python, where installed modules are looked up, shows as PYTHON."""
    encoded = {path: text if isinstance(text, bytes) else dedent(text).encode() for path, text in files.items()}
    return [str(problem).replace(sys.executable, "PYTHON")
            for problem in find_unresolved_imports(encoded, list(roots), **options)]


FLAT_BACKEND = {
    "main.py": """\
        import os
        import database
        import agent
        from database import get_db
        from agent import run as run_agent
        """,
    "database.py": "def get_db():\n    return None\n",
    "agent.py": "def run():\n    pass\n",
}


def test_a_consistent_flat_backend_has_no_problems() -> None:
    assert check(FLAT_BACKEND) == []


def test_a_module_moved_without_updating_its_importers_is_reported_at_each_import_line() -> None:
    files = dict(FLAT_BACKEND)
    files["agents/agent.py"] = files.pop("agent.py")

    # `agent` is an old name of a module just moved (apply and move pass them): the workspace's own.
    assert check(files, first_party=["agent"]) == [
        "main.py:3: import agent: not found",
        "main.py:5: from agent import run: not found",
    ]
    # Without that record, a name held only deeper in a package may as well be a distribution's.
    assert check(files) == [
        "main.py:3: import agent: not installed in PYTHON",
        "main.py:5: from agent import run: not installed in PYTHON",
    ]


def test_moving_a_module_into_a_package_of_its_own_name_hides_its_names() -> None:
    # database.py -> database/database.py: `database` is now the (namespace) package.
    files = dict(FLAT_BACKEND)
    files["database/database.py"] = files.pop("database.py")

    assert check(files) == ["main.py:4: from database import get_db: get_db not found in database"]


def test_the_updated_imports_after_a_move_resolve() -> None:
    files = {
        "main.py": "from agents import agent\nfrom agents.agent import run\nimport agents.agent\n",
        "agents/__init__.py": "",
        "agents/agent.py": "def run():\n    pass\n",
    }
    assert check(files) == []


def test_the_result_carries_path_line_module_and_message() -> None:
    [problem] = find_unresolved_imports({"app/main.py": b"\n\nimport agents.agent\n", "app/agents/__init__.py": b""},
                                        ["app"])

    assert problem == UnresolvedImport("app/main.py", 3, "agents.agent", "import agents.agent: not found", "error")
    assert str(problem) == "app/main.py:3: import agents.agent: not found"


def test_a_missing_name_is_reported_on_its_own_line_with_the_dotted_module() -> None:
    files = {
        "main.py": "from database import (\n    get_db,\n    get_session,\n)\n",
        "database.py": "def get_db():\n    pass\n",
    }
    [problem] = find_unresolved_imports({path: text.encode() for path, text in files.items()}, [""])

    assert (problem.line, problem.module) == (3, "database.get_session")
    assert problem.message == "from database import get_session: get_session not found in database"


def test_a_plain_module_has_no_submodules() -> None:
    files = {"main.py": "import database.get_db\n", "database.py": "def get_db(): pass\n"}
    assert check(files) == ["main.py:1: import database.get_db: not found"]


# --- names a module binds at module level -------------------------------------------------------


def test_every_kind_of_module_level_binding_counts_as_defined() -> None:
    files = {
        "settings.py": """\
            import os
            import json as _json
            import xml.etree
            from typing import Any as AnyType
            DEBUG = False
            LIMIT: int = 5
            TOTAL = 0
            TOTAL += 1
            first, (second, *rest) = 1, (2, 3)
            items = [] ; items2 = []
            for loop_var in range(2):
                pass
            with open(__file__) as handle:
                pass
            if os.environ.get("X"):
                in_if = 1
            else:
                in_else = 2
            try:
                in_try = 1
            except OSError as failure:
                in_except = 2
            finally:
                in_finally = 3
            while False:
                in_while = 1
            def function():
                global made_global
                made_global = 1
            async def coroutine():
                pass
            class Settings:
                pass
            match DEBUG:
                case {"key": captured, **others}:
                    pass
            """,
        "main.py": """\
            from settings import (os, _json, xml, AnyType, DEBUG, LIMIT, TOTAL, first, second, rest,
                                  items2, loop_var, handle, in_if, in_else, in_try, failure, in_except,
                                  in_finally, in_while, function, made_global, coroutine, Settings,
                                  captured, others)
            """,
    }
    assert check(files) == []


def test_names_bound_only_inside_functions_or_classes_are_not_module_attributes() -> None:
    files = {
        "settings.py": "def load():\n    local = 1\nclass Config:\n    attribute = 2\n",
        "main.py": "from settings import local\nfrom settings import attribute\n",
    }
    assert check(files) == [
        "main.py:1: from settings import local: local not found in settings",
        "main.py:2: from settings import attribute: attribute not found in settings",
    ]


def test_a_module_with_getattr_accepts_any_name() -> None:
    files = {
        "lazy.py": "def __getattr__(name):\n    raise AttributeError(name)\n",
        "main.py": "from lazy import anything\n",
    }
    assert check(files) == []


def test_a_module_with_a_star_import_accepts_any_name_but_its_source_must_exist() -> None:
    files = {
        "reexport.py": "from database import *\nfrom vanished import *\n",
        "database.py": "def get_db(): pass\n",
        "main.py": "from reexport import whatever\n",
    }
    assert check(files) == ["reexport.py:2: from vanished import *: not installed in PYTHON"]


def test_a_package_offers_its_submodules_and_the_names_its_init_binds() -> None:
    files = {
        "models/__init__.py": "from .user import User\n",
        "models/user.py": "class User:\n    pass\n",
        "models/item.py": "class Item:\n    pass\n",
        "main.py": "from models import User, item, user\nfrom models import Item\n",
    }
    assert check(files) == ["main.py:2: from models import Item: Item not found in models"]


# --- relative imports ---------------------------------------------------------------------------


RELATIVE_PACKAGE = {
    "agents/__init__.py": "",
    "agents/prompts.py": "SYSTEM = 'be nice'\n",
    "agents/tools/__init__.py": "",
    "agents/tools/search.py": "def search(): pass\n",
    "utils/__init__.py": "",
    "utils/text.py": "def clean(): pass\n",
}


def test_relative_imports_inside_packages_resolve() -> None:
    files = dict(RELATIVE_PACKAGE)
    files["agents/agent.py"] = """\
        from . import prompts
        from .prompts import SYSTEM
        from .tools.search import search
        from .tools import search as search_module
        """
    files["agents/tools/runner.py"] = "from ..prompts import SYSTEM\nfrom . import search\nfrom .. import tools\n"
    assert check(files) == []


def test_broken_relative_imports_are_reported_as_written() -> None:
    files = dict(RELATIVE_PACKAGE)
    files["agents/agent.py"] = "from .prompt import SYSTEM\nfrom . import missing_part\nfrom .prompts import USER\n"

    assert check(files) == [
        "agents/agent.py:1: from .prompt import SYSTEM: not found",
        "agents/agent.py:2: from . import missing_part: missing_part not found in .",
        "agents/agent.py:3: from .prompts import USER: USER not found in .prompts",
    ]
    modules = [problem.module for problem in find_unresolved_imports(
        {path: dedent(text).encode() for path, text in files.items()}, [""])]
    assert modules == [".prompt", ".missing_part", ".prompts.USER"]


def test_relative_import_beyond_the_top_level_package_is_reported() -> None:
    files = dict(RELATIVE_PACKAGE)
    files["agents/agent.py"] = "from ..utils import text\n"
    files["main.py"] = "from . import agents\n"

    assert check(files) == [
        "agents/agent.py:1: from ..utils import text: attempted relative import beyond top-level package",
        "main.py:1: from . import agents: attempted relative import beyond top-level package",
    ]


def test_the_source_root_is_the_top_of_the_package_tree() -> None:
    files = {f"backend/{path}": text for path, text in RELATIVE_PACKAGE.items()}
    files["backend/agents/agent.py"] = "from ..utils import text\nfrom .prompts import SYSTEM\n"

    assert check(files, roots=("backend",)) == [
        "backend/agents/agent.py:1: from ..utils import text: attempted relative import beyond top-level package",
    ]


def test_same_content_in_two_places_resolves_relative_imports_per_place() -> None:
    importer = "from .prompts import SYSTEM\n"
    files = {"a/prompts.py": "SYSTEM = 1\n", "a/user.py": importer, "b/user.py": importer}

    assert check(files) == ["b/user.py:1: from .prompts import SYSTEM: not found"]


# --- namespace packages, source roots, shadowing -------------------------------------------------


def test_namespace_packages_resolve_their_submodules_but_have_no_other_names() -> None:
    files = {
        "services/session.py": "class SessionService:\n    pass\n",
        "services/store/memory.py": "STORE = {}\n",
        "main.py": """\
            import services.session
            from services import session
            from services.store.memory import STORE
            from services import SessionService
            import services.store.disk
            """,
    }
    assert check(files) == [
        "main.py:4: from services import SessionService: SessionService not found in services",
        "main.py:5: import services.store.disk: not found",
    ]


def test_imports_resolve_against_the_source_roots_from_anywhere_in_the_workspace() -> None:
    files = {
        "backend/main.py": "import database\n",
        "backend/database.py": "def get_db(): pass\n",
        "tests/test_database.py": "from database import get_db\nimport backend.database\n",
    }
    assert check(files, roots=("backend",)) == [
        "tests/test_database.py:2: import backend.database: not found",
    ]
    assert check(files, roots=("backend", "")) == []


@pytest.mark.parametrize("root", ["backend", "backend/", "./backend"])
def test_source_roots_are_normalized(root: str) -> None:
    files = {"backend/main.py": "import database\n", "backend/database.py": ""}
    assert check(files, roots=(root,)) == []


def test_a_workspace_module_in_a_source_root_shadows_the_standard_library() -> None:
    files = {
        "logging.py": "def configure(): pass\n",
        "main.py": "from logging import configure\nfrom logging import getLogger\n",
    }
    assert check(files) == ["main.py:2: from logging import getLogger: getLogger not found in logging"]


def test_a_workspace_module_outside_the_source_roots_does_not_shadow() -> None:
    files = {"tools/logging.py": "", "backend/main.py": "from logging import getLogger\n"}
    assert check(files, roots=("backend",)) == []


def test_conftest_is_a_regular_module() -> None:
    files = {"conftest.py": "FIXTURE = 1\n", "test_app.py": "from conftest import FIXTURE, OTHER\n"}
    assert check(files) == ["test_app.py:1: from conftest import OTHER: OTHER not found in conftest"]


# --- standard library and installed distributions ------------------------------------------------


def test_standard_library_and_installed_modules_resolve() -> None:
    files = {
        "main.py": """\
            from __future__ import annotations
            import os.path
            import xml.etree.ElementTree
            from collections import abc, anything_at_all
            import pytest
            import rope.refactor.move
            from rope.refactor.move import MoveModule
            from rope.refactor import move
            import winreg
            """,
    }
    assert check(files) == []


def test_missing_installed_modules_and_submodules_are_reported() -> None:
    files = {
        "main.py": """\
            import no_such_distribution_xyz
            import rope.refactor.no_such_submodule
            from xml.no_such_package import thing
            """,
    }
    assert check(files) == [
        "main.py:1: import no_such_distribution_xyz: not installed in PYTHON",
        "main.py:2: import rope.refactor.no_such_submodule: not found in PYTHON",
        "main.py:3: from xml.no_such_package import thing: not found in PYTHON",
    ]


def test_the_current_directory_of_the_checking_process_is_not_the_apps_path(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The old layout may still be on disk in the current directory: it must not hide a break.
    (tmp_path / "stale_module_on_disk.py").write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend("")
    assert check({"main.py": "import stale_module_on_disk\n"}) == [
        "main.py:1: import stale_module_on_disk: not installed in PYTHON",
    ]


# --- which imports are checked -------------------------------------------------------------------


def test_imports_inside_functions_and_classes_are_checked() -> None:
    files = {
        "main.py": """\
            def handler():
                import agent
                if True:
                    from agent import run

            class Service:
                from agent import tool
            """,
    }
    assert check(files) == [
        "main.py:2: import agent: not installed in PYTHON",
        "main.py:4: from agent import run: not installed in PYTHON",
        "main.py:7: from agent import tool: not installed in PYTHON",
    ]


def test_type_checking_imports_are_checked() -> None:
    files = {
        "main.py": """\
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from agent import Agent
            """,
    }
    assert check(files) == ["main.py:3: from agent import Agent: not installed in PYTHON"]


def test_both_branches_of_a_version_check_are_checked() -> None:
    files = {
        "main.py": """\
            import sys
            if sys.version_info >= (3, 11):
                import tomllib
            else:
                import tomli_missing_backport
            """,
    }
    assert check(files) == ["main.py:5: import tomli_missing_backport: not installed in PYTHON"]


@pytest.mark.parametrize("handler", [
    "except ImportError:", "except ModuleNotFoundError:", "except Exception:", "except:",
    "except (AttributeError, ImportError) as error:", "except builtins.ImportError:",
])
def test_imports_guarded_by_an_import_error_handler_are_optional(handler: str) -> None:
    source = f"try:\n    import ujson_missing\n    if True:\n        from agent import run\n{handler}\n    ujson_missing = None\n"
    assert check({"main.py": source}) == []


def test_a_try_that_does_not_catch_import_errors_guards_nothing() -> None:
    source = "try:\n    import agent\nexcept ValueError:\n    pass\n"
    assert check({"main.py": source}) == ["main.py:2: import agent: not installed in PYTHON"]


def test_the_handlers_else_and_finally_of_an_import_guard_are_checked() -> None:
    source = """\
        try:
            import fast_json_missing
        except ImportError:
            import agent
        else:
            import helpers_missing
        finally:
            import finally_missing
        """
    assert check({"main.py": source}) == [
        "main.py:4: import agent: not installed in PYTHON",
        "main.py:6: import helpers_missing: not installed in PYTHON",
        "main.py:8: import finally_missing: not installed in PYTHON",
    ]


def test_a_function_defined_inside_an_import_guard_is_not_guarded() -> None:
    source = "try:\n    def load():\n        import agent\nexcept ImportError:\n    pass\n"
    assert check({"main.py": source}) == ["main.py:3: import agent: not installed in PYTHON"]


def test_contextlib_suppress_of_import_errors_makes_imports_optional() -> None:
    source = "import contextlib\nwith contextlib.suppress(ImportError):\n    import accelerator_missing\n"
    assert check({"main.py": source}) == []


def test_optional_imports_still_bind_their_names() -> None:
    files = {
        "compat.py": "try:\n    import ujson_missing as json\nexcept ImportError:\n    import json\n",
        "main.py": "from compat import json\n",
    }
    assert check(files) == []


# --- what is not checked, and broken files -------------------------------------------------------


def test_a_file_that_does_not_parse_is_reported_once_and_does_not_cascade() -> None:
    files = {
        "broken.py": "import os\n\ndef oops(:\n    pass\nimport agent\n",
        "main.py": "from broken import anything\n",
    }
    [problem] = find_unresolved_imports({path: text.encode() for path, text in files.items()}, [""])

    assert (problem.path, problem.line, problem.module) == ("broken.py", 3, "")
    assert problem.message.startswith("syntax error: ")


def test_a_file_with_null_bytes_is_reported_not_raised() -> None:
    [problem] = find_unresolved_imports({"main.py": b"import os\x00\n"}, [""])
    assert problem.message.startswith("syntax error: ")


@pytest.mark.parametrize("folder", [".git", "__pycache__", ".venv", "venv", "node_modules", ".tox", "build",
                                    "dist"])
def test_files_in_tool_folders_are_skipped(folder: str) -> None:
    assert check({f"{folder}/lib/module.py": "import missing_thing\n"}) == []


def test_only_python_files_are_read() -> None:
    assert check({"README.md": "import agent\n", "Procfile": "web: python main.py\n"}) == []


def test_a_utf8_bom_and_an_encoding_cookie_are_honoured() -> None:
    files = {
        "bom.py": b"\xef\xbb\xbfimport os\n",
        "latin.py": "# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n".encode("latin-1"),
        "main.py": b"from latin import NAME\n",
    }
    assert check(files) == []


def test_results_are_sorted_by_path_then_line() -> None:
    files = {
        "z.py": "import missing_b\nimport missing_a\n",
        "a.py": "\nimport missing_c\nimport missing_d\n",
    }
    assert check(files) == [
        "a.py:2: import missing_c: not installed in PYTHON",
        "a.py:3: import missing_d: not installed in PYTHON",
        "z.py:1: import missing_b: not installed in PYTHON",
        "z.py:2: import missing_a: not installed in PYTHON",
    ]


def test_a_script_or_test_outside_any_package_sees_its_neighbours():
    files = {
        "app/main.py": b"import helpers\n",  # app/ is not a source root here
        "app/helpers.py": b"X = 1\n",
        "tools/run.py": b"from shared import thing\n",
        "tools/shared.py": b"thing = 1\n",
        "pkg/__init__.py": b"",
        "pkg/mod.py": b"import sibling\n",  # inside a package: no implicit neighbour
        "pkg/sibling.py": b"",
    }
    problems = find_unresolved_imports(files, [""])
    # A warning: a bare name inside a package may as well be a distribution's (pkg/openai.py
    # importing the `openai` SDK is the same shape).
    assert [(p.path, p.module, p.severity) for p in problems] == [("pkg/mod.py", "sibling", "warning")]


# --- optional imports of the workspace's own modules --------------------------------------------


def test_an_optional_import_of_a_workspace_module_is_checked() -> None:
    files = {
        "backend/agent.py": b"X = 1\n",
        "backend/main.py": b"try:\n    import agent_old as agent\nexcept ImportError:\n    agent = None\n"
                           b"try:\n    from agent import Y\nexcept ImportError:\n    Y = None\n"
                           b"try:\n    import ujson\nexcept ImportError:\n    ujson = None\n",
    }
    found = [(p.line, p.module) for p in find_unresolved_imports(files, ["backend"])]
    assert found == [(6, "agent.Y")]  # agent is the workspace's own: its missing Y would fail silently
    after_a_move = find_unresolved_imports(files, ["backend"], first_party=["agent_old"])
    assert [(p.line, p.module) for p in after_a_move] == [(2, "agent_old"), (6, "agent.Y")]


# --- which missing imports are the workspace's own (errors) ----------------------------------------


def test_a_third_party_import_named_like_a_module_deep_in_a_package_is_a_warning() -> None:
    # screenshot-to-code: backend/agent/providers/openai.py does not make `import openai` the workspace's.
    files = {
        "backend/agent/__init__.py": "",
        "backend/agent/providers/__init__.py": "",
        "backend/agent/providers/openai.py": "X = 1\n",
        "backend/main.py": "import openai_missing_xyz\nfrom agent.providers.openai import X\n",
    }
    files["backend/agent/providers/openai_missing_xyz.py"] = "X = 1\n"
    assert check(files, roots=("backend",), organized_folder="backend") == [
        "backend/main.py:1: import openai_missing_xyz: not installed in PYTHON",
    ]


def test_a_missing_name_directly_in_the_organized_folder_is_an_error() -> None:
    # The organized folder is a package, so its modules are `shop.x`: a bare `import x` means a
    # sys.path trick or a stale import, and it fails as the project stands.
    files = {"shop/__init__.py": "", "shop/pricing.py": "RATE = 1\n", "shop/hatch_build.py": "import pricing\n",
             "shop/deep/__init__.py": "", "shop/deep/tax.py": "", "shop/app.py": "import tax\n"}
    assert check(files, organized_folder="shop") == [
        "shop/app.py:1: import tax: not installed in PYTHON",
        "shop/hatch_build.py:1: import pricing: not found",
    ]
    # The same workspace organized from its root: shop/ is the top level, pricing is deeper.
    assert check(files) == [
        "shop/app.py:1: import tax: not installed in PYTHON",
        "shop/hatch_build.py:1: import pricing: not installed in PYTHON",
    ]


def test_a_missing_submodule_of_a_top_level_workspace_package_is_an_error() -> None:
    files = {"agent/__init__.py": "", "main.py": "import agent.providers\n"}
    assert check(files) == ["main.py:1: import agent.providers: not found"]


# --- before and after a change ----------------------------------------------------------------------


def _problem(path: str, module: str, severity: str = "error", line: int = 1) -> UnresolvedImport:
    return UnresolvedImport(path, line, module, f"import {module}: not found", severity)


def test_an_error_that_was_there_before_the_change_is_told_apart_from_a_new_one() -> None:
    before = [_problem("pkg/plugin.py", "pkg.missing_upstream"), _problem("pkg/app.py", "gone_before")]
    after = [_problem("pkg/plugins/plugin.py", "pkg.missing_upstream", line=3),  # moved, same import
             _problem("pkg/app.py", "agent"),  # new: the change broke it
             _problem("pkg/other.py", "gone_before"),  # the same import, but another file
             _problem("pkg/app.py", "openai", "warning")]
    found = compare_with_before(after, before, path_map={"pkg/plugin.py": "pkg/plugins/plugin.py"})
    assert [(p.path, p.module) for p in found.already] == [("pkg/plugins/plugin.py", "pkg.missing_upstream")]
    assert [(p.path, p.module) for p in found.errors] == [("pkg/app.py", "agent"), ("pkg/other.py", "gone_before")]
    assert [p.module for p in found.warnings] == ["openai"]


def test_an_unresolved_import_the_change_rewrote_is_still_the_same_import() -> None:
    # ihatemoney's hatch_build.py puts the package folder on sys.path and imports `babel_utils`:
    # unresolved statically before; the organize rewrote it to `utils.babel_utils`.
    before = [_problem("hatch_build.py", "babel_utils"), _problem("hatch_build.py", "ihatemoney.models.Bill")]
    after = [_problem("hatch_build.py", "utils.babel_utils"), _problem("hatch_build.py", "ihatemoney.models.models.Bill"),
             _problem("hatch_build.py", "models.Bill")]  # not what the move makes of either
    found = compare_with_before(after, before, module_map={"ihatemoney.babel_utils": "ihatemoney.utils.babel_utils",
                                                            "ihatemoney.models": "ihatemoney.models.models"})
    assert [p.module for p in found.already] == ["utils.babel_utils", "ihatemoney.models.models.Bill"]
    assert [p.module for p in found.errors] == ["models.Bill"]


def test_without_a_before_every_error_counts() -> None:
    found = compare_with_before([_problem("main.py", "agent")])
    assert found.errors == (_problem("main.py", "agent"),) and found.already == ()
