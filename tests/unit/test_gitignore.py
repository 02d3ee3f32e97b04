"""Tests for the plain .gitignore reader (the README tree leaves out what git ignores, git or not)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import write_tree

from organize_backend.changes.gitignore import GitIgnore

RULES = """\
# the developers' own settings
local_settings.py
*.generated.py
/build_tools/
docs/_build/
!keep.generated.py
secrets/**
**/fixtures/*.py
cache?.py
tmp[0-9].py
\\#notes.py
trailing.py   
"""

CASES = [
    ("local_settings.py", True),
    ("app/local_settings.py", True),  # no slash: a name at any depth
    ("api.generated.py", True),
    ("keep.generated.py", False),  # negated
    ("build_tools/x.py", True),
    ("app/build_tools/x.py", False),  # anchored to the root by its leading slash
    ("docs/_build/x.py", True),
    ("app/docs/_build/x.py", False),  # a slash in the middle anchors too
    ("secrets/a/b.py", True),
    ("app/fixtures/users.py", True),
    ("fixtures/users.py", True),
    ("app/fixtures/deep/users.py", False),
    ("cache1.py", True),
    ("cache12.py", False),
    ("tmp7.py", True),
    ("tmpx.py", False),
    ("#notes.py", True),
    ("trailing.py", True),
    ("app/models.py", False),
]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    files = {".gitignore": RULES, "app/.gitignore": "models_old.py\n!local_settings.py\n", "app/models.py": ""}
    return write_tree(tmp_path / "ws", files)


@pytest.mark.parametrize(("path", "ignored"), CASES)
def test_rules_of_the_root_gitignore(workspace: Path, path: str, ignored: bool) -> None:
    rules = GitIgnore.read(workspace, [".gitignore"])
    assert rules.ignores(path) is ignored


def test_a_deeper_gitignore_applies_below_its_folder_and_wins(workspace: Path) -> None:
    rules = GitIgnore.read(workspace, [".gitignore", "app/.gitignore", "app/models.py"])
    assert rules.ignores("app/models_old.py") and not rules.ignores("models_old.py")
    assert not rules.ignores("app/local_settings.py") and rules.ignores("local_settings.py")


def test_nothing_below_an_ignored_folder_comes_back(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {".gitignore": "vendor/\n!vendor/ours.py\n"})
    rules = GitIgnore.read(root, [".gitignore"])
    assert rules.ignores("vendor/ours.py") and rules.ignores("vendor/lib/x.py")


def test_a_folder_only_rule_does_not_ignore_a_file_of_that_name(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {".gitignore": "data/\n"})
    rules = GitIgnore.read(root, [".gitignore"])
    assert rules.ignores("data/x.py") and not rules.ignores("data")


def test_git_info_exclude_is_read_and_gitignore_wins_over_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {".git/info/exclude": "scratch.py\nnotes.py\n", ".gitignore": "!notes.py\n"})
    rules = GitIgnore.read(root, [".gitignore"])
    assert rules.ignores("scratch.py") and not rules.ignores("notes.py")


def test_no_gitignore_ignores_nothing(tmp_path: Path) -> None:
    assert not GitIgnore.read(tmp_path, []).ignores("anything.py")


@pytest.mark.skipif(shutil.which("git") is None, reason="compares with git itself, where git is installed")
def test_same_answers_as_git(workspace: Path) -> None:
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    paths = [path for path, _ in CASES] + ["app/models_old.py", "app/local_settings.py", "models_old.py"]
    result = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], check=False, cwd=workspace, input="\n".join(paths),
                            capture_output=True, text=True)
    by_git = set(result.stdout.split("\n")) - {""}
    rules = GitIgnore.read(workspace, [".gitignore", "app/.gitignore"])
    assert {path for path in paths if rules.ignores(path)} == by_git
