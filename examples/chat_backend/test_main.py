from unittest import mock

import rate_limiting


def test_health(client, documents):
    response = client.handle("GET", "/health")
    assert response.status == 200
    assert response.json() == {"status": "ok", "app": "Chat Backend", "documents": 3}
    assert client.handle("GET", "/nope").status == 404
    assert "answer" in client.handle("GET", "/plugins").json()["plugins"]


def test_register_then_login(client):
    created = client.handle("POST", "/auth/register", {"username": "carol", "password": "long enough"})
    assert created.status == 201
    logged_in = client.handle("POST", "/auth/login", {"username": "carol", "password": "long enough"})
    assert logged_in.status == 200
    assert logged_in.json()["user"]["username"] == "carol"
    refused = client.handle("POST", "/auth/login", {"username": "carol", "password": "wrong password"})
    assert refused.status == 401


def test_validation_errors_are_400(client):
    response = client.handle("POST", "/auth/register", {"username": "x", "password": "long enough"})
    assert response.status == 400
    assert "username" in response.json()["error"]


def test_chat_requires_a_token(client):
    assert client.handle("POST", "/chat", {"message": "hi"}).status == 401
    bad = client.handle("POST", "/chat", {"message": "hi"}, {"Authorization": "Bearer nope"})
    assert bad.status == 401


def test_chat_round_trip(client, auth_headers, documents):
    first = client.handle("POST", "/chat", {"message": "How fast is express shipping?"}, auth_headers)
    assert first.status == 200
    body = first.json()
    assert "next business day" in body["answer"]
    assert body["sources"][0]["title"] == "Shipping"
    history = client.handle("GET", "/chat/history", {"session_id": body["session_id"]}, auth_headers)
    assert [m["role"] for m in history.json()["messages"]] == ["user", "assistant"]


def test_chat_is_rate_limited(client, auth_headers, monkeypatch):
    monkeypatch.setattr(rate_limiting, "limiter", rate_limiting.RateLimiter(2, 60))
    with mock.patch("chat_service.agent.run") as fake_run:
        fake_run.return_value.text = "ok"
        fake_run.return_value.sources = []
        statuses = [client.handle("POST", "/chat", {"message": "hi"}, auth_headers).status for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_documents_and_search(client, auth_headers):
    created = client.handle(
        "POST", "/documents", {"title": "Opening hours", "content": "The support desk opens at nine."}, auth_headers
    )
    assert created.status == 201
    found = client.handle("POST", "/search", {"query": "when does support open", "k": 1}, auth_headers)
    assert found.json()["hits"][0]["title"] == "Opening hours"

