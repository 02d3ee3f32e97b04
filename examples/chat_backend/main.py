"""HTTP entry point of the chat backend.

Run it with ``python main.py`` (listens on $PORT, default 8000). The ``app`` object is a
tiny router that the tests drive directly with ``app.handle(method, path, body, headers)``.
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import database, auth
import agent_tools
import chat_service as chat
import config
import indexer
import plugins
import rate_limiting
from auth_middleware import require_auth
from chatkit_server import ChatKitError, ChatKitServer
from schemas import *
from session_service import require_session


class Request:
    def __init__(self, method, path, body=None, headers=None):
        self.method = method
        self.path = path
        self.body = body if body is not None else {}
        self.headers = headers or {}
        self.user = None


class Response:
    def __init__(self, status, body):
        self.status = status
        self.body = body

    def json(self):
        return self.body


class App:
    def __init__(self, name):
        self.name = name
        self.routes = {}

    def route(self, method, path):
        def register(handler):
            self.routes[(method, path)] = handler
            return handler

        return register

    def handle(self, method, path, body=None, headers=None):
        handler = self.routes.get((method, path))
        if handler is None:
            return Response(404, {"error": f"no route {method} {path}"})
        request = Request(method, path, body, headers)
        try:
            result = handler(request)
        except ValidationError as error:
            return Response(400, {"error": str(error)})
        except auth.AuthError as error:
            return Response(401, {"error": str(error)})
        except PermissionError as error:
            return Response(403, {"error": str(error)})
        except (LookupError, ChatKitError) as error:
            return Response(404 if isinstance(error, LookupError) else 400, {"error": str(error)})
        except rate_limiting.RateLimitExceeded as error:
            return Response(429, {"error": str(error), "retry_after": round(error.retry_after, 1)})
        if isinstance(result, Response):
            return result
        return Response(200, result)


app = App(config.get("app_name"))
chatkit = ChatKitServer()


@app.route("GET", "/health")
def health(request):
    return {"status": "ok", "app": app.name, "documents": database.count("documents")}


@app.route("POST", "/auth/register")
def register(request):
    data = LoginRequest.from_dict(request.body)
    user = auth.register_user(data.username, data.password)
    return Response(201, {"user": user.public()})


@app.route("POST", "/auth/login")
def login(request):
    data = LoginRequest.from_dict(request.body)
    user = auth.authenticate(data.username, data.password)
    return {"token": auth.create_token(user.id), "user": user.public()}


@app.route("POST", "/chat")
@require_auth
def post_chat(request):
    rate_limiting.limiter.hit(f"user:{request.user.id}")
    data = ChatRequest.from_dict(request.body)
    session, reply, answer = chat.send_message(request.user.id, data.message, data.session_id)
    return ChatResponse.from_message(reply, answer.sources).to_dict()


@app.route("GET", "/chat/history")
@require_auth
def get_history(request):
    session_id = request.body.get("session_id")
    if not session_id:
        raise ValidationError("session_id is required")
    require_session(session_id, request.user.id)
    return {"messages": [message.to_dict() for message in chat.history(session_id)]}


@app.route("POST", "/documents")
@require_auth
def post_document(request):
    data = IndexRequest.from_dict(request.body)
    document = indexer.index_document(data.title, data.content, data.source)
    return Response(201, {"id": document.id, "title": document.title})


@app.route("POST", "/search")
@require_auth
def post_search(request):
    data = SearchRequest.from_dict(request.body)
    return {"hits": agent_tools.search_documents(data.query, k=data.k)}


@app.route("POST", "/chatkit")
@require_auth
def post_chatkit(request):
    return chatkit.process(request.body, user_id=request.user.id)


@app.route("GET", "/plugins")
def get_plugins(request):
    return {"plugins": plugins.available()}


class _HTTPHandler(BaseHTTPRequestHandler):
    def _dispatch(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            response = Response(400, {"error": "body is not JSON"})
        else:
            response = app.handle(method, self.path, body, dict(self.headers))
        payload = json.dumps(response.body).encode("utf-8")
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")


def serve(host="127.0.0.1", port=8000):
    database.init_db()
    server = ThreadingHTTPServer((host, port), _HTTPHandler)
    print(f"{app.name} listening on http://{host}:{port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    serve(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8000")))
