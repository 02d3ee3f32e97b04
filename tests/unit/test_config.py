"""Tests for `[tool.organize-backend]`: where it is read from, what wins, and every refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from organize_backend.config import Config, load_config
from organize_backend.model import OrganizeError

FULL_TABLE = """\
root = "backend"
layout = "layered"
keep = ["main.py", "wsgi.py"]

[packages]
"simple_agents" = ["*agent*"]
"services" = ["*_service.py", "rag.py"]

[[move]]
from = "RAI_Chat/Backend/core/database/connection.py"
to = "RAI_Chat/backend/core/database/session.py"

[[move]]
from = "RAI_Chat/Backend"
to = "RAI_Chat/backend"
"""


def write(workspace: Path, name: str, text: str) -> Path:
    path = workspace / name
    path.write_text(text, encoding="utf-8")
    return path


def as_tool_table(text: str) -> str:
    """The same settings under [tool.organize-backend], as pyproject.toml holds them."""
    text = text.replace("[packages]", "[tool.organize-backend.packages]")
    text = text.replace("[[move]]", "[[tool.organize-backend.move]]")
    return "[tool.organize-backend]\n" + text


def assert_full_table(config: Config) -> None:
    assert config.root == "backend"
    assert config.layout == "layered"
    assert config.keep == ("main.py", "wsgi.py")
    assert config.packages == (("simple_agents", ("*agent*",)), ("services", ("*_service.py", "rag.py")))
    assert config.moves == (
        ("RAI_Chat/Backend/core/database/connection.py", "RAI_Chat/backend/core/database/session.py"),
        ("RAI_Chat/Backend", "RAI_Chat/backend"),
    )


# --- where the settings come from -----------------------------------------------------------


def test_defaults_without_any_configuration_file(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert (config.root, config.layout, config.keep, config.packages, config.moves) == ("", "auto", (), (), ())
    assert config.source == "defaults"


def test_a_pyproject_without_the_table_gives_the_defaults(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "chat"\n\n[tool.black]\nline-length = 100\n')
    config = load_config(tmp_path)
    assert config == Config()
    assert config.source == "defaults"


def test_pyproject_tool_table(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "chat"\n\n' + as_tool_table(FULL_TABLE))
    config = load_config(tmp_path)
    assert_full_table(config)
    assert config.source == "pyproject.toml"


def test_keys_left_out_keep_their_defaults(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.organize-backend]\nroot = "backend"\n')
    config = load_config(tmp_path)
    assert config == Config(root="backend", source="pyproject.toml")


def test_dedicated_file_with_the_tool_table(tmp_path: Path) -> None:
    write(tmp_path, "organize-backend.toml", as_tool_table(FULL_TABLE))
    config = load_config(tmp_path)
    assert_full_table(config)
    assert config.source == "organize-backend.toml"


def test_dedicated_file_with_its_keys_at_the_top_level(tmp_path: Path) -> None:
    write(tmp_path, "organize-backend.toml", FULL_TABLE)
    config = load_config(tmp_path)
    assert_full_table(config)
    assert config.source == "organize-backend.toml"


def test_dedicated_file_is_read_when_pyproject_has_no_table(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "chat"\n')
    write(tmp_path, "organize-backend.toml", 'layout = "none"\n')
    config = load_config(tmp_path)
    assert config.layout == "none"
    assert config.source == "organize-backend.toml"


def test_pyproject_table_comes_before_the_dedicated_file(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.organize-backend]\nlayout = "layered"\n')
    write(tmp_path, "organize-backend.toml", 'layout = "none"\n')
    config = load_config(tmp_path)
    assert config.layout == "layered"
    assert config.source == "pyproject.toml"


def test_a_single_keep_string_is_one_glob(tmp_path: Path) -> None:
    write(tmp_path, "organize-backend.toml", 'keep = "main.py"\n')
    assert load_config(tmp_path).keep == ("main.py",)


def test_package_rule_order_is_kept(tmp_path: Path) -> None:
    # First match wins, so the order in the file is part of the meaning.
    rules = "".join(f'"{name}" = ["{name}_*"]\n' for name in ("zeta", "alpha", "mid", "beta"))
    write(tmp_path, "organize-backend.toml", "[packages]\n" + rules)
    assert [package for package, _ in load_config(tmp_path).packages] == ["zeta", "alpha", "mid", "beta"]


@pytest.mark.parametrize("spelling", ["core.auth", "core/auth"])
def test_nested_package_rules_in_either_spelling(tmp_path: Path, spelling: str) -> None:
    # Seed 002 nests packages (core/auth); the layouts and the plan read dotted names.
    write(tmp_path, "organize-backend.toml", f'[packages]\n"{spelling}" = ["*auth*"]\n')
    assert load_config(tmp_path).packages == (("core.auth", ("*auth*",)),)


# --- overrides (editor settings, command-line flags) -------------------------------------------


def test_overrides_fill_what_the_project_leaves_open(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.organize-backend]\nkeep = ["app.py"]\n')
    config = load_config(tmp_path, {"root": "backend", "layout": "none"})
    assert (config.root, config.layout, config.keep) == ("backend", "none", ("app.py",))


def test_the_project_file_wins_over_overrides(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.organize-backend]\nroot = "backend"\nlayout = "layered"\n')
    config = load_config(tmp_path, {"root": "elsewhere", "layout": "none", "keep": ["run.py"]})
    assert (config.root, config.layout) == ("backend", "layered")
    assert config.keep == ("run.py",)


def test_overrides_alone_without_a_file(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"layout": "none"})
    assert config.layout == "none"


def test_overrides_are_checked_too(tmp_path: Path) -> None:
    with pytest.raises(OrganizeError, match="layout = 'flat'"):
        load_config(tmp_path, {"layout": "flat"})


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('[tool.organize-backend]\nroots = "backend"\n',
                     r"pyproject\.toml: unknown key\(s\) in \[tool\.organize-backend\]: roots", id="unknown key"),
        pytest.param('[tool.organize-backend]\nlayuot = "none"\nrooot = "b"\n',
                     r"unknown key\(s\) in \[tool\.organize-backend\]: layuot, rooot", id="two unknown keys"),
        pytest.param('[tool.organize-backend]\nlayout = "flat"\n',
                     r"pyproject\.toml: layout = 'flat': expected one of auto, skill, layered, none", id="bad layout"),
        pytest.param('[tool.organize-backend]\nlayout = 3\n',
                     r"pyproject\.toml: layout must be a string, not 3", id="layout not a string"),
        pytest.param('[tool.organize-backend]\nroot = ["backend"]\n',
                     r"pyproject\.toml: root must be a string", id="root not a string"),
        pytest.param('[tool.organize-backend]\nkeep = 5\n',
                     r"pyproject\.toml: keep must be a list of strings, not 5", id="keep not a list"),
        pytest.param('[tool.organize-backend]\nkeep = ["main.py", 1]\n',
                     r"keep must be a list of strings", id="keep with a number"),
        pytest.param('[tool.organize-backend]\npackages = ["agents"]\n',
                     r"\[tool\.organize-backend\.packages\] must be a table", id="packages not a table"),
        pytest.param('[tool.organize-backend.packages]\nagents = 3\n',
                     r"packages\.agents must be a list of strings", id="package globs not a list"),
        pytest.param('[tool.organize-backend.packages]\n"my-agents" = ["*agent*"]\n',
                     r"package 'my-agents' is not a valid package path", id="bad package name"),
        pytest.param('[tool.organize-backend.packages]\n"1st" = ["*agent*"]\n',
                     r"package '1st' is not a valid package path", id="package name starting with a digit"),
        pytest.param('[tool.organize-backend.packages]\n"class" = ["*agent*"]\n',
                     r"package 'class' is not a valid package path", id="keyword as package name"),
        pytest.param('[tool.organize-backend.packages]\n"core..auth" = ["*auth*"]\n',
                     r"package 'core..auth' is not a valid package path", id="empty part in package path"),
        pytest.param('[[tool.organize-backend.move]]\nfrom = "agent.py"\n',
                     r"move #1 must have exactly the keys 'from' and 'to'", id="move without to"),
        pytest.param('[[tool.organize-backend.move]]\nfrom = "a.py"\nto = "x/a.py"\n'
                     '[[tool.organize-backend.move]]\nfrom = "b.py"\nto = "x/b.py"\nsource = "b.py"\n',
                     r"move #2 must have exactly the keys 'from' and 'to'", id="second move with extra key"),
        pytest.param('[[tool.organize-backend.move]]\nfrom = "agent.py"\nto = ""\n',
                     r"move #1: 'from' and 'to' must be non-empty strings", id="empty to"),
        pytest.param('[[tool.organize-backend.move]]\nfrom = 1\nto = "x"\n',
                     r"move #1: 'from' and 'to' must be non-empty strings", id="from not a string"),
        pytest.param('[tool.organize-backend]\nmove = {from = "a.py", to = "b/a.py"}\n',
                     r"\[\[tool\.organize-backend\.move\]\] must be an array of tables", id="move not an array"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(tmp_path: Path, text: str, expected: str) -> None:
    write(tmp_path, "pyproject.toml", text)
    with pytest.raises(OrganizeError, match=expected):
        load_config(tmp_path)


def test_bad_values_in_the_dedicated_file_name_that_file(tmp_path: Path) -> None:
    write(tmp_path, "organize-backend.toml", 'layout = "flat"\n')
    with pytest.raises(OrganizeError, match=r"^organize-backend\.toml: layout = 'flat'"):
        load_config(tmp_path)


def test_an_unknown_top_level_key_in_the_dedicated_file(tmp_path: Path) -> None:
    write(tmp_path, "organize-backend.toml", 'layout = "none"\nverbose = true\n')
    with pytest.raises(OrganizeError, match=r"organize-backend\.toml: unknown key\(s\).*: verbose"):
        load_config(tmp_path)


@pytest.mark.parametrize("name", ["pyproject.toml", "organize-backend.toml"])
def test_invalid_toml_is_refused_naming_the_file_and_line(tmp_path: Path, name: str) -> None:
    write(tmp_path, name, '[tool.organize-backend]\nlayout = "skill"\nkeep = [main.py]\n')
    with pytest.raises(OrganizeError, match=rf"^{name.replace('.', r'[.]')}: not valid TOML: .*line 3") as raised:
        load_config(tmp_path)
    assert "\n" not in str(raised.value).split(": not valid TOML")[0]


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.organize-backend]\nroot = "b\xe9ckend"\n')
    with pytest.raises(OrganizeError, match=r"pyproject\.toml: not valid TOML"):
        load_config(tmp_path)


def test_a_folder_named_like_the_config_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").mkdir()
    assert load_config(tmp_path) == Config()


def test_command_line_flags_win_over_the_project_file(tmp_path: Path) -> None:
    write(tmp_path, "organize-backend.toml", 'root = "backend"\nlayout = "none"\n')
    config = load_config(tmp_path, overrides={"layout": "layered"}, flags={"layout": "skill"})
    assert (config.root, config.layout) == ("backend", "skill")
