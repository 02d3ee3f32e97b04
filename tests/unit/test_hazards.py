"""What a move may break, and rewriting __file__-relative folders so it does not."""

from __future__ import annotations

import runpy
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import copy_fixture, write_tree
from organize_backend.cli import main
from organize_backend.model import Hazard
from organize_backend.pipeline import open_workspace, plan_organize
from organize_backend.planning.hazards import (
    FixedReference,
    fixed_references,
    COMPUTED_IMPORT,
    FILE_RELATIVE,
    MODULE_NAME_HANDED_ON,
    PACKAGE_RESOURCE,
    RUN_BY_PATH,
    SHADOWING,
    adjust_file_relative_paths,
    adjust_modules_file_paths,
    find_hazards,
    folders_put_on_sys_path,
    modules_files_read,
    package_resource_reason,
)
from test_environment import install_fake_package, make_venv


def kinds(source: str) -> list[tuple[int, str]]:
    return [(hazard.line, hazard.kind) for hazard in find_hazards("backend/x.py", textwrap.dedent(source))]


# --- find_hazards ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "Path(__file__).parent",
        "Path(__file__).resolve().parent",
        "pathlib.Path(__file__).parents[0]",
        "os.path.dirname(__file__)",
        "os.path.dirname(os.path.abspath(__file__))",
        "open(__file__)",
    ],
)
def test_file_relative_path(expression: str) -> None:
    hazards = find_hazards("backend/x.py", f"import os\nBASE = {expression}\n")
    assert [(hazard.line, hazard.kind) for hazard in hazards] == [(2, FILE_RELATIVE)]
    assert hazards[0].path == "backend/x.py"


def test_file_relative_message_tells_whether_it_can_be_rewritten() -> None:
    (adjustable,) = find_hazards("x.py", "BASE = Path(__file__).parent\n")
    (stuck,) = find_hazards("x.py", "print(__file__)\n")
    assert "Path(__file__).parent" in adjustable.message and "rewritten to keep" in adjustable.message
    assert "cannot rewrite safely" in stuck.message


def test_file_name_parts_are_no_hazard() -> None:
    assert kinds("NAME = Path(__file__).stem\nLOG = os.path.basename(__file__)\n") == []


@pytest.mark.parametrize(
    "call", ["importlib.import_module(name)", "import_module(f'plugins.{name}')", "__import__(name)",
             "importlib.import_module(name=name)"]
)
def test_computed_import(call: str) -> None:
    hazards = find_hazards("x.py", f"x = 1\nmodule = {call}\n")
    assert [(hazard.line, hazard.kind) for hazard in hazards] == [(2, COMPUTED_IMPORT)]
    assert "computed at run time" in hazards[0].message


def test_literal_import_is_no_hazard() -> None:
    # a module name in a string is a string reference, rewritten by another pass
    assert kinds("importlib.import_module('indexer')\n__import__('agent')\n") == []


@pytest.mark.parametrize("source", [
    # datasette's plugins.py: the default plugins, each a string the reference pass rewrites
    'PLUGINS = (\n    "app.facets",\n    "app.filters",\n)\nfor plugin in PLUGINS:\n    mod = importlib.import_module(plugin)\n',
    'for name in ["app.facets", "app.filters"]:\n    importlib.import_module(name)\n',
    'mods = [importlib.import_module(m) for m in ("app.facets", "app.filters")]\n',
])
def test_an_import_of_each_name_of_a_literal_list_is_no_hazard(source: str) -> None:
    assert kinds(f"import importlib\n{source}") == []


@pytest.mark.parametrize("source", [
    'PLUGINS = ["app.facets"]\nPLUGINS = load()\nfor plugin in PLUGINS:\n    importlib.import_module(plugin)\n',
    'for plugin in discover():\n    importlib.import_module(plugin)\n',
    'for plugin in ["app.facets"]:\n    importlib.import_module(prefix + plugin)\n',
    'for plugin in ["app.facets", name]:\n    importlib.import_module(plugin)\n',
])
def test_an_import_of_names_not_all_literal_is_a_hazard(source: str) -> None:
    assert [kind for _, kind in kinds(f"import importlib\n{source}")] == [COMPUTED_IMPORT]


@pytest.mark.parametrize(
    "call, shown",
    [
        ("runpy.run_path('seed_db.py')", "runpy.run_path"),
        ("subprocess.run(['python', 'seed_db.py', '--force'])", '"seed_db.py"'),
        ("subprocess.Popen([sys.executable, 'scripts/init_db.py'])", '"scripts/init_db.py"'),
        ("os.system('python seed_db.py')", '"seed_db.py"'),
        ("print(sys.argv[0])", "sys.argv[0]"),
    ],
)
def test_run_by_path(call: str, shown: str) -> None:
    hazards = find_hazards("x.py", f"import os, sys, runpy, subprocess\n{call}\n")
    assert [(hazard.line, hazard.kind) for hazard in hazards] == [(2, RUN_BY_PATH)]
    assert shown in hazards[0].message


def test_subprocess_without_a_python_file_is_no_hazard() -> None:
    assert kinds("subprocess.run(['ls', '-l'])\nsubprocess.run([sys.executable, '-m', 'scripts.seed'])\n") == []


