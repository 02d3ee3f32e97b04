"""Packaging files that list packages one by one get the new packages (coleifer/scout)."""

from __future__ import annotations

import pytest
from organize_backend.changes.package_lists import listed_packages_edits

CREATED = ["scout/core/__init__.py", "scout/api/__init__.py", "tests/__init__.py"]


@pytest.mark.parametrize(("path", "before", "after"), [
    ("pyproject.toml", '[tool.setuptools]\npackages = ["scout"]\n',
     '[tool.setuptools]\npackages = ["scout", "scout.api", "scout.core"]\n'),
    ("pyproject.toml", "[tool.setuptools]\npackages = [\n    'scout',\n]\n",
     "[tool.setuptools]\npackages = [\n    'scout',\n    'scout.api',\n    'scout.core',\n]\n"),
    ("setup.py", "setup(\n    name='scout',\n    packages=['scout'],\n)\n",
     "setup(\n    name='scout',\n    packages=['scout', 'scout.api', 'scout.core'],\n)\n"),
])
def test_a_list_of_packages_gets_the_new_subpackages(path: str, before: str, after: str) -> None:
    assert dict(listed_packages_edits({path: before.encode()}, CREATED, [""])) == {path: after.encode()}


@pytest.mark.parametrize(("path", "text"), [
    ("setup.py", "setup(packages=find_packages())\n"),  # finds them by itself
    ("pyproject.toml", '[tool.setuptools.packages.find]\nwhere = ["."]\n'),
    ("pyproject.toml", '[tool.poetry]\npackages = [{include = "scout"}]\n'),  # another table, another form
    ("pyproject.toml", '[tool.setuptools]\npackages = ["other"]\n'),  # not the organized package
])
def test_what_finds_packages_itself_or_lists_others_stays(path: str, text: str) -> None:
    assert dict(listed_packages_edits({path: text.encode()}, CREATED, [""])) == {}
