"""Tests for the README's project structure tree (seed 000, phase 5): a block the tool owns,
in a README whose every other line is the team's."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree

from organize_backend.changes.readme import (
    ASCII, END, START, BrokenBlock, is_shown, render_tree, structure_block, update_structure_section,
)
from organize_backend.changes.references import rewrite_references
from organize_backend.cli import main
from organize_backend.pipeline import compute, open_workspace, plan_organize

TREE = "backend/\n├── main.py\n└── agents/\n    └── agent.py"
BLOCK = structure_block(TREE)
SECTION = "## Project structure\n\n" + BLOCK


# --- the tree -------------------------------------------------------------------------------


def test_render_tree_lists_files_first_then_packages() -> None:
    paths = [
        "main.py", "agents/__init__.py", "agents/agent.py", "config.py",
        "data/__init__.py", "data/vector_store.py", "data/sub/__init__.py", "data/sub/x.py",
    ]
    assert render_tree("backend", paths) == "\n".join([
        "backend/",
        "├── config.py",
        "├── main.py",
        "├── agents/",
        "│   └── agent.py",
        "└── data/",
        "    ├── vector_store.py",
        "    └── sub/",
        "        └── x.py",
    ])


def test_a_package_with_only_its_init_still_shows() -> None:
    assert render_tree("app", ["main.py", "plugins/__init__.py"]) == "app/\n├── main.py\n└── plugins/"


def test_render_tree_does_not_depend_on_input_order() -> None:
    paths = ["b.py", "a/x.py", "a.py", "c/y.py"]
    assert render_tree("app", paths) == render_tree("app", list(reversed(paths)))


def test_render_tree_of_nothing() -> None:
    assert render_tree("backend", []) == "backend/"


def test_ascii_drawing() -> None:
    assert render_tree("backend", ["main.py", "agents/agent.py", "agents/tools.py"], drawing=ASCII) == (
        "backend/\n|-- main.py\n`-- agents/\n    |-- agent.py\n    `-- tools.py"
    )


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("main.py", True),
        ("agents/agent.py", True),
        ("services/testing_helpers.py", True),  # a name with "test" in it is not a test
        ("agents/__init__.py", False),
        ("test_main.py", False),
        ("agents/agent_test.py", False),
        ("conftest.py", False),
        ("polls/tests.py", False),
        ("tests/helpers.py", False),
        ("agents/tests/fakes.py", False),
        ("test/x.py", False),
        ("agents/__pycache__/agent.py", False),
        (".venv2/lib/x.py", False),
        ("data/seed.json", False),
        ("static/app.js", False),
    ],
)
def test_which_files_the_tree_shows(path: str, shown: bool) -> None:
    assert is_shown(path) is shown


def _big_backend() -> list[str]:
    """A Flask-sized app: 5 packages of 6 to 30 modules, one with subpackages."""
    paths = ["app.py", "config.py", "wsgi.py"]
    paths += [f"api/{name}.py" for name in ("auth", "users", "orders", "items", "search", "admin")]
    paths += [f"models/model_{index}.py" for index in range(30)]
    paths += [f"services/{name}/{name}_{index}.py" for name in ("billing", "mail") for index in range(8)]
    paths += [f"utils/util_{index}.py" for index in range(12)]
    paths += [f"migrations/versions/{index:04}_step.py" for index in range(20)]
    return paths


def test_a_long_tree_folds_its_biggest_innermost_packages_until_it_fits() -> None:
    tree = render_tree("app", _big_backend())
    lines = tree.split("\n")
    assert len(lines) <= 40
    # the top of the layout stays: every top-level module and package has its line
    for name in ("app.py", "config.py", "wsgi.py", "api/", "models/", "services/", "utils/", "migrations/"):
        assert any(line.endswith(f"── {name}") or f"── {name} (" in line for line in lines), name
    assert "├── models/ (30 modules)" in lines
    assert any(line.endswith("── versions/ (20 modules)") for line in lines)
    assert "│   ├── auth.py" in lines  # a small package stays open


def test_a_tree_that_fits_is_not_folded() -> None:
    paths = [f"pkg/mod_{index}.py" for index in range(38)]
    assert "(" not in render_tree("app", paths)  # 1 + 1 + 38 lines
    assert render_tree("app", [*paths, "pkg/one_more.py"]) == "app/\n└── pkg/ (39 modules)"


def test_one_module_is_singular() -> None:
    assert render_tree("app", ["a/x.py"], max_lines=2) == "app/\n└── a/ (1 module)"


# --- a README without a block ---------------------------------------------------------------


def test_section_is_appended_when_missing() -> None:
    readme = "# Chat backend\n\nRun it with `uvicorn main:app`.\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + SECTION


def test_the_block_is_marked_by_comments_around_a_text_fence() -> None:
    assert BLOCK.split("\n") == [START, "```text", *TREE.split("\n"), "```", END, ""]
    assert START.startswith("<!-- organize-backend:structure:start") and START.endswith("-->")
    assert END == "<!-- organize-backend:structure:end -->"


def test_section_is_appended_to_a_readme_without_a_final_newline() -> None:
    readme = "# Chat backend\n\nRun it."
    assert update_structure_section(readme, TREE) == readme + "\n\n" + SECTION


def test_section_in_an_empty_readme_starts_at_the_top() -> None:
    assert update_structure_section("", TREE) == SECTION


def test_a_similar_heading_is_not_the_section() -> None:
    readme = "# Chat\n\n## Project structure notes\n\nSee the wiki.\n\n#Project structure\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + SECTION


# --- the team's own section -----------------------------------------------------------------

TEAM_SECTION = (
    "# Flask shop\n\n"
    "## Project structure\n\n"
    "```text\n"
    "shop/\n"
    "├── views.py      # HTTP only: never imports models directly\n"
    "└── services.py   # the only module that talks to the database\n"
    "```\n\n"
    "| Module | Owner |\n|---|---|\n| views.py | web team |\n\n"
    "`views` must not import `models`: go through `services`.\n\n"
    "## License\n\nMIT\n"
)


def test_the_teams_section_keeps_every_line_and_gets_the_block_at_its_end() -> None:
    updated = update_structure_section(TEAM_SECTION, TREE)
    head, tail = TEAM_SECTION.split("\n## License")
    assert updated == head + "\n" + BLOCK + "\n## License" + tail


def test_the_teams_section_at_the_end_without_a_final_newline() -> None:
    readme = "# Shop\n\n## Project Structure\n\nviews never import models."
    assert update_structure_section(readme, TREE) == readme + "\n\n" + BLOCK


def test_a_heading_right_below_the_section_gets_its_blank_line() -> None:
    readme = "## Project structure\nOur rules.\n## License\n"
    assert update_structure_section(readme, TREE) == "## Project structure\nOur rules.\n\n" + BLOCK + "\n## License\n"


def test_deeper_headings_belong_to_the_section() -> None:
    readme = "# Chat\n\n## Project structure\n\nOverview.\n\n### Packages\n\nagents holds the agent.\n\n## License\n"
    assert update_structure_section(readme, TREE) == (
        "# Chat\n\n## Project structure\n\nOverview.\n\n### Packages\n\nagents holds the agent.\n\n"
        + BLOCK + "\n## License\n"
    )


@pytest.mark.parametrize("heading", [
    "## Project Structure", "## project structure", "## Project structure ##", "##   Project structure  ",
    "### Project layout", "## Directory structure:", "## Structure",
])
def test_heading_spellings_are_recognised(heading: str) -> None:
    readme = f"# Chat\n\n{heading}\n\nOur rules.\n\n## License\n"
    assert update_structure_section(readme, TREE) == f"# Chat\n\n{heading}\n\nOur rules.\n\n{BLOCK}\n## License\n"


def test_project_structure_wins_over_another_layout_heading() -> None:
    readme = "# Chat\n\n## Code structure\n\nA.\n\n## Project structure\n\nB.\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + BLOCK


def test_a_bare_tree_as_earlier_versions_wrote_it_becomes_the_block() -> None:
    earlier = "# Chat\n\n## Project structure\n\n```text\nbackend/\n├── main.py\n└── agent.py\n```\n\n## License\n"
    assert update_structure_section(earlier, TREE) == "# Chat\n\n" + SECTION + "\n## License\n"


def test_a_tree_with_the_teams_comments_is_not_an_earlier_one() -> None:
    readme = "## Project structure\n\n```text\nbackend/\n└── main.py  # the entry point\n```\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + BLOCK


# --- the block, once there ------------------------------------------------------------------


def test_a_second_organize_refreshes_only_the_block() -> None:
    once = update_structure_section(TEAM_SECTION, TREE)
    edited = once.replace("MIT", "MIT, see LICENSE").replace("Owner |", "Owner | Notes |")  # the team edits on
    new_tree = "backend/\n└── main.py"
    twice = update_structure_section(edited, new_tree)
    assert twice == edited.replace(BLOCK, structure_block(new_tree))
    assert update_structure_section(twice, new_tree) == twice


def test_the_block_is_found_wherever_the_team_moved_it() -> None:
    readme = "# Chat\n\n## Layout of the code\n\n" + BLOCK + "\nText after it.\n"
    assert update_structure_section(readme, "backend/") == readme.replace(BLOCK, structure_block("backend/"))


def test_an_end_mark_on_the_last_line_without_a_line_break() -> None:
    readme = "# Chat\n\n" + BLOCK.rstrip("\n")
    assert update_structure_section(readme, "app/") == "# Chat\n\n" + structure_block("app/").rstrip("\n")


def test_marks_in_a_code_fence_are_an_example_not_the_block() -> None:
    readme = "# Tool docs\n\n````markdown\n" + BLOCK + "````\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + SECTION


@pytest.mark.parametrize("readme", [
    f"# Chat\n\n{START}\n```text\nbackend/\n```\n",  # the end mark was deleted
    f"# Chat\n\n{END}\n\n{START}\n",
    f"{START}\n{END}\n{START}\n{END}\n",
])
def test_broken_marks_are_refused_rather_than_guessed(readme: str) -> None:
    with pytest.raises(BrokenBlock):
        update_structure_section(readme, TREE)


# --- code fences --------------------------------------------------------------------------


def test_a_heading_like_line_in_a_fence_is_not_the_section() -> None:
    readme = "# Chat\n\n```bash\n# Project structure\nls -R\n```\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + SECTION


def test_comment_lines_in_a_fence_inside_the_section_do_not_end_it() -> None:
    readme = "# Chat\n\n## Project structure\n\n```bash\n# list the packages\nls backend\n```\n\n## License\n"
    assert update_structure_section(readme, TREE) == (
        "# Chat\n\n## Project structure\n\n```bash\n# list the packages\nls backend\n```\n\n" + BLOCK + "\n## License\n"
    )


def test_a_tilde_line_inside_a_backtick_fence_does_not_close_it() -> None:
    readme = "# Chat\n\n```text\n~~~\n# Project structure\n~~~\n```\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + SECTION


# --- line endings -------------------------------------------------------------------------


def test_crlf_readme_gets_a_crlf_section() -> None:
    readme = "# Chat\r\n\r\nRun it.\r\n"
    updated = update_structure_section(readme, TREE, "\r\n")
    assert updated == readme + "\r\n" + SECTION.replace("\n", "\r\n")
    assert "\n" not in updated.replace("\r\n", "")


def test_crlf_readme_refreshed_keeps_the_rest_byte_identical() -> None:
    head = "# Chat\r\n\r\nIntro   with trailing spaces   \r\n\r\n## Project structure\r\n\r\n"
    tail = "\r\n## License\r\n\r\nMIT\r\n"
    readme = head + structure_block("old/", "\r\n") + tail
    assert update_structure_section(readme, TREE, "\r\n") == head + structure_block(TREE, "\r\n") + tail


# --- the README of an organized backend ---------------------------------------------------

SHOP = {
    "README.md": TEAM_SECTION.replace("MIT\n", "MIT\n\nThe models live in `models.py`; run `python main.py`.\n"),
    "main.py": "from services import place_order\n\nif __name__ == '__main__':\n    print(place_order())\n",
    "services.py": "from models import Order\n\n\ndef place_order():\n    return Order()\n",
    "models.py": "class Order:\n    pass\n",
    "views.py": "from services import place_order\n\n\ndef index():\n    return place_order()\n",
    "local_settings.py": "DEBUG = True\n",
    "conftest.py": "",
    "organize-backend.toml": 'layout = "skill"\n',  # views.py stays, as the team's prose expects
    ".gitignore": "# the developers' own settings\nlocal_settings.py\n/generated/\n",
    "generated/__init__.py": "",
    "generated/client.py": "from models import Order\n",
    **{f"test_{name}.py": f"import {name}\n\n\ndef test_{name}():\n    assert {name}\n"
       for name in ("main", "services", "models", "views")},
}


def _organized(root: Path) -> dict[str, bytes]:
    """Final path -> content after the organize, as the change set says (nothing written)."""
    workspace = open_workspace(root)
    changes = compute(workspace, plan_organize(workspace))
    return {change.new_path: change.after for change in changes.files if change.new_path}


def _tree_of(readme: str) -> list[str]:
    start = readme.index("```text\n", readme.index(START)) + len("```text\n")
    return readme[start:readme.index("\n```", start)].split("\n")


def test_the_teams_readme_keeps_its_prose_and_follows_the_moves_on_apply(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "shop", SHOP)
    assert main(["apply", str(root)]) == 0
    readme = (root / "README.md").read_text(encoding="utf-8")
    original = SHOP["README.md"].replace("`models.py`", "`models/models.py`")
    assert [line for line in _prose(readme).splitlines() if line] == [line for line in original.splitlines() if line]
    assert "`models/models.py`" in readme  # the reference pass still runs on the team's lines
    assert readme.count(START) == 1 and readme.count("## Project structure") == 1
    assert "├── views.py      # HTTP only: never imports models directly" in readme  # the team's tree too

    # the team writes on, a new module arrives, and the next organize refreshes the block only
    (root / "README.md").write_text(readme + "Deploys go through CI.\n", encoding="utf-8")
    (root / "payment_service.py").write_text("RATE = 1\n", encoding="utf-8")
    assert main(["apply", str(root)]) == 0
    again = (root / "README.md").read_text(encoding="utf-8")
    assert _prose(again) == _prose(readme) + "Deploys go through CI.\n"
    assert "    ├── payment_service.py" in _tree_of(again)


def _prose(readme: str) -> str:
    """The README without the tool's block."""
    return readme[:readme.index(START)] + readme[readme.index(END) + len(END):]


