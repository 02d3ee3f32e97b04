"""The project's interpreter: which one is chosen, what it is asked, and what is found installed in it;
and `check` / `apply` judging a workspace by it (exit codes, warnings)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from textwrap import dedent

import pytest
from organize_backend import environment
from organize_backend.cli import main
from organize_backend.environment import Interpreter, choose_interpreter, environment_of
from organize_backend.model import OrganizeError


@pytest.fixture(autouse=True)
def no_active_virtual_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)


def make_venv(folder: Path) -> Path:
    """A real virtual environment (no pip: fast); returns its site-packages folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    [site_packages] = folder.glob("lib/python*/site-packages") or folder.glob("Lib/site-packages")
    return site_packages


def install_fake_package(site_packages: Path, name: str, distribution: str = "", init: str = "") -> None:
    """A package folder dropped into site-packages, with the metadata an installer writes."""
    (site_packages / name).mkdir()
    (site_packages / name / "__init__.py").write_text(init)
    if distribution:
        dist_info = site_packages / f"{distribution}-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "top_level.txt").write_text(f"{name}\n")


def fake_interpreter(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(dedent(text))


# --- choosing the interpreter ----------------------------------------------------------------


def test_the_interpreter_is_chosen_flag_or_config_then_editor_then_virtual_env_then_venv_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = fake_interpreter(tmp_path / "configured" / "bin" / "python", "exit 0\n")
    editor = fake_interpreter(tmp_path / "editor" / "bin" / "python", "exit 0\n")
    active = fake_interpreter(tmp_path / "active" / "bin" / "python", "exit 0\n")
    in_workspace = fake_interpreter(tmp_path / "ws" / ".venv" / "bin" / "python", "exit 0\n")
    workspace = tmp_path / "ws"
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "active"))

    assert choose_interpreter(workspace, "", str(configured), str(editor)).executable == str(configured)
    assert choose_interpreter(workspace, "", "", str(editor)) == Interpreter(str(editor), "the editor's interpreter")
    assert choose_interpreter(workspace) == Interpreter(str(active), "VIRTUAL_ENV")
    monkeypatch.delenv("VIRTUAL_ENV")
    assert choose_interpreter(workspace) == Interpreter(str(in_workspace), ".venv in the workspace")
    in_workspace.unlink()
    assert choose_interpreter(workspace) == Interpreter(sys.executable, "the tool's own Python")


def test_a_venv_folder_is_looked_for_from_the_organized_folder_up_to_the_workspace_root(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    outside = fake_interpreter(tmp_path / ".venv" / "bin" / "python", "exit 0\n")
    (workspace / "backend" / "app").mkdir(parents=True)
    assert choose_interpreter(workspace, "backend/app").executable != str(outside)  # above the workspace: not seen
    at_root = fake_interpreter(workspace / "venv" / "bin" / "python", "exit 0\n")
    assert choose_interpreter(workspace, "backend/app") == Interpreter(str(at_root), "venv in the workspace")
    nearer = fake_interpreter(workspace / "backend" / ".venv" / "bin" / "python", "exit 0\n")
    assert choose_interpreter(workspace, "backend/app") == Interpreter(str(nearer), ".venv in backend/")


def test_a_configured_python_may_be_relative_or_a_virtual_environment_folder(tmp_path: Path) -> None:
    python = fake_interpreter(tmp_path / "envs" / "app" / "bin" / "python", "exit 0\n")
    assert choose_interpreter(tmp_path, configured="envs/app").executable == str(python)
    assert choose_interpreter(tmp_path, configured="envs/app/bin/python").executable == str(python)
    with pytest.raises(OrganizeError, match="no-such-env: no such Python interpreter"):
        choose_interpreter(tmp_path, configured="no-such-env")
    (tmp_path / "empty").mkdir()
    with pytest.raises(OrganizeError, match="empty is a folder without bin/python"):
        choose_interpreter(tmp_path, configured="empty")


# --- asking it ---------------------------------------------------------------------------------


def test_a_virtual_environment_is_asked_for_its_own_search_path(tmp_path: Path) -> None:
    site_packages = make_venv(tmp_path / "env")
    found = environment_of(Interpreter(str(tmp_path / "env" / "bin" / "python"), "test"))
    assert str(site_packages) in found.search_path
    assert not any(entry.startswith(sys.prefix + os.sep) and "site-packages" in entry for entry in found.search_path)
    assert "os" in found.standard_library and "sys" in found.builtin_modules


def test_a_broken_interpreter_gives_a_clear_message(tmp_path: Path) -> None:
    failing = fake_interpreter(tmp_path / "failing", "echo 'ImportError: no module named encodings' >&2\nexit 1\n")
    with pytest.raises(OrganizeError, match="failed: ImportError: no module named encodings"):
        environment_of(Interpreter(str(failing), "test"))
    chatty = fake_interpreter(tmp_path / "chatty", "echo hello\n")
    with pytest.raises(OrganizeError, match="did not answer as a Python interpreter does"):
        environment_of(Interpreter(str(chatty), "test"))
    not_executable = tmp_path / "not_executable"
    not_executable.write_text("")
    with pytest.raises(OrganizeError, match="cannot run the project's Python"):
        environment_of(Interpreter(str(not_executable), "test"))


def test_a_slow_interpreter_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "ASK_TIMEOUT_SECONDS", 0.5)
    slow = fake_interpreter(tmp_path / "slow", "exec sleep 5\n")
    with pytest.raises(OrganizeError, match="did not answer within"):
        environment_of(Interpreter(str(slow), "test"))


