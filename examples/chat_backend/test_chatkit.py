from unittest import mock

import pytest

from agent import Answer
from chatkit_server import ChatKitError, ChatKitServer
from chatkit_store import ChatKitStore


def test_create_thread_with_first_message(user):
    server = ChatKitServer()
    with mock.patch("chatkit_server.run_agent", return_value=Answer(text="Hello!", sources=[{"title": "Doc"}])):
        result = server.process({"type": "threads.create", "params": {"input": "Hi there"}}, user_id=user.id)
    kinds = [item["type"] for item in result["items"]]
    assert kinds == ["user_message", "assistant_message", "sources"]
    thread = ChatKitStore().load_thread(result["thread"]["id"])
    assert thread.title == "Hi there"


def test_items_and_threads_are_listed(user, documents):
    server = ChatKitServer()
    thread_id = server.process({"type": "threads.create"}, user_id=user.id)["thread"]["id"]
    server.process({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": "refund delay?"}}, user_id=user.id)
    items = server.process({"type": "items.list", "params": {"thread_id": thread_id}}, user_id=user.id)["items"]
    assert items[0] == {"id": items[0]["id"], "type": "user_message", "content": "refund delay?"}
    assert "Refund policy" in items[1]["content"]
    threads = server.process({"type": "threads.list"}, user_id=user.id)["threads"]
    assert [t["id"] for t in threads] == [thread_id]


def test_threads_are_private_and_deletable(user):
    server = ChatKitServer()
    thread_id = server.process({"type": "threads.create"}, user_id=user.id)["thread"]["id"]
    with pytest.raises(PermissionError):
        server.process({"type": "items.list", "params": {"thread_id": thread_id}}, user_id=user.id + 1)
    with pytest.raises(ChatKitError):
        server.process({"type": "threads.explode"}, user_id=user.id)
    assert server.process({"type": "threads.delete", "params": {"thread_id": thread_id}}, user_id=user.id) == {"deleted": True}
