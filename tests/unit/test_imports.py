"""Tests for changes/imports.py: each import form and placement, rewritten in place.

Each case is a file's text before and after one set of moves; the rule for every case is the
one a careful reviewer follows by hand: the module path inside the statement changes, the
statement keeps its place, its lines, its layout and the names it binds.
"""

from __future__ import annotations

import textwrap

import pytest

from organize_backend.changes.project_style import ProjectStyle, style_policy
from organize_backend.changes.imports import ModuleTree, rewrite_imports

# A flat backend, and where the moves take it.
FLAT = ["main.py", "agent.py", "database.py", "models.py", "db_conn.py", "config.py",
        "pkg/__init__.py", "pkg/conn.py", "pkg/other.py"]
FLAT_MOVES = {"agent.py": "agents/agent.py", "database.py": "database/database.py",
              "models.py": "models/models.py", "db_conn.py": "db/session.py", "pkg/conn.py": "pkg/session.py"}
NEW_PACKAGES = ["agents/__init__.py", "database/__init__.py", "models/__init__.py", "db/__init__.py"]


def flat_tree() -> ModuleTree:
    return tree_of(FLAT, FLAT_MOVES, NEW_PACKAGES)


def tree_of(old: list[str], moves: dict[str, str], created: list[str], root: str = "", folders=None,
            workspace_name: str = "") -> ModuleTree:
    new = [moves.get(path, path) for path in old] + created
    return ModuleTree.build(old, moves, folders or {}, new, import_root=root, workspace_name=workspace_name)


def rewritten(source: str, tree: ModuleTree | None = None, path: str = "main.py", new_path: str | None = None) -> str:
    text, _ = rewrite_imports(textwrap.dedent(source), path, new_path or path, tree or flat_tree())
    return text


CASES = [
    # (name, before, after)
    ("from-import", "from agent import run\n", "from agents.agent import run\n"),
    ("from-import of a module moved into a package of its own name",
     "from database import get_db\n", "from database.database import get_db\n"),
    ("a lone plain import binds the same name", "import agent\nagent.run()\n",
     "from agents import agent\nagent.run()\n"),
    ("a plain import in a list stays in the list", "import os, agent\n", "import os, agents.agent as agent\n"),
    ("an aliased import keeps its alias", "import agent as a\n", "import agents.agent as a\n"),
    ("a renamed module keeps its binding", "import db_conn\ndb_conn.x\n", "from db import session as db_conn\ndb_conn.x\n"),
    ("a from-import of a renamed submodule", "from pkg import conn, other\n", "from pkg import session as conn, other\n"),
    ("a from-import of a renamed submodule with an alias", "from pkg import conn as c\n", "from pkg import session as c\n"),
    ("parenthesized, comments and trailing comma stay",
     "from database import (\n    get_db,  # the session\n    close,\n)\n",
     "from database.database import (\n    get_db,  # the session\n    close,\n)\n"),
    ("backslash continuation stays", "from database \\\n    import get_db\n", "from database.database \\\n    import get_db\n"),
    ("a comment and noqa stay beside the line", "import agent  # noqa: F401\n", "from agents import agent  # noqa: F401\n"),
    ("two statements on one line", "import os; import agent\n", "import os; from agents import agent\n"),
    ("a star import", "from models import *\n", "from models.models import *\n"),
    ("unrelated imports are not touched", "import os\nfrom config import X\nimport agentx\n",
     "import os\nfrom config import X\nimport agentx\n"),
    ("a dotted import renames its uses",
     "import pkg.conn\npkg.conn.connect(pkg.conn.URL)\npkg.other.x\n",
     "import pkg.session\npkg.session.connect(pkg.session.URL)\npkg.other.x\n"),
]


