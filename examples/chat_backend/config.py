"""Application settings.

Defaults live in ``settings.json`` next to this file; any key can be overridden with an
environment variable ``CHAT_<KEY>`` (``CHAT_TOP_K=5``). The database path comes from
``CHAT_DB`` and defaults to a file in the system temporary directory.
"""
import json
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SETTINGS_FILE = BASE_DIR / "settings.json"
ENV_PREFIX = "CHAT_"


def load_settings(path=SETTINGS_FILE):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


SETTINGS = load_settings()


def _coerce(raw, like):
    if isinstance(like, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(like, int):
        return int(raw)
    if isinstance(like, float):
        return float(raw)
    return raw


def get(key, default=None):
    """The setting ``key``, from the environment first, then settings.json."""
    value = SETTINGS.get(key, default)
    raw = os.environ.get(ENV_PREFIX + key.upper())
    if raw is not None:
        return _coerce(raw, value)
    return value


def db_path():
    explicit = os.environ.get("CHAT_DB")
    if explicit:
        return explicit
    return str(Path(tempfile.gettempdir()) / "chat_backend.db")


def secret_key():
    return get("secret_key").encode("utf-8")