def test_hazards_come_in_source_order() -> None:
    source = """\
        print(sys.argv[0])
        m = __import__(name)
        BASE = Path(__file__).parent
    """
    assert kinds(source) == [(1, RUN_BY_PATH), (2, COMPUTED_IMPORT), (3, FILE_RELATIVE)]


@pytest.mark.parametrize(
    "imports, call, shown",
    [
        ("import pkgutil", "pkgutil.get_data(__name__, 'welcome.html')", "pkgutil.get_data(__name__, ...)"),
        ("from pkgutil import get_data", "get_data(__name__, 'welcome.html')", "get_data(__name__, ...)"),
        ("import importlib.resources", "importlib.resources.files(__package__)",
         "importlib.resources.files(__package__)"),
        ("from importlib.resources import files", "files(__package__).joinpath('welcome.html')",
         "files(__package__)"),
        ("from importlib.resources import files as package_files", "package_files(anchor=__name__)",
         "package_files(__name__)"),
        ("from importlib.resources import files", "files()", "files()"),
        ("import importlib_resources", "importlib_resources.files(__package__)",
         "importlib_resources.files(__package__)"),
        ("from importlib import resources", "resources.read_text(__package__, 'a.txt')",
         "resources.read_text(__package__, ...)"),
        ("import importlib.resources as ir", "ir.open_text(__package__, 'a.txt')", "ir.open_text(__package__, ...)"),
        ("import importlib.resources as ir", "ir.open_binary(__package__, 'a.bin')",
         "ir.open_binary(__package__, ...)"),
        ("import importlib.resources as ir", "ir.read_binary(__package__, 'a.bin')",
         "ir.read_binary(__package__, ...)"),
        ("from importlib.resources import path", "path(__package__, 'a.txt')", "path(__package__, ...)"),
        ("from importlib.resources import contents", "contents(__package__)", "contents(__package__)"),
        ("from importlib.resources import is_resource", "is_resource(__package__, 'a.txt')",
         "is_resource(__package__, ...)"),
        ("import pkg_resources", "pkg_resources.resource_string(__name__, 'a.txt')",
         "pkg_resources.resource_string(__name__, ...)"),
        ("import pkg_resources", "pkg_resources.resource_stream(__name__, 'a.txt')",
         "pkg_resources.resource_stream(__name__, ...)"),
        ("from pkg_resources import resource_filename", "resource_filename(__name__, 'a.txt')",
         "resource_filename(__name__, ...)"),
        ("import pkg_resources", "pkg_resources.resource_exists(__name__, 'a.txt')",
         "pkg_resources.resource_exists(__name__, ...)"),
        ("import pkg_resources", "pkg_resources.resource_listdir(__name__, 'static')",
         "pkg_resources.resource_listdir(__name__, ...)"),
        # a project's own wrapper, as pypiserver's
        ("from .core import get_resource_bytes", "get_resource_bytes(__name__, 'welcome.html')",
         "get_resource_bytes(__name__, ...)"),
    ],
)
def test_package_relative_resource(imports: str, call: str, shown: str) -> None:
    hazards = find_hazards("pkg/x.py", f"{imports}\n\n\ndef page():\n    return {call}\n")
    assert [(hazard.line, hazard.kind) for hazard in hazards] == [(5, PACKAGE_RESOURCE)]
    assert hazards[0].message.startswith(f"{shown} finds data files by this module's own package name")
    assert "the new package" in hazards[0].message


@pytest.mark.parametrize(
    "source",
    [
        # a literal package name names a fixed package: it keeps working wherever this module goes
        "import pkgutil\npkgutil.get_data('pkg', 'welcome.html')\n",
        "from importlib.resources import files\nfiles('otherpkg').joinpath('a.txt')\n",
        # __name__ given to calls that find no data files
        "import logging\nlog = logging.getLogger(__name__)\n",
        "from os import path\npath.join(__name__, 'x')\n",
        # a files() that is not importlib's, and a read_text that is a method
        "def files():\n    return []\nfiles()\n",
        "Path('a.txt').read_text()\nitems.contents(__name__)\n",
    ],
)
def test_look_alikes_are_no_package_relative_resource(source: str) -> None:
    assert kinds(source) == []


def test_package_resource_reason_names_the_first_lookup() -> None:
    source = "import pkgutil\n\nA = pkgutil.get_data(__name__, 'a.html')\nB = pkgutil.get_data(__name__, 'b.html')\n"
    assert package_resource_reason(source) == (
        "loads data files by its package name (pkgutil.get_data(__name__, ...), line 3): "
        "moving it would look for them in the new package")
    assert package_resource_reason("import pkgutil\npkgutil.get_data('pkg', 'a.html')\n") is None


