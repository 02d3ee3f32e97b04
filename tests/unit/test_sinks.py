"""The disk and diff sinks, on small hand-built workspaces and ChangeSets."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from organize_backend.model import ChangeSet, FileChange, OrganizeError
from organize_backend.pipeline import open_workspace
from organize_backend.sinks.diff import render_diff
from organize_backend.sinks.disk import apply_changes, describe_interruption, last_journal, undo_last
from organize_backend.sinks.journal import interrupted_journal

# --- workspace helpers ------------------------------------------------------------------

ORIGINAL = {
    "main.py": b"from database import get_db\r\nimport agent\r\n\r\napp = get_db()\r\n",  # CRLF
    "database.py": b"def get_db():\n    return 1\n",
    "agent.py": b"\xef\xbb\xbfimport database\n\nVALUE = 'caf\xc3\xa9'\n",  # BOM
    "obsolete.py": b"OLD = True",  # no newline at the end
    "legacy/tool.py": b"import main\n",
    "run.sh": b"#!/bin/sh\npython main.py\n",
    "README.md": b"Run `python main.py`.\n",
}

NEW_AGENT = b"\xef\xbb\xbffrom database import database\n\nVALUE = 'caf\xc3\xa9'\n"
NEW_MAIN = b"from database.database import get_db\r\nfrom agents import agent\r\n\r\napp = get_db()\r\n"
NEW_RUN = b"#!/bin/sh\npython -m main\n"


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def workspace(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_tree(root, ORIGINAL)
    (root / "run.sh").chmod(0o755)
    return root


def snapshot(root: Path) -> tuple[dict[str, bytes], set[str]]:
    """Every file's bytes and every folder, ignoring our own journal folder."""
    files: dict[str, bytes] = {}
    folders: set[str] = set()
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] == ".organize-backend":
            continue
        if path.is_dir():
            folders.add(relative)
        else:
            files[relative] = path.read_bytes()
    return files, folders


def moved(old: str, new: str, before: bytes, after: bytes | None = None) -> FileChange:
    return FileChange(old, new, before, after if after is not None else before)


def created(new: str, after: bytes) -> FileChange:
    return FileChange(None, new, None, after)


def deleted(old: str, before: bytes) -> FileChange:
    return FileChange(old, None, before, None)


def edited(path: str, before: bytes, after: bytes) -> FileChange:
    return FileChange(path, path, before, after)


def organize(root: Path) -> ChangeSet:
    """A little organize: a package replacing its module, a moved and edited file, a deletion."""
    return ChangeSet(
        root=root,
        files=(
            moved("database.py", "database/database.py", ORIGINAL["database.py"]),
            created("database/__init__.py", b""),
            moved("agent.py", "agents/agent.py", ORIGINAL["agent.py"], NEW_AGENT),
            created("agents/__init__.py", b'"""Agents."""\n'),
            edited("main.py", ORIGINAL["main.py"], NEW_MAIN),
            edited("run.sh", ORIGINAL["run.sh"], NEW_RUN),
            moved("legacy/tool.py", "scripts/tool.py", ORIGINAL["legacy/tool.py"]),
            deleted("obsolete.py", ORIGINAL["obsolete.py"]),
        ),
        created_dirs=("agents", "database"),  # scripts/ is left implicit on purpose
        removed_dirs=("legacy",),
    )


EXPECTED_AFTER = {
    "main.py": NEW_MAIN,
    "database/database.py": ORIGINAL["database.py"],
    "database/__init__.py": b"",
    "agents/agent.py": NEW_AGENT,
    "agents/__init__.py": b'"""Agents."""\n',
    "scripts/tool.py": ORIGINAL["legacy/tool.py"],
    "run.sh": NEW_RUN,
    "README.md": ORIGINAL["README.md"],
}


def refused(changes: ChangeSet) -> str:
    """Apply must refuse and leave the tree and the journal folder as they were."""
    before = snapshot(changes.root)
    with pytest.raises(OrganizeError) as caught:
        apply_changes(changes)
    assert snapshot(changes.root) == before
    assert last_journal(changes.root) is None
    return str(caught.value)


