"""In-memory vector index with cosine similarity, loadable from the chunks table."""
import json
import math
from dataclasses import dataclass

import config
import database
from embeddings import embed


def cosine(a, b):
    if len(a) != len(b):
        raise ValueError("vectors have different dimensions")
    dot = sum(x * y for x, y in zip(a, b))
    norm_a = math.sqrt(sum(x * x for x in a))
    norm_b = math.sqrt(sum(y * y for y in b))
    if norm_a == 0 or norm_b == 0:
        return 0.0
    return dot / (norm_a * norm_b)


@dataclass
class Hit:
    text: str
    score: float
    document_id: int | None = None
    chunk_id: int | None = None
    title: str = ""

    def to_dict(self):
        return {
            "document_id": self.document_id,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "text": self.text,
            "score": round(self.score, 4),
        }


class VectorStore:
    def __init__(self):
        self._items = []

    def __len__(self):
        return len(self._items)

    def add(self, text, document_id=None, chunk_id=None, title="", vector=None):
        if vector is None:
            vector = embed(text)
        self._items.append((vector, Hit(text=text, score=0.0, document_id=document_id, chunk_id=chunk_id, title=title)))

    def search(self, query, k=None, min_score=None):
        """The ``k`` best hits for ``query``, best first, above ``min_score``."""
        k = k or config.get("top_k")
        min_score = config.get("min_score") if min_score is None else min_score
        if not self._items:
            return []
        query_vector = embed(query)
        scored = []
        for vector, hit in self._items:
            score = cosine(query_vector, vector)
            if score >= min_score:
                scored.append(Hit(hit.text, score, hit.document_id, hit.chunk_id, hit.title))
        scored.sort(key=lambda hit: hit.score, reverse=True)
        return scored[:k]

    @classmethod
    def from_database(cls):
        store = cls()
        conn = database.get_db()
        try:
            rows = conn.execute(
                "SELECT chunks.id, chunks.document_id, chunks.text, chunks.embedding, documents.title "
                "FROM chunks JOIN documents ON documents.id = chunks.document_id "
                "ORDER BY chunks.document_id, chunks.position"
            ).fetchall()
        finally:
            conn.close()
        for row in rows:
            store.add(
                row["text"],
                document_id=row["document_id"],
                chunk_id=row["id"],
                title=row["title"],
                vector=json.loads(row["embedding"]),
            )
        return store