@pytest.mark.parametrize("before, after", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_form_is_rewritten_in_place(before: str, after: str) -> None:
    assert rewritten(before) == after


PLACES = {
    "function": "def f():\n    import agent\n    return agent.run()\n",
    "method": "class A:\n    def f(self):\n        from agent import run\n        return run()\n",
    "class body": "class A:\n    import agent\n",
    "if": "if True:\n    import agent\n",
    "try/except ImportError": "try:\n    import agent as ag\nexcept ImportError:\n    ag = None\n",
    "TYPE_CHECKING": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from agent import Agent\n",
    "one-line if": "if True: import agent\n",
    "late import after a statement": "import os\nos.environ.setdefault('ENV', 'prod')\nimport agent\n",
    "bottom-of-file import": "def f():\n    return agent.run()\n\n\nimport agent  # noqa: E402 (cycle)\n",
}


@pytest.mark.parametrize("place", PLACES)
def test_every_placement_keeps_its_place_and_its_lines(place: str) -> None:
    before = PLACES[place]
    after = rewritten(before)
    assert after != before
    before_lines, after_lines = before.splitlines(), after.splitlines()
    assert len(after_lines) == len(before_lines)
    changed = [(old, new) for old, new in zip(before_lines, after_lines) if old != new]
    assert len(changed) == 1
    old, new = changed[0]
    assert "agent" in old and "agents" in new
    assert new[: len(new) - len(new.lstrip())] == old[: len(old) - len(old.lstrip())]  # same indentation


def test_names_that_now_live_in_different_modules_are_split_and_reported() -> None:
    text, notices = rewrite_imports("from pkg import conn, other\n", "main.py", "main.py",
                                    tree_of(FLAT, {"pkg/conn.py": "lib/conn.py"}, ["lib/__init__.py"]))
    assert text == "from lib import conn\nfrom pkg import other\n"
    assert len(notices) == 1 and notices[0].line == 1 and "split" in notices[0].message


def test_a_split_inside_a_block_keeps_the_indentation() -> None:
    text, _ = rewrite_imports("def f():\n    from pkg import conn, other\n", "main.py", "main.py",
                              tree_of(FLAT, {"pkg/conn.py": "lib/conn.py"}, ["lib/__init__.py"]))
    assert text == "def f():\n    from lib import conn\n    from pkg import other\n"


def test_crlf_and_non_ascii_text_stay_as_they_are() -> None:
    before = "# caf\u00e9 \u2014 entry\r\nimport agent\r\nNAME = '\u00e9t\u00e9'  # agent\r\n"
    assert rewritten(before) == before.replace("import agent\r\n", "from agents import agent\r\n")


def test_the_moved_module_keeps_its_absolute_imports() -> None:
    source = "import config\nfrom database import get_db\n"
    assert rewritten(source, path="agent.py", new_path="agents/agent.py") == (
        "import config\nfrom database.database import get_db\n")


def test_a_file_without_a_moved_name_is_not_parsed() -> None:
    text, notices = rewrite_imports("this is not python (", "main.py", "main.py", flat_tree())
    assert text == "this is not python (" and notices == []


# --- relative imports ---------------------------------------------------------------------------

# A backend that is itself a package, imported as `app.x` from the folder above it.
APP = ["app/__init__.py", "app/main.py", "app/database.py", "app/agent.py", "app/util/__init__.py",
       "app/util/text.py"]


def app_tree(moves: dict[str, str], created: list[str]) -> ModuleTree:
    return tree_of(APP, moves, created)


@pytest.mark.parametrize("before, after", [
    ("from .database import get_db\n", "from .database.database import get_db\n"),
    ("from . import database\n", "from .database import database\n"),
    ("from .util.text import clean\n", "from .util.text import clean\n"),
    ("from app.database import get_db\n", "from app.database.database import get_db\n"),
])
def test_relative_imports_stay_relative(before: str, after: str) -> None:
    tree = app_tree({"app/database.py": "app/database/database.py"}, ["app/database/__init__.py"])
    assert rewritten(before, tree, "app/main.py") == after


def test_a_moved_module_gets_its_dots_recomputed() -> None:
    tree = app_tree({"app/agent.py": "app/agents/agent.py", "app/database.py": "app/database/database.py"},
                    ["app/agents/__init__.py", "app/database/__init__.py"])
    source = "from .database import get_db\nfrom .util.text import clean\nfrom . import main\n"
    assert rewritten(source, tree, "app/agent.py", "app/agents/agent.py") == (
        "from ..database.database import get_db\nfrom ..util.text import clean\nfrom .. import main\n")


def test_a_relative_import_inside_a_method_is_rewritten_too() -> None:
    tree = app_tree({"app/database.py": "app/db/database.py"}, ["app/db/__init__.py"])
    source = "from .database import get_db\n\n\nclass A:\n    def f(self):\n        from .database import close\n"
    assert rewritten(source, tree, "app/main.py") == source.replace(".database import", ".db.database import")


def test_from_dot_import_with_no_space() -> None:
    tree = app_tree({"app/database.py": "app/db/database.py"}, ["app/db/__init__.py"])
    assert rewritten("from .import database\n", tree, "app/main.py") == "from .db import database\n"


def test_a_workspace_that_is_itself_a_package() -> None:
    # the workspace folder `shop` holds __init__.py: its modules are `shop.x` and import each other relatively
    old = ["__init__.py", "main.py", "database.py"]
    tree = tree_of(old, {"database.py": "database/database.py"}, ["database/__init__.py"], workspace_name="shop")
    assert rewritten("from .database import get_db\n", tree) == "from .database.database import get_db\n"
    assert rewritten("from shop.database import get_db\n", tree) == "from shop.database.database import get_db\n"


# --- roots ------------------------------------------------------------------------------------------

BACKEND = ["backend/app.py", "backend/models.py", "backend/agent.py", "tests/test_app.py", "README.md"]


def backend_tree() -> ModuleTree:
    return tree_of(BACKEND, {"backend/models.py": "backend/models/models.py"},
                   ["backend/models/__init__.py"], root="backend")


def test_inside_the_backend_folder_names_are_those_the_app_imports() -> None:
    # `cd backend && uvicorn app:app`: the app imports `models`, never `backend.models`
    assert rewritten("from models import User\n", backend_tree(), "backend/app.py") == "from models.models import User\n"
    assert rewritten("import models\n", backend_tree(), "backend/app.py") == "from models import models\n"


def test_outside_the_backend_folder_the_qualified_name_follows_too() -> None:
    tree = backend_tree()
    assert rewritten("from backend.models import User\n", tree, "tests/test_app.py") == (
        "from backend.models.models import User\n")


def test_an_untouched_package_beside_a_src_layout_is_left_alone() -> None:
    old = ["src/mypkg/__init__.py", "src/mypkg/agent.py", "src/mypkg/cli.py", "backend/agent.py", "backend/main.py"]
    tree = tree_of(old, {"backend/agent.py": "backend/agents/agent.py"}, ["backend/agents/__init__.py"], root="backend")
    source = "from . import agent\nfrom .agent import run\n"
    assert rewritten(source, tree, "src/mypkg/cli.py") == source
    assert rewritten("import agent\n", tree, "backend/main.py") == "from agents import agent\n"


# --- a project that enforces an import order, or a formatter ---------------------------------------

SORTED = ProjectStyle(sorts_imports=True)


def test_a_sorted_run_holding_a_renamed_import_is_put_back_in_order() -> None:
    source = "import os\n\nimport agent\nimport config\nfrom models import User\n\nprint(agent, User)\n"
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree(), style=SORTED)
    assert text == ("import os\n\nimport config\nfrom agents import agent\nfrom models.models import User\n\n"
                    "print(agent, User)\n")


