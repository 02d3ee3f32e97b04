"""The server over raw JSON-RPC: malformed requests get errors, and the server keeps serving."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import copy_fixture, tree_bytes


class RawClient:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "organize_backend", "lsp"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict:
        length = 0
        while (line := self.process.stdout.readline().strip()):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def answer_to(self, request_id) -> dict:
        while (message := self.receive()).get("id") != request_id or "method" in message:
            pass
        return message

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def test_malformed_requests_get_json_rpc_errors_and_the_server_keeps_serving(tmp_path):
    root = copy_fixture("chat_backend", tmp_path)
    before = tree_bytes(root)
    client = RawClient()
    try:
        client.send({"id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": root.as_uri()}})
        assert "capabilities" in client.answer_to(1)["result"]
        client.send({"method": "initialized", "params": {}})
        client.send({"id": 2, "method": "textDocument/codeAction", "params": {"textDocument": "not an object"}})
        assert "error" in client.answer_to(2)
        client.send({"id": 3, "method": "codeAction/resolve", "params": {"title": "x", "data": {"action": 42}}})
        assert client.answer_to(3)["result"]["title"] == "x"  # nothing to compute: the action comes back as it was
        client.send({"id": 4, "method": "workspace/executeCommand",
                     "params": {"command": "organizeBackend.apply", "arguments": ["not a payload"]}})
        assert "error" in client.answer_to(4)  # the argument is not the command's payload object
        client.send({"id": 6, "method": "workspace/executeCommand",
                     "params": {"command": "organizeBackend.apply", "arguments": [{"action": "nonsense"}]}})
        assert client.answer_to(6)["result"] == {"applied": False,
                                                 "message": "this code action carries no change to compute"}
        client.send({"id": 5, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": (root / "main.py").as_uri()},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []}}})
        titles = [action["title"] for action in client.answer_to(5)["result"]]
        assert any(title.startswith("Organize backend") for title in titles)
    finally:
        client.close()
    assert tree_bytes(root) == before
