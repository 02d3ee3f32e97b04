"""Shapes of the HTTP requests and responses, with the validation the handlers rely on."""
from dataclasses import asdict, dataclass, field

import config
from models import Message

__all__ = [
    "ValidationError",
    "LoginRequest",
    "ChatRequest",
    "IndexRequest",
    "SearchRequest",
    "ChatResponse",
]


class ValidationError(ValueError):
    """The request body is malformed; the message says which field and why."""


def _field(data, name, kind=str, required=True, default=None):
    if not isinstance(data, dict):
        raise ValidationError("request body must be a JSON object")
    if name not in data or data[name] is None:
        if required:
            raise ValidationError(f"{name} is required")
        return default
    value = data[name]
    if not isinstance(value, kind):
        raise ValidationError(f"{name} must be of type {kind.__name__}")
    return value


@dataclass
class LoginRequest:
    username: str
    password: str

    @classmethod
    def from_dict(cls, data):
        username = _field(data, "username").strip()
        password = _field(data, "password")
        if not 3 <= len(username) <= 32 or not username.replace("_", "").isalnum():
            raise ValidationError("username must be 3 to 32 letters, digits or underscores")
        if len(password) < 8:
            raise ValidationError("password must be at least 8 characters")
        return cls(username=username, password=password)


@dataclass
class ChatRequest:
    message: str
    session_id: str | None = None

    @classmethod
    def from_dict(cls, data):
        message = _field(data, "message").strip()
        if not message:
            raise ValidationError("message must not be empty")
        if len(message) > config.get("max_message_length"):
            raise ValidationError("message is too long")
        return cls(message=message, session_id=_field(data, "session_id", required=False))


@dataclass
class IndexRequest:
    title: str
    content: str
    source: str | None = None

    @classmethod
    def from_dict(cls, data):
        title = _field(data, "title").strip()
        content = _field(data, "content")
        if not title or not content.strip():
            raise ValidationError("title and content must not be empty")
        return cls(title=title, content=content, source=_field(data, "source", required=False))


@dataclass
class SearchRequest:
    query: str
    k: int = 3

    @classmethod
    def from_dict(cls, data):
        query = _field(data, "query").strip()
        k = _field(data, "k", kind=int, required=False, default=config.get("top_k"))
        if not query:
            raise ValidationError("query must not be empty")
        if not 1 <= k <= 20:
            raise ValidationError("k must be between 1 and 20")
        return cls(query=query, k=k)


@dataclass
class ChatResponse:
    answer: str
    session_id: str
    sources: list = field(default_factory=list)

    @classmethod
    def from_message(cls, message: Message, sources=()):
        return cls(answer=message.content, session_id=message.session_id, sources=list(sources))

    def to_dict(self):
        return asdict(self)
