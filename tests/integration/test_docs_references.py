"""Docs that name modules the way Sphinx, translations and CI read them, through the command line.

AppDaemon's and maigret's docs: autodoc targets, links to object anchors, translation catalogs
(`.po`, which the snapshot must read too) and a `python -c` smoke check in CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import write_tree
from organize_backend.cli import main

FILES = {
    "app/__init__.py": "",
    "app/adapi.py": "class ADAPI:\n    def get_state(self):\n        return 'on'\n",
    "app/run.py": "from app.adapi import ADAPI\n\nprint(ADAPI().get_state())\n",
    "docs/api.rst": ".. automodule:: app.adapi\n\nSee `get_state <api.html#app.adapi.ADAPI.get_state>`__.\n",
    "docs/locale/zh_CN/LC_MESSAGES/api.po": 'msgid "Use ``app.adapi.ADAPI``."\nmsgstr "\u4f7f\u7528 ``app.adapi.ADAPI``\u3002"\n',
    ".github/workflows/ci.yml": "jobs:\n  smoke:\n    steps:\n      - run: python -c \"from app.adapi import ADAPI\"\n",
}


def test_moving_a_module_keeps_sphinx_translations_and_ci_pointing_at_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", FILES)
    assert main(["move", "--workspace", str(root), str(root / "app/adapi.py"), str(root / "app/core/")]) == 0
    for path, text in FILES.items():
        if path.startswith(("docs/", ".github/")):
            assert (root / path).read_text() == text.replace("app.adapi", "app.core.adapi"), path
    run = subprocess.run([sys.executable, "-m", "app.run"], cwd=root, capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout) == (0, "on\n"), run.stderr


def test_a_package_list_in_pyproject_gets_the_new_packages(tmp_path: Path) -> None:
    # coleifer/scout: `packages = ["scout"]`; the installed `scout` command failed on scout.core
    root = write_tree(tmp_path / "ws", {
        "pyproject.toml": '[project]\nname = "shop"\n\n[tool.setuptools]\npackages = ["shop"]\n',
        "shop/__init__.py": "",
        "shop/engine.py": "from shop.rules import RULES\n\n\ndef run():\n    return RULES\n",
        "shop/rules.py": "RULES = 1\n",
        "shop/user_service.py": "from shop.engine import run\n",
        "shop/order_service.py": "from shop.engine import run\n",
    })
    assert main(["apply", str(root), "--root", "shop"]) == 0
    assert (root / "pyproject.toml").read_text() == ('[project]\nname = "shop"\n\n[tool.setuptools]\n'
                                                     'packages = ["shop", "shop.services"]\n')
