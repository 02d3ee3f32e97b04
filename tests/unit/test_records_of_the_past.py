"""Records of the past are not rewritten: a changelog says what was true then, and so does a migration's text."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree

from organize_backend.changes.references import category_of, rewrite_references
from organize_backend.cli import main
from organize_backend.model import Category

FILES = {
    "load_tests/__init__.py": b"",
    "load_tests/load_test.py": b"def run():\n    pass\n",
    "models/__init__.py": b"",
    "models/models.py": b"class User:\n    pass\n",
}
MODULE_MAP = {"load_test": "load_tests.load_test", "models": "models.models"}
PATH_MAP = {"load_test.py": "load_tests/load_test.py", "models.py": "models/models.py"}
ENTRY = b"- Renamed `load_test.py` to `load_test_script.py`; run it with `python load_test.py`.\n"


def _rewritten(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, _, data in rewrite_references({**FILES, **files}, MODULE_MAP, PATH_MAP, [""])}


@pytest.mark.parametrize("path", [
    "CHANGELOG.md", "CHANGES.rst", "HISTORY.md", "NEWS.txt", "RELEASE_NOTES.md", "Release-Notes.md",
    "CHANGELOG-1.2.md", "docs/changelog.rst", "changelog.d/42.feature.md", "newsfragments/42.bugfix.rst",
    "docs/release-notes/v2.md", "docs/adr/0003-split-the-models.md",
])
def test_records_of_the_past_are_not_rewritten_while_a_normal_doc_is(path: str) -> None:
    rewritten = _rewritten({path: ENTRY, "docs/usage.md": ENTRY})
    assert path not in rewritten
    assert rewritten["docs/usage.md"] == ENTRY.replace(b"`load_test.py`", b"`load_tests/load_test.py`").replace(
        b"python load_test.py", b"python -m load_tests.load_test")


@pytest.mark.parametrize(("path", "category"), [
    ("CHANGELOG.md", None),
    ("docs/news_feed.md", Category.DOCS),  # a page about a feature called news
    ("history_of_the_team.md", Category.DOCS),
    ("release.sh", Category.CONFIG),  # a release script is live, not a record
    ("app/history.py", Category.STRINGS),  # a module named history
    ("shop/migrations/0002_add_user.py", None),
    ("alembic/versions/3f2a_add_user.py", None),
    ("migrations/versions/3f2a_add_user.py", None),
    ("alembic/env.py", Category.STRINGS),  # runs the migrations with the application as it is now
    ("shop/migrations/__init__.py", Category.STRINGS),
    ("app/versions/v2.py", Category.STRINGS),  # not under alembic or migrations
])
def test_category_of_records(path: str, category: Category | None) -> None:
    assert category_of(path) is category


def test_a_migrations_strings_stay_and_its_imports_follow_the_move(tmp_path: Path) -> None:
    migration = (
        '"""Add the user table (models.py held `User` then)."""\n'
        "from models import User\n\n"
        'revision = "3f2a"\n'
        'TARGET = "models:User"  # what the table was made from, then\n\n\n'
        "def upgrade():\n    return User\n"
    )
    files = {
        "organize-backend.toml": '[[move]]\nfrom = "models.py"\nto = "models/models.py"\n',
        "models.py": "class User:\n    pass\n",
        "main.py": "from models import User\n\nTARGET = \"models:User\"\n",
        "alembic/env.py": "import models\n",
        "alembic/versions/3f2a_add_user.py": migration,
    }
    root = write_tree(tmp_path / "ws", files)
    assert main(["apply", str(root)]) == 0
    after = (root / "alembic/versions/3f2a_add_user.py").read_text()
    assert after == migration.replace("from models import User", "from models.models import User")
    assert '"models.models:User"' in (root / "main.py").read_text()  # the same string in live code follows