def test_the_tree_leaves_out_tests_and_what_git_ignores(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "shop", SHOP)
    tree = "\n".join(_tree_of(_organized(root)["README.md"].decode()))
    assert "models.py" in tree and "services.py" in tree and "views.py" in tree
    for hidden in ("test_", "conftest", "tests/", "local_settings", "generated", "__init__"):
        assert hidden not in tree, hidden


def test_a_rule_in_a_deeper_gitignore_applies_below_its_folder(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "shop", {**SHOP, ".gitignore": "", "backend_cache/.gitignore": "*.py\n",
                                          "backend_cache/__init__.py": "", "backend_cache/warm.py": "X = 1\n"})
    tree = "\n".join(_tree_of(_organized(root)["README.md"].decode()))
    assert "local_settings.py" in tree and "warm.py" not in tree


def test_the_tree_of_a_backend_with_many_tests_is_short(tmp_path: Path) -> None:
    # 118 test files and 60 modules in 3 packages, as on the Flask app users reported it for
    files = {"README.md": "# Big app\n", "app.py": "from api import users_0\n", "order_service.py": "X = 1\n",
             "user_service.py": "X = 1\n"}
    for package, count in (("api", 25), ("models", 20), ("utils", 15)):
        files[f"{package}/__init__.py"] = ""
        files.update({f"{package}/{package}_{index}.py": "X = 1\n" for index in range(count)})
    for index in range(118):
        files[f"test_feature_{index}.py"] = "import app\n\n\ndef test_app():\n    assert app\n"
    root = write_tree(tmp_path / "big", files)
    tree = _tree_of(_organized(root)["README.md"].decode())
    assert len(tree) <= 40
    assert not any("test" in line for line in tree)
    assert "├── app.py" in tree and "│   ├── order_service.py" in tree and "│   └── user_service.py" in tree
    assert "├── api/ (25 modules)" in tree and "├── models/ (20 modules)" in tree