# --- apply and undo ---------------------------------------------------------------------


def test_apply_writes_the_change(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    journal = apply_changes(organize(root))
    files, folders = snapshot(root)
    assert files == EXPECTED_AFTER
    assert folders == {"agents", "database", "scripts"}
    assert journal.summary() == "moved 3 files, edited 3, created 2, deleted 1, removed 1 folder"
    assert set(journal.created_dirs) == {"agents", "database", "scripts"}
    assert journal.removed_dirs == ("legacy",)


def test_apply_then_undo_restores_every_byte_and_folder(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    original = snapshot(root)
    apply_changes(organize(root))
    undone = undo_last(root)
    assert snapshot(root) == original
    assert undone.undone and undone.path.name.endswith(".undone.json")
    assert last_journal(root) is None


def test_permissions_survive_edit_and_undo(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    apply_changes(organize(root))
    assert stat.S_IMODE((root / "run.sh").stat().st_mode) == 0o755
    undo_last(root)
    assert stat.S_IMODE((root / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((root / "obsolete.py").stat().st_mode) == stat.S_IMODE(
        (root / "README.md").stat().st_mode)


def test_journal_lives_in_one_ignored_dot_folder(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    journal = apply_changes(organize(root))
    assert journal.path.parent == root / ".organize-backend" / "journal"
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-\d{4}\.json", journal.path.name)
    assert (root / ".organize-backend" / ".gitignore").read_bytes() == b"*\n"
    assert last_journal(root) == journal
    entry = next(e for e in journal.entries if e.old_path == "agent.py")
    assert (entry.new_path, entry.original) == ("agents/agent.py", ORIGINAL["agent.py"])
    assert sorted(p.name for p in journal.path.parent.iterdir()) == [journal.path.name]  # no pending left


def test_the_journal_keeps_the_folder_an_organize_took_and_reads_journals_without_it(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    journal = apply_changes(replace(organize(root), organize_root="backend"))
    assert json.loads(journal.path.read_text())["organize_root"] == "backend"
    assert last_journal(root).organize_root == "backend"
    data = json.loads(journal.path.read_text())
    del data["organize_root"]  # a journal written before the folder was kept
    journal.path.write_text(json.dumps(data))
    assert last_journal(root).organize_root is None
    undo_last(root)
    assert last_journal(root) is None


def test_same_name_package_replaces_its_module(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"database.py": b"X = 1\n"})
    changes = ChangeSet(root, (moved("database.py", "database/database.py", b"X = 1\n"),
                               created("database/__init__.py", b"")), created_dirs=("database",))
    apply_changes(changes)
    assert snapshot(root) == ({"database/database.py": b"X = 1\n", "database/__init__.py": b""}, {"database"})
    undo_last(root)
    assert snapshot(root) == ({"database.py": b"X = 1\n"}, set())


def test_a_folder_may_take_the_name_of_a_file_moving_away(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"tools": b"#!/bin/sh\n"})
    apply_changes(ChangeSet(root, (moved("tools", "tools/tools.sh", b"#!/bin/sh\n"),)))
    assert snapshot(root) == ({"tools/tools.sh": b"#!/bin/sh\n"}, {"tools"})
    undo_last(root)
    assert snapshot(root) == ({"tools": b"#!/bin/sh\n"}, set())


def test_swap_and_chain_of_moves(tmp_path: Path) -> None:
    files = {"a.py": b"A", "b.py": b"B", "c.py": b"C"}
    root = write_tree(tmp_path, files)
    apply_changes(ChangeSet(root, (moved("a.py", "b.py", b"A"), moved("b.py", "a.py", b"B"),
                                   moved("c.py", "d.py", b"C"))))
    assert snapshot(root)[0] == {"a.py": b"B", "b.py": b"A", "d.py": b"C"}
    undo_last(root)
    assert snapshot(root)[0] == files


def test_a_removed_folder_that_is_not_empty_stays(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"legacy/tool.py": b"T", "legacy/notes.txt": b"N"})
    journal = apply_changes(ChangeSet(root, (moved("legacy/tool.py", "tool.py", b"T"),), removed_dirs=("legacy",)))
    assert (root / "legacy" / "notes.txt").exists()
    assert journal.removed_dirs == ()


def test_two_applies_then_two_undos_in_order(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    original = snapshot(root)
    first = apply_changes(ChangeSet(root, (moved("database.py", "data/database.py", ORIGINAL["database.py"]),)))
    after_first = snapshot(root)
    second = apply_changes(ChangeSet(root, (moved("agent.py", "agents/agent.py", ORIGINAL["agent.py"], NEW_AGENT),)))
    assert first.path.name < second.path.name  # same second or not, the counter orders them
    assert last_journal(root) == second
    assert undo_last(root).created_at == second.created_at
    assert snapshot(root) == after_first
    assert undo_last(root).created_at == first.created_at
    assert snapshot(root) == original
    with pytest.raises(OrganizeError, match="nothing to undo"):
        undo_last(root)


def test_undo_with_nothing_to_undo(tmp_path: Path) -> None:
    with pytest.raises(OrganizeError, match="^nothing to undo"):
        undo_last(tmp_path)


def test_an_empty_change_is_refused(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    assert "nothing to apply" in refused(ChangeSet(root, ()))


# --- refusals before anything is written -------------------------------------------------


def test_refuses_files_changed_since_the_plan(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    changes = organize(root)
    (root / "agent.py").write_bytes(b"edited by hand\n")
    (root / "obsolete.py").unlink()
    message = refused(changes)
    assert "files changed since the plan: agent.py, obsolete.py (gone)" in message
    assert "nothing was written" in message


def test_refuses_an_existing_destination(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    write_tree(root, {"agents/agent.py": b"someone else\n"})
    assert "destinations that already exist: agents/agent.py" in refused(organize(root))


def test_refuses_two_files_sent_to_one_place(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    changes = ChangeSet(root, (moved("agent.py", "x.py", ORIGINAL["agent.py"]),
                               moved("database.py", "x.py", ORIGINAL["database.py"])))
    assert "destinations named twice: x.py" in refused(changes)


def test_refuses_a_file_in_the_way_of_a_new_folder(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"tools": b"#!/bin/sh\n", "a.py": b"A"})
    assert "files in the way of a new folder: tools" in refused(ChangeSet(root, (moved("a.py", "tools/a.py", b"A"),)))


@pytest.mark.parametrize("destination", ["../main.py", "agents/../../main.py"])
def test_refuses_paths_that_climb_out(tmp_path: Path, destination: str) -> None:
    root = workspace(tmp_path / "ws")
    message = refused(ChangeSet(root, (moved("main.py", destination, ORIGINAL["main.py"]),)))
    assert f"paths outside the workspace: {destination}" in message


def test_refuses_paths_not_in_plain_form(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    changes = ChangeSet(root, (moved("./main.py", "app//main.py", ORIGINAL["main.py"]),))
    assert "paths not in plain relative form: ./main.py, app//main.py" in refused(changes)


def test_refuses_absolute_paths(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    elsewhere = str(tmp_path / "elsewhere" / "main.py")
    move_out = ChangeSet(root, (moved("main.py", elsewhere, ORIGINAL["main.py"]),))
    assert "paths outside the workspace" in refused(move_out)
    assert "paths outside the workspace" in refused(ChangeSet(root, (created(elsewhere, b"x"),)))


def test_refuses_escape_through_a_symlink(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    outside = write_tree(tmp_path / "outside", {"secret.py": b"S"})
    os.symlink(outside, root / "linked")
    into_link = ChangeSet(root, (moved("main.py", "linked/main.py", ORIGINAL["main.py"]),))
    assert "paths outside the workspace: linked/main.py" in refused(into_link)
    from_link = ChangeSet(root, (moved("linked/secret.py", "secret.py", b"S"),))
    assert "paths outside the workspace: linked/secret.py" in refused(from_link)
    assert (outside / "secret.py").read_bytes() == b"S"


def test_refuses_to_touch_the_journal_folder(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    assert ".organize-backend/" in refused(ChangeSet(root, (created(".organize-backend/x", b"x"),)))


# Root ignores permissions, so disk.py judges read-only by the mode bits: these tests hold
# for root and for ordinary users alike (os.geteuid() == 0 needs no skip).


def test_refuses_a_read_only_file(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    (root / "main.py").chmod(0o444)
    try:
        assert "read-only files: main.py" in refused(organize(root))
    finally:
        (root / "main.py").chmod(0o644)


def test_refuses_a_read_only_folder(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    (root / "legacy").chmod(0o555)
    try:
        assert "read-only folders: legacy" in refused(organize(root))
    finally:
        (root / "legacy").chmod(0o755)


# --- all or nothing ---------------------------------------------------------------------


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str, action) -> int:
    calls = 0
    real = getattr(os, name)

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, name, counting)
        action()
    return calls


def failing_on_call(name: str, number: int, *, and_after: bool = False):
    """os.<name> that fails on its `number`th call (and every later one if `and_after`)."""
    calls = 0
    real = getattr(os, name)

    def failing(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == number or (and_after and calls > number):
            raise OSError(28, "No space left on device (simulated)")
        return real(*args, **kwargs)

    return failing


def failure_of(action) -> str | None:
    try:
        action()
    except OrganizeError as error:
        return str(error)
    return None


# os.replace does every move and every content write; mkdir and rmdir do the folders
@pytest.mark.parametrize("name", ["replace", "mkdir", "rmdir"])
def test_a_failure_midway_through_apply_rolls_everything_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    probe = workspace(tmp_path / "probe")
    total = count_calls(monkeypatch, name, lambda: apply_changes(organize(probe)))
    refusals = 0
    for number in range(1, total + 1):
        root = workspace(tmp_path / f"ws{number}")
        original = snapshot(root)
        with monkeypatch.context() as patch:
            patch.setattr(os, name, failing_on_call(name, number))
            failure = failure_of(lambda: apply_changes(organize(root)))
        if failure is None:  # the call was harmless (cleanup after the commit, mkdir of an existing folder)
            assert snapshot(root)[0] == EXPECTED_AFTER
            continue
        refusals += 1
        assert "nothing was changed" in failure
        assert snapshot(root) == original, f"failure on os.{name} call {number}"
        assert last_journal(root) is None
        assert not list((root / ".organize-backend").glob("stash-*"))
        apply_changes(organize(root))  # and the same change still goes through afterwards
        assert snapshot(root)[0] == EXPECTED_AFTER
    assert refusals >= {"replace": 10, "mkdir": 5, "rmdir": 1}[name]


@pytest.mark.parametrize("name", ["replace", "mkdir", "rmdir"])
def test_a_failure_midway_through_undo_rolls_everything_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    probe = workspace(tmp_path / "probe")
    apply_changes(organize(probe))
    total = count_calls(monkeypatch, name, lambda: undo_last(probe))
    refusals = 0
    for number in range(1, total + 1):
        root = workspace(tmp_path / f"ws{number}")
        original = snapshot(root)
        journal = apply_changes(organize(root))
        applied = snapshot(root)
        with monkeypatch.context() as patch:
            patch.setattr(os, name, failing_on_call(name, number))
            failure = failure_of(lambda: undo_last(root))
        if failure is None:  # a harmless call: the undo went through
            assert snapshot(root) == original
            continue
        refusals += 1
        assert "nothing was changed" in failure
        assert snapshot(root) == applied, f"failure on os.{name} call {number}"
        assert last_journal(root) == journal
        undo_last(root)
        assert snapshot(root) == original
    assert refusals >= {"replace": 8, "mkdir": 1, "rmdir": 3}[name]


def test_a_rollback_that_fails_too_says_where_the_originals_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = workspace(tmp_path / "ws")
    with monkeypatch.context() as patch:
        # the disk "fills up" after the first file is stashed: rolling back fails as well
        patch.setattr(os, "replace", failing_on_call("replace", 4, and_after=True))
        with pytest.raises(OrganizeError) as caught:
            apply_changes(organize(root))
    message = str(caught.value)
    assert "rolling back failed" in message and "nothing was changed" not in message
    stash = next((root / ".organize-backend").glob("stash-*"))
    assert sorted(path.read_bytes() for path in stash.iterdir()) == sorted(
        set(snapshot(workspace(tmp_path / "fresh"))[0].values()) - set(snapshot(root)[0].values()))
    assert "run `organize-backend undo` to restore the original files" in message


def test_after_a_failed_rollback_undo_restores_the_original_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = workspace(tmp_path / "ws")
    original = snapshot(root)
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", failing_on_call("replace", 6, and_after=True))
        with pytest.raises(OrganizeError, match="rolling back failed"):
            apply_changes(organize(root))
    assert snapshot(root) != original
    with pytest.raises(OrganizeError, match="an organize was interrupted"):
        apply_changes(organize(root))  # never on top of a half-moved tree
    undo_last(root)  # the disk works again
    assert snapshot(root) == original
    assert not list((root / ".organize-backend").glob("stash-*"))


# --- undo refusals ----------------------------------------------------------------------


def test_undo_refuses_when_a_written_file_was_edited_since(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws")
    apply_changes(organize(root))
    (root / "agents" / "agent.py").write_bytes(b"edited after the organize\n")
    (root / "database.py").write_bytes(b"a new file where one moved away\n")
    (root / "scripts" / "tool.py").unlink()
    applied = snapshot(root)
    with pytest.raises(OrganizeError) as caught:
        undo_last(root)
    assert str(caught.value) == ("refusing to undo: these files changed since the organize: "
                                 "agents/agent.py, database.py (created again), scripts/tool.py (gone); undo puts "
                                 "back the files as they were before the organize, which would lose what was written "
                                 "since: revert those changes first (a formatter or `cog -r` run after the organize), "
                                 "then undo")
    assert snapshot(root) == applied
    assert last_journal(root) is not None


# --- diff -------------------------------------------------------------------------------


def test_diff_of_nothing_is_empty(tmp_path: Path) -> None:
    assert render_diff(ChangeSet(tmp_path, ())) == ""
    assert render_diff(ChangeSet(tmp_path, (FileChange("a.py", "a.py", b"A", b"A"),))) == ""


def test_diff_of_a_rename_with_an_edit(tmp_path: Path) -> None:
    before = b"import database\nX = 1\n"
    after = b"from database import database\nX = 1\n"
    diff = render_diff(ChangeSet(tmp_path, (moved("agent.py", "agents/agent.py", before, after),)))
    assert diff == (
        "diff --git a/agent.py b/agents/agent.py\n"
        "rename from agent.py\n"
        "rename to agents/agent.py\n"
        "--- a/agent.py\n"
        "+++ b/agents/agent.py\n"
        "@@ -1,2 +1,2 @@\n"
        "-import database\n"
        "+from database import database\n"
        " X = 1\n"
    )


def test_diff_of_a_pure_rename_creation_and_deletion(tmp_path: Path) -> None:
    diff = render_diff(ChangeSet(tmp_path, (
        created("pkg/__init__.py", b"A = 1\n"),
        moved("database.py", "database/database.py", b"X\n"),
        deleted("old.py", b"gone"),
    )))
    assert diff == (
        "diff --git a/database.py b/database/database.py\n"
        "similarity index 100%\n"
        "rename from database.py\n"
        "rename to database/database.py\n"
        "diff --git a/old.py b/old.py\n"
        "deleted file mode 100644\n"
        "--- a/old.py\n"
        "+++ /dev/null\n"
        "@@ -1 +0,0 @@\n"
        "-gone\n"
        "\\ No newline at end of file\n"
        "diff --git a/pkg/__init__.py b/pkg/__init__.py\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/pkg/__init__.py\n"
        "@@ -0,0 +1 @@\n"
        "+A = 1\n"
    )


def test_diff_keeps_carriage_returns_and_odd_bytes(tmp_path: Path) -> None:
    diff = render_diff(ChangeSet(tmp_path, (edited("main.py", b"a\r\nb\r\n", b"a\r\nc\r\n"),
                                            edited("latin.py", b"x = 'caf\xe9'\n", b"y = 'caf\xe9'\n"))))
    assert "-b\r\n+c\r\n" in diff
    assert "+y = 'caf\xe9'\n".encode("latin-1") in diff.encode("utf-8", errors="surrogateescape")


def test_diff_marks_binary_files_and_quotes_odd_names(tmp_path: Path) -> None:
    diff = render_diff(ChangeSet(tmp_path, (edited("blob.bin", b"\0a", b"\0b"),
                                            created("caf\u00e9.py", b"x\n"))))
    assert "Binary files a/blob.bin and b/blob.bin differ\n" in diff
    assert 'diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"\n' in diff


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # a private HOME and no system or global config, so the user's git settings play no part
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_apply_accepts_the_diff_and_reproduces_the_change(tmp_path: Path) -> None:
    root = workspace(tmp_path / "repo")
    write_tree(root, {"docs/read me.md": b"line one\nline two\n", "latin.py": b"x = 'caf\xe9'\n"})
    changes = organize(root)
    changes = ChangeSet(root, changes.files + (
        edited("docs/read me.md", b"line one\nline two\n", b"line one\nline 2\n"),
        edited("latin.py", b"x = 'caf\xe9'\n", b"y = 'caf\xe9'\n"),
    ))
    assert git(root, "init", "-q").returncode == 0
    patch = tmp_path / "change.patch"
    patch.write_bytes(render_diff(changes).encode("utf-8", errors="surrogateescape"))
    check = git(root, "apply", "--check", str(patch))
    assert check.returncode == 0, check.stderr
    applied = git(root, "apply", str(patch))
    assert applied.returncode == 0, applied.stderr
    files, _ = snapshot(root)
    files = {path: data for path, data in files.items() if not path.startswith(".git/")}
    assert files == {**EXPECTED_AFTER, "docs/read me.md": b"line one\nline 2\n", "latin.py": b"y = 'caf\xe9'\n"}


def test_undo_removes_new_packages_that_only_hold_bytecode_caches(tmp_path):
    """Running the app between apply and undo leaves __pycache__ in the new packages."""
    (tmp_path / "agent.py").write_bytes(b"x = 1\n")
    changes = ChangeSet(
        root=tmp_path,
        files=(
            FileChange("agent.py", "agents/agent.py", b"x = 1\n", b"x = 1\n"),
            FileChange(None, "agents/__init__.py", None, b""),
        ),
        created_dirs=("agents",),
    )
    apply_changes(changes)
    cache = tmp_path / "agents" / "__pycache__"
    cache.mkdir()
    (cache / "agent.cpython-311.pyc").write_bytes(b"\x00")
    undo_last(tmp_path)
    assert not (tmp_path / "agents").exists()
    assert (tmp_path / "agent.py").read_bytes() == b"x = 1\n"


# --- crash safety: the process dies after step k, for every k ----------------------------

# Every call that changes the disk (or makes it durable) is a step; the child process dies
# right after its k-th one, the way SIGKILL or the OOM killer would leave it.
DISK_STEPS = ("open", "replace", "mkdir", "rmdir", "unlink", "fsync")


def crash_workspace(root: Path) -> Path:
    """`organize`'s workspace plus a swap and a folder taking the name of a file moving away."""
    workspace(root)
    write_tree(root, {"x.py": b"X\n", "y.py": b"Y\n", "tools": b"#!/bin/sh\n"})
    return root


def crash_changes(root: Path) -> ChangeSet:
    base = organize(root)
    extra = (moved("x.py", "y.py", b"X\n"), moved("y.py", "x.py", b"Y\n"),
             moved("tools", "tools/tools.sh", b"#!/bin/sh\n"))
    return replace(base, files=base.files + extra)


def tree_state(root: Path) -> tuple[dict[str, bytes], set[str], dict[str, int]]:
    files, folders = snapshot(root)
    modes = {path: stat.S_IMODE((root / path).stat().st_mode) for path in files}
    return files, folders, modes


def count_steps(action) -> int:
    calls = 0
    originals = {name: getattr(os, name) for name in DISK_STEPS}

    def counting(real):
        def step(*args, **kwargs):
            nonlocal calls
            calls += 1
            return real(*args, **kwargs)
        return step

    try:
        for name, real in originals.items():
            setattr(os, name, counting(real))
        action()
    finally:
        for name, real in originals.items():
            setattr(os, name, real)
    return calls


def die_after_step(limit: int, action) -> bool:
    """Run `action` in a forked child that dies (os._exit, no cleanup) right after its
    `limit`th disk step. True when the child died, False when the action finished first."""
    child = os.fork()
    if child == 0:  # the child: patch its own os module, never return into pytest
        calls = 0

        def dying(real):
            def step(*args, **kwargs):
                nonlocal calls
                calls += 1
                try:
                    return real(*args, **kwargs)
                finally:  # a call that fails is a step too (mkdir of an existing folder)
                    if calls == limit:
                        os._exit(137)
            return step

        try:
            for name in DISK_STEPS:
                setattr(os, name, dying(getattr(os, name)))
            action()
            os._exit(0)
        except BaseException:  # noqa: BLE001 - any other end of the child is a test failure
            os._exit(1)
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, 137), f"the child failed before step {limit} (exit {code})"
    return code == 137


def assert_recovered(root: Path, original, changes: ChangeSet | None = None) -> None:
    """Whatever the crash left, the next commands say so and `undo` brings back every byte."""
    interrupted = interrupted_journal(root)
    if interrupted is not None:
        if changes is not None:
            with pytest.raises(OrganizeError, match="an organize was interrupted at .*run `organize-backend undo`"):
                apply_changes(changes)
        undo_last(root)
    elif last_journal(root) is not None:
        undo_last(root)  # the apply committed before it died: a plain undo
    assert tree_state(root) == original
    state = root / ".organize-backend"
    assert interrupted_journal(root) is None and last_journal(root) is None
    assert not [path for path in root.rglob("*.organize-tmp") if state not in path.parents]
    with pytest.raises(OrganizeError, match="^nothing to undo"):
        undo_last(root)
    # a process killed right after its commit leaves its stash: the next command tidies it
    assert not list(state.glob("stash-*/*")), "nothing may stay parked"


def test_death_after_any_step_of_an_apply_is_undone_byte_for_byte(tmp_path: Path) -> None:
    probe = crash_workspace(tmp_path / "probe")
    total = count_steps(lambda: apply_changes(crash_changes(probe)))
    assert total > 40  # the test means something only if the apply has many steps
    deaths = 0
    for limit in range(1, total + 1):
        root = crash_workspace(tmp_path / f"ws{limit}")
        original = tree_state(root)
        deaths += die_after_step(limit, lambda root=root: apply_changes(crash_changes(root)))
        assert_recovered(root, original, crash_changes(root))
    assert deaths == total


def test_death_after_any_step_of_an_undo_is_finished_by_the_next_undo(tmp_path: Path) -> None:
    probe = crash_workspace(tmp_path / "probe")
    apply_changes(crash_changes(probe))
    total = count_steps(lambda: undo_last(probe))
    for limit in range(1, total + 1):
        root = crash_workspace(tmp_path / f"ws{limit}")
        original = tree_state(root)
        apply_changes(crash_changes(root))
        assert die_after_step(limit, lambda root=root: undo_last(root))
        assert_recovered(root, original)


def test_death_during_the_restore_of_an_interrupted_apply_is_finished_by_the_next_undo(tmp_path: Path) -> None:
    """The restore is idempotent: killed anywhere, running it again finishes the job."""
    probe = crash_workspace(tmp_path / "probe")
    middle = count_steps(lambda: apply_changes(crash_changes(probe))) // 2
    probe = crash_workspace(tmp_path / "probe2")
    assert die_after_step(middle, lambda: apply_changes(crash_changes(probe)))
    total = count_steps(lambda: undo_last(probe))
    assert total > 10
    for limit in range(1, total + 1):
        root = crash_workspace(tmp_path / f"ws{limit}")
        original = tree_state(root)
        assert die_after_step(middle, lambda root=root: apply_changes(crash_changes(root)))
        died = die_after_step(limit, lambda root=root: undo_last(root))
        assert died or tree_state(root) == original
        assert_recovered(root, original)


def test_every_command_names_an_interrupted_organize_instead_of_doing_nothing(tmp_path: Path) -> None:
    root = crash_workspace(tmp_path / "ws")
    original = tree_state(root)
    middle = count_steps(lambda: apply_changes(crash_changes(crash_workspace(tmp_path / "probe")))) // 2
    assert die_after_step(middle, lambda: apply_changes(crash_changes(root)))
    assert tree_state(root) != original
    with pytest.raises(OrganizeError) as caught:
        open_workspace(root)  # what plan, check, move and the language server start with
    assert re.fullmatch(r"an organize was interrupted at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; "
                        r"run `organize-backend undo` to restore the original files", str(caught.value))
    changed, message = describe_interruption(root, {})
    assert changed and "run `organize-backend undo`" in message
    undone = undo_last(root)
    assert undone.undone and tree_state(root) == original
    open_workspace(root)  # the workspace is usable again


def test_undo_of_an_interrupted_apply_refuses_to_overwrite_later_work(tmp_path: Path) -> None:
    root = crash_workspace(tmp_path / "ws")
    middle = count_steps(lambda: apply_changes(crash_changes(crash_workspace(tmp_path / "probe")))) // 2
    assert die_after_step(middle, lambda: apply_changes(crash_changes(root)))
    (root / "main.py").write_bytes(b"edited by hand after the crash\n")
    left = tree_state(root)
    with pytest.raises(OrganizeError, match="refusing to undo: an organize was interrupted.*main.py"):
        undo_last(root)
    assert tree_state(root) == left
    assert interrupted_journal(root) is not None


def test_a_pending_copy_beside_a_finished_journal_is_a_leftover_not_an_interruption(tmp_path: Path) -> None:
    """Killed between writing the finished journal and removing the pending one."""
    root = workspace(tmp_path / "ws")
    journal = apply_changes(organize(root))
    leftover = journal.path.with_name(journal.path.name.replace(".json", ".pending.json"))
    leftover.write_bytes(journal.path.read_bytes())
    assert interrupted_journal(root) is None
    assert last_journal(root) == journal
    open_workspace(root)
    apply_changes(ChangeSet(root, (edited("README.md", ORIGINAL["README.md"], b"Run it.\n"),)))
    assert not leftover.exists()  # the next apply tidies it away


def test_a_pending_journal_left_by_a_version_without_crash_safety_is_restored_too(tmp_path: Path) -> None:
    """Format 1 named neither the folders nor the stash after the journal: the users who met
    the bug have such a journal, a randomly named stash and a half-moved tree."""
    root = crash_workspace(tmp_path / "ws")
    original = tree_state(root)
    middle = count_steps(lambda: apply_changes(crash_changes(crash_workspace(tmp_path / "probe")))) // 2
    assert die_after_step(middle, lambda: apply_changes(crash_changes(root)))
    pending = next((root / ".organize-backend" / "journal").glob("*.pending.json"))
    data = json.loads(pending.read_bytes())
    pending.write_text(json.dumps({**data, "format": 1, "created_dirs": [], "removed_dirs": []}))
    stash = next((root / ".organize-backend").glob("stash-*"))
    stash.rename(stash.with_name("stash-k3x9q1"))
    assert tree_state(root) != original
    with pytest.raises(OrganizeError, match="an organize was interrupted"):
        open_workspace(root)
    undo_last(root)
    assert tree_state(root) == original
