"""Create the schema and load demo data: ``python seed_db.py``.

The database file is $CHAT_DB (default: chat_backend.db in the temporary directory).
Running it twice is harmless: existing users and documents are kept.
"""
import database, indexer
import config

DEMO_USER = ("demo", "demo-password")

SAMPLE_DOCUMENTS = [
    {
        "title": "Getting started",
        "content": (
            "Create an account with a username and a password of at least eight characters. "
            "Log in to receive a bearer token, then send it in the Authorization header of every chat request. "
            "Each conversation is a session; pass its session id to continue it."
        ),
        "source": "docs/getting-started.md",
    },
    {
        "title": "Rate limits",
        "content": (
            "Every user may send twenty chat requests per minute. "
            "Requests over the limit are refused with status 429 and a retry_after value in seconds."
        ),
        "source": "docs/rate-limits.md",
    },
    {
        "title": "Document search",
        "content": (
            "Uploaded documents are split into overlapping chunks and embedded as vectors. "
            "Questions are answered from the chunks with the highest cosine similarity to the question."
        ),
        "source": "docs/search.md",
    },
    {
        "title": "Password policy",
        "content": (
            "Passwords are stored as salted PBKDF2 hashes and never logged. "
            "Tokens expire after one hour; log in again to get a fresh token."
        ),
        "source": "docs/security.md",
    },
]


def seed():
    """Seed the database; returns how many users, documents and chunks it holds."""
    import auth

    database.init_db()
    username, password = DEMO_USER
    if auth.find_user(username) is None:
        auth.register_user(username, password)
    known = {document.title for document in indexer.list_documents()}
    indexer.index_documents([doc for doc in SAMPLE_DOCUMENTS if doc["title"] not in known])
    return {table: database.count(table) for table in ("users", "documents", "chunks")}


def main():
    counts = seed()
    print(f"Seeded {config.db_path()}: {counts['users']} users, {counts['documents']} documents, {counts['chunks']} chunks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
