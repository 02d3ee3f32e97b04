"""Tests for the first stage: the workspace read into a Snapshot, editor buffers over the disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import write_tree
from organize_backend.model import OrganizeError, Snapshot
from organize_backend.snapshot import (
    MAX_TEXT_FILE_BYTES,
    inside_workspace,
    module_name,
    source_roots,
    take_snapshot,
)


make = write_tree


BACKEND = {
    "backend/main.py": "from agent import run\n\napp = run\n",
    "backend/agent.py": "from database import get_db\n\n\ndef run():\n    return get_db()\n",
    "backend/database.py": "import sqlite3\n\n\ndef get_db():\n    return sqlite3.connect(':memory:')\n",
    "backend/Procfile": "web: uvicorn main:app\n",
    "backend/README.md": "# Chat backend\n",
    "backend/requirements.txt": "fastapi\n",
    "backend/static/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00",
    "backend/settings.json": '{"debug": true}\n',
    "pyproject.toml": '[project]\nname = "chat"\n',
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make(tmp_path / "ws", BACKEND)


# --- what is read ---------------------------------------------------------------------------


def test_python_and_text_files_are_loaded_with_their_bytes(workspace: Path) -> None:
    snapshot = take_snapshot(workspace, "backend")
    assert snapshot.root == workspace.resolve()
    assert snapshot.organize_root == "backend"
    assert set(snapshot.files) == {
        "backend/main.py", "backend/agent.py", "backend/database.py", "backend/Procfile",
        "backend/README.md", "backend/requirements.txt", "pyproject.toml",
    }
    assert snapshot.files["backend/agent.py"] == (workspace / "backend/agent.py").read_bytes()
    assert snapshot.python_files() == ["backend/agent.py", "backend/database.py", "backend/main.py"]


def test_other_files_are_listed_by_path_only(workspace: Path) -> None:
    snapshot = take_snapshot(workspace, "backend")
    assert snapshot.other_files == frozenset({"backend/static/logo.png", "backend/settings.json"})
    assert not set(snapshot.other_files) & set(snapshot.files)


@pytest.mark.parametrize("name", ["Dockerfile", "Dockerfile.dev", "Makefile", "setup.cfg", "tox.ini",
                                  "pytest.ini", "docker-compose.yml", "ci.yaml", "docs.rst", "run.sh", "notes.txt"])
def test_config_and_doc_files_count_as_text(tmp_path: Path, name: str) -> None:
    make(tmp_path, {name: "python seed_db.py\n", "a.py": ""})
    snapshot = take_snapshot(tmp_path)
    assert name in snapshot.files
    assert name not in snapshot.other_files


def test_a_huge_text_file_is_only_listed(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": "", "dump.txt": b"x" * (MAX_TEXT_FILE_BYTES + 1), "small.txt": b"x"})
    snapshot = take_snapshot(tmp_path)
    assert "dump.txt" in snapshot.other_files
    assert "dump.txt" not in snapshot.files
    assert "small.txt" in snapshot.files


def test_bytes_are_kept_exactly_and_text_drops_the_bom(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf# caf\xc3\xa9\r\nimport os\r\nNAME = '\xe9'\r\n"  # BOM, CRLF, a stray latin-1 byte
    make(tmp_path, {"legacy.py": raw})
    snapshot = take_snapshot(tmp_path)
    assert snapshot.files["legacy.py"] == raw
    text = snapshot.text("legacy.py")
    assert text.startswith("# café\r\n")
    assert text.encode("utf-8", errors="surrogateescape") == raw[3:]


# --- what is left out ---------------------------------------------------------------------------


def test_environments_caches_and_vcs_folders_are_ignored(workspace: Path) -> None:
    make(workspace, {
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        ".venv/lib/python3.11/site-packages/fastapi/__init__.py": "",
        "node_modules/left-pad/README.md": "# left-pad\n",
        "backend/__pycache__/agent.cpython-311.pyc": b"\x00\x01",
        "backend/__pycache__/stale.py": "",
        ".git/config": "[core]\n",
        ".git/hooks/pre-commit.sh": "#!/bin/sh\n",
        "backend/.pytest_cache/README.md": "# pytest cache\n",
        "backend/chat.egg-info/PKG-INFO": "Name: chat\n",
        "backend/.ropeproject/config.py": "",
    })
    snapshot = take_snapshot(workspace, "backend")
    every_path = set(snapshot.files) | set(snapshot.other_files)
    for ignored in (".venv/", "node_modules/", "__pycache__/", ".git/", ".pytest_cache/", ".egg-info/", ".ropeproject/"):
        assert not [path for path in every_path if ignored in path + "/" or path.startswith(ignored)], ignored


def test_a_virtual_environment_under_any_name_is_ignored(workspace: Path) -> None:
    # Not a name on the list: pyvenv.cfg is what makes it an environment.
    make(workspace, {
        "backend/py311env/pyvenv.cfg": "home = /usr/bin\n",
        "backend/py311env/lib/site/requests.py": "",
        "backend/envtools/helpers.py": "",  # a look-alike without pyvenv.cfg is the user's code
    })
    snapshot = take_snapshot(workspace, "backend")
    assert not [path for path in snapshot.files if "py311env" in path]
    assert not [path for path in snapshot.other_files if "py311env" in path]
    assert "backend/envtools/helpers.py" in snapshot.files


def test_symbolic_links_are_skipped(workspace: Path, tmp_path: Path) -> None:
    outside = make(tmp_path / "outside", {"shared.py": "X = 1\n", "lib/tool.py": ""})
    os.symlink(outside / "shared.py", workspace / "backend/shared.py")
    os.symlink(workspace / "backend/agent.py", workspace / "backend/agent_link.py")
    os.symlink(outside / "lib", workspace / "backend/lib", target_is_directory=True)
    os.symlink(workspace / "backend", workspace / "backend/loop", target_is_directory=True)
    snapshot = take_snapshot(workspace, "backend")
    every_path = set(snapshot.files) | set(snapshot.other_files)
    assert not [path for path in every_path if "shared" in path or "agent_link" in path]
    assert not [path for path in every_path if path.startswith(("backend/lib/", "backend/loop/"))]
    assert "backend/agent.py" in snapshot.files


# --- editor buffers ---------------------------------------------------------------------------


def test_unsaved_buffers_win_over_the_disk(workspace: Path) -> None:
    typed = "from agent import run\nfrom database import get_db\n\napp = run\n"
    snapshot = take_snapshot(workspace, "backend", buffers={"backend/main.py": typed},
                             buffer_versions={"backend/main.py": 7})
    assert snapshot.files["backend/main.py"] == typed.encode()
    assert snapshot.open_documents == {"backend/main.py": 7}
    assert (workspace / "backend/main.py").read_text() != typed  # the disk is not touched


def test_a_buffer_not_yet_saved_to_disk_is_part_of_the_snapshot(workspace: Path) -> None:
    snapshot = take_snapshot(workspace, "backend", buffers={"backend/new_service.py": "import agent\n"})
    assert snapshot.files["backend/new_service.py"] == b"import agent\n"
    assert "backend/new_service.py" in snapshot.python_files()


def test_a_buffer_for_a_listed_file_moves_it_to_the_loaded_files(workspace: Path) -> None:
    snapshot = take_snapshot(workspace, "backend", buffers={"backend/settings.json": '{"debug": false}\n'})
    assert snapshot.files["backend/settings.json"] == b'{"debug": false}\n'
    assert "backend/settings.json" not in snapshot.other_files


def test_buffer_paths_are_normalised(workspace: Path) -> None:
    absolute = str(workspace / "backend" / "agent.py")
    snapshot = take_snapshot(workspace, "backend", buffers={absolute: "X = 1\n", "backend\\database.py": "Y = 2\n"})
    assert snapshot.files["backend/agent.py"] == b"X = 1\n"
    assert snapshot.files["backend/database.py"] == b"Y = 2\n"
    assert not [path for path in snapshot.files if "\\" in path or path.startswith("/")]


def test_a_buffer_outside_the_workspace_is_refused(workspace: Path, tmp_path: Path) -> None:
    with pytest.raises(OrganizeError, match=r"document ../notes.py: outside the workspace"):
        take_snapshot(workspace, "backend", buffers={"../notes.py": "x = 1\n"})
    with pytest.raises(OrganizeError, match=r"outside the workspace"):
        take_snapshot(workspace, "backend", buffers={str(tmp_path / "elsewhere.py"): "x = 1\n"})


# --- the folder to organize -------------------------------------------------------------------


def test_default_organize_root_is_the_workspace(workspace: Path) -> None:
    assert take_snapshot(workspace).organize_root == ""
    assert take_snapshot(workspace, ".").organize_root == ""


@pytest.mark.parametrize("spelling", ["backend", "backend/", "./backend", "backend/.", "backend\\"])
def test_organize_root_spellings(workspace: Path, spelling: str) -> None:
    assert take_snapshot(workspace, spelling).organize_root == "backend"


def test_an_absolute_organize_root_inside_the_workspace(workspace: Path) -> None:
    assert take_snapshot(workspace, str(workspace / "backend")).organize_root == "backend"


def test_organize_root_with_dotdot_is_refused(workspace: Path) -> None:
    make(workspace.parent, {"other/x.py": ""})
    for spelling in ("../other", "backend/../../other", "backend/.."):
        with pytest.raises(OrganizeError, match=r"root .*: outside the workspace .*'\.\.' is not allowed"):
            take_snapshot(workspace, spelling)


def test_an_absolute_organize_root_elsewhere_is_refused(workspace: Path, tmp_path: Path) -> None:
    elsewhere = make(tmp_path / "elsewhere", {"x.py": ""})
    with pytest.raises(OrganizeError, match=rf"root {elsewhere}: outside the workspace"):
        take_snapshot(workspace, str(elsewhere))


def test_an_organize_root_through_a_symlink_pointing_outside_is_refused(workspace: Path, tmp_path: Path) -> None:
    elsewhere = make(tmp_path / "elsewhere", {"x.py": ""})
    os.symlink(elsewhere, workspace / "linked", target_is_directory=True)
    with pytest.raises(OrganizeError, match=r"root linked: outside the workspace .*through a symbolic link"):
        take_snapshot(workspace, "linked")
    with pytest.raises(OrganizeError, match=r"through a symbolic link"):
        take_snapshot(workspace, "linked/sub")


def test_a_missing_organize_root_is_refused(workspace: Path) -> None:
    with pytest.raises(OrganizeError, match=r"^src: the folder to organize does not exist"):
        take_snapshot(workspace, "src")
    with pytest.raises(OrganizeError, match=r"the folder to organize does not exist"):
        take_snapshot(workspace, "backend/main.py")  # a file, not a folder


def test_a_workspace_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OrganizeError, match="not a folder"):
        take_snapshot(tmp_path / "missing")


def test_the_workspace_itself_may_be_reached_through_a_symlink(workspace: Path, tmp_path: Path) -> None:
    os.symlink(workspace, tmp_path / "alias", target_is_directory=True)
    snapshot = take_snapshot(tmp_path / "alias", "backend")
    assert snapshot.root == workspace.resolve()
    assert "backend/agent.py" in snapshot.files


def test_inside_workspace_refusal_names_what_was_checked(tmp_path: Path) -> None:
    with pytest.raises(OrganizeError, match=r"^move source /etc/passwd: outside the workspace"):
        inside_workspace(tmp_path.resolve(), "/etc/passwd", what="move source")


# --- source roots and module names ----------------------------------------------------------


def snapshot_of(files: dict[str, str], organize_root: str) -> Snapshot:
    return Snapshot(root=Path("/nowhere"), files={path: text.encode() for path, text in files.items()},
                    organize_root=organize_root)


def test_a_flat_folder_is_its_own_source_root() -> None:
    assert source_roots(snapshot_of({"backend/main.py": ""}, "backend")) == ["backend"]
    assert source_roots(snapshot_of({"main.py": ""}, "")) == [""]


def test_a_backend_that_is_a_package_imports_through_its_parent() -> None:
    files = {"RAI_Chat/__init__.py": "", "RAI_Chat/Backend/__init__.py": "", "RAI_Chat/Backend/app.py": ""}
    assert source_roots(snapshot_of(files, "RAI_Chat/Backend")) == [""]
    files = {"src/chat/__init__.py": "", "src/chat/app.py": ""}
    assert source_roots(snapshot_of(files, "src/chat")) == ["src"]


@pytest.mark.parametrize(
    ("path", "roots", "expected"),
    [
        ("backend/agents/agent.py", ["backend"], "agents.agent"),
        ("backend/agent.py", ["backend"], "agent"),
        ("backend/agents/__init__.py", ["backend"], "agents"),
        ("backend/agents", ["backend"], "agents"),
        ("agents/agent.py", [""], "agents.agent"),
        ("RAI_Chat/Backend/core/database/connection.py", [""], "RAI_Chat.Backend.core.database.connection"),
        ("backend2/agent.py", ["backend"], None),  # a sibling that merely starts alike
        ("other/agent.py", ["backend"], None),
        ("backend", ["backend"], None),
        ("__init__.py", [""], None),
        ("src/pkg/mod.py", ["", "src"], "pkg.mod"),  # the deepest root wins
    ],
)
def test_module_name(path: str, roots: list[str], expected: str | None) -> None:
    assert module_name(path, roots) == expected
