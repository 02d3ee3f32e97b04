"""End to end on the seed-000 backend: apply, then the backend's own tests, script and check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import copy_fixture, organized_copy, run_fixture_tests, tree_bytes
from organize_backend.cli import main

# Seed 000's rewrite table, verbatim: each left side must become the right side wherever it appears.
SEED_REWRITES = {
    "from database import": "from database.database import",
    "from models import": "from models.models import",
    "from agent import": "from agents.agent import",
    "from vector_store import": "from data.vector_store import",
    "from rate_limiting import": "from utils.rate_limiting import",
    "from session_service import": "from services.session_service import",
    "from embeddings import": "from data.embeddings import",
}


@pytest.fixture(scope="module")
def organized(tmp_path_factory):
    return organized_copy("chat_backend", tmp_path_factory.mktemp("chat"))


def test_the_backends_own_tests_pass_in_the_new_layout(organized):
    root, _ = organized
    result = run_fixture_tests(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b\d+ passed\b", result.stdout)


def test_modules_land_in_the_skill_packages(organized):
    root, _ = organized
    for path in ("agents/agent.py", "auth/auth.py", "chatkit/chatkit_store.py", "data/vector_store.py",
                 "database/database.py", "models/models.py", "services/session_service.py",
                 "utils/rate_limiting.py", "scripts/seed_db.py", "tests/test_agent.py", "tests/conftest.py"):
        assert (root / path).is_file(), path
    for package in ("agents", "auth", "chatkit", "data", "database", "models", "services", "utils", "scripts", "tests"):
        assert (root / package / "__init__.py").is_file(), package
    assert (root / "main.py").is_file() and (root / "config.py").is_file()
    assert not (root / "agent.py").exists() and not (root / "database.py").exists()


def test_seed_rewrite_table_holds_verbatim(organized):
    root, before = organized
    seen = 0
    for path, data in before.items():
        if not path.endswith(".py"):
            continue
        old_lines = data.decode().splitlines()
        new_text = _new_text(root, path)
        for old, new in SEED_REWRITES.items():
            for line in old_lines:
                if line.lstrip().startswith(old):
                    seen += 1
                    assert line.replace(old, new) in new_text, f"{path}: {line!r}"
    assert seen >= 5  # the fixture really exercises the table


def test_plain_imports_keep_their_bindings_in_place_and_call_sites_stay(organized):
    root, before = organized
    main_before = before["main.py"].decode()
    main_after = (root / "main.py").read_text()
    assert "import database, auth" in main_before
    # one statement stays one statement, on its line, binding the same two names
    assert "import database.database as database, auth.auth as auth" in main_after
    assert len(main_after.splitlines()) == len(main_before.splitlines())
    for call in re.findall(r"\bdatabase\.\w+\(", main_before):
        assert call in main_after
    assert "database.database." not in main_after


def test_string_references_follow_the_moves(organized):
    root, _ = organized
    tests = "".join(p.read_text() for p in (root / "tests").glob("test_*.py"))
    assert 'patch("agent.' not in tests and 'patch("agents.agent.' in tests
    assert '"indexer"' not in (root / "plugins.py").read_text()


def test_config_and_docs_follow_the_moves(organized):
    root, _ = organized
    assert "python -m scripts.seed_db" in (root / "Procfile").read_text()
    assert "python seed_db.py" not in (root / "Makefile").read_text()
    assert "python -m scripts.seed_db" in (root / ".github/workflows/ci.yml").read_text()
    readme = (root / "README.md").read_text()
    assert "## Project structure" in readme and "database.py" in readme and "agents/" in readme


def test_the_script_runs_by_its_rewritten_command(organized, tmp_path):
    root, _ = organized
    line = next(l for l in (root / "Procfile").read_text().splitlines() if "seed_db" in l)
    command = line.split(":", 1)[1].split()
    assert command[:3] == ["python", "-m", "scripts.seed_db"]
    env = dict(os.environ, CHAT_DB=str(tmp_path / "seed.db"))
    result = subprocess.run([sys.executable, *command[1:]], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_check_is_clean_after_apply(organized, capsys):
    root, _ = organized
    assert main(["check", str(root)]) == 0
    assert "every import resolves" in capsys.readouterr().out


def test_untouched_lines_stay_byte_identical(organized):
    root, before = organized
    crlf = next(p for p, d in before.items() if p.endswith(".py") and b"\r\n" in d)
    after = _new_bytes(root, crlf)
    assert after.count(b"\n") == after.count(b"\r\n"), "every line of the CRLF module keeps CRLF"
    cookie = next(p for p, d in before.items() if p.endswith(".py") and d.startswith(b"# -*- coding"))
    assert _new_bytes(root, cookie).startswith(before[cookie].splitlines(keepends=True)[0])
    for path, data in before.items():
        if path.endswith(".py"):
            new_lines = set(_new_bytes(root, path).splitlines(keepends=True))
            kept = [line for line in data.splitlines(keepends=True) if b"import" not in line and b'"' not in line]
            assert all(line in new_lines for line in kept), path


def test_undo_restores_the_original_byte_for_byte(tmp_path):
    root, before = organized_copy("chat_backend", tmp_path)
    assert tree_bytes(root) != before
    assert main(["undo", str(root)]) == 0
    assert tree_bytes(root) == before
    assert _folders(root) == _folders_of(before)


def test_dry_run_and_plan_change_nothing(tmp_path, capsys):
    root = copy_fixture("chat_backend", tmp_path)
    before = tree_bytes(root)
    assert main(["plan", str(root)]) == 0
    assert main(["apply", "--dry-run", str(root)]) == 0
    out = capsys.readouterr().out
    assert "rename from agent.py\nrename to agents/agent.py" in out
    assert tree_bytes(root) == before and not (root / ".organize-backend").exists()


def _new_path(root: Path, old: str) -> Path:
    if (root / old).exists():
        return root / old
    matches = [p for p in root.rglob(Path(old).name) if ".organize-backend" not in p.parts]
    assert len(matches) == 1, (old, matches)
    return matches[0]


def _new_text(root: Path, old: str) -> str:
    return _new_path(root, old).read_text()


def _new_bytes(root: Path, old: str) -> bytes:
    return _new_path(root, old).read_bytes()


def _folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()
            and not {"__pycache__", ".organize-backend", ".pytest_cache"} & set(p.relative_to(root).parts)}


def _folders_of(files: dict[str, bytes]) -> set[str]:
    return {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
