from unittest import mock

import pytest

import chat_service
import session_service
from agent import Answer


def test_send_message_stores_both_sides(user, documents):
    session, reply, answer = chat_service.send_message(user.id, "Where do orders ship from?")
    messages = chat_service.history(session.id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[0].content == "Where do orders ship from?"
    assert messages[1].content == reply.content == answer.text


def test_send_message_continues_a_session(user):
    with mock.patch("agent.run", return_value=Answer(text="canned")) as fake_run:
        session, _, _ = chat_service.send_message(user.id, "first")
        same, reply, _ = chat_service.send_message(user.id, "second", session_id=session.id)
    assert same.id == session.id
    assert reply.content == "canned"
    assert fake_run.call_args_list == [mock.call("first"), mock.call("second")]
    assert len(chat_service.history(session.id)) == 4


def test_sessions_are_private(user):
    import auth

    other = auth.register_user("bob", "another password")
    session = session_service.start_session(user)
    with pytest.raises(PermissionError):
        chat_service.send_message(other.id, "hello", session_id=session.id)


def test_ended_sessions_are_closed(user):
    session = session_service.start_session(user.id)
    assert [s.id for s in session_service.active_sessions(user)] == [session.id]
    assert session_service.end_session(session.id)
    assert session_service.active_sessions(user) == []
    with pytest.raises(LookupError):
        chat_service.send_message(user.id, "hello", session_id=session.id)
