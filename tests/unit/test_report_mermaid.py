"""The plan report's picture: the packages after the moves and the imports between them, as a
Mermaid block, with import cycles between packages marked (report.py, planning/import_graph.py)."""

from __future__ import annotations

from pathlib import Path

from helpers import write_tree
from organize_backend.cli import main
from organize_backend.model import Move, Plan
from organize_backend.planning.import_graph import edges_in_cycles, import_cycles, package_imports
from organize_backend.report import plan_as_data, render_mermaid, render_plan

MOVES = (
    Move("backend/agent.py", "backend/agents/agent.py", "r"),
    Move("backend/database.py", "backend/database/database.py", "r"),
    Move("backend/chat_service.py", "backend/services/chat_service.py", "r"),
)

FILES = {
    "backend/main.py": "from agent import run\nimport config\n",
    "backend/config.py": "DEBUG = True\n",
    "backend/agent.py": "from database import get_db\nimport config\n\n\ndef run():\n    return get_db()\n",
    "backend/database.py": "def get_db():\n    return 1\n",
    "backend/chat_service.py": "from database import get_db\n",
}


def encoded(files: dict[str, str]) -> dict[str, bytes]:
    return {path: text.encode() for path, text in files.items()}


def test_imports_between_packages_are_read_after_the_moves() -> None:
    packages, pairs = package_imports(encoded(FILES), "backend", None, MOVES)
    assert packages == ("", "agents", "database", "services")
    assert pairs == (("", "agents"), ("agents", ""), ("agents", "database"), ("services", "database"))


def test_relative_and_package_name_imports_count_too() -> None:
    files = encoded({
        "shop/__init__.py": "",
        "shop/orders.py": "from .database import stock\n",
        "shop/database.py": "from shop.models import Row\n",
        "shop/models.py": "class Row:\n    pass\n",
    })
    moves = (Move("shop/orders.py", "shop/services/orders.py", "r"),
             Move("shop/models.py", "shop/models/models.py", "r"))
    _, pairs = package_imports(files, "shop", "shop", moves)
    assert pairs == (("", "models"), ("services", ""))


def test_the_mermaid_block_of_a_plan_without_a_cycle() -> None:
    packages, pairs = package_imports(encoded(FILES), "backend", None, MOVES)
    plan = Plan(moves=MOVES, packages_after=packages, package_imports=pairs)
    assert render_mermaid(plan) == [
        "graph LR",
        '    root["root modules"]',
        '    pkg_agents["agents/"]',
        '    pkg_database["database/"]',
        '    pkg_services["services/"]',
        "    root --> pkg_agents",
        "    pkg_agents --> root",
        "    pkg_agents --> pkg_database",
        "    pkg_services --> pkg_database",
    ]
    report = render_plan(plan, None)
    assert "```mermaid\ngraph LR\n" in report and report.endswith("```")
    assert "Import cycle" not in report  # root <-> agents: the entry point and the leftover config


def test_a_cycle_between_packages_is_drawn_red_and_named() -> None:
    files = {**FILES, "backend/database.py": "from chat_service import audit\n\n\ndef get_db():\n    return 1\n",
             "backend/chat_service.py": "from database import get_db\n\n\ndef audit():\n    pass\n"}
    packages, pairs = package_imports(encoded(files), "backend", None, MOVES)
    plan = Plan(moves=MOVES, packages_after=packages, package_imports=pairs)
    lines = render_mermaid(plan)
    edges = [line.strip() for line in lines if "-->" in line]
    assert edges == ["root --> pkg_agents", "pkg_agents --> root", "pkg_agents --> pkg_database",
                     "pkg_database --> pkg_services", "pkg_services --> pkg_database"]
    assert lines[-1] == "    linkStyle 3,4 stroke:red,stroke-width:2px,stroke-dasharray:5 5"
    report = render_plan(plan, None)
    assert "Import cycle: database/ -> services/ -> database/" in report
    data = plan_as_data(plan, None)
    assert data["import_cycles"] == [["database/", "services/", "database/"]]
    assert data["mermaid"].startswith("graph LR\n")


def test_cycles_through_three_packages() -> None:
    pairs = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
    assert import_cycles(pairs) == [["a", "b", "c", "a"]]
    assert edges_in_cycles(pairs) == {("a", "b"), ("b", "c"), ("c", "a")}
    assert import_cycles([("a", "b"), ("b", "c")]) == []


def test_plan_prints_the_picture(tmp_path: Path, capsys) -> None:
    # db_session.py, not database.py, and a second module for each package: no new package is made for one module
    files = {path.replace("database.py", "db_session.py"): text.replace("from database", "from db_session")
             for path, text in FILES.items()}
    files.update({"backend/agent_memory.py": "HISTORY = []\n", "backend/db_engine.py": "ENGINE = None\n",
                  "backend/user_service.py": "from db_session import get_db\n"})
    root = write_tree(tmp_path / "ws", files)
    assert main(["plan", str(root)]) == 0
    out = capsys.readouterr().out
    assert "```mermaid" in out and "pkg_agents --> pkg_database" in out
