"""Chat sessions: one conversation of one user, open until ended."""
from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

import database
from models import ChatSession

if TYPE_CHECKING:
    from models import User


def _user_id(user: User | int) -> int:
    return user if isinstance(user, int) else user.id


def start_session(user: User | int) -> ChatSession:
    session = ChatSession(id=uuid.uuid4().hex, user_id=_user_id(user))
    with database.transaction() as conn:
        conn.execute(
            "INSERT INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)",
            (session.id, session.user_id, session.created_at),
        )
    return session


def get_session(session_id: str) -> ChatSession | None:
    conn = database.get_db()
    try:
        row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
    finally:
        conn.close()
    return ChatSession.from_row(row) if row else None


def require_session(session_id: str, user: User | int) -> ChatSession:
    """The open session ``session_id`` of ``user``: LookupError or PermissionError otherwise."""
    session = get_session(session_id)
    if session is None or not session.active:
        raise LookupError(f"no open session {session_id}")
    if session.user_id != _user_id(user):
        raise PermissionError("this session belongs to another user")
    return session


def end_session(session_id: str) -> bool:
    with database.transaction() as conn:
        updated = conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", (time.time(), session_id)
        ).rowcount
    return updated == 1


def active_sessions(user: User | int) -> list[ChatSession]:
    conn = database.get_db()
    try:
        rows = conn.execute(
            "SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL ORDER BY created_at",
            (_user_id(user),),
        ).fetchall()
    finally:
        conn.close()
    return [ChatSession.from_row(row) for row in rows]