def test_without_an_import_order_nothing_moves() -> None:
    source = "import agent\nimport config\n"
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree())
    assert text == "from agents import agent\nimport config\n"


def test_a_run_that_was_not_in_order_is_left_as_the_user_had_it() -> None:
    source = "import config\nimport agent\nimport models\n"
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree(), style=SORTED)
    assert text == "import config\nfrom agents import agent\nfrom models import models\n"


def test_nothing_crosses_a_statement_a_comment_or_a_blank_line() -> None:
    source = ("import agent\nimport os; os.environ.setdefault('A', 'b')\nimport config\n"
              "# settings first\nimport models\n\nimport database\n")
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree(), style=SORTED)
    assert text.splitlines() == ["from agents import agent", "import os; os.environ.setdefault('A', 'b')",
                                 "import config", "# settings first", "from models import models", "",
                                 "from database import database"]


def test_an_indented_run_and_a_last_line_without_line_break() -> None:
    source = "def f():\n    import agent\n    import config"
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree(), style=SORTED)
    assert text == "def f():\n    import config\n    from agents import agent"


@pytest.mark.parametrize("files, enforced", [
    ({"pyproject.toml": b"[tool.ruff.lint]\nselect = ['E', 'I']\n"}, True),
    ({"pyproject.toml": b"[tool.ruff]\nextend-select = ['I001']\n"}, True),
    ({"pyproject.toml": b"[tool.ruff.lint]\nselect = ['E', 'F']\n"}, False),
    ({"ruff.toml": b"[lint]\nselect = ['ALL']\n"}, True),
    ({"pyproject.toml": b"[tool.isort]\nprofile = 'black'\n"}, True),
    ({"setup.cfg": b"[isort]\nline_length = 100\n"}, True),
    ({".isort.cfg": b"[settings]\n"}, True),
    ({"pyproject.toml": b"[project]\nname = 'x'\n"}, False),
    # backend/'s own ruff table selects nothing: ruff's defaults, which include `I` (ruff 0.17.6)
    ({"pyproject.toml": b"[tool.ruff.lint]\nselect = ['E']\n", "backend/pyproject.toml": b"[tool.ruff]\n"}, True),
    ({"pyproject.toml": b"[tool.ruff.lint]\nselect = ['I']\n",
      "backend/pyproject.toml": b"[tool.ruff.lint]\nselect = ['F']\n"}, False),
    # no configuration, but the project's CI runs `ruff check` with its defaults
    ({".github/workflows/ci.yml": b"- run: ruff check .\n"}, True),
    ({".pre-commit-config.yaml": b"repos:\n- hooks:\n  - id: ruff\n"}, True),
    ({"pyproject.toml": b"[tool.ruff.lint]\nselect = ['I']\n", "backend/setup.cfg": b"[metadata]\n"}, True),
    ({"pyproject.toml": b"not toml ["}, False),
])
def test_which_projects_enforce_an_import_order(files: dict, enforced: bool) -> None:
    assert style_policy(files)("backend/app.py").sorts_imports is enforced


