"""`plan --write` (planning/plan_file.py): the plan as explicit moves in the configuration,
every other byte of the user's file kept, and `apply` then making exactly the written moves;
and the same for a plan the user edited in an editor."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from helpers import write_tree
from organize_backend.cli import main
from organize_backend.config import Config, load_config
from organize_backend.model import Move, OrganizeError, Plan
from organize_backend.pipeline import open_workspace, plan_organize
from organize_backend.planning.plan_file import BEGIN, END, editable_plan, write_edited_moves, write_plan

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BACKEND = {
    "backend/main.py": "from agent import run\nimport database\n\nprint(run(), database.get_db())\n",
    "backend/agent.py": "from database import get_db\n\n\ndef run():\n    return get_db()\n",
    "backend/database.py": "def get_db():\n    return 'db'\n",
    "backend/text_utils.py": "def clean(text):\n    return text.strip()\n",
}

PYPROJECT = """\
[project]
name = "demo"   # the name   stays as typed
dependencies = [
  "fastapi",
]

[tool.organize-backend]
# the team's choice
layout = 'skill'
keep = ["main.py"]

[tool.ruff]
line-length = 100
"""

PLAN = Plan(moves=(Move("backend/agent.py", "backend/agents/agent.py", "r"),
                   Move("backend/database.py", "backend/database/database.py", "r")))


def read_back(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))["tool"]["organize-backend"]


def test_the_moves_are_written_and_every_other_line_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    written = write_plan(tmp_path, load_config(tmp_path), PLAN, "backend")
    assert written.path == path and written.moves == 2
    text = path.read_text()
    before_block = text.split("\n" + BEGIN)[0].splitlines()
    assert [line for line in PYPROJECT.splitlines() if "layout" not in line] == \
        [line for line in before_block if line not in ('layout = "none"', 'root = "backend"')]
    table = read_back(path)
    assert table["layout"] == "none" and table["root"] == "backend" and table["keep"] == ["main.py"]
    assert table["move"] == [{"from": "backend/agent.py", "to": "backend/agents/agent.py"},
                             {"from": "backend/database.py", "to": "backend/database/database.py"}]
    assert text.endswith(END + "\n")


def test_writing_again_replaces_the_block(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    write_plan(tmp_path, load_config(tmp_path), PLAN, "backend")
    once = path.read_text()
    write_plan(tmp_path, load_config(tmp_path), PLAN, "backend")
    assert path.read_text() == once
    write_plan(tmp_path, load_config(tmp_path), Plan(moves=PLAN.moves[:1]), "backend")
    assert read_back(path)["move"] == [{"from": "backend/agent.py", "to": "backend/agents/agent.py"}]
    assert path.read_text().count(BEGIN) == 1


def test_moves_written_by_hand_make_way_for_the_plan_that_holds_them(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT + '\n[[tool.organize-backend.move]]\nfrom = "backend/agent.py"\n'
                                'to = "backend/agents/agent.py"\n\n[tool.black]\nline-length = 100\n')
    write_plan(tmp_path, load_config(tmp_path), PLAN, "backend")
    assert len(read_back(path)["move"]) == 2
    assert "[tool.black]\nline-length = 100\n" in path.read_text()


def test_a_pyproject_without_the_table_gets_one_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "demo"')  # no final newline
    write_plan(tmp_path, load_config(tmp_path), PLAN, "")
    text = path.read_text()
    assert text.startswith('[project]\nname = "demo"\n\n[tool.organize-backend]\nlayout = "none"\nroot = "."\n')
    assert load_config(tmp_path).moves == tuple((m.source, m.destination) for m in PLAN.moves)


def test_without_pyproject_a_dedicated_file_is_made(tmp_path: Path) -> None:
    write_plan(tmp_path, load_config(tmp_path), PLAN, "backend")
    config = load_config(tmp_path)
    assert config.source == "organize-backend.toml" and config.layout == "none" and config.root == "backend"
    assert (tmp_path / "organize-backend.toml").read_text().startswith('layout = "none"\nroot = "backend"\n')
    assert "[[move]]" in (tmp_path / "organize-backend.toml").read_text()


def test_settings_in_the_dedicated_file_stay_there_beside_a_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "organize-backend.toml").write_text('keep = ["main.py"]\n')
    write_plan(tmp_path, load_config(tmp_path), PLAN, "backend")
    assert (tmp_path / "pyproject.toml").read_text() == '[project]\nname = "demo"\n'
    config = load_config(tmp_path)
    assert config.source == "organize-backend.toml" and config.keep == ("main.py",) and len(config.moves) == 2


def test_windows_line_ends_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(PYPROJECT.replace("\n", "\r\n").encode())
    write_plan(tmp_path, load_config(tmp_path), PLAN, "backend")
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert read_back(path)["layout"] == "none"


def test_a_block_whose_end_line_is_gone_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    write_plan(tmp_path, load_config(tmp_path), PLAN, "backend")
    broken = path.read_text().replace(END + "\n", "")
    path.write_text(broken)
    with pytest.raises(OrganizeError, match="lost its end line"):
        write_plan(tmp_path, load_config(tmp_path), PLAN, "backend")
    assert path.read_text() == broken


def test_a_file_that_would_not_read_back_the_same_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    original = '[tool.organize-backend]\n"layout" = "skill"\n'  # a quoted key: not found, added twice
    path.write_text(original)
    with pytest.raises(OrganizeError, match="nothing was changed"):
        write_plan(tmp_path, Config(source="pyproject.toml"), PLAN, "backend")
    assert path.read_text() == original


# --- the command line: plan --write, then apply --------------------------------------------------


def python_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


def test_plan_write_then_apply_makes_exactly_the_written_plan(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "repo", {**BACKEND, "pyproject.toml": PYPROJECT})
    assert main(["plan", str(root), "--write"]) == 0
    assert "wrote 3 move(s) to pyproject.toml" in capsys.readouterr().err
    written = [(entry["from"], entry["to"]) for entry in read_back(root / "pyproject.toml")["move"]]
    assert written == [("backend/agent.py", "backend/agents/agent.py"),
                       ("backend/database.py", "backend/database/database.py"),
                       ("backend/text_utils.py", "backend/utils/text_utils.py")]
    assert main(["apply", str(root)]) == 0
    moved = {destination for _, destination in written}
    assert moved <= set(python_files(root))
    assert not any((root / source).exists() for source, _ in written)


def test_an_edited_destination_changes_what_apply_does(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "repo", {**BACKEND, "pyproject.toml": PYPROJECT})
    assert main(["plan", str(root), "--write"]) == 0
    path = root / "pyproject.toml"
    path.write_text(path.read_text().replace('to = "backend/utils/text_utils.py"', 'to = "backend/core/text_utils.py"'))
    assert main(["apply", str(root)]) == 0
    files = python_files(root)
    assert "backend/core/text_utils.py" in files and "backend/utils/text_utils.py" not in files
    assert "backend/agents/agent.py" in files and "backend/database/database.py" in files
    assert (root / "backend/main.py").read_text().startswith("from agents.agent import run\n")


def test_a_plan_that_moves_nothing_leaves_the_written_moves_as_a_record(tmp_path: Path, capsys) -> None:
    root = write_tree(tmp_path / "repo", {**BACKEND, "pyproject.toml": PYPROJECT})
    assert main(["plan", str(root), "--write"]) == 0
    assert main(["apply", str(root)]) == 0
    written = (root / "pyproject.toml").read_text()
    capsys.readouterr()
    assert main(["plan", str(root), "--write"]) == 0
    assert "nothing written" in capsys.readouterr().err
    assert (root / "pyproject.toml").read_text() == written


# --- a plan edited in an editor (the language server's planMoves and writePlan) -------------


def edited_backend(tmp_path: Path, pyproject: str = PYPROJECT) -> Path:
    return write_tree(tmp_path / "repo", {**BACKEND, "backend/legacy/__init__.py": "", "pyproject.toml": pyproject})


def test_the_editable_plan_lists_moves_kept_modules_and_packages_below_the_root(tmp_path: Path) -> None:
    root = edited_backend(tmp_path)
    write_tree(root, {"tools/__init__.py": ""})  # a package outside the organized folder: no destination
    workspace = open_workspace(root)
    data = editable_plan(workspace.snapshot, plan_organize(workspace))
    assert data["root"] == "backend"
    assert [(move["from"], move["to"]) for move in data["moves"]] == [
        ("backend/agent.py", "backend/agents/agent.py"), ("backend/database.py", "backend/database/database.py"),
        ("backend/text_utils.py", "backend/utils/text_utils.py")]
    assert [kept["path"] for kept in data["kept"]] == ["backend/main.py"]
    assert data["packages"] == ["backend/agents", "backend/database", "backend/legacy", "backend/utils"]


def test_edited_moves_are_written_and_apply_makes_exactly_them(tmp_path: Path) -> None:
    root = edited_backend(tmp_path)
    workspace = open_workspace(root)
    edited = [{"from": "backend/agent.py", "to": "backend/legacy/agent.py"},  # another package
              {"from": "backend/text_utils.py", "to": "backend/core"}]  # a folder: the module keeps its name
    written = write_edited_moves(workspace.snapshot, workspace.config, edited, None)  # database.py: left out
    assert written.moves == 2 and "exactly these moves" in written.editor_summary()
    assert read_back(root / "pyproject.toml")["move"] == [
        {"from": "backend/agent.py", "to": "backend/legacy/agent.py"},
        {"from": "backend/text_utils.py", "to": "backend/core/text_utils.py"}]
    assert main(["apply", str(root)]) == 0
    files = python_files(root)
    assert {"backend/legacy/agent.py", "backend/core/text_utils.py", "backend/database.py"} <= set(files)
    assert "backend/agent.py" not in files and "backend/database/database.py" not in files
    assert (root / "backend/main.py").read_text().startswith("from legacy.agent import run\nimport database\n")


@pytest.mark.parametrize("data, message", [
    ([], "moves nothing"),
    (None, "moves nothing"),
    ([{"from": "backend/agent.py"}], "move #1 needs a 'from' and a 'to'"),
    ([{"from": "backend/agent.py", "to": ""}], "move #1 needs"),
    ([{"from": "backend/nothing.py", "to": "backend/agents"}], "no such module"),
    ([{"from": "backend/agent.py", "to": "backend/x"}, {"from": "backend/agent.py", "to": "backend/y"}], "moved twice"),
    ([{"from": "backend/agent.py", "to": "backend/class/agent.py"}], "not a valid Python name"),
    ([{"from": "backend/agent.py", "to": "../elsewhere/agent.py"}], "outside the workspace"),
])
def test_an_edited_plan_that_cannot_be_made_is_not_written(tmp_path: Path, data, message) -> None:
    root = edited_backend(tmp_path)
    workspace = open_workspace(root)
    with pytest.raises(OrganizeError, match=message):
        write_edited_moves(workspace.snapshot, workspace.config, data, None)
    assert (root / "pyproject.toml").read_text() == PYPROJECT


def test_a_packages_rule_that_would_still_move_a_left_out_module_is_refused(tmp_path: Path) -> None:
    pyproject = PYPROJECT + '\n[tool.organize-backend.packages]\ncore = ["text_*.py"]\n'
    root = edited_backend(tmp_path, pyproject)
    before = (root / "pyproject.toml").read_text()
    workspace = open_workspace(root)
    left_out = [{"from": "backend/agent.py", "to": "backend/agents"}]
    with pytest.raises(OrganizeError, match=r"packages. rules would still move: backend/text_utils.py -> "
                                            r"backend/core/text_utils.py"):
        write_edited_moves(workspace.snapshot, workspace.config, left_out, None)
    assert (root / "pyproject.toml").read_text() == before
    placed = left_out + [{"from": "backend/text_utils.py", "to": "backend/utils"}]
    write_edited_moves(workspace.snapshot, workspace.config, placed, None)  # every module placed: written
    assert len(load_config(root).moves) == 2


def test_an_unsaved_configuration_in_the_editor_is_not_overwritten(tmp_path: Path) -> None:
    root = edited_backend(tmp_path)
    typed = PYPROJECT.replace('keep = ["main.py"]', 'keep = ["main.py", "text_utils.py"]')
    workspace = open_workspace(root, buffers={"pyproject.toml": typed}, buffer_versions={"pyproject.toml": 3})
    with pytest.raises(OrganizeError, match="pyproject.toml has unsaved changes in the editor: save it first"):
        write_edited_moves(workspace.snapshot, workspace.config, [{"from": "backend/agent.py", "to": "backend/a"}],
                           None)
    assert (root / "pyproject.toml").read_text() == PYPROJECT
    saved = open_workspace(root, buffers={"pyproject.toml": PYPROJECT}, buffer_versions={"pyproject.toml": 4})
    assert write_edited_moves(saved.snapshot, saved.config, [{"from": "backend/agent.py", "to": "backend/a"}],
                              None).moves == 1
