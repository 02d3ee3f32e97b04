"""Turn documents into embedded chunks stored in the database."""
import json

import database
import models
from embeddings import embed
from text_utils import chunk_text


def index_document(title, content, source=None):
    """Store a document and its embedded chunks; returns the saved Document."""
    document = models.Document(title=title, content=content, source=source)
    with database.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO documents (title, content, source) VALUES (?, ?, ?)",
            (document.title, document.content, document.source),
        )
        document.id = cursor.lastrowid
        for position, text in enumerate(chunk_text(content)):
            conn.execute(
                "INSERT INTO chunks (document_id, position, text, embedding) VALUES (?, ?, ?, ?)",
                (document.id, position, text, json.dumps(embed(f"{title}. {text}"))),
            )
    return document


def index_documents(documents):
    return [index_document(**document) for document in documents]


def list_documents():
    conn = database.get_db()
    try:
        rows = conn.execute("SELECT * FROM documents ORDER BY id").fetchall()
    finally:
        conn.close()
    return [models.Document.from_row(row) for row in rows]


def delete_document(document_id):
    with database.transaction() as conn:
        conn.execute("DELETE FROM chunks WHERE document_id = ?", (document_id,))
        deleted = conn.execute("DELETE FROM documents WHERE id = ?", (document_id,)).rowcount
    return deleted == 1


def build_store():
    """A VectorStore over everything indexed so far."""
    from vector_store import VectorStore  # imported here: vector_store is heavy to load at startup

    return VectorStore.from_database()