@pytest.mark.parametrize("files, length", [
    ({"pyproject.toml": b"[tool.black]\nline-length = 100\n"}, 100),
    ({"pyproject.toml": b"[tool.black]\n"}, 88),
    ({"pyproject.toml": b"[tool.ruff]\nline-length = 120\n[tool.ruff.format]\nquote-style = 'single'\n"}, 120),
    # ruff's default rules include `I`, whose fix wraps a long import at the line length
    ({"pyproject.toml": b"[tool.ruff]\nline-length = 120\n"}, 120),
    ({"pyproject.toml": b"[tool.ruff]\nline-length = 120\n[tool.ruff.lint]\nselect = ['E']\n"}, None),
    # no configuration, but the project's CI runs the formatter with its defaults
    ({".github/workflows/ci.yml": b"- run: ruff format --check .\n"}, 88),
    ({".pre-commit-config.yaml": b"repos:\n- hooks:\n  - id: ruff-format\n"}, 88),
    ({"pyproject.toml": b"[project]\nname = 'x'\n"}, None),
    # AppDaemon: black configured at 120, but ruff's formatter (200) is the one configured to run
    ({"pyproject.toml": b"[tool.black]\nline-length = 120\n[tool.ruff]\nline-length = 200\n[tool.ruff.format]\n"}, 200),
    ({"pyproject.toml": b"[tool.black]\nline-length = 120\n[tool.ruff]\nline-length = 200\n[tool.ruff.format]\n",
      "Makefile": b"fmt:\n\tblack .\n"}, 120),
    # datasette: ruff lints at 160, and CI runs black with its defaults
    ({"pyproject.toml": b"[tool.ruff]\nline-length = 160\n", ".github/workflows/test.yml": b"- run: black --check .\n"}, 88),
])
def test_which_projects_enforce_a_formatter(files: dict, length: int | None) -> None:
    assert style_policy(files)("app.py").wraps_at == length


@pytest.mark.parametrize("files, formats", [
    ({"pyproject.toml": b"[tool.black]\n"}, True),
    ({".github/workflows/ci.yml": b"- run: ruff format --check .\n"}, True),
    ({"pyproject.toml": b"[tool.isort]\nprofile = 'black'\n", "Makefile": b"lint:\n\tblack --check .\n"}, True),
    # ruff's import sorter wraps imports only: other long lines pass `ruff check`
    ({"pyproject.toml": b"[tool.ruff]\nline-length = 120\n"}, False),
    ({"pyproject.toml": b"[project]\nname = 'x'\n"}, False),
])
def test_which_projects_check_every_line_with_a_formatter(files: dict, formats: bool) -> None:
    assert style_policy(files)("app.py").formats is formats