def test_a_latin1_readme_gets_the_tree_in_latin1_with_ascii_drawing(tmp_path: Path) -> None:
    text = "# Boutique\n\nLe café est servi par `models.py`.\n"
    root = write_tree(tmp_path / "shop", {**SHOP, "README.md": text.encode("latin-1")})
    data = _organized(root)["README.md"]
    assert data.count(b"\xe9") == 1 and data.replace(b"\xe9", b"").isascii()  # nothing UTF-8 was written into it
    readme = data.decode("latin-1")
    assert readme.startswith("# Boutique\n\nLe café est servi par `models/models.py`.\n")
    assert "|-- " in readme and "`-- " in readme and "├" not in readme


def test_a_utf8_readme_with_a_byte_order_mark_keeps_it_and_the_box_drawing(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "shop", {**SHOP, "README.md": b"\xef\xbb\xbf# Caf\xc3\xa9\n"})
    data = _organized(root)["README.md"]
    assert data.startswith(b"\xef\xbb\xbf# Caf\xc3\xa9\n") and "├── " in data.decode("utf-8-sig")


def test_a_utf16_readme_stays_utf16(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "shop", {**SHOP, "README.md": "# Café\r\n".encode("utf-16")})
    data = _organized(root)["README.md"]
    assert data.startswith("# Café\r\n".encode("utf-16"))
    assert "\r\n## Project structure\r\n" in data.decode("utf-16") and "├── " in data.decode("utf-16")


