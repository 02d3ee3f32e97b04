"""Crash safety of `apply`, end to end.

A real `organize-backend apply` process on a generated backend is killed (SIGKILL, SIGTERM,
SIGINT) at instants spread over its run. Afterwards every command names the interrupted
organize instead of "nothing to organize" / "nothing to undo", the message the killed process
printed (if it could print one) is true, and `undo` brings back every byte and folder.

The instants are measured, not guessed: a probe run times when the pending journal appears
(the disk phase starts) and when the finished journal appears (the commit). Most kills land
inside that window, measured from the moment the pending journal shows up; a few land anywhere
in the run. `ORGANIZE_CRASH_SWEEP=N` runs N instants per signal instead of the default few.

Ctrl-C is also injected deterministically, in process, after every k-th disk step of the
disk sink, to check the message against what is on disk at each instant.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from organize_backend import cli
from organize_backend.sinks import disk
from organize_backend.sinks.journal import interrupted_journal, last_journal

REPO = Path(__file__).resolve().parents[2]
STATE = ".organize-backend"
MODULES = 300  # "a few hundred modules" (issue 10): a disk phase of about a second here
SWEEP = int(os.environ.get("ORGANIZE_CRASH_SWEEP", "0"))
CONFIG = """\
[tool.organize-backend]
layout = "none"

[tool.organize-backend.packages]
"core" = ["core_*"]
"services" = ["mod_00*"]
"models" = ["mod_01*"]
"""


# --- a generated backend and its state ------------------------------------------------------


def generated_backend(root: Path, modules: int) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.generate(root, modules)
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "run.sh").write_text("#!/bin/sh\npython core_0000.py\n")
    (root / "run.sh").chmod(0o755)
    return root


def tree(root: Path) -> tuple[dict[str, bytes], set[str], dict[str, int]]:
    """Every file's bytes and mode and every folder, ignoring our state folder and bytecode."""
    files: dict[str, bytes] = {}
    folders: set[str] = set()
    modes: dict[str, int] = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if relative.parts[0] == STATE or "__pycache__" in relative.parts:
            continue
        if path.is_dir():
            folders.add(relative.as_posix())
        else:
            files[relative.as_posix()] = path.read_bytes()
            modes[relative.as_posix()] = stat.S_IMODE(path.stat().st_mode)
    return files, folders, modes


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_recovers(root: Path, original, capsys: pytest.CaptureFixture[str]) -> str:
    """What the next commands say after the kill, and that `undo` restores every byte.
    Returns what the workspace was left as: "interrupted", "applied" or "untouched"."""
    if interrupted_journal(root) is not None:
        for command in ("plan", "check", "apply"):
            code, said = run_cli(capsys, command, str(root))
            assert code == cli.EXIT_REFUSED, said
            assert "an organize was interrupted at" in said and "run `organize-backend undo`" in said, said
            assert "nothing to organize" not in said
        code, said = run_cli(capsys, "undo", str(root))
        assert code == cli.EXIT_OK and "nothing to undo" not in said, said
        left = "interrupted"
    elif last_journal(root) is not None:
        code, said = run_cli(capsys, "undo", str(root))
        assert code == cli.EXIT_OK, said
        left = "applied"
    else:
        left = "untouched"
    assert tree(root) == original
    code, said = run_cli(capsys, "undo", str(root))
    assert code == cli.EXIT_REFUSED and "nothing to undo" in said
    assert not list((root / STATE).glob("stash-*/*"))
    return left


def assert_message_is_true(signal_number: int, stderr: str, left: str) -> None:
    """The killed process's last word must match what the disk shows."""
    if signal_number == signal.SIGKILL or "interrupted" not in stderr:
        return  # no chance to speak (SIGKILL, or a signal before the handler was installed)
    if "nothing was changed" in stderr:
        assert left == "untouched", stderr
    elif "the change was applied" in stderr:
        assert left == "applied", stderr
    else:
        assert "run `organize-backend undo`" in stderr and left == "interrupted", stderr


# --- timing-based kills of a real process --------------------------------------------------


