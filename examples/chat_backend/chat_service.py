"""The chat use case: store the user's message, ask the agent, store the answer."""
import agent
import database
import session_service
from models import (
    ChatSession,
    Message,
)


def save_message(message: Message) -> Message:
    with database.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO messages (session_id, role, content, created_at) VALUES (?, ?, ?, ?)",
            (message.session_id, message.role, message.content, message.created_at),
        )
    message.id = cursor.lastrowid
    return message


def history(session_id, limit=50):
    conn = database.get_db()
    try:
        rows = conn.execute(
            "SELECT * FROM messages WHERE session_id = ? ORDER BY id DESC LIMIT ?", (session_id, limit)
        ).fetchall()
    finally:
        conn.close()
    return [Message.from_row(row) for row in reversed(rows)]


def send_message(user_id, text, session_id=None):
    """Returns (session, reply message, agent answer)."""
    if session_id is None:
        session: ChatSession = session_service.start_session(user_id)
    else:
        session = session_service.require_session(session_id, user_id)
    save_message(Message(session_id=session.id, role="user", content=text))
    answer = agent.run(text)
    reply = save_message(Message(session_id=session.id, role="assistant", content=answer.text))
    return session, reply, answer
