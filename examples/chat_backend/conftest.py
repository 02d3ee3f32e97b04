"""Shared fixtures: every test runs against its own SQLite file under tmp_path."""
import pytest

import auth
import database
import indexer
import rate_limiting

DOCUMENTS = [
    {
        "title": "Refund policy",
        "content": (
            "Customers can ask for a refund within thirty days of purchase. "
            "Refunds are paid back to the original card within five business days."
        ),
        "source": "policies/refunds.md",
    },
    {
        "title": "Shipping",
        "content": (
            "Orders ship from the Lyon warehouse. Standard shipping takes three to five days; "
            "express shipping arrives the next business day."
        ),
        "source": "policies/shipping.md",
    },
    {
        "title": "Account security",
        "content": (
            "Enable two factor authentication in the account settings. "
            "Passwords must be at least eight characters long."
        ),
        "source": "policies/security.md",
    },
]


@pytest.fixture(autouse=True)
def chat_db(tmp_path, monkeypatch):
    path = tmp_path / "chat.db"
    monkeypatch.setenv("CHAT_DB", str(path))
    database.init_db()
    rate_limiting.limiter.reset()
    yield path
    rate_limiting.limiter.reset()


@pytest.fixture
def user():
    return auth.register_user("alice", "correct horse battery")


@pytest.fixture
def auth_headers(user):
    return {"Authorization": f"Bearer {auth.create_token(user.id)}"}


@pytest.fixture
def documents():
    return indexer.index_documents(DOCUMENTS)


@pytest.fixture
def client():
    from main import app

    return app
