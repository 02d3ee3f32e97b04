"""Deployment files after a reorganization: they must keep deploying, not only keep naming files.

A small backend deployed four ways: a Dockerfile that copies files one by one, a Makefile that
runs a script by its path (with its shebang) and by `python3 x.py`, an `.env` that names the app
and the Celery app, a Procfile for the worker, and a pyproject whose setuptools `py-modules` and
coverage `source` list modules. After the moves each is used as its tool would use it: `make`
runs the targets, the Dockerfile's COPY instructions are carried out into an image folder (COPY
puts each source file straight into the destination folder) where the app is imported, and every
module name the settings hold is imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from helpers import tree_bytes, write_tree
from organize_backend.cli import main

SEED = """#!/usr/bin/env python3
\"\"\"Seed the answers table: writes seeded.txt in the folder it runs in.\"\"\"
from pathlib import Path

from agent import answer

if __name__ == "__main__":
    Path("seeded.txt").write_text(answer("seed") + "\\n")
    print("seeded")
"""

BACKEND = {
    "organize-backend.toml": 'layout = "none"\n'
                             '[[move]]\nfrom = "agent.py"\nto = "agents/agent.py"\n'
                             '[[move]]\nfrom = "worker_service.py"\nto = "workers/worker_service.py"\n'
                             '[[move]]\nfrom = "seed_db.py"\nto = "scripts/seed_db.py"\n',
    "agent.py": 'def answer(question):\n    return f"answer to {question}"\n',
    "worker_service.py": "from agent import answer\n\n\nclass Worker:\n    def run(self):\n        return answer('job')\n\n\n"
                         "celery_app = Worker()\n",
    "main.py": "from agent import answer\nimport worker_service\n\n\ndef app():\n    return answer('web')\n\n\n"
               "if __name__ == '__main__':\n    print(app(), worker_service.celery_app.run())\n",
    "seed_db.py": SEED,
    "requirements.txt": "",
    "Makefile": "seed:\n\t./seed_db.py\n\nseed-py:\n\tpython3 seed_db.py\n",
    "Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\n"
                  "COPY main.py agent.py worker_service.py ./\nCOPY seed_db.py /app/seed_db.py\n"
                  'CMD ["python", "main.py"]\n',
    ".env": "APP_MODULE=main:app\nCELERY_APP=worker_service\nAPP_NAME=agent\n",
    "Procfile": "web: python main.py\nworker: celery -A worker_service.celery_app worker\n",
    "pyproject.toml": '[project]\nname = "answers"\nversion = "0.1"\n\n'
                      '[tool.setuptools]\npy-modules = ["main", "agent", "worker_service", "seed_db"]\n\n'
                      '[tool.coverage.run]\nsource = ["agent", "worker_service"]\n',
}


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # `python3` and `python` of the shebang and the Makefile: this interpreter.
    bin_folder = cwd.parent / "bin"
    bin_folder.mkdir(exist_ok=True)
    for name in ("python", "python3"):
        if not (bin_folder / name).exists():
            (bin_folder / name).symlink_to(sys.executable)
    env["PATH"] = f"{bin_folder}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def copy_into_image(dockerfile: str, context: Path, image: Path) -> None:
    """Carry out the COPY instructions as Docker does: each source file lands in the destination folder."""
    workdir = image
    for line in dockerfile.splitlines():
        words = line.split()
        if words[:1] == ["WORKDIR"]:
            workdir = image / words[1].lstrip("/")
        if words[:1] != ["COPY"]:
            continue
        *sources, destination = words[1:]
        into_folder = destination.endswith("/") or destination == "." or len(sources) > 1
        target = (image / destination.lstrip("/")) if destination.startswith("/") else workdir / destination
        for source in sources:
            landing = target / Path(source).name if into_folder else target
            landing.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(context / source, landing)


@pytest.fixture
def backend(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "answers", BACKEND)
    (root / "seed_db.py").chmod(0o755)
    return root


@pytest.mark.skipif(shutil.which("make") is None, reason="make runs the Makefile's targets")
def test_the_makefile_targets_run_the_moved_script(backend: Path) -> None:
    assert run(["make", "seed"], backend).stdout.endswith("seeded\n")  # the fixture works as it was
    (backend / "seeded.txt").unlink()
    assert main(["apply", str(backend)]) == 0
    makefile = (backend / "Makefile").read_text()
    assert makefile == "seed:\n\tpython3 -m scripts.seed_db\n\nseed-py:\n\tpython3 -m scripts.seed_db\n"
    for target in ("seed", "seed-py"):
        done = run(["make", target], backend)
        assert done.returncode == 0 and done.stdout.endswith("seeded\n"), done.stderr
        # run from the folder it ran from: its relative data path still lands there
        assert (backend / "seeded.txt").read_text() == "answer to seed\n"
        (backend / "seeded.txt").unlink()


def test_the_docker_image_keeps_the_packages(backend: Path, tmp_path: Path) -> None:
    assert main(["apply", str(backend)]) == 0
    dockerfile = (backend / "Dockerfile").read_text()
    assert dockerfile == (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\n"
        "COPY main.py ./\n"
        "COPY agents/__init__.py agents/agent.py ./agents/\n"
        "COPY workers/__init__.py workers/worker_service.py ./workers/\n"
        "COPY scripts/__init__.py scripts/seed_db.py /app/scripts/\n"
        'CMD ["python", "main.py"]\n'
    )
    image = tmp_path / "image"
    copy_into_image(dockerfile, backend, image)
    served = run(["python", "main.py"], image / "app")
    assert served.returncode == 0 and served.stdout == "answer to web answer to job\n", served.stderr
    seeded = run(["python", "-m", "scripts.seed_db"], image / "app")
    assert seeded.returncode == 0, seeded.stderr


def test_settings_name_the_moved_modules(backend: Path) -> None:
    before = tree_bytes(backend)
    assert main(["apply", str(backend)]) == 0
    assert (backend / ".env").read_text() == (
        "APP_MODULE=main:app\nCELERY_APP=workers.worker_service\nAPP_NAME=agent\n")
    assert (backend / "Procfile").read_text() == (
        "web: python main.py\nworker: celery -A workers.worker_service.celery_app worker\n")
    pyproject = tomllib.loads((backend / "pyproject.toml").read_text())
    modules = pyproject["tool"]["setuptools"]["py-modules"]
    sources = pyproject["tool"]["coverage"]["run"]["source"]
    assert modules == ["main", "agents.agent", "workers.worker_service", "scripts.seed_db"]
    assert sources == ["agents.agent", "workers.worker_service"]
    # every name a tool reads from these settings imports from the project folder
    names = [*modules, *sources, "workers.worker_service"]
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n" \
           "from workers.worker_service import celery_app\nassert celery_app.run() == 'answer to job'\n"
    done = run(["python", "-c", code, *names], backend)
    assert done.returncode == 0, done.stderr
    assert main(["undo", str(backend)]) == 0 and tree_bytes(backend) == before


def test_a_justfile_is_read_like_a_makefile(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {
        "organize-backend.toml": 'layout = "none"\n[[move]]\nfrom = "seed_db.py"\nto = "scripts/seed_db.py"\n',
        "seed_db.py": "print('seeded')\n", "main.py": "print('hi')\n", "Justfile": "seed:\n    python3 seed_db.py\n",
    })
    assert main(["apply", str(root)]) == 0
    assert (root / "Justfile").read_text() == "seed:\n    python3 -m scripts.seed_db\n"