def test_a_renamed_import_past_the_line_length_is_wrapped_as_the_formatter_would() -> None:
    style = ProjectStyle(wraps_at=40)
    source = "def f():\n    from agent import run, stop, x\n    return 'a string past forty columns, no import'\n"
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree(), style=style)
    assert text == ("def f():\n    from agents.agent import (\n        run,\n        stop,\n        x,\n    )\n"
                    "    return 'a string past forty columns, no import'\n")


def test_in_a_file_with_an_import_past_the_line_length_already_nothing_is_wrapped() -> None:
    # maigret's tests/test_errors.py:3 (97 columns, black's 88) and AppDaemon's sequences.py:11 were
    # exploded into parenthesized imports, where by hand the edit is the module's new name; the
    # formatter evidently does not run on such a file, so the other renamed imports stay on their line too
    style = ProjectStyle(wraps_at=40)
    source = "from agent import run, stop, start, restart\n\nfrom database import get_db, x\n"
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree(), style=style)
    assert text == "from agents.agent import run, stop, start, restart\n\nfrom database.database import get_db, x\n"


def test_a_line_with_a_comment_is_not_wrapped() -> None:
    style = ProjectStyle(wraps_at=30)
    source = "from models import User, Group  # noqa\n"
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree(), style=style)
    assert text == "from models.models import User, Group  # noqa\n"


@pytest.mark.parametrize("files, length", [
    ({"pyproject.toml": b"[tool.ruff]\nline-length = 80\n[tool.ruff.lint]\nextend-select = ['I']\n"}, 80),
    ({"pyproject.toml": b"[tool.ruff]\nline-length = 80\n", "Makefile": b"lint:\n\truff format --check .\n"}, 80),
    ({"pyproject.toml": b"[tool.ruff]\n", ".github/workflows/ci.yml": b"- run: black --check .\n"}, 88),
    ({"pyproject.toml": b"[tool.isort]\nprofile = 'black'\nline_length = 100\n"}, 100),
    ({".isort.cfg": b"[settings]\nprofile = black\n"}, 88),
    ({".isort.cfg": b"[settings]\nline_length = 79\n"}, None),
])
def test_where_the_project_wraps_imports(files: dict, length: int | None) -> None:
    assert style_policy(files)("app.py").wraps_at == length


def test_a_split_statement_is_sorted_into_its_run() -> None:
    tree = tree_of(FLAT, {"pkg/conn.py": "lib/conn.py"}, ["lib/__init__.py"])
    source = "from config import X\nfrom models import User\nfrom pkg import conn, other\nfrom zeta import z\n"
    text, notices = rewrite_imports(source, "main.py", "main.py", tree, style=SORTED)
    assert text == ("from config import X\nfrom lib import conn\nfrom models import User\n"
                    "from pkg import other\nfrom zeta import z\n")
    assert len(notices) == 1


def test_a_wrapped_import_is_sorted_as_one_statement() -> None:
    style = ProjectStyle(sorts_imports=True, wraps_at=35)  # the old line fits, the new one does not
    source = "import config\nfrom agent import run, stop, plan\nfrom db_conn import x\n"
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree(), style=style)
    assert text == ("import config\nfrom agents.agent import (\n    run,\n    stop,\n    plan,\n)\n"
                    "from db.session import x\n")


def test_line_shift_through_replacements() -> None:
    from organize_backend.source_text import LineOffsets, line_shift

    offsets = LineOffsets("a\nb\nc\nd\n")
    moved_to = line_shift(offsets, [(2, 3, "x\ny\nz")])  # line 2 becomes three lines
    assert [moved_to(line) for line in (1, 2, 3, 4)] == [1, 2, 5, 6]
    assert line_shift(offsets, [])(3) == 3


def test_a_run_that_was_out_of_order_stays_so_even_if_the_rest_is_in_order() -> None:
    # `pkg.conn` sat before `models` out of order (as the user had it): renaming it moves nothing
    source = "import config\nfrom pkg.conn import x\nfrom models import User\n"
    text, _ = rewrite_imports(source, "main.py", "main.py", flat_tree(), style=SORTED)
    assert text == "import config\nfrom pkg.session import x\nfrom models.models import User\n"