def test_the_answer_is_cached_until_a_folder_of_the_search_path_changes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    asked = tmp_path / "asked"
    answer = f'{{"path": ["{site}"], "builtin": ["sys"], "stdlib": ["os"]}}'
    python = fake_interpreter(tmp_path / "python", f"echo x >> '{asked}'\necho '{answer}'\n")
    interpreter = Interpreter(str(python), "test")
    assert environment_of(interpreter).search_path == (str(site),)
    assert environment_of(interpreter).search_path == (str(site),)
    assert asked.read_text().count("x") == 1
    time.sleep(0.01)
    (site / "editable.pth").write_text(str(tmp_path))  # what `pip install -e` does
    environment_of(interpreter)
    assert asked.read_text().count("x") == 2


# --- what is installed ------------------------------------------------------------------------


def test_installed_modules_are_found_on_disk_in_the_environment(tmp_path: Path) -> None:
    site_packages = make_venv(tmp_path / "env")
    install_fake_package(site_packages, "fakeweb", "fake_web")
    (site_packages / "single_module.py").write_text("")
    (site_packages / "nspkg" / "part").mkdir(parents=True)
    hooked = site_packages / "hooked_dist-2.0.dist-info"  # an editable install through an import hook
    hooked.mkdir()
    (hooked / "RECORD").write_text("hooked/__init__.py,,\n__editable___hooked_finder.py,,\nhooked-2.0.dist-info/RECORD,,\n")
    installed = environment_of(Interpreter(str(tmp_path / "env" / "bin" / "python"), "test")).installed()

    assert installed.find("fakeweb").package_dirs == (str(site_packages / "fakeweb"),)
    assert installed.distributions_of("fakeweb") == ("fake_web",)
    assert installed.find("single_module").package_dirs is None
    assert installed.find("nspkg").package_dirs == (str(site_packages / "nspkg"),)
    assert installed.find("hooked").distributions == ("hooked_dist",)
    assert installed.find("json").standard_library and installed.find("sys").standard_library
    assert installed.find("pytest") is None  # the tool's environment has it; the project's does not


# --- check and apply, judged by the project's environment --------------------------------------


WEB_BACKEND = {
    "main.py": """\
        import fakeweb
        import database
        from agent import run
        app = fakeweb.App()
        """,
    "database.py": "def get_db():\n    return None\n",
    "agent.py": "import database\nfrom agent_memory import remember\n\ndef run():\n    return remember(database.get_db())\n",
    "agent_memory.py": "def remember(value):\n    return value\n",
    "test_agent.py": "from agent import run\n\ndef test_run():\n    assert run() is None\n",
}


