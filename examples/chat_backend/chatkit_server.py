"""A small ChatKit-protocol server: dispatches ChatKit requests to the store and the agent."""
import text_utils
from agent import run as run_agent
from chatkit_store import ChatKitStore
from models import Message


class ChatKitError(ValueError):
    pass


class ChatKitServer:
    def __init__(self, store=None):
        self.store = store or ChatKitStore()

    def process(self, request, user_id=None):
        """Handle one ChatKit request ({"type": ..., "params": {...}}) and return its result."""
        kind = request.get("type")
        params = request.get("params") or {}
        if kind == "threads.create":
            thread = self.store.create_thread(user_id=user_id)
            result = {"thread": {"id": thread.id, "title": thread.title}}
            if params.get("input"):
                result["items"] = self.respond(thread.id, params["input"])
            return result
        if kind == "threads.add_user_message":
            self._own(params["thread_id"], user_id)
            return {"items": self.respond(params["thread_id"], params["input"])}
        if kind == "threads.list":
            return {"threads": [{"id": t.id, "title": t.title} for t in self.store.list_threads(user_id)]}
        if kind == "items.list":
            self._own(params["thread_id"], user_id)
            return {"items": [item.to_dict() for item in self.store.load_items(params["thread_id"])]}
        if kind == "threads.delete":
            self._own(params["thread_id"], user_id)
            return {"deleted": self.store.delete_thread(params["thread_id"])}
        raise ChatKitError(f"unsupported request type {kind!r}")

    def _own(self, thread_id, user_id):
        thread = self.store.load_thread(thread_id)
        if thread.user_id != user_id:
            raise PermissionError("this thread belongs to another user")
        return thread

    def respond(self, thread_id, text):
        thread = self.store.load_thread(thread_id)
        if not thread.title:
            self.store.set_title(thread_id, text_utils.truncate(text, 40))
        user_item = self.store.add_message(thread_id, Message(session_id=thread_id, role="user", content=text))
        answer = run_agent(text)
        reply = self.store.add_message(thread_id, Message(session_id=thread_id, role="assistant", content=answer.text))
        items = [user_item.to_dict(), reply.to_dict()]
        if answer.sources:
            items.append(self.store.add_item(thread_id, "sources", {"sources": answer.sources}).to_dict())
        return items