def test_a_readme_with_broken_marks_is_left_as_it_is_with_a_warning(tmp_path: Path) -> None:
    readme = f"# Shop\n\n{START}\nold tree\n"
    root = write_tree(tmp_path / "shop", {**SHOP, "README.md": readme})
    workspace = open_workspace(root)
    changes = compute(workspace, plan_organize(workspace))
    assert {c.new_path: c.after for c in changes.files}["README.md"] == readme.encode()
    assert any("README.md" in warning and "marks" in warning for warning in changes.warnings)


# --- the reference pass and the block -------------------------------------------------------


def test_the_reference_pass_updates_the_teams_lines_and_never_the_blocks() -> None:
    readme = ("Run `python agent.py`; see agent.py.\n\n" + structure_block("backend/\n├── agent.py\n`-- main.py")
              + "\nagent.py again.\n")
    files = {"README.md": readme.encode(), "agents/__init__.py": b"", "agents/agent.py": b"X = 1\n"}
    [(path, _, data)] = rewrite_references(files, {"agent": "agents.agent"}, {"agent.py": "agents/agent.py"}, [""])
    assert path == "README.md"
    assert data.decode() == readme.replace("see agent.py", "see agents/agent.py").replace(
        "agent.py again", "agents/agent.py again").replace("python agent.py", "python -m agents.agent")