@pytest.fixture
def web_backend(tmp_path: Path) -> Path:
    """A backend whose framework is installed in its .venv only, not in the tool's environment."""
    root = tmp_path / "web"
    write(root, WEB_BACKEND)
    install_fake_package(make_venv(root / ".venv"), "fakeweb", "fakeweb", "class App:\n    pass\n")
    return root


def test_check_judges_third_party_imports_by_the_projects_venv(web_backend: Path, capsys) -> None:
    assert main(["check", str(web_backend)]) == 0
    out = capsys.readouterr().out
    assert f"imports checked with {web_backend / '.venv' / 'bin' / 'python'} (.venv in the workspace)" in out
    assert "every import resolves (5 files)" in out


def test_a_package_installed_nowhere_is_a_warning_and_first_party_breakage_fails(web_backend: Path, capsys) -> None:
    python = web_backend / ".venv" / "bin" / "python"
    (web_backend / "main.py").write_text("import fakeweb\nimport not_installed_anywhere_xyz\n"
                                         "from database import get_db\n")
    assert main(["check", str(web_backend)]) == 0
    captured = capsys.readouterr()
    assert f"main.py:2: warning: import not_installed_anywhere_xyz: not installed in {python}" in captured.out
    assert "1 import(s) not installed in" in captured.err

    # Moved by hand into a package of its own name, importers not updated: `database` is now
    # that (namespace) package, the workspace's own, and it has no get_db. (A hand move into
    # another package, data/database.py, leaves `import database` a warning: see test_verify.)
    (web_backend / "database").mkdir()
    (web_backend / "database.py").rename(web_backend / "database" / "database.py")
    assert main(["check", str(web_backend)]) == 1
    captured = capsys.readouterr()
    assert "main.py:3: from database import get_db: get_db not found in database" in captured.out
    assert "1 import(s) do not resolve" in captured.err


def test_the_tools_own_python_reports_the_framework_as_not_installed(web_backend: Path, capsys) -> None:
    assert main(["check", str(web_backend), "--python", sys.executable]) == 0
    out = capsys.readouterr().out
    assert f"main.py:1: warning: import fakeweb: not installed in {sys.executable}" in out


def test_the_python_config_key_names_the_interpreter(web_backend: Path, capsys) -> None:
    (web_backend / "pyproject.toml").write_text(f'[tool.organize-backend]\npython = "{sys.executable}"\n')
    main(["check", str(web_backend)])
    assert f"imports checked with {sys.executable} (the `python` setting)" in capsys.readouterr().out


def test_a_broken_project_python_refuses_with_its_reason(web_backend: Path, capsys) -> None:
    broken = fake_interpreter(web_backend.parent / "broken-python", "echo 'Fatal Python error: init' >&2\nexit 1\n")
    assert main(["check", str(web_backend), "--python", str(broken)]) == 2
    assert "failed: Fatal Python error: init" in capsys.readouterr().err


def test_apply_exits_0_when_everything_it_changed_resolves(web_backend: Path, capsys) -> None:
    main_py = web_backend / "main.py"
    main_py.write_text(main_py.read_text().replace("import fakeweb", "import fakeweb\nimport not_installed_anywhere_xyz"))
    assert main(["apply", str(web_backend)]) == 0
    assert (web_backend / "agents" / "agent.py").is_file()
    out = capsys.readouterr().out
    assert "warning: import not_installed_anywhere_xyz: not installed in" in out
    assert "import fakeweb" not in out


def test_the_python_config_key_must_be_a_string(web_backend: Path, capsys) -> None:
    (web_backend / "pyproject.toml").write_text("[tool.organize-backend]\npython = 3\n")
    assert main(["check", str(web_backend)]) == 2
    assert "python must be a string, not 3" in capsys.readouterr().err


def test_the_python_flag_wins_over_the_config_key(web_backend: Path, capsys) -> None:
    (web_backend / "pyproject.toml").write_text('[tool.organize-backend]\npython = "no-such-env"\n')
    assert main(["check", str(web_backend), "--python", str(web_backend / ".venv")]) == 0
    assert f"imports checked with {web_backend / '.venv' / 'bin' / 'python'}" in capsys.readouterr().out
