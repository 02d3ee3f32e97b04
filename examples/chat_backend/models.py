"""Domain objects, one dataclass per table."""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field


@dataclass
class User:
    username: str
    password_hash: str = field(repr=False)
    id: int | None = None
    created_at: float = field(default_factory=time.time)

    @classmethod
    def from_row(cls, row):
        return cls(
            id=row["id"],
            username=row["username"],
            password_hash=row["password_hash"],
            created_at=row["created_at"],
        )

    def public(self):
        return {"id": self.id, "username": self.username}


@dataclass
class ChatSession:
    id: str
    user_id: int
    created_at: float = field(default_factory=time.time)
    ended_at: float | None = None

    @property
    def active(self):
        return self.ended_at is None

    @classmethod
    def from_row(cls, row):
        return cls(id=row["id"], user_id=row["user_id"], created_at=row["created_at"], ended_at=row["ended_at"])


@dataclass
class Message:
    session_id: str
    role: str
    content: str
    id: int | None = None
    created_at: float = field(default_factory=time.time)

    ROLES = ("user", "assistant", "system")

    def __post_init__(self):
        if self.role not in self.ROLES:
            raise ValueError(f"unknown role {self.role!r}")

    @classmethod
    def from_row(cls, row):
        return cls(
            id=row["id"],
            session_id=row["session_id"],
            role=row["role"],
            content=row["content"],
            created_at=row["created_at"],
        )

    def to_dict(self):
        return asdict(self)


@dataclass
class Document:
    title: str
    content: str
    source: str | None = None
    id: int | None = None

    @classmethod
    def from_row(cls, row):
        return cls(id=row["id"], title=row["title"], content=row["content"], source=row["source"])


@dataclass
class Chunk:
    document_id: int
    position: int
    text: str
    embedding: list = field(default_factory=list, repr=False)
    id: int | None = None

    @classmethod
    def from_row(cls, row):
        return cls(
            id=row["id"],
            document_id=row["document_id"],
            position=row["position"],
            text=row["text"],
            embedding=json.loads(row["embedding"]),
        )
