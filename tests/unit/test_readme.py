"""Tests for the README's "Project structure" section (seed 000, phase 5)."""

from __future__ import annotations

from organize_backend.changes.readme import render_tree, update_structure_section

TREE = "backend/\n├── main.py\n└── agents/\n    ├── __init__.py\n    └── agent.py"
SECTION = "## Project structure\n\n```text\n" + TREE + "\n```\n"


# --- the tree -------------------------------------------------------------------------------


def test_render_tree_lists_files_first_then_packages() -> None:
    paths = [
        "main.py", "agents/__init__.py", "agents/agent.py", "config.py", "tests/__init__.py",
        "tests/test_agent.py", "data/__init__.py", "data/vector_store.py", "data/sub/__init__.py", "data/sub/x.py",
    ]
    assert render_tree("backend", paths) == "\n".join([
        "backend/",
        "├── config.py",
        "├── main.py",
        "├── agents/",
        "│   ├── __init__.py",
        "│   └── agent.py",
        "├── data/",
        "│   ├── __init__.py",
        "│   ├── vector_store.py",
        "│   └── sub/",
        "│       ├── __init__.py",
        "│       └── x.py",
        "└── tests/",
        "    ├── __init__.py",
        "    └── test_agent.py",
    ])


def test_render_tree_does_not_depend_on_input_order() -> None:
    paths = ["b.py", "a/x.py", "a.py", "c/y.py"]
    assert render_tree("app", paths) == render_tree("app", list(reversed(paths)))


def test_render_tree_of_nothing() -> None:
    assert render_tree("backend", []) == "backend/"


# --- appending ------------------------------------------------------------------------------


def test_section_is_appended_when_missing() -> None:
    readme = "# Chat backend\n\nRun it with `uvicorn main:app`.\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + SECTION


def test_section_is_appended_to_a_readme_without_a_final_newline() -> None:
    readme = "# Chat backend\n\nRun it."
    assert update_structure_section(readme, TREE) == readme + "\n\n" + SECTION


def test_section_in_an_empty_readme_starts_at_the_top() -> None:
    assert update_structure_section("", TREE) == SECTION


def test_a_similar_heading_is_not_the_section() -> None:
    readme = "# Chat\n\n## Project structure notes\n\nSee the wiki.\n\n#Project structure\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + SECTION


# --- replacing ------------------------------------------------------------------------------


def test_section_is_replaced_up_to_the_next_heading_of_the_same_level() -> None:
    readme = (
        "# Chat backend\n\n"
        "## Project structure\n\n"
        "```text\nbackend/\n├── main.py\n└── agent.py\n```\n\n"
        "## License\n\nMIT\n"
    )
    assert update_structure_section(readme, TREE) == (
        "# Chat backend\n\n" + SECTION + "\n## License\n\nMIT\n"
    )


def test_section_is_replaced_up_to_a_higher_heading() -> None:
    readme = "# Chat\n\n### Project structure\n\nold\n\n## Deploying\n\nfly deploy\n"
    assert update_structure_section(readme, TREE) == (
        "# Chat\n\n### Project structure\n\n```text\n" + TREE + "\n```\n\n## Deploying\n\nfly deploy\n"
    )


def test_deeper_headings_inside_the_section_belong_to_it() -> None:
    # A "### Packages" under the old section is part of the old structure description: it
    # neither ends the section nor survives it.
    readme = (
        "# Chat\n\n## Project structure\n\nold tree\n\n### Packages\n\nagents holds the agent.\n\n"
        "#### Details\n\nmore\n\n## License\n\nMIT\n"
    )
    assert update_structure_section(readme, TREE) == "# Chat\n\n" + SECTION + "\n## License\n\nMIT\n"


def test_section_at_the_end_is_replaced() -> None:
    readme = "# Chat\n\n## Project structure\n\nold tree\n"
    assert update_structure_section(readme, TREE) == "# Chat\n\n" + SECTION


def test_heading_spellings_are_recognised() -> None:
    for heading in ("## Project Structure", "## project structure", "## Project structure ##", "##   Project structure  "):
        readme = f"# Chat\n\n{heading}\n\nold\n\n## License\n"
        updated = update_structure_section(readme, TREE)
        assert "old" not in updated, heading
        assert updated.startswith(f"# Chat\n\n{heading}\n\n```text\n"), heading
        assert updated.count("Project") + updated.count("project") == 1, heading


def test_replacing_twice_gives_the_same_text() -> None:
    once = update_structure_section("# Chat\n\nText.\n\n## License\n\nMIT\n", TREE)
    assert update_structure_section(once, TREE) == once
    other = update_structure_section(once, "backend/\n└── main.py")
    assert other.count("## Project structure") == 1
    assert "agents/" not in other


# --- code fences --------------------------------------------------------------------------


def test_a_heading_like_line_in_a_fence_is_not_the_section() -> None:
    readme = "# Chat\n\n```bash\n# Project structure\nls -R\n```\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + SECTION


def test_comment_lines_in_a_fence_inside_the_section_do_not_end_it() -> None:
    readme = (
        "# Chat\n\n## Project structure\n\n```bash\n# list the packages\nls backend\n## not a heading\n```\n\n"
        "old text\n\n## License\n\nMIT\n"
    )
    assert update_structure_section(readme, TREE) == "# Chat\n\n" + SECTION + "\n## License\n\nMIT\n"


def test_indented_and_info_string_fences() -> None:
    readme = (
        "# Chat\n\n## Setup\n\n  ```python\n  # Project structure\n  ```\n\n"
        "## Project structure\n\nold\n\n## License\n"
    )
    assert update_structure_section(readme, TREE) == (
        "# Chat\n\n## Setup\n\n  ```python\n  # Project structure\n  ```\n\n" + SECTION + "\n## License\n"
    )


def test_tilde_fences_are_fences_too() -> None:
    readme = (
        "# Chat\n\n## Project structure\n\n~~~\n# the old tree\nbackend/\n~~~\n\n## License\n\nMIT\n"
    )
    assert update_structure_section(readme, TREE) == "# Chat\n\n" + SECTION + "\n## License\n\nMIT\n"


def test_a_tilde_line_inside_a_backtick_fence_does_not_close_it() -> None:
    readme = "# Chat\n\n```text\n~~~\n# Project structure\n~~~\n```\n"
    assert update_structure_section(readme, TREE) == readme + "\n" + SECTION


# --- line endings -------------------------------------------------------------------------


def test_crlf_readme_gets_a_crlf_section() -> None:
    readme = "# Chat\r\n\r\nRun it.\r\n"
    updated = update_structure_section(readme, TREE, "\r\n")
    assert updated == readme + "\r\n" + SECTION.replace("\n", "\r\n")
    assert "\n" not in updated.replace("\r\n", "")


def test_crlf_readme_section_replaced_keeps_the_rest_byte_identical() -> None:
    head = "# Chat\r\n\r\nIntro   with trailing spaces   \r\n\r\n"
    tail = "## License\r\n\r\nMIT\r\n"
    readme = head + "## Project structure\r\n\r\nold\r\n\r\n" + tail
    updated = update_structure_section(readme, TREE, "\r\n")
    assert updated == head + SECTION.replace("\n", "\r\n") + "\r\n" + tail
    assert "\n" not in updated.replace("\r\n", "")
