"""The collateral-line helper (tests/collateral.py) on small hand-made trees."""

from __future__ import annotations

from collateral import apply_moves, changed_line_pairs, collateral_lines


def test_identical_trees_have_no_collateral():
    tree = {"a.py": b"import b\n\nprint(b.x)\n", "b.py": b"x = 1\n"}
    assert collateral_lines(tree, dict(tree), {}) == []


def test_a_line_changed_in_place_is_not_collateral():
    before = {"a.py": b"import os\nimport b\n\nprint(b.x)\n"}
    after = {"a.py": b"import os\nfrom pkg import b\n\nprint(b.x)\n"}
    assert collateral_lines(before, after, {}) == []
    [(path, pair)] = changed_line_pairs(before, after, {})
    assert (path, pair.old, pair.new, pair.old_index, pair.new_index) == (
        "a.py", "import b", "from pkg import b", 1, 1)


def test_an_added_or_removed_line_is_collateral():
    before = {"a.py": b"import os\nos.environ.setdefault('X', '1')\nimport b\n"}
    hoisted = {"a.py": b"import os\nimport b\nos.environ.setdefault('X', '1')\n"}
    # a statement moved: one line removed, one added
    lines = collateral_lines(before, hoisted, {})
    assert len(lines) == 2 and {line[1:] for _, line in lines} in ({"import b"}, {"os.environ.setdefault('X', '1')"})
    assert sorted(line[0] for _, line in lines) == ["+", "-"]
    added = {"a.py": before["a.py"] + b"import pkg.b\n"}
    assert collateral_lines(before, added, {}) == [("a.py", "+import pkg.b")]


def test_a_replace_counts_only_its_surplus():
    before = {"a.py": b"from b import (\n    f,\n    g,  # why\n)\nx = 1\n"}
    joined = {"a.py": b"from pkg.b import f, g\nx = 1\n"}
    lines = collateral_lines(before, joined, {})
    assert len(lines) == 3  # four lines became one: three without a counterpart
    assert all(line.startswith("-") for _, line in lines)
    split = {"a.py": b"import a; import b\n"}
    two = {"a.py": b"import a\nfrom pkg import b\n"}
    assert len(collateral_lines(split, two, {})) == 1


def test_the_surplus_is_the_least_similar_line():
    before = {"a.py": b"import agent\nvalue = agent.run()\n"}
    after = {"a.py": b"from __future__ import annotations\nfrom agents import agent\nvalue = agent.run()\n"}
    assert collateral_lines(before, after, {}) == [("a.py", "+from __future__ import annotations")]


def test_moved_files_are_followed_and_new_files_and_readme_skipped():
    before = {"agent.py": b"import tools\n", "tools.py": b"x = 1\n", "README.md": b"# App\n"}
    after = {
        "agents/agent.py": b"from agents import tools\n",
        "agents/tools.py": b"x = 1\n",
        "agents/__init__.py": b"",
        "README.md": b"# App\n\n## Project structure\n\n    agents/\n",
    }
    path_map = {"agent.py": "agents/agent.py", "tools.py": "agents/tools.py"}
    assert collateral_lines(before, after, path_map) == []
    # without the map, the moved files are simply absent after: nothing to compare
    assert collateral_lines(before, after, {}) == []
    after["agents/tools.py"] = b"import os\nx = 1\n"
    assert collateral_lines(before, after, path_map) == [("agents/tools.py", "+import os")]


def test_line_breaks_and_byte_order_marks():
    before = {"a.py": b"\xef\xbb\xbfimport b\r\nx = 1\r\n"}
    assert collateral_lines(before, {"a.py": b"\xef\xbb\xbffrom p import b\r\nx = 1\r\n"}, {}) == []
    # CRLF turned into LF is an in-place change of each line, not collateral
    assert collateral_lines(before, {"a.py": b"\xef\xbb\xbfimport b\nx = 1\n"}, {}) == []
    # a form feed does not split a line
    assert collateral_lines({"a.py": b"x = 1\x0c\n"}, {"a.py": b"x = 2\x0c\n"}, {}) == []


def test_apply_moves_follows_files_and_folders_in_order():
    paths = ["A/B/conn.py", "A/B/comp/x.py", "A/B/comp/__init__.py", "A/other.py"]
    moves = [("A/B/conn.py", "A/B/db/session.py"), ("A/B/comp", "A/B/services"), ("A/B", "A/b")]
    assert apply_moves(paths, moves) == {
        "A/B/conn.py": "A/b/db/session.py",
        "A/B/comp/x.py": "A/b/services/x.py",
        "A/B/comp/__init__.py": "A/b/services/__init__.py",
        "A/other.py": "A/other.py",
    }
    # a prefix that is not a folder boundary does not match
    assert apply_moves(["A/Bx.py"], [("A/B", "A/c")]) == {"A/Bx.py": "A/Bx.py"}