def journal_names(root: Path) -> list[str]:
    folder = root / STATE / "journal"
    try:
        return os.listdir(folder)
    except FileNotFoundError:
        return []


def pending_started(root: Path) -> bool:
    return any(name.endswith(".pending.json") for name in journal_names(root))


def committed(root: Path) -> bool:
    return any(name.endswith(".json") and name.count(".") == 2 for name in journal_names(root))


def start_apply(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "organize_backend", "apply", str(root)], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(process: subprocess.Popen[str], condition, started: float, limit: float = 60.0) -> float | None:
    """Seconds from `started` until `condition` holds; None when the process ended first."""
    while time.monotonic() - started < limit:
        if condition():
            return time.monotonic() - started
        if process.poll() is not None:
            return None
        time.sleep(0.0005)
    raise AssertionError("the apply took too long")


def measure(root: Path) -> tuple[float, float, float]:
    """Seconds from start to the pending journal, from it to the commit, and the whole run."""
    started = time.monotonic()
    process = start_apply(root)
    pending_at = wait_until(process, lambda: pending_started(root), started)
    commit_at = wait_until(process, lambda: committed(root), started)
    process.communicate(timeout=60)
    assert process.returncode == cli.EXIT_OK and pending_at is not None and commit_at is not None
    return pending_at, commit_at - pending_at, time.monotonic() - started


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory):
    """A pristine generated backend, its tree, and the measured timeline of an apply on it."""
    pristine = generated_backend(tmp_path_factory.mktemp("pristine"), MODULES)
    probe = generated_backend(tmp_path_factory.mktemp("probe"), MODULES)
    return pristine, tree(pristine), measure(probe)


