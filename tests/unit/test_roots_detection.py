"""Finding the flat folder when nothing names it (planning/roots.py), and refusing the relative
imports of a folder without __init__.py, from the function up to the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import tree_bytes, write_tree
from organize_backend.cli import EXIT_REFUSED, main
from organize_backend.model import Move, OrganizeError
from organize_backend.pipeline import open_workspace, plan_organize
from organize_backend.planning.roots import find_root, refuse_namespace_relative_imports, root_candidates

# A repository whose backend lives in backend/, beside build files and a tests folder whose
# helpers import each other too.
REPOSITORY = {
    "setup.py": "from setuptools import setup\n\nsetup(name='demo')\n",
    "noxfile.py": "import nox\n\n\n@nox.session\ndef tests(session):\n    session.run('pytest')\n",
    "backend/main.py": "from fastapi import FastAPI\n\nfrom agent import run\nfrom database import get_db\n\n"
                       "app = FastAPI()\n",
    "backend/agent.py": "from agent_memory import remember\nfrom database import get_db\nfrom models import Message\n\n\n"
                        "def run(text):\n    return remember(Message(text)), get_db()\n",
    "backend/agent_memory.py": "def remember(message):\n    return message\n",
    "backend/database.py": "import sqlite3\n\n\ndef get_db():\n    return sqlite3.connect('app.db')\n",
    "backend/models.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass Message:\n    text: str\n",
    "backend/session_service.py": "import database\n\n\nclass SessionService:\n    db = database.get_db\n",
    "tests/helpers.py": "def client():\n    return None\n",
    "tests/factories.py": "from helpers import client\n\n\ndef make():\n    return client()\n",
    "tests/test_api.py": "from factories import make\n\n\ndef test_make():\n    assert make() is None\n",
}


def files_of(tree: dict[str, str]) -> dict[str, bytes]:
    return {path: text.encode() for path, text in tree.items()}


def test_the_backend_folder_is_found_and_the_reason_given() -> None:
    choice = find_root(files_of(REPOSITORY))
    assert choice.folder == "backend"
    assert choice.reason == "backend/: 6 modules that import each other by bare name"


def test_a_src_package_is_found_by_its_name_and_relative_imports() -> None:
    files = files_of({
        "pyproject.toml": "[project]\nname = 'shop'\n",
        "src/shop/__init__.py": "",
        "src/shop/database.py": "ROWS = {}\n",
        "src/shop/orders.py": "from shop.database import ROWS\n",
        "src/shop/main.py": "from . import orders\n",
    })
    choice = find_root(files)
    assert choice.folder == "src/shop"
    assert choice.reason == ("src/shop/: 3 modules that import each other by relative imports "
                             "and by their package name shop")


def test_a_package_inside_the_backend_is_part_of_it_not_a_backend_of_its_own() -> None:
    # routes/ has modules that import each other by relative imports, but it is a package of
    # backend/, which holds more modules.
    routes = {"backend/routes/__init__.py": "", "backend/routes/chat.py": "from .common import reply\n",
              "backend/routes/admin.py": "from .common import reply\n", "backend/routes/common.py": "reply = 1\n"}
    files = files_of({**REPOSITORY, **routes})
    assert [candidate.folder for candidate in root_candidates(files)] == ["backend"]
    assert find_root(files).folder == "backend"


def test_a_bigger_package_beside_its_entry_points_is_the_backend() -> None:
    # microblog's shape: microblog.py, config.py and tests.py at the root; the modules in app/
    files = files_of({
        "microblog.py": "from app import create_app\nimport config\n", "config.py": "DEBUG = True\n",
        "tests.py": "import config\nfrom app.models import User\n",
        "app/__init__.py": "from app.models import db\n\n\ndef create_app():\n    return 1\n",
        "app/models.py": "from app.search import index\n\ndb = None\n\n\nclass User:\n    pass\n",
        "app/search.py": "def index():\n    pass\n", "app/email.py": "from app.tasks import send\n",
        "app/tasks.py": "from app.models import User\n\n\ndef send():\n    pass\n",
        "app/translate.py": "import requests\n", "app/cli.py": "from app.models import User\n",
        "app/api/__init__.py": "", "app/api/users.py": "from app.api.auth import token\n",
        "app/api/auth.py": "token = 1\n",
    })
    choice = find_root(files)
    assert choice.folder == "app"
    assert choice.reason == "app/: 6 modules, 5 of which import each other by their package name app"


def test_two_backends_alike_are_refused_naming_both_and_the_flag() -> None:
    files = files_of({
        "api/main.py": "import routes\n", "api/routes.py": "import db\n", "api/db.py": "X = 1\n",
        "worker/run.py": "import jobs\n", "worker/jobs.py": "import queue_client\n",
        "worker/queue_client.py": "Q = 1\n",
    })
    with pytest.raises(OrganizeError) as refused:
        find_root(files)
    message = str(refused.value)
    assert "api/ (3 modules that import each other by bare name)" in message
    assert "worker/ (3 modules" in message
    assert "--root FOLDER" in message


def test_the_file_in_hand_picks_among_backends_alike() -> None:
    files = files_of({
        "api/main.py": "import routes\n", "api/routes.py": "import db\n", "api/db.py": "X = 1\n",
        "worker/run.py": "import jobs\n", "worker/jobs.py": "import queue_client\n",
        "worker/queue_client.py": "Q = 1\n",
    })
    choice = find_root(files, near="worker/jobs.py")
    assert choice.folder == "worker"
    assert choice.reason.startswith("worker/: the folder of worker/jobs.py")


def test_a_clear_winner_is_taken_over_a_small_one() -> None:
    files = files_of({**REPOSITORY, "scripts/a.py": "import b\n", "scripts/b.py": "X = 1\n"})
    assert find_root(files).folder == "backend"


def test_no_modules_that_import_each_other_leave_the_workspace_folder() -> None:
    choice = find_root(files_of({"main.py": "print('hi')\n", "other.py": "import os\n"}))
    assert choice.folder == ""
    assert "no folder has modules that import each other" in choice.reason


def test_namespace_relative_imports_touched_by_a_move_are_refused_with_file_and_line() -> None:
    files = files_of({"pkgdir/a.py": "def f():\n    return 1\n",
                      "pkgdir/b.py": "import os\nfrom .a import f\n"})
    with pytest.raises(OrganizeError) as refused:
        refuse_namespace_relative_imports(files, [Move("pkgdir/a.py", "pkgdir/utils/a.py", "test")])
    assert "pkgdir/b.py:2: from .a import f" in str(refused.value)
    assert "pkgdir/__init__.py" in str(refused.value)
    # moved together, the modules still find each other; a regular package is the engine's to rewrite
    refuse_namespace_relative_imports(files, [Move("pkgdir", "core/pkgdir", "test")])
    refuse_namespace_relative_imports(files, [Move("other.py", "lib/other.py", "test")])
    refuse_namespace_relative_imports({**files, "pkgdir/__init__.py": b""},
                                      [Move("pkgdir/a.py", "pkgdir/utils/a.py", "test")])


# --- through the pipeline and the command line ---------------------------------------------------


def test_plan_at_the_repository_root_organizes_the_backend_folder(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "repo", REPOSITORY)
    assert main(["plan", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Organizing backend/: 6 modules that import each other by bare name"
    assert "backend/agent.py" in out and "-> backend/agents/agent.py" in out


def test_after_an_organize_the_folder_it_took_stays_the_root_until_undone(tmp_path: Path, capsys) -> None:
    # research-agent: once server/ held packages, a search found server/core/ and server/ both,
    # and `check` read imports from the wrong root (a false error apply's own check did not show)
    root = write_tree(tmp_path / "repo", REPOSITORY)
    assert main(["apply", str(root)]) == 0
    capsys.readouterr()
    assert main(["plan", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:3] == ["Organizing backend/: the folder the last organize took (--root names another)",
                                    "Moves (0):", "  none"]
    assert main(["check", str(root)]) == 0
    assert main(["undo", str(root)]) == 0
    capsys.readouterr()
    assert main(["plan", str(root)]) == 0
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line == "Organizing backend/: 6 modules that import each other by bare name"


def test_apply_at_the_repository_root_checks_the_folder_it_organized(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "repo", REPOSITORY)
    assert main(["apply", str(root)]) == 0, capsys.readouterr()
    assert (root / "backend/agents/agent.py").is_file()
    main_py = (root / "backend/main.py").read_text()
    assert main_py.startswith("from fastapi import FastAPI\n\nfrom agents.agent import run\n")


def test_an_ambiguous_workspace_is_refused_by_the_command_line(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "repo", {
        "api/main.py": "import agent\n", "api/agent.py": "import database\n", "api/database.py": "X = 1\n",
        "worker/run.py": "import agent\n", "worker/agent.py": "import database\n", "worker/database.py": "Q = 1\n",
    })
    before = tree_bytes(root)
    assert main(["apply", str(root)]) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "cannot tell which folder to organize" in err and "--root" in err and "Traceback" not in err
    assert tree_bytes(root) == before
    assert main(["plan", str(root), "--root", "worker"]) == 0


def test_check_goes_on_where_the_folder_to_organize_is_unclear(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        "api/main.py": "import agent\n", "api/agent.py": "import database\n", "api/database.py": "X = 1\n",
        "worker/run.py": "import agent\n", "worker/agent.py": "import database\n", "worker/database.py": "Q = 1\n",
    })
    workspace = open_workspace(root)
    assert workspace.snapshot.organize_root == "" and workspace.unsure_root
    with pytest.raises(OrganizeError, match="cannot tell which folder"):
        plan_organize(workspace)
    assert open_workspace(root, near="api/agent.py").snapshot.organize_root == "api"


NAMESPACE = {
    "repo/pkgdir/database.py": "def get_db():\n    return 1\n",
    "repo/pkgdir/agent.py": "from .database import get_db\n\n\ndef run():\n    return get_db()\n",
    "repo/pkgdir/agent_memory.py": "HISTORY = []\n",
    "repo/pkgdir/main.py": "from .agent import run\n\nprint(run())\n",
}


@pytest.mark.parametrize("argv", [["plan", "repo", "--root", "pkgdir"], ["plan", "repo"],
                                  ["apply", "repo", "--root", "pkgdir"], ["apply", "repo"]],
                         ids=["plan --root", "plan found", "apply --root", "apply found"])
def test_relative_imports_without_init_are_a_message_not_a_traceback(tmp_path: Path, capsys, monkeypatch,
                                                                     argv: list[str]) -> None:
    write_tree(tmp_path, NAMESPACE)
    monkeypatch.chdir(tmp_path)
    before = tree_bytes(tmp_path)
    assert main(argv) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "pkgdir/agent.py:1: from .database import get_db" in err
    assert "pkgdir/main.py:1: from .agent import run" in err
    assert "add an empty pkgdir/__init__.py" in err.lower()
    assert tree_bytes(tmp_path) == before


def test_with_an_init_the_same_folder_is_organized_keeping_relative_imports(tmp_path: Path) -> None:
    write_tree(tmp_path, {**NAMESPACE, "repo/pkgdir/__init__.py": ""})
    assert main(["apply", str(tmp_path / "repo"), "--root", "pkgdir"]) == 0
    assert (tmp_path / "repo/pkgdir/main.py").read_text().startswith("from .agents.agent import run\n")
    agent = (tmp_path / "repo/pkgdir/agents/agent.py").read_text()
    assert agent.startswith("from ..database import get_db\n")  # database/database.py would hold only it: stays


def test_the_language_server_organizes_the_folder_of_the_file_in_hand(tmp_path: Path, monkeypatch) -> None:
    from organize_backend.lsp import server as lsp_server
    from organize_backend.lsp.client import ClientProfile

    root = write_tree(tmp_path / "repo", {
        "api/main.py": "import agent\n", "api/agent.py": "import database\n", "api/database.py": "X = 1\n",
        "worker/run.py": "import agent_memory\nimport agent_tools\nimport user_models\n",
        "worker/agent_tools.py": "import order_models\nimport user_models\n", "worker/agent_memory.py": "M = []\n",
        "worker/user_models.py": "Q = 1\n", "worker/order_models.py": "O = 1\n",
    })
    ls = lsp_server.OrganizeServer()
    ls.root, ls.profile = root, ClientProfile(resource_operations=True, resolve_edit=True, disabled_actions=True)
    monkeypatch.setattr(ls, "workspace_view", lambda near=None: open_workspace(root, near=near))
    monkeypatch.setattr(ls.preparer, "start", lambda key, work: None)
    uri = (root / "worker/user_models.py").as_uri()
    listed = lsp_server.list_actions(ls, uri, "worker/user_models.py", ["source"])
    assert [action.title for action in listed] == ["Organize backend: move 4 modules into 2 packages"]
    _, changes = lsp_server.changes_for(ls, listed[0].data)
    assert sorted(changes.path_map) == ["worker/agent_memory.py", "worker/agent_tools.py", "worker/order_models.py",
                                        "worker/user_models.py"]


def test_a_src_layout_beside_a_tests_package_keeps_its_relative_imports(tmp_path: Path, monkeypatch) -> None:
    # django-helpdesk: tests/__init__.py at the root made rope stop there, take `src` for a package to
    # create, and every relative import it saw was written absolute ("outside this package")
    root = write_tree(tmp_path / "repo", {
        "pyproject.toml": '[project]\nname = "shop"\n\n[tool.setuptools.packages.find]\nwhere = ["src"]\n',
        "src/shop/__init__.py": "", "src/shop/lib.py": "def total(xs):\n    return sum(xs)\n",
        "src/shop/models.py": "from .lib import total\n\n\nclass Order:\n    def __init__(self, xs):\n"
                              "        self.total = total(xs)\n",
        "src/shop/query.py": "from .models import Order\n\n\ndef make(xs):\n    return Order(xs)\n",
        "tests/__init__.py": "", "tests/test_query.py": "from shop.query import make\n",
    })
    monkeypatch.chdir(root)
    assert main(["move", "src/shop/lib.py", "src/shop/core/"]) == 0
    assert not (root / "src/__init__.py").exists()
    assert (root / "src/shop/models.py").read_text().startswith("from .core.lib import total\n")
    assert (root / "src/shop/query.py").read_text().startswith("from .models import Order\n")