def test_a_sys_path_insert_inside_a_method_counts_too() -> None:
    old = ["hatch_build.py", "app/__init__.py", "app/babel_utils.py"]
    tree = tree_of(old, {"app/babel_utils.py": "app/utils/babel_utils.py"}, ["app/utils/__init__.py"])
    source = ('import sys\n\n\nclass Hook:\n    def initialize(self):\n        sys.path.insert(0, "./app")\n'
              '        from babel_utils import compile_catalogs\n')
    assert rewritten(source, tree, "hatch_build.py") == source.replace("from babel_utils", "from utils.babel_utils")


def test_a_relative_import_module_call_follows_like_the_statement() -> None:
    tree = app_tree({"app/agent.py": "app/agents/agent.py", "app/database.py": "app/db/database.py"},
                    ["app/agents/__init__.py", "app/db/__init__.py"])
    source = ('import importlib\n\n\ndef load():\n'
              '    return importlib.import_module(".database", __package__), importlib.import_module(".main", package=__package__)\n')
    assert rewritten(source, tree, "app/agent.py", "app/agents/agent.py") == source.replace(
        '".database"', '"..db.database"').replace('".main"', '"..main"')
    assert rewritten(source, tree, "app/main.py") == source.replace('".database"', '".db.database"')


def test_a_submodule_reached_through_its_imported_package_follows() -> None:
    # maigret's web app: `import maigret` and `maigret.report.save_graph_report(...)`, the submodule an
    # attribute of its package once `from maigret.report import ...` loaded it
    tree = app_tree({"app/database.py": "app/db/database.py"}, ["app/db/__init__.py"])
    source = ("import app\nfrom app.database import get_db\n\n\ndef run():\n"
              "    return app.database.get_db(), app.database, app.main\n")
    assert rewritten(source, tree, "app/agent.py") == source.replace("app.database", "app.db.database")


def test_a_package_bound_under_another_name_or_not_at_all_leaves_chains_alone() -> None:
    tree = app_tree({"app/database.py": "app/db/database.py"}, ["app/db/__init__.py"])
    aliased = "import app as application\n\napp = object()\nx = app.database\n"
    assert rewritten(aliased, tree, "main.py") == aliased
    unbound = "from app import main\n\nx = app.database\n"
    assert rewritten(unbound, tree, "main.py") == unbound


def test_names_aligned_with_the_parenthesis_move_with_it() -> None:
    # buku's api.py: `from bukuserver.forms import (` with its names aligned below; flake8 E128 after
    tree = app_tree({"app/database.py": "app/db/database.py"}, ["app/db/__init__.py"])
    aligned = "from app.database import (get_db,\n                          Session)\n"
    assert rewritten(aligned, tree, "app/main.py") == (
        "from app.db.database import (get_db,\n                             Session)\n")
    hanging = "from app.database import (\n    get_db,\n)\n"  # a hanging indent owes nothing to the parenthesis
    assert rewritten(hanging, tree, "app/main.py") == hanging.replace("app.database", "app.db.database")
    shorter = app_tree({"app/database.py": "app/db.py"}, [])
    assert rewritten(aligned, shorter, "app/main.py") == "from app.db import (get_db,\n                    Session)\n"


def test_a_relative_dunder_import_follows_with_its_name_and_level() -> None:
    tree = app_tree({"app/agent.py": "app/agents/agent.py", "app/database.py": "app/db/database.py"},
                    ["app/agents/__init__.py", "app/db/__init__.py"])
    source = 'db = __import__("database", globals(), locals(), ["connect"], 1)\n'
    assert rewritten(source, tree, "app/main.py") == source.replace('"database"', '"db.database"')
    assert rewritten(source, tree, "app/agent.py", "app/agents/agent.py") == source.replace(
        '"database"', '"db.database"').replace("], 1)", "], 2)")
    keywords = 'db = __import__("database", fromlist=("connect",), level=1, globals=globals())\n'
    assert rewritten(keywords, tree, "app/main.py") == keywords.replace('"database"', '"db.database"')


@pytest.mark.parametrize("source", [
    'db = __import__("database", globals(), locals(), [], 1)\n',  # gives `db` then, not the module
    'db = __import__("database", None, None, ["connect"], 1)\n',  # resolved against no package
    'db = __import__("database", globals(), locals(), ["connect"], level)\n',
])
def test_a_relative_dunder_import_the_rewrite_cannot_follow_is_left_as_written(source: str) -> None:
    tree = app_tree({"app/database.py": "app/db/database.py"}, ["app/db/__init__.py"])
    assert rewritten(source, tree, "app/main.py") == source
