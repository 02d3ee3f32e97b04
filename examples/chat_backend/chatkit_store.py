"""ChatKit persistence: threads and the items (messages, tool results) inside them."""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import database

if TYPE_CHECKING:
    from models import Message


@dataclass
class Thread:
    id: str
    user_id: int | None
    title: str | None
    created_at: float


@dataclass
class ThreadItem:
    id: int
    thread_id: str
    kind: str
    payload: dict
    created_at: float

    def to_dict(self):
        return {"id": self.id, "type": self.kind, **self.payload}


class ChatKitStore:
    def create_thread(self, user_id=None, title=None) -> Thread:
        thread = Thread(id=f"thr_{uuid.uuid4().hex[:12]}", user_id=user_id, title=title, created_at=time.time())
        with database.transaction() as conn:
            conn.execute(
                "INSERT INTO chatkit_threads (id, user_id, title, created_at) VALUES (?, ?, ?, ?)",
                (thread.id, thread.user_id, thread.title, thread.created_at),
            )
        return thread

    def load_thread(self, thread_id) -> Thread:
        conn = database.get_db()
        try:
            row = conn.execute("SELECT * FROM chatkit_threads WHERE id = ?", (thread_id,)).fetchone()
        finally:
            conn.close()
        if row is None:
            raise LookupError(f"no thread {thread_id}")
        return Thread(row["id"], row["user_id"], row["title"], row["created_at"])

    def set_title(self, thread_id, title):
        with database.transaction() as conn:
            conn.execute("UPDATE chatkit_threads SET title = ? WHERE id = ?", (title, thread_id))

    def list_threads(self, user_id=None):
        conn = database.get_db()
        try:
            rows = conn.execute(
                "SELECT * FROM chatkit_threads WHERE user_id IS ? ORDER BY created_at", (user_id,)
            ).fetchall()
        finally:
            conn.close()
        return [Thread(row["id"], row["user_id"], row["title"], row["created_at"]) for row in rows]

    def add_item(self, thread_id, kind, payload) -> ThreadItem:
        created_at = time.time()
        with database.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO chatkit_items (thread_id, kind, payload, created_at) VALUES (?, ?, ?, ?)",
                (thread_id, kind, json.dumps(payload), created_at),
            )
        return ThreadItem(cursor.lastrowid, thread_id, kind, payload, created_at)

    def add_message(self, thread_id, message: Message) -> ThreadItem:
        kind = "user_message" if message.role == "user" else "assistant_message"
        return self.add_item(thread_id, kind, {"content": message.content})

    def load_items(self, thread_id):
        conn = database.get_db()
        try:
            rows = conn.execute(
                "SELECT * FROM chatkit_items WHERE thread_id = ? ORDER BY id", (thread_id,)
            ).fetchall()
        finally:
            conn.close()
        return [
            ThreadItem(row["id"], row["thread_id"], row["kind"], json.loads(row["payload"]), row["created_at"])
            for row in rows
        ]

    def delete_thread(self, thread_id):
        with database.transaction() as conn:
            conn.execute("DELETE FROM chatkit_items WHERE thread_id = ?", (thread_id,))
            deleted = conn.execute("DELETE FROM chatkit_threads WHERE id = ?", (thread_id,)).rowcount
        return deleted == 1