def instants(count: int, disk_phase: float, whole: float) -> list[tuple[str, float]]:
    """(what the delay counts from, delay): spread over the disk phase and a bit past the
    commit, plus one in every four anywhere in the run (mostly the computing phase)."""
    spread = [("pending", disk_phase * 1.15 * (index + 0.5) / count) for index in range(count)]
    anywhere = [("start", whole * (index + 0.5) / max(1, count // 4)) for index in range(max(1, count // 4))]
    return spread + anywhere


def copy_tree(source: Path, target: Path) -> Path:
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    return target


@pytest.mark.parametrize(("signal_number", "default_count"),
                         [(signal.SIGKILL, 4), (signal.SIGTERM, 3), (signal.SIGINT, 2)],
                         ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_apply_killed_at_any_instant_is_restored_byte_for_byte(
        backend, tmp_path: Path, capsys: pytest.CaptureFixture[str], signal_number: int, default_count: int) -> None:
    pristine, original, (_, disk_phase, whole) = backend
    assert disk_phase > 0.01, "the disk phase is too short to aim at; raise MODULES"
    seen: dict[str, int] = {}
    hits = 0  # kills that landed after the pending journal was written, while the apply still ran
    for index, (anchor, delay) in enumerate(instants(SWEEP or default_count, disk_phase, whole)):
        root = copy_tree(pristine, tmp_path / f"ws{index}")
        started = time.monotonic()
        process = start_apply(root)
        if anchor == "pending" and wait_until(process, lambda root=root: pending_started(root), started) is None:
            pytest.fail(f"the apply ended before its pending journal was seen: {process.communicate()}")
        time.sleep(max(0.0, delay - (time.monotonic() - started) if anchor == "start" else delay))
        process.send_signal(signal_number)
        _, stderr = process.communicate(timeout=60)
        hits += anchor == "pending" and process.returncode != cli.EXIT_OK
        left = assert_recovers(root, original, capsys)
        assert_message_is_true(signal_number, stderr, left)
        seen[left] = seen.get(left, 0) + 1
    # the kills must really have hit the disk phase, or this test proves nothing
    assert hits >= 1, seen
    if signal_number == signal.SIGKILL:
        assert seen.get("interrupted", 0) >= 1, seen


# --- Ctrl-C injected after every k-th step, in process -----------------------------------

DISK_STEPS = ("open", "replace", "mkdir", "rmdir", "unlink", "fsync")


def ctrl_c() -> None:
    raise KeyboardInterrupt


class InterruptAfterStep:
    """Stands in for the `os` module inside the disk sink: `interrupt` (Ctrl-C by default)
    comes right after the `limit`th call that changes the disk (or makes it durable)."""

    def __init__(self, limit: int, interrupt=ctrl_c) -> None:
        self.limit, self.calls, self.commit_step, self.interrupt = limit, 0, 0, interrupt
        self.root: Path | None = None

    def __getattr__(self, name: str):
        real = getattr(os, name)
        if name not in DISK_STEPS:
            return real

        def step(*args, **kwargs):
            self.calls += 1
            result = real(*args, **kwargs)
            if not self.commit_step and self.root is not None and committed(self.root):
                self.commit_step = self.calls
            if self.calls == self.limit:
                self.interrupt()
            return result

        return step


def test_ctrl_c_after_any_disk_step_gets_a_message_that_is_true(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    pristine = generated_backend(tmp_path / "pristine", 12)
    original = tree(pristine)
    counter = InterruptAfterStep(0)
    counter.root = copy_tree(pristine, tmp_path / "probe")
    with monkeypatch.context() as patch:
        patch.setattr(disk, "os", counter)
        assert run_cli(capsys, "apply", str(counter.root))[0] == cli.EXIT_OK
    total, commit = counter.calls, counter.commit_step
    assert 0 < commit < total
    # every step around the commit, and a sample of the rest (each apply recomputes the change)
    limits = sorted({*range(1, total + 1, max(1, total // 12)), *range(commit - 3, total + 1)})
    said_unchanged = said_applied = 0
    for limit in limits:
        root = copy_tree(pristine, tmp_path / f"ws{limit}")
        with monkeypatch.context() as patch:
            patch.setattr(disk, "os", InterruptAfterStep(limit))
            code, said = run_cli(capsys, "apply", str(root))
        if limit < commit:
            assert "interrupted; nothing was changed" in said and code == cli.EXIT_REFUSED, said
            assert tree(root) == original and last_journal(root) is None and interrupted_journal(root) is None
            said_unchanged += 1
        else:
            assert "interrupted after the change was applied" in said and code == cli.EXIT_INTERRUPTED, said
            assert last_journal(root) is not None and tree(root) != original
            said_applied += 1
        assert assert_recovers(root, original, capsys) in ("untouched", "applied")
    assert said_unchanged >= 10 and said_applied >= 3


def test_ctrl_c_while_the_result_is_reported_says_the_change_was_applied(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The case users met: Ctrl-C during the import check after the apply printed
    "nothing was changed" although every file had moved."""
    root = generated_backend(tmp_path / "ws", 12)
    original = tree(root)

    def interrupted_check(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(cli, "_report_unresolved", interrupted_check)
        code, said = run_cli(capsys, "apply", str(root))
    assert code == cli.EXIT_INTERRUPTED
    assert "interrupted after the change was applied; `organize-backend undo` reverts it" in said
    assert "nothing was changed" not in said
    assert tree(root) != original
    assert assert_recovers(root, original, capsys) == "applied"


def test_sigterm_during_an_apply_rolls_back_like_ctrl_c(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A real SIGTERM delivered to this process in the middle of the disk phase."""
    root = generated_backend(tmp_path / "ws", 12)
    original = tree(root)
    # after step 20 the journal is written and files are parked in the stash
    steps = InterruptAfterStep(20, interrupt=lambda: os.kill(os.getpid(), signal.SIGTERM))
    handler = signal.getsignal(signal.SIGTERM)
    with monkeypatch.context() as patch:
        patch.setattr(disk, "os", steps)
        code, said = run_cli(capsys, "apply", str(root))
    assert steps.calls > 20
    assert code == cli.EXIT_REFUSED and "interrupted; nothing was changed" in said, said
    assert tree(root) == original and last_journal(root) is None and interrupted_journal(root) is None
    assert signal.getsignal(signal.SIGTERM) == handler  # the command put the old handler back