def test_a_module_finding_its_page_by_package_name_stays_and_the_app_still_reads_it(tmp_path: Path, capsys) -> None:
    # the pypiserver case: pkg/page_config.py reads pkg/welcome.html by its own name, two ways
    files = {
        "pkg/__init__.py": "",
        "pkg/page_config.py": "import pkgutil\nfrom importlib.resources import files\n\n\ndef welcome():\n"
                         "    return pkgutil.get_data(__name__, 'welcome.html').decode()\n\n\n"
                         "def welcome2():\n    return files(__package__).joinpath('welcome.html').read_text()\n",
        "pkg/welcome.html": "<h1>hi</h1>\n",
        "pkg/text_utils.py": "def shout(text):\n    return text.upper()\n",
        "pkg/date_utils.py": "def today():\n    return '2026-11-28'\n",
        "pkg/db_config.py": "URL = 'sqlite://'\n",
        "pkg/main.py": "from pkg.page_config import welcome, welcome2\nfrom pkg.text_utils import shout\n\n"
                       "print(shout(welcome()), welcome2())\n",
    }
    write_tree(tmp_path, files)

    assert main(["plan", str(tmp_path), "--root", "pkg"]) == 0
    out = capsys.readouterr().out
    assert "pkg/page_config.py   (loads data files by its package name (pkgutil.get_data(__name__, ...), line 6)" in out
    # the layout placed it in config/ with db_config.py; told that it stays, it leaves no config/ of one module
    assert "pkg/db_config.py   (config/db_config.py would hold only it: stays at the top)" in out
    assert main(["apply", str(tmp_path), "--root", "pkg"]) == 0
    assert (tmp_path / "pkg" / "utils" / "text_utils.py").is_file()  # the rest is organized
    assert (tmp_path / "pkg" / "page_config.py").is_file()
    # it went to config/ with db_config.py, which is then left alone there: it stays too
    assert (tmp_path / "pkg" / "db_config.py").is_file()
    run = subprocess.run([sys.executable, "-m", "pkg.main"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout) == (0, "<H1>HI</H1>\n <h1>hi</h1>\n\n"), run.stderr


def test_syntax_error_has_no_hazards() -> None:
    assert find_hazards("x.py", "def oops(:\n    Path(__file__).parent\n") == []


def test_hazard_is_the_shared_model_type() -> None:
    assert all(isinstance(h, Hazard) for h in find_hazards("x.py", "__import__(n)\n"))


# --- adjust_file_relative_paths -------------------------------------------------------

FORMS = {
    "Path(__file__).parent": {
        1: "Path(__file__).parent.parent",
        2: "Path(__file__).parent.parent.parent",
    },
    "Path(__file__).resolve().parent": {
        1: "Path(__file__).resolve().parent.parent",
        2: "Path(__file__).resolve().parent.parent.parent",
    },
    "Path(__file__).parents[0]": {
        1: "Path(__file__).parents[1]",
        2: "Path(__file__).parents[2]",
    },
    "os.path.dirname(__file__)": {
        1: "os.path.dirname(os.path.dirname(__file__))",
        2: "os.path.dirname(os.path.dirname(os.path.dirname(__file__)))",
    },
    "os.path.dirname(os.path.abspath(__file__))": {
        1: "os.path.dirname(os.path.dirname(os.path.abspath(__file__)))",
        2: "os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))",
    },
    "dirname(realpath(__file__))": {
        1: "dirname(dirname(realpath(__file__)))",
        2: "dirname(dirname(dirname(realpath(__file__))))",
    },
    # str() and os.fspath() spell the same path: the sys.path reading knew them, the lifting did not
    "os.path.dirname(str(Path(__file__)))": {
        1: "os.path.dirname(os.path.dirname(str(Path(__file__))))",
        2: "os.path.dirname(os.path.dirname(os.path.dirname(str(Path(__file__)))))",
    },
    "Path(os.fspath(__file__)).parent": {
        1: "Path(os.fspath(__file__)).parent.parent",
        2: "Path(os.fspath(__file__)).parent.parent.parent",
    },
}

PRELUDE = "import os\nfrom os.path import dirname, realpath\nfrom pathlib import Path\n"


@pytest.mark.parametrize("levels", [1, 2])
@pytest.mark.parametrize("expression", FORMS)
def test_adjust_each_form(expression: str, levels: int) -> None:
    source = f"{PRELUDE}BASE = {expression}\n"
    assert adjust_file_relative_paths(source, levels) == f"{PRELUDE}BASE = {FORMS[expression][levels]}\n"


def test_adjust_keeps_every_other_byte() -> None:
    source = (
        "# -*- coding: utf-8 -*-\r\n"
        "GREETING = 'héllo ☕'; BASE = Path(__file__).parent  # café\r\n"
        "DATA = os.path.join(os.path.dirname(__file__), 'données')\r"
        "x = (  Path(__file__)\n"
        "       .resolve() .parent / 'ü'  )\n"
        "\x0c\n"
        "NAME = Path(__file__).stem\t# untouched\n"
    )
    expected = (
        source.replace("Path(__file__).parent  #", "Path(__file__).parent.parent  #")
        .replace("os.path.dirname(__file__)", "os.path.dirname(os.path.dirname(__file__))")
        .replace(".resolve() .parent /", ".resolve() .parent.parent /")
    )
    assert adjust_file_relative_paths(source, 1) == expected


def test_adjust_keeps_a_byte_order_mark() -> None:
    source = "\ufeffBASE = Path(__file__).parent\n"
    assert adjust_file_relative_paths(source, 1) == "\ufeffBASE = Path(__file__).parent.parent\n"


@pytest.mark.parametrize(
    "source",
    [
        "print(__file__)\n",
        "HERE = os.path.abspath(__file__)\nBASE = os.path.dirname(HERE)\n",
        "BASE = Path(__file__).with_name('x')\n",
        "BASE = Path(__file__).parents[-1]\n",
        "BASE = Path(__file__).parent\nprint(__file__)\n",  # one bad use spoils the module
        "def oops(:\n    Path(__file__).parent\n",
    ],
)
def test_unadjustable_forms_return_none(source: str) -> None:
    assert adjust_file_relative_paths(source, 1) is None


def test_nothing_to_adjust_returns_the_source() -> None:
    source = "import os\nNAME = Path(__file__).name\n"
    assert adjust_file_relative_paths(source, 2) == source
    assert adjust_file_relative_paths("x = 1\n", 1) == "x = 1\n"
    assert adjust_file_relative_paths("print(__file__)\n", 0) == "print(__file__)\n"


def test_negative_levels_are_refused() -> None:
    with pytest.raises(ValueError):
        adjust_file_relative_paths("x = 1\n", -1)


# --- the adjusted expressions run: same folder, one or two levels deeper ---------------


@pytest.mark.parametrize("levels", [1, 2])
@pytest.mark.parametrize("expression", FORMS)
def test_adjusted_module_finds_the_same_folder(tmp_path: Path, expression: str, levels: int) -> None:
    source = f"{PRELUDE}BASE = str({expression})\n"
    original = tmp_path / "backend" / "settings_paths.py"
    original.parent.mkdir()
    original.write_text(source, encoding="utf-8")

    adjusted = adjust_file_relative_paths(source, levels)
    assert adjusted is not None
    moved = original.parent.joinpath(*["pkg"] * levels, "settings_paths.py")
    moved.parent.mkdir(parents=True)
    moved.write_text(adjusted, encoding="utf-8")

    before = Path(runpy.run_path(str(original))["BASE"]).resolve()
    after = Path(runpy.run_path(str(moved))["BASE"]).resolve()
    assert before == after == original.parent.resolve()


# --- shadowing: a new package named like a module Python imports today -------------------------


@pytest.fixture
def chat_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example backend, its agent using the OpenAI Agents SDK installed in its .venv."""
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    root = copy_fixture("chat_backend", tmp_path)
    agent = root / "agent.py"
    agent.write_text(agent.read_text().replace("import agent_tools\n", "import agent_tools\nfrom agents import Agent\n", 1))
    install_fake_package(make_venv(root / ".venv"), "agents", "openai_agents", "class Agent:\n    pass\n")
    return root


def organize_plan(root: Path):
    return plan_organize(open_workspace(root))


def test_a_layout_package_named_like_an_installed_package_keeps_its_modules_out(chat_backend: Path) -> None:
    plan = organize_plan(chat_backend)

    assert not any(move.destination.startswith("agents/") for move in plan.moves)
    kept = {item.path: item.reason for item in plan.kept}
    python = chat_backend / ".venv" / "bin" / "python"
    assert kept["agent.py"] == f"package agents/ would hide the package agents (openai_agents) installed in {python}"
    assert "agent_tools.py" in kept
    [hazard] = [hazard for hazard in plan.hazards if hazard.kind == SHADOWING]
    assert hazard.path == "agent.py" and "`import agents` would load the new folder instead" in hazard.message
    assert any(move.destination == "chatkit/chatkit_server.py" for move in plan.moves)  # chatkit is not installed


def test_after_apply_the_installed_package_is_still_the_one_imported(chat_backend: Path, capsys) -> None:
    assert main(["apply", str(chat_backend)]) == 0
    assert not (chat_backend / "agents").exists() and (chat_backend / "agent.py").is_file()
    capsys.readouterr()
    assert main(["check", str(chat_backend)]) == 0
    out = capsys.readouterr().out
    assert "every workspace import resolves" in out and "agents" not in out  # only pytest is missing from .venv


def test_without_the_installed_package_the_layout_places_modules_in_agents(chat_backend: Path) -> None:
    shutil.rmtree(next(chat_backend.glob(".venv/lib/python*/site-packages/agents")))
    shutil.rmtree(next(chat_backend.glob(".venv/lib/python*/site-packages/openai_agents-*.dist-info")))
    (chat_backend / "agent.py").write_text((chat_backend / "agent.py").read_text().replace("from agents import Agent\n", ""))

    plan = organize_plan(chat_backend)
    assert any(move.destination == "agents/agent.py" for move in plan.moves)
    assert not [hazard for hazard in plan.hazards if hazard.kind == SHADOWING]


def test_a_name_the_workspace_imports_from_outside_itself_is_not_hidden_either(chat_backend: Path) -> None:
    main_py = chat_backend / "main.py"
    main_py.write_text("import chatkit\n" + main_py.read_text())  # the ChatKit SDK, not installed in this .venv

    kept = {item.path: item.reason for item in organize_plan(chat_backend).kept}
    assert kept["chatkit_server.py"] == "package chatkit/ would hide the module chatkit that main.py:1 imports from " \
                                        "outside the workspace"


def test_a_package_named_like_the_standard_library_keeps_its_modules_out(chat_backend: Path) -> None:
    (chat_backend / "pyproject.toml").write_text('[tool.organize-backend.packages]\nemail = ["auth_middleware.py"]\n')

    kept = {item.path: item.reason for item in organize_plan(chat_backend).kept}
    assert kept["auth_middleware.py"] == "package email/ would hide the standard library module email"


def test_an_explicit_move_into_a_shadowing_package_is_made_with_the_hazard_named(chat_backend: Path) -> None:
    (chat_backend / "organize-backend.toml").write_text(
        'layout = "none"\n[[move]]\nfrom = "agent.py"\nto = "agents/agent.py"\n')

    plan = organize_plan(chat_backend)
    assert [(move.source, move.destination) for move in plan.moves] == [("agent.py", "agents/agent.py")]
    [hazard] = [hazard for hazard in plan.hazards if hazard.kind == SHADOWING]
    assert hazard.message.endswith("(moved all the same: the configuration asks for this move explicitly)")


@pytest.mark.parametrize("source", [
    "from flask import Flask\napp = Flask(__name__)\n",
    "from flask import Blueprint\nbp = Blueprint('admin', __name__, template_folder='templates')\n",
])
def test_flask_finds_its_templates_by_the_module_name(source: str) -> None:
    kinds = [hazard.kind for hazard in find_hazards("views.py", source)]
    assert kinds == ["package-relative resource"]


# --- references no rewrite can follow --------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), [
    # an empty fromlist: `__import__` gives the first part of the name, which a longer one would change
    ('m = __import__("_app", globals(), locals(), [], 1)\n', "shop/_app.py"),
    ('m = __import__("_app", level=2)\n', "_app.py"),  # without globals() its package is not the caller's
    ('job = enqueue(f"app.tasks.{name}")\n', "app/tasks.py"),
    ('job = enqueue("app.tasks." + name)\n', "app/tasks.py"),
    ('job = enqueue("app.tasks.%s" % name)\n', "app/tasks.py"),
    ('job = enqueue("app.tasks.{}".format(name))\n', "app/tasks.py"),
    # research-agent starts its sidecar by path: os.path.join(server_dir, "job_sidecar.py")
    ('path = os.path.join(server_dir, "job_sidecar.py")\n', "job_sidecar.py"),
    ('run(["python", "app/tasks.py"])\n', "app/tasks.py"),
])
def test_references_no_rewrite_can_follow(source: str, target: str) -> None:
    assert [ref.target for ref in fixed_references("shop/__init__.py", source, [""])] == [target]


@pytest.mark.parametrize("source", [
    'm = __import__("_app")\n',  # absolute and literal: the string rewriting follows it
    'm = importlib.import_module("app.tasks")\n',
    'm = importlib.import_module(".tasks", __package__)\n',  # rewritten like a relative import statement
    'm = __import__("_app", globals(), locals(), ["."], 1)\n',  # so is this: its name and level
    'key = f"config.{name}"\n',  # one part: a key, not a module path
    'msg = f"see {name}. done"\n',
    'x = "a" + b\n',
    'url = "https://example.org/%s" % path\n',
    'name = "job_sidecar.pyc"\n',
    'text = "run job_sidecar.py first"\n',  # a sentence, not a path
])
def test_what_rewriting_follows_or_no_module_path_is_no_fixed_reference(source: str) -> None:
    assert fixed_references("shop/__init__.py", source, [""]) == []


def test_a_fixed_reference_shows_its_line_and_source() -> None:
    source = "\n\ndef launch(name):\n    return q.enqueue(f'app.tasks.{name}')\n"
    found = fixed_references("app/models.py", source, [""])
    assert found == [FixedReference(4, "app/tasks.py", "f'app.tasks.{name}'")]


def test_modules_named_where_no_rewrite_follows_stay_and_the_app_still_runs(tmp_path: Path, capsys) -> None:
    # microblog hands "app.tasks.<name>" to rq; an `__import__` with an empty fromlist gives the
    # first part of its name, so a longer name would change what it returns
    write_tree(tmp_path, {
        "app/__init__.py": "import importlib\n\n\ndef make_app():\n"
                           "    return __import__('_app', globals(), locals(), [], 1).APP\n\n\n"
                           "def launch_task(name):\n    module, _, func = f'app.tasks.{name}'.rpartition('.')\n"
                           "    return getattr(importlib.import_module(module), func)()\n",
        "app/_app.py": "from app.prices import price\n\nAPP = {'price': price}\n",
        "app/tasks.py": "from app.prices import price\n\n\ndef export_posts():\n    return price(2)\n",
        "app/prices.py": "def price(n):\n    return n * 2\n",
        "app/mailer.py": "def send(body):\n    return body\n",
        "run.py": "from app import launch_task, make_app\n\n"
                  "print(make_app()['price'](2), launch_task('export_posts'))\n",
    })
    assert main(["plan", str(tmp_path), "--root", "app"]) == 0
    out = capsys.readouterr().out
    assert "app/_app.py   (named at app/__init__.py:5 by `__import__('_app', globals(), locals(), [], 1)`" in out
    assert "app/tasks.py   (named at app/__init__.py:9 by `f'app.tasks.{name}'`, which no rewrite can follow" in out
    assert main(["apply", str(tmp_path), "--root", "app"]) == 0
    assert not (tmp_path / "app" / "mailer.py").exists()  # the rest is organized
    run = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout) == (0, "4 4\n"), run.stderr


def test_a_module_loaded_by_a_relative_import_call_moves_and_the_call_follows(tmp_path: Path) -> None:
    # pypiserver: `_app = __import__("_app", globals(), locals(), ["."], 1)`, then it drops the
    # cached module by its full name, so that the next load is a fresh one
    write_tree(tmp_path, {
        "app/__init__.py": "import sys\n\n\ndef make_app(factor):\n"
                           "    _app = __import__('_app', globals(), locals(), ['.'], 1)\n"
                           "    sys.modules.pop('app._app', None)\n"
                           "    _app.FACTOR = factor\n    return _app.scaled\n",
        "app/_app.py": "from app.prices import price\n\nFACTOR = 1\n\n\ndef scaled(n):\n    return price(n) * FACTOR\n",
        "app/prices.py": "def price(n):\n    return n * 2\n",
        "app/mailer.py": "def send(body):\n    return body\n",
        "run.py": "from app import make_app\n\nfirst, second = make_app(1), make_app(10)\n"
                  "print(first(2), second(2))\n",
    })
    before = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert main(["move", "--workspace", str(tmp_path), str(tmp_path / "app/_app.py"), str(tmp_path / "app/web/_app.py")]) == 0
    init = (tmp_path / "app" / "__init__.py").read_text()
    assert "__import__('web._app', globals(), locals(), ['.'], 1)" in init
    assert "sys.modules.pop('app.web._app', None)" in init
    run = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout) == (0, before.stdout) == (0, "4 40\n"), run.stderr


def test_a_module_started_by_its_file_name_from_another_module_stays(tmp_path: Path, capsys) -> None:
    write_tree(tmp_path, {
        "server/server.py": "import subprocess\nimport sys\n\nfrom launcher import launch\n\nprint(launch())\n",
        "server/launcher.py": "import os\nimport subprocess\nimport sys\n\n\ndef launch():\n"
                              "    here = os.path.dirname(os.path.abspath(__file__))\n"
                              "    sidecar = os.path.join(here, 'job_sidecar.py')\n"
                              "    return subprocess.run([sys.executable, sidecar], capture_output=True,"
                              " text=True, check=True).stdout.strip()\n",
        "server/job_sidecar.py": "import os\n\nHERE = os.path.dirname(os.path.abspath(__file__))\n"
                                 "print('sidecar ran')\n",
        "server/job_queue.py": "from launcher import launch\n\nJOBS = [launch]\n",  # core/ holds two without the sidecar
    })
    assert main(["plan", str(tmp_path), "--root", "server"]) == 0
    out = capsys.readouterr().out
    assert "server/job_sidecar.py   (named at server/launcher.py:8 by `'job_sidecar.py'`" in out
    assert "server/job_sidecar.py:3" not in out  # it stays: no hazard of a move it will not make
    assert main(["apply", str(tmp_path), "--root", "server"]) == 0
    run = subprocess.run([sys.executable, "server.py"], cwd=tmp_path / "server", capture_output=True, text=True,
                         check=False)
    assert (run.returncode, run.stdout) == (0, "sidecar ran\n"), run.stderr


# --- folders put on sys.path --------------------------------------------------------------------


@pytest.mark.parametrize(("source", "folder"), [
    ("sys.path.insert(0, os.path.dirname(__file__))\n", "app/core"),
    ("sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n", "app/core"),
    ("sys.path.append(str(Path(__file__).resolve().parent))\n", "app/core"),
    ("sys.path.append(str(Path(__file__).parents[1]))\n", "app"),
    ("sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\n", "app"),
])
def test_a_folder_put_on_sys_path_by_the_files_own_location_is_found(source: str, folder: str) -> None:
    found = folders_put_on_sys_path("app/core/loader.py", source)
    assert [(entry.folder, entry.by_location) for entry in found] == [(folder, True)]


@pytest.mark.parametrize(("source", "folder"), [
    ("sys.path.insert(0, 'plugins')\n", "app/core/plugins"),  # read from the file's folder, where a script runs
    ("sys.path.append('../..')\n", ""),
])
def test_a_literal_folder_put_on_sys_path_is_read_from_the_files_folder(source: str, folder: str) -> None:
    found = folders_put_on_sys_path("app/core/loader.py", source)
    assert [(entry.folder, entry.by_location) for entry in found] == [(folder, False)]


@pytest.mark.parametrize("source", [
    "sys.path.insert(0, __file__)\n",  # the file itself is no folder of modules
    "print(os.path.dirname(__file__))\n",
    "sys.path.insert(0, '../../..')\n",  # outside the workspace
    "sys.path.insert(0, Path(__file__).parents[3])\n",
    "sys.path.insert(0, os.environ['PLUGINS'])\n",
])
def test_what_is_no_folder_put_on_sys_path(source: str) -> None:
    assert folders_put_on_sys_path("app/core/loader.py", source) == []


def test_moving_modules_out_of_a_folder_put_on_sys_path_is_a_hazard(tmp_path: Path, capsys) -> None:
    # AppDaemon's app_management.py: "Add Path for adbase", so that users' apps can `import adbase`
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/app_management.py": "import os\nimport sys\n\n\ndef load():\n"
                                 "    sys.path.insert(0, os.path.dirname(__file__))\n",
        "app/adbase.py": "class ADBase:\n    pass\n",
        "app/adapi.py": "from app.adbase import ADBase\n\n\nclass ADAPI(ADBase):\n    pass\n",
        "main.py": "from app.adapi import ADAPI\n",
    })
    assert main(["plan", str(tmp_path), "--root", "app"]) == 0
    out = capsys.readouterr().out
    assert ("app/app_management.py:6: folder on sys.path: sys.path.insert(0, os.path.dirname(__file__)) puts app/ "
            "on sys.path, so that its modules import by bare name (`import adapi`): `adapi`, `adbase`") in out
    assert main(["apply", str(tmp_path), "--root", "app"]) == 0  # `apply` without a `plan` first says it too
    assert "organize-backend: hazard: app/app_management.py:6: folder on sys.path: " in capsys.readouterr().err


# --- a moved module's path read by another file ----------------------------------------------


@pytest.mark.parametrize("importing", [
    "import app.sudoers\n\nPATH = Path(app.sudoers.__file__).parent.parent\n",
    "import app.sudoers as sudo\n\nPATH = Path(sudo.__file__).parent.parent\n",
    "from app import sudoers\n\nPATH = Path(sudoers.__file__).parent.parent\n",
])
def test_another_files_path_from_a_moved_modules_file_is_named(tmp_path: Path, importing: str) -> None:
    # sshuttle: its test climbs .parent.parent from `sshuttle.sudoers.__file__`; moved into core/, the
    # module's own climb was adjusted and the test's was not, nor named
    write_tree(tmp_path, {
        "app/__init__.py": "", "app/sudoers.py": "def build():\n    return 1\n", "app/engine.py": "X = 1\n",
        "app/text_utils.py": "", "app/date_utils.py": "",
        "tests/test_sudoers.py": "from pathlib import Path\n\n" + importing,
    })
    plan = plan_organize(open_workspace(tmp_path, flags={"root": "app"}))
    assert ("app/sudoers.py", "app/core/sudoers.py") in {(move.source, move.destination) for move in plan.moves}
    found = [hazard for hazard in plan.hazards if hazard.path == "tests/test_sudoers.py"]
    assert [(hazard.line, hazard.kind) for hazard in found] == [(5, "file-relative path")]
    assert found[0].message.endswith("is the path of app/sudoers.py, which moves to app/core/sudoers.py: paths "
                                     "built from it start from app/core/ now (adjusted to point at the same folder)")
    assert main(["apply", str(tmp_path), "--root", "app"]) == 0
    assert (tmp_path / "tests/test_sudoers.py").read_text().endswith(".__file__).parent.parent.parent\n")


def test_a_moved_modules_file_read_in_a_form_that_cannot_be_lifted_is_for_the_user(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "app/__init__.py": "", "app/sudoers.py": "def build():\n    return 1\n", "app/engine.py": "X = 1\n",
        "app/text_utils.py": "", "app/date_utils.py": "",
        "tests/test_sudoers.py": "import app.sudoers\n\nPATH = locate(app.sudoers.__file__)\n",
    })
    plan = plan_organize(open_workspace(tmp_path, flags={"root": "app"}))
    [found] = [hazard for hazard in plan.hazards if hazard.path == "tests/test_sudoers.py"]
    assert found.message.endswith("paths built from it start from app/core/ now; check where they lead")
    assert main(["apply", str(tmp_path), "--root", "app"]) == 0
    assert (tmp_path / "tests/test_sudoers.py").read_text().endswith("locate(app.core.sudoers.__file__)\n")


def test_only_the_file_of_a_module_the_source_imports_is_followed() -> None:
    assert list(modules_files_read("import os\n\nHERE = os.__file__\nX = thing.__file__\n")) == [
        (3, "os", "os.__file__")]


# --- a moved module's name handed to a function organize-backend does not know -----------------


SHIPPING = {
    "tun/__init__.py": "", "tun/helpers.py": "def log(text):\n    print(text)\n",
    "tun/ssnet.py": "from tun.helpers import log\n", "tun/engine.py": "X = 1\n", "tun/rules.py": "Y = 1\n",
    "tun/ssh.py": "import importlib\n\nfrom tun.helpers import log\n\n\ndef ship(empackage, z):\n"
                  "    log('shipping tun.helpers')\n"  # a message: no call hands it on as a name
                  "    importlib.import_module('tun.ssnet')\n"  # an import: the rewrite is all there is
                  "    return empackage(z, 'tun') + empackage(z, 'tun.helpers')\n",
}


def test_a_module_whose_name_the_application_hands_to_an_unknown_function_stays(tmp_path: Path) -> None:
    # sshuttle ships its server's modules by name (`empackage(z, 'sshuttle.helpers')`) and rebuilds them
    # remotely, parent package first: renamed, the string was right and the server's start broke (no test ran it)
    write_tree(tmp_path, SHIPPING)
    plan = plan_organize(open_workspace(tmp_path, flags={"root": "tun"}))
    assert "tun/helpers.py" not in {move.source for move in plan.moves}
    assert {kept.path: kept.reason for kept in plan.kept}["tun/helpers.py"] == (
        "named at tun/ssh.py:9 by 'tun.helpers', handed to empackage(), which organize-backend does not know: "
        "moved, what empackage() does with the name (build, ship or look up the module) could break at run time")
    assert "tun/ssnet.py" in {move.source for move in plan.moves}  # import_module's name is rewritten


def test_a_module_name_a_test_hands_to_an_unknown_function_is_rewritten_and_named(tmp_path: Path) -> None:
    # python-discord's tests patch through their own `autospec("bot.cogs.token_remover", ...)`: the test runs to tell
    files = {**SHIPPING, "tests/test_ship.py": SHIPPING["tun/ssh.py"]}
    del files["tun/ssh.py"]
    write_tree(tmp_path, files)
    plan = plan_organize(open_workspace(tmp_path, flags={"root": "tun"}))
    destination = {move.source: move.destination for move in plan.moves}["tun/helpers.py"]
    found = [(hazard.path, hazard.line, hazard.message) for hazard in plan.hazards if hazard.kind == MODULE_NAME_HANDED_ON]
    new = destination[:-3].replace("/", ".")
    assert found == [("tests/test_ship.py", 9, (
        f"empackage() is handed the module name 'tun.helpers', which the rewrite makes '{new}'; what "
        "empackage() does with a module's name is not known here: check that it works with the new one (code "
        f"that builds or ships modules by name needs the new package, {new.rsplit('.', 1)[0]}, too)"))]


def test_hazards_found_in_other_files_are_in_line_order(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "tun/__init__.py": "", "tun/helpers.py": "X = 1\n", "tun/ssnet.py": "import tun.helpers\n",
        # the first string sits deeper in the syntax tree: a walk of the tree finds the second one first
        "tun/text_utils.py": "", "tests/test_ship.py": "def ship(e, z):\n    first = str(str(e(z, 'tun.ssnet')))\n"
                                                     "    return first + e(z, 'tun.helpers')\n",
    })
    plan = plan_organize(open_workspace(tmp_path, flags={"root": "tun"}))
    lines = [hazard.line for hazard in plan.hazards if hazard.kind == MODULE_NAME_HANDED_ON]
    assert lines == [2, 3]


def test_folders_found_from_another_modules_file_are_lifted_in_every_form() -> None:
    source = ("import os\nfrom pathlib import Path\n\nimport app.core.sudoers as sudo\n\n"
              "A = Path(sudo.__file__).parent.parent\nB = os.path.dirname(sudo.__file__)\n"
              "C = Path(sudo.__file__).resolve().parents[1]\nNAME = os.path.basename(sudo.__file__)\n")
    assert adjust_modules_file_paths(source, {"app.core.sudoers": 1}) == source.replace(
        ".parent.parent\n", ".parent.parent.parent\n").replace(
        "os.path.dirname(sudo.__file__)", "os.path.dirname(os.path.dirname(sudo.__file__))").replace(
        "parents[1]", "parents[2]")
    assert adjust_modules_file_paths(source, {"app.other": 1}) is None  # nothing of a moved module is read


def test_a_module_whose_class_the_application_names_by_its_dotted_path_stays(tmp_path: Path) -> None:
    # django-helpdesk: a setting's default "helpdesk.forms.PublicTicketForm", loaded by import_module at run
    # time, was only suggested for review; forms.py moved, and the public pages answered 500
    write_tree(tmp_path, {
        "desk/__init__.py": "", "desk/forms.py": "class PublicTicketForm:\n    pass\n\n\ndef clean():\n    pass\n",
        "desk/settings.py": "FORM_CLASS = getattr(object(), 'FORM', 'desk.forms.PublicTicketForm')\n"
                            "HOOK = getattr(object(), 'HOOK', 'desk.hooks.notify')\n"
                            "LABEL = 'desk.hooks.LABEL'\n",  # a constant's path: may be anything, as before
        "desk/hooks.py": "LABEL = 'x'\n\n\ndef notify():\n    pass\n",
        "desk/views.py": "import importlib\n\nfrom desk import settings\n\n\ndef form():\n"
                         "    module, name = settings.FORM_CLASS.rsplit('.', 1)\n"
                         "    return getattr(importlib.import_module(module), name)\n",
        "desk/forms_utils.py": "", "desk/text_utils.py": "", "desk/date_utils.py": "",
    })
    plan = plan_organize(open_workspace(tmp_path, flags={"root": "desk"}))
    kept = {kept.path: kept.reason for kept in plan.kept}
    assert kept["desk/forms.py"] == (
        "named at desk/settings.py:1 by 'desk.forms.PublicTicketForm', the dotted path of a class or function it "
        "defines, which the rewrite only suggests: code that loads it by that name at run time would no longer find it")
    assert kept["desk/hooks.py"].startswith("named at desk/settings.py:2 by 'desk.hooks.notify'")
    assert "desk/text_utils.py" in {move.source for move in plan.moves}


def test_an_explicit_move_of_a_module_named_by_an_uncertain_string_is_made_and_named(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "desk/__init__.py": "", "desk/forms.py": "class PublicTicketForm:\n    pass\n",
        "desk/settings.py": "FORM_CLASS = getattr(object(), 'FORM', 'desk.forms.PublicTicketForm')\n",
        "organize-backend.toml": 'layout = "none"\n[[move]]\nfrom = "desk/forms.py"\nto = "desk/core/forms.py"\n',
    })
    plan = plan_organize(open_workspace(tmp_path, flags={"root": "desk"}))
    assert [move.source for move in plan.moves] == ["desk/forms.py"]
    message = ("named at desk/settings.py:1 by 'desk.forms.PublicTicketForm', the dotted path of a class or function "
               "it defines, which the rewrite only suggests: code that loads it by that name at run time would no "
               "longer find it (moved all the same: the configuration asks for this move explicitly)")
    assert [(hazard.path, hazard.kind, hazard.message) for hazard in plan.hazards] == [
        ("desk/forms.py", "module name handed on", message)]
