"""Roots other than the workspace, end to end: organize, then run the app the way it is run.

Three layouts, each with modules that call each other, tests of their own and an entry
point: a backend in `backend/` run from inside it (`cd backend && python app.py`), a
workspace that is itself a package (run as `python -m shop.main` from the folder above),
and a src layout whose unrelated package sits beside the flat folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import run_fixture_tests, tree_bytes, write_tree

from organize_backend.cli import main


def run(code_or_args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run([sys.executable, *code_or_args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def changed_lines(before: dict[str, bytes], root: Path, path_map: dict[str, str]) -> list[tuple[str, str]]:
    """(old line, new line) for every line that differs, file by file; lines must pair up one to one."""
    pairs = []
    for old, new in path_map.items():
        old_lines = before[old].decode().splitlines()
        new_lines = (root / new).read_text().splitlines()
        assert len(old_lines) == len(new_lines), f"{old} -> {new}: lines added or removed"
        pairs += [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
    return pairs


BACKEND = {
    "organize-backend.toml": 'root = "backend"\nlayout = "none"\n'
                             '[[move]]\nfrom = "backend/models.py"\nto = "backend/models/models.py"\n'
                             '[[move]]\nfrom = "backend/user_service.py"\nto = "backend/services/user_service.py"\n',
    "README.md": "# demo\n\nRun it: `cd backend && python app.py`\n",
    "backend/models.py": "class User:\n    def __init__(self, name):\n        self.name = name\n",
    "backend/user_service.py": "import os\n\nos.environ.setdefault('GREETING', 'hello')\n\nfrom models import User\n\n\n"
                               "def make(name):\n    return User(name)\n\n\n"
                               "def greet(user):\n    return os.environ['GREETING'] + ' ' + user.name\n",
    "backend/app.py": "import sys\n\nimport user_service\nfrom models import (\n    User,  # the model\n)\n\n\n"
                      "def main():\n    user = user_service.make('ada')\n    assert isinstance(user, User)\n"
                      "    return user_service.greet(user)\n\n\n"
                      "if __name__ == '__main__':\n    print(main())\n    sys.exit(0)\n",
    "backend/test_app.py": "import app\n\n\ndef test_main():\n    assert app.main() == 'hello ada'\n",
}


def test_a_backend_folder_still_runs_from_inside_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", BACKEND)
    before = tree_bytes(root)
    assert run(["app.py"], root / "backend").stdout == "hello ada\n"
    assert main(["apply", str(root)]) == 0
    done = run(["app.py"], root / "backend")
    assert done.returncode == 0 and done.stdout == "hello ada\n", done.stderr
    tests = run_fixture_tests(root / "backend")
    assert tests.returncode == 0, tests.stdout
    pairs = changed_lines(before, root, {"backend/app.py": "backend/app.py",
                                         "backend/user_service.py": "backend/services/user_service.py"})
    assert sorted(pairs) == sorted([
        ("import user_service", "from services import user_service"),
        ("from models import (", "from models.models import ("),
        ("from models import User", "from models.models import User"),
    ])
    assert main(["undo", str(root)]) == 0 and tree_bytes(root) == before


SHOP = {
    "shop/__init__.py": "",
    "shop/organize-backend.toml": 'layout = "none"\n[[move]]\nfrom = "database.py"\nto = "database/database.py"\n'
                                  '[[move]]\nfrom = "orders.py"\nto = "services/orders.py"\n',
    "shop/database.py": "ROWS = {'apple': 3}\n\n\ndef stock(name):\n    return ROWS[name]\n",
    "shop/orders.py": "from .database import stock\n\n\ndef order(name, count):\n    return stock(name) >= count\n",
    "shop/main.py": "from . import orders\nfrom .database import ROWS\n\n\n"
                    "def run():\n    return orders.order('apple', 2), len(ROWS)\n\n\n"
                    "if __name__ == '__main__':\n    print(run())\n",
}


def test_a_workspace_that_is_a_package_keeps_its_relative_imports(tmp_path: Path) -> None:
    parent = write_tree(tmp_path / "above", SHOP)
    root = parent / "shop"
    before = tree_bytes(root)
    assert main(["apply", str(root)]) == 0
    done = run(["-m", "shop.main"], parent)
    assert done.returncode == 0 and done.stdout == "(True, 1)\n", done.stderr
    pairs = changed_lines(before, root, {"main.py": "main.py", "orders.py": "services/orders.py"})
    assert sorted(pairs) == sorted([
        ("from . import orders", "from .services import orders"),
        ("from .database import ROWS", "from .database.database import ROWS"),
        ("from .database import stock", "from ..database.database import stock"),
    ])


SRC = {
    "organize-backend.toml": 'root = "backend"\nlayout = "none"\n'
                             '[[move]]\nfrom = "backend/agent.py"\nto = "backend/agents/agent.py"\n',
    "src/mypkg/__init__.py": "",
    "src/mypkg/agent.py": "def run():\n    return 'library agent'\n",
    "src/mypkg/cli.py": "from . import agent\n\n\ndef main():\n    return agent.run()\n",
    "backend/agent.py": "def run():\n    return 'backend agent'\n",
    "backend/main.py": "import agent\n\nprint(agent.run())\n",
}


def test_a_src_layout_beside_the_backend_is_left_alone(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", SRC)
    before = tree_bytes(root)
    assert main(["apply", str(root)]) == 0
    assert (root / "src/mypkg/cli.py").read_bytes() == before["src/mypkg/cli.py"]
    assert (root / "src/mypkg/agent.py").read_bytes() == before["src/mypkg/agent.py"]
    assert (root / "backend/main.py").read_text() == "from agents import agent\n\nprint(agent.run())\n"
    assert run(["main.py"], root / "backend").stdout == "backend agent\n"
    assert run(["-c", "from mypkg import cli; print(cli.main())"], root / "src").stdout == "library agent\n"


def test_a_single_move_adds_no_structure_section(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {
        "README.md": "# demo\n\nThe models live in `models.py`.\n",
        "models.py": "class User:\n    pass\n",
        "app.py": "from models import User\n\nprint(User.__name__)\n",
    })
    assert main(["move", str(root / "models.py"), str(root / "models"), "--workspace", str(root)]) == 0
    assert (root / "README.md").read_text() == "# demo\n\nThe models live in `models/models.py`.\n"
    assert run(["app.py"], root).stdout == "User\n"
