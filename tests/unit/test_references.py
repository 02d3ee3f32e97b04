"""Tests for the pass that rewrites module and file references rope leaves stale."""

from __future__ import annotations

import pytest

from organize_backend.changes.references import (
    category_of,
    globs_that_change_what_they_match,
    module_names_handed_to_calls,
    rewrite_references,
)
from organize_backend.model import Category

# A flat backend in backend/ after the moves: files keyed by their new paths.
AGENT = b"""import os

class VectorStore:
    def search(self):
        return []

def run():
    return VectorStore()

app = object()
yaml = None
try:
    import ujson as json_lib
except ImportError:
    json_lib = None
"""
DATABASE = b"db = None\n\ndef get_db():\n    return db\n"

BASE_FILES: dict[str, bytes] = {
    "backend/main.py": b"from agents.agent import run\n",
    "backend/agents/__init__.py": b"",
    "backend/agents/agent.py": AGENT,
    "backend/database/__init__.py": b"",
    "backend/database/database.py": DATABASE,
    "backend/scripts/__init__.py": b"",
    "backend/scripts/seed_db.py": b"from database.database import get_db\n",
    "backend/tests/__init__.py": b"",
    "backend/tests/test_auth.py": b"def test_login():\n    pass\n",
    "backend/auth/__init__.py": b"",
    "backend/auth/auth.py": b"def login():\n    pass\n",
}
MODULE_MAP = {
    "agent": "agents.agent",
    "database": "database.database",
    "seed_db": "scripts.seed_db",
    "test_auth": "tests.test_auth",
    "auth": "auth.auth",
}
PATH_MAP = {
    "backend/agent.py": "backend/agents/agent.py",
    "backend/database.py": "backend/database/database.py",
    "backend/seed_db.py": "backend/scripts/seed_db.py",
    "backend/test_auth.py": "backend/tests/test_auth.py",
    "backend/auth.py": "backend/auth/auth.py",
}
ROOTS = ["backend"]


def steps_of(files, module_map=MODULE_MAP, path_map=PATH_MAP, roots=ROOTS) -> dict[str, dict[Category, bytes]]:
    """path -> {category: content after that step}; a review step sits on top of the applied one."""
    found: dict[str, dict[Category, bytes]] = {}
    for path, category, data in rewrite_references(files, module_map, path_map, roots):
        assert category not in found.get(path, {}), "one step per kind and file"
        found.setdefault(path, {})[category] = data
    return found


def _steps(path: str, content: bytes) -> dict[Category, bytes]:
    found = steps_of({**BASE_FILES, path: content})
    assert set(found) <= {path}, "only the file under test may change"
    return found.get(path, {})


def rewrite(path: str, content: bytes) -> bytes | None:
    """What is applied to one extra file of the flat-backend workspace, None if unchanged."""
    applied = [data for category, data in _steps(path, content).items() if category is not Category.REVIEW]
    return applied[0] if applied else None


def suggest(path: str, content: bytes) -> bytes | None:
    """The same file with the review-only rewrites on top, None if there is none."""
    return _steps(path, content).get(Category.REVIEW)


def rewrite_py(source: str) -> str | None:
    new = rewrite("backend/tests/test_agent.py", source.encode())
    return None if new is None else new.decode()


def suggest_py(source: str) -> str | None:
    new = suggest("backend/tests/test_agent.py", source.encode())
    return None if new is None else new.decode()


# --- Python strings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('importlib.import_module("agent")\n', 'importlib.import_module("agents.agent")\n'),
        ("import_module('agent')\n", "import_module('agents.agent')\n"),
        ('__import__("database")\n', '__import__("database.database")\n'),
        ('importlib.util.find_spec("agent")\n', 'importlib.util.find_spec("agents.agent")\n'),
        ('find_spec("agent") is None\n', 'find_spec("agents.agent") is None\n'),
        ('pkgutil.resolve_name("agent:run")\n', 'pkgutil.resolve_name("agents.agent:run")\n'),
        ('pkgutil.resolve_name("agent.run")\n', 'pkgutil.resolve_name("agents.agent.run")\n'),
        ('mock.patch("agent.VectorStore")\n', 'mock.patch("agents.agent.VectorStore")\n'),
        ('@patch("agent.VectorStore.search")\ndef t(): pass\n', '@patch("agents.agent.VectorStore.search")\ndef t(): pass\n'),
        ('mocker.patch("database.get_db", return_value=1)\n', 'mocker.patch("database.database.get_db", return_value=1)\n'),
        ('monkeypatch.setattr("agent.VectorStore.search", fake)\n', 'monkeypatch.setattr("agents.agent.VectorStore.search", fake)\n'),
        ('patch.multiple("agent", run=None)\n', 'patch.multiple("agents.agent", run=None)\n'),
        # A patch target need not be found in the module: the call says what it is.
        ('mock.patch("agent.created_at_runtime")\n', 'mock.patch("agents.agent.created_at_runtime")\n'),
    ],
)
def test_module_loading_and_patching_calls(before: str, after: str) -> None:
    assert rewrite_py(before) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # The value of `__import__` stays the module, not its new package.
        ('mod = __import__("database")\n', 'mod = __import__("database.database", fromlist=["database"])\n'),
        ("m = __import__('agent', globals())\n", "m = __import__('agents.agent', globals(), fromlist=['agent'])\n"),
        ('m = __import__("agent", fromlist=[])\n', 'm = __import__("agents.agent", fromlist=["agent"])\n'),
        ('m = __import__("agent", None, None, ())\n', 'm = __import__("agents.agent", None, None, ["agent"])\n'),
        ('m = __import__("agent", fromlist=["run"])\n', 'm = __import__("agents.agent", fromlist=["run"])\n'),
        ('m = __import__(\n    "agent",\n)\n', 'm = __import__(\n    "agents.agent", fromlist=["agent"],\n)\n'),
        ('f(__import__("agent").run)\n', 'f(__import__("agents.agent", fromlist=["agent"]).run)\n'),
        # sys.modules keys are module names
        ('with mock.patch.dict(sys.modules, {"agent": fake}):\n    pass\n',
         'with mock.patch.dict(sys.modules, {"agents.agent": fake}):\n    pass\n'),
        ('patch.dict("sys.modules", {"agent": fake, "os": os})\n', 'patch.dict("sys.modules", {"agents.agent": fake, "os": os})\n'),
        ('monkeypatch.setitem(sys.modules, "agent", fake)\n', 'monkeypatch.setitem(sys.modules, "agents.agent", fake)\n'),
        ('monkeypatch.delitem(sys.modules, "agent", raising=False)\n',
         'monkeypatch.delitem(sys.modules, "agents.agent", raising=False)\n'),
        ('del sys.modules["agent"]\n', 'del sys.modules["agents.agent"]\n'),
        ('sys.modules.pop("agent", None)\n', 'sys.modules.pop("agents.agent", None)\n'),
        ('loaded = "agent" in sys.modules\n', 'loaded = "agents.agent" in sys.modules\n'),
        # dictConfig factories
        ('LOGGING = {"formatters": {"f": {"()": "agent.VectorStore"}}}\n',
         'LOGGING = {"formatters": {"f": {"()": "agents.agent.VectorStore"}}}\n'),
        ('LOGGING = {"handlers": {"h": {"class": "agent.VectorStore", "level": "INFO"}}}\n',
         'LOGGING = {"handlers": {"h": {"class": "agents.agent.VectorStore", "level": "INFO"}}}\n'),
        # settings lists of modules
        ('INSTALLED_APPS = [\n    "django.contrib.auth",\n    "agent",\n    "auth.auth",\n]\n',
         'INSTALLED_APPS = [\n    "django.contrib.auth",\n    "agents.agent",\n    "auth.auth",\n]\n'),
        ('MIDDLEWARE = ("auth.login",)\n', 'MIDDLEWARE = ("auth.auth.login",)\n'),
        ('AUTHENTICATION_BACKENDS += ["auth.login"]\n', 'AUTHENTICATION_BACKENDS += ["auth.auth.login"]\n'),
        ('CELERY_IMPORTS: tuple = ("agent",)\n', 'CELERY_IMPORTS: tuple = ("agents.agent",)\n'),
        ('app = Celery("proj", include=["agent"])\n', 'app = Celery("proj", include=["agents.agent"])\n'),
        ('setup(name="x", py_modules=["main", "agent"])\n', 'setup(name="x", py_modules=["main", "agents.agent"])\n'),
        # settings overridden in tests, and Django's login backend (healthchecks: its logins failed silently)
        ('@override_settings(AUTHENTICATION_BACKENDS=("auth.login",))\ndef t(): pass\n',
         '@override_settings(AUTHENTICATION_BACKENDS=("auth.auth.login",))\ndef t(): pass\n'),
        ('with self.settings(MIDDLEWARE=["auth.login"]):\n    pass\n', 'with self.settings(MIDDLEWARE=["auth.auth.login"]):\n    pass\n'),
        ('@modify_settings(MIDDLEWARE={"append": "auth.login", "remove": ["x.Y"]})\ndef t(): pass\n',
         '@modify_settings(MIDDLEWARE={"append": "auth.auth.login", "remove": ["x.Y"]})\ndef t(): pass\n'),
        ('auth_login(request, user, "auth.login")\n', 'auth_login(request, user, "auth.auth.login")\n'),
        ('login(request, user, backend="auth.login")\n', 'login(request, user, backend="auth.auth.login")\n'),
        ('user.backend = "auth.login"\n', 'user.backend = "auth.auth.login"\n'),
        # entry points: `module:attr` is nothing else
        ('uvicorn.run("agent:app")\n', 'uvicorn.run("agents.agent:app")\n'),
        ('APP = "agent:app"\n', 'APP = "agents.agent:app"\n'),
        ('FACTORY = "agent:run()"\n', 'FACTORY = "agents.agent:run()"\n'),
        ('eps = ["serve = agent:run"]\n', 'eps = ["serve = agents.agent:run"]\n'),
        ('PLUGINS = {"answer": "agent:run"}\n', 'PLUGINS = {"answer": "agents.agent:run"}\n'),
    ],
)
def test_certain_contexts(before: str, after: str) -> None:
    assert rewrite_py(before) == after
    assert suggest_py(before) is None


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # They look like `module.attr` (the attribute is defined there), but nothing says they are one.
        ('TARGET = "agent.VectorStore"\n', 'TARGET = "agents.agent.VectorStore"\n'),
        ('handler = "agent.run"\n', 'handler = "agents.agent.run"\n'),
        ('names = ["agent.json_lib"]\n', 'names = ["agents.agent.json_lib"]\n'),  # bound in try/except
        ("x = r'agent.run'\n", "x = r'agents.agent.run'\n"),
        ('x = "agent.run" + suffix\n', 'x = "agents.agent.run" + suffix\n'),
        ('@permission_required("auth.login")\ndef view(): pass\n', '@permission_required("auth.auth.login")\ndef view(): pass\n'),
        ('bus.emit("agent.run", payload)\n', 'bus.emit("agents.agent.run", payload)\n'),
        ('@app.task(name="agent.run")\ndef run(): pass\n', '@app.task(name="agents.agent.run")\ndef run(): pass\n'),
        ('log = logging.getLogger("agent")\n', 'log = logging.getLogger("agents.agent")\n'),
        ('LOGGING = {"loggers": {"agent": {"level": "DEBUG"}}}\n', 'LOGGING = {"loggers": {"agents.agent": {"level": "DEBUG"}}}\n'),
        ('OTHER = {"class": "agent.VectorStore"}\n', 'OTHER = {"class": "agents.agent.VectorStore"}\n'),  # not dictConfig
        ('PERMS = ["auth.login"]\n', 'PERMS = ["auth.auth.login"]\n'),  # not a settings list of modules
    ],
)
def test_strings_that_only_look_like_module_paths_are_suggested(before: str, after: str) -> None:
    assert rewrite_py(before) is None, "never changed silently"
    assert suggest_py(before) == after


def test_certain_and_review_rewrites_in_one_file() -> None:
    source = 'mock.patch("agent.run")\nEVENT = "agent.run"\n'
    assert rewrite_py(source) == 'mock.patch("agents.agent.run")\nEVENT = "agent.run"\n'
    assert suggest_py(source) == 'mock.patch("agents.agent.run")\nEVENT = "agents.agent.run"\n'


@pytest.mark.parametrize(
    "source",
    [
        'def f() -> "agent.VectorStore":\n    pass\n',
        'async def f(store: "agent.VectorStore", *a: "agent.VectorStore", **k: "agent.VectorStore"): pass\n',
        'def f(*, store: Optional["agent.VectorStore"] = None): pass\n',
        'x: "agent.VectorStore"\n',
        'x: "list[agent.VectorStore]" = []\n',
        'class C:\n    store: typing.Optional["agent.VectorStore"] = None\n',
        'Stores = List["agent.VectorStore"]\n',
        'T = TypeVar("T", bound="agent.VectorStore")\n',
        'T = typing.TypeVar("T", "agent.VectorStore", "database.get_db")\n',
        'store = cast("agent.VectorStore", thing)\n',
        'store = typing.cast("agent.VectorStore", thing)\n',
    ],
)
def test_type_expressions_are_never_rewritten(source: str) -> None:
    # A forward reference names the local binding, and the engine keeps bindings as they were.
    assert rewrite_py(source) is None
    assert suggest_py(source) is None


@pytest.mark.parametrize(
    "source",
    [
        'role = "agent"\n',  # a bare word outside a loading call
        'key = "agent.name"\n',  # `name` is not defined in agent.py: a config key
        'status = "agent:ready"\n',  # not an attribute of agent.py either
        'mock.patch("agent")\n',  # patch never takes a bare module
        'x = f"agent.run"\n',  # f-strings stay
        'x = b"agent.run"\n',  # bytes stay
        'import_module("agent" + suffix)\n',  # not the whole argument
        'import_module("age" "nt")\n',  # implicit concatenation: not one literal
        'import_module(".agent", package="x")\n',  # relative
        '__import__("agent", globals(), locals(), [], 1)\n',  # relative too: the caller's own `agent`
        '"""agent.run"""\n',  # docstring
        '# mock.patch("agent.VectorStore")\nx = 1\n',  # comment
        'os.path.join("agent.py")\n',  # file names in Python are not modules
        'mock.patch("os.getenv")\n',  # not moved
        'x = "agents.agent.run"\n',  # already new: a second run changes nothing
        'x = "database.database.get_db"\n',
        'import_module("auth.auth")\n',  # already the new module (auth.py moved into auth/)
        'mock.patch("auth.auth.login")\n',
        'DB_PATH = "database.db"\n',  # a file name, even though database.py defines `db`
        'CONFIG = "agent.yaml"\n',
        'x = "agent.os"\n',  # a plain import is no attribute worth rewriting outside patch()
    ],
)
def test_strings_that_stay(source: str) -> None:
    assert rewrite_py(source) is None


def test_module_names_in_code_are_not_touched() -> None:
    # rope owns imports and code; this pass only edits string literals.
    source = "import agent\nagent.run()\nx = agent.VectorStore\n"
    assert rewrite_py(source) is None


def test_crlf_bom_and_other_bytes_are_preserved() -> None:
    source = b'\xef\xbb\xbf# caf\xc3\xa9\r\nX = patch("agent.run")  # \xc3\xa9\r\n\r\ny = "agent.run"\r\n'
    assert rewrite("backend/tests/test_bom.py", source) == (
        b'\xef\xbb\xbf# caf\xc3\xa9\r\nX = patch("agents.agent.run")  # \xc3\xa9\r\n\r\ny = "agent.run"\r\n'
    )
    assert suggest("backend/tests/test_bom.py", source) == (
        b'\xef\xbb\xbf# caf\xc3\xa9\r\nX = patch("agents.agent.run")  # \xc3\xa9\r\n\r\ny = "agents.agent.run"\r\n'
    )


def test_encoding_cookie_is_honoured() -> None:
    source = '# -*- coding: latin-1 -*-\ns = "\xe9"; t = patch("agent.run")\n'.encode("latin-1")
    expected = '# -*- coding: latin-1 -*-\ns = "\xe9"; t = patch("agents.agent.run")\n'.encode("latin-1")
    assert rewrite("backend/tests/test_latin.py", source) == expected


def test_non_ascii_before_string_keeps_offsets_right() -> None:
    assert rewrite_py('label = "é"; mock.patch("agent.run")\n') == 'label = "é"; mock.patch("agents.agent.run")\n'


def test_untokenizable_python_is_left_alone() -> None:
    assert rewrite_py('x = patch("agent.run",\n') is None  # unclosed bracket: the parser gives up


def test_result_category_for_python_is_strings() -> None:
    files = {**BASE_FILES, "backend/tests/test_x.py": b'p = patch("agent.run")\n'}
    assert set(steps_of(files)["backend/tests/test_x.py"]) == {Category.STRINGS}
    files = {**BASE_FILES, "backend/tests/test_x.py": b'p = "agent.run"\n'}
    assert set(steps_of(files)["backend/tests/test_x.py"]) == {Category.REVIEW}


# --- package renames and the longest prefix ---------------------------------------------

RAI_FILES: dict[str, bytes] = {
    "RAI_Chat/__init__.py": b"",
    "RAI_Chat/backend/__init__.py": b"VERSION = 1\n",
    "RAI_Chat/backend/core/__init__.py": b"",
    "RAI_Chat/backend/core/database/__init__.py": b"",
    "RAI_Chat/backend/core/database/session.py": b"def get_db():\n    pass\n",
    "RAI_Chat/backend/core/auth/__init__.py": b"",
    "RAI_Chat/backend/core/auth/service.py": b"class AuthService:\n    pass\n",
}
RAI_MODULES = {
    "RAI_Chat.Backend": "RAI_Chat.backend",
    "RAI_Chat.Backend.core.database.connection": "RAI_Chat.backend.core.database.session",
}
RAI_PATHS = {
    "RAI_Chat/Backend/__init__.py": "RAI_Chat/backend/__init__.py",
    "RAI_Chat/Backend/core/__init__.py": "RAI_Chat/backend/core/__init__.py",
    "RAI_Chat/Backend/core/database/__init__.py": "RAI_Chat/backend/core/database/__init__.py",
    "RAI_Chat/Backend/core/database/connection.py": "RAI_Chat/backend/core/database/session.py",
    "RAI_Chat/Backend/core/auth/__init__.py": "RAI_Chat/backend/core/auth/__init__.py",
    "RAI_Chat/Backend/core/auth/service.py": "RAI_Chat/backend/core/auth/service.py",
}


def rewrite_rai(path: str, content: str) -> str | None:
    found = steps_of({**RAI_FILES, path: content.encode()}, RAI_MODULES, RAI_PATHS, [""]).get(path, {})
    return found[max(found)].decode() if found else None  # with the review step, if any


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Only the package is mapped: everything below it follows.
        ('p = "RAI_Chat.Backend.core.auth.service.AuthService"\n', 'p = "RAI_Chat.backend.core.auth.service.AuthService"\n'),
        ('mock.patch("RAI_Chat.Backend.core.auth.service.AuthService")\n',
         'mock.patch("RAI_Chat.backend.core.auth.service.AuthService")\n'),
        ('import_module("RAI_Chat.Backend.core.auth.service")\n', 'import_module("RAI_Chat.backend.core.auth.service")\n'),
        # The longer key wins over the package rename.
        ('p = "RAI_Chat.Backend.core.database.connection.get_db"\n', 'p = "RAI_Chat.backend.core.database.session.get_db"\n'),
        ('p = "RAI_Chat.Backend.core.database.connection"\n', 'p = "RAI_Chat.backend.core.database.session"\n'),
        ('v = "RAI_Chat.Backend.VERSION"\n', 'v = "RAI_Chat.backend.VERSION"\n'),  # defined in __init__
        ('logging.getLogger("RAI_Chat.Backend")\n', 'logging.getLogger("RAI_Chat.backend")\n'),
    ],
)
def test_longest_prefix_for_package_renames(before: str, after: str) -> None:
    assert rewrite_rai("tests/test_x.py", before) == after


def test_a_dotted_path_that_is_exactly_a_module_is_certain() -> None:
    files = {**RAI_FILES, "tests/test_x.py": b'load_module("RAI_Chat.Backend.core.auth.service")\n'
                                            b'KEY = "RAI_Chat.Backend.core.auth.service.AuthService"\n'
                                            b'log = logging.getLogger("RAI_Chat.Backend.core.auth.service")\n'}
    found = steps_of(files, RAI_MODULES, RAI_PATHS, [""])["tests/test_x.py"]
    assert found[Category.STRINGS] == (b'load_module("RAI_Chat.backend.core.auth.service")\n'
                                       b'KEY = "RAI_Chat.Backend.core.auth.service.AuthService"\n'
                                       b'log = logging.getLogger("RAI_Chat.Backend.core.auth.service")\n')
    assert found[Category.REVIEW] == (b'load_module("RAI_Chat.backend.core.auth.service")\n'
                                      b'KEY = "RAI_Chat.backend.core.auth.service.AuthService"\n'
                                      b'log = logging.getLogger("RAI_Chat.backend.core.auth.service")\n')


def test_a_file_named_like_a_module_is_only_suggested_in_the_file_that_opens_it() -> None:
    # kiwi's result_test.py dumps to and loads from a file 'kiwi.result' while the module kiwi.result
    # moves to kiwi/result/result.py: renaming the file everywhere in the test kept it green and wrong
    kiwi = {"kiwi/__init__.py": b"", "kiwi/result/__init__.py": b"", "kiwi/result/result.py": b"class Result:\n    pass\n"}
    test = (b"def test_dump(result, mock_open):\n    result.dump('kiwi.result')\n"
            b"    mock_open.assert_called_once_with('kiwi.result', 'wb')\n")
    loader = b"def setup(bot):\n    bot.add_cog_from('kiwi.result')\n"  # no file opened here: a module
    found = steps_of({**kiwi, "test/result_test.py": test, "kiwi/bot.py": loader}, {"kiwi.result": "kiwi.result.result"},
                     {"kiwi/result.py": "kiwi/result/result.py"}, [""])
    assert Category.STRINGS not in found["test/result_test.py"]
    assert found["test/result_test.py"][Category.REVIEW] == test.replace(b"'kiwi.result'", b"'kiwi.result.result'")
    assert found["kiwi/bot.py"] == {Category.STRINGS: loader.replace(b"'kiwi.result'", b"'kiwi.result.result'")}
    assert [value for _, value, _ in module_names_handed_to_calls(test)] == []
    assert list(module_names_handed_to_calls(loader)) == [(2, "kiwi.result", "bot.add_cog_from")]


@pytest.mark.parametrize("call", ["bot.load_extension('{}')", "await bot.reload_extension('{}')",
                                  "self.assertLogs('{}', level='INFO')"])
def test_extension_loaders_and_log_assertions_take_module_names(call: str) -> None:
    # python-discord/bot loads its cogs by name; unittest's assertLogs names a `getLogger(__name__)` logger
    source = ("async def f(bot, self):\n    " + call.format("agent") + "\n").encode()
    found = steps_of({**BASE_FILES, "backend/boot.py": source})["backend/boot.py"]
    assert found == {Category.STRINGS: source.replace(b"'agent'", b"'agents.agent'")}
    assert list(module_names_handed_to_calls(source)) == []


def test_a_module_path_through_a_namespace_folder_is_certain() -> None:
    # ClashKingBot: main.py lists extensions as "Background.feed" for discord's load_extension;
    # Background/ has no __init__.py and is organized as the source root of its bare imports
    files = {"main.py": b'EXTENSIONS = [\n    "Background.feed",\n    "Background.Logs.bans",\n]\n',
             "Background/core/__init__.py": b"", "Background/core/feed.py": b"def setup(bot):\n    pass\n",
             "Background/Logs/bans.py": b"def setup(bot):\n    pass\n"}
    modules = {"feed": "core.feed", "Background.feed": "Background.core.feed"}
    paths = {"Background/feed.py": "Background/core/feed.py"}
    found = steps_of(files, modules, paths, ["Background"])["main.py"]
    assert found == {Category.STRINGS: b'EXTENSIONS = [\n    "Background.core.feed",\n    "Background.Logs.bans",\n]\n'}


def test_paths_of_moved_files_in_comments_and_docstrings_follow_them() -> None:
    # research-agent: "# OpenCode Integration  (extracted to chat_streaming.py)" in server/server.py
    files = {
        "server/server.py": b"# OpenCode Integration  (extracted to chat_streaming.py)\n"
                            b"x = 1  # see my_chat_streaming.py\n#   |-- chat_streaming.py\n",
        "server/api.py": b'"""Routes; state lives in\nmemory_store.py."""\n\n\n'
                         b'def f():\n    """Calls memory_store.py."""\n    return "memory_store.py is not prose"\n',
        "server/core/chat_streaming.py": b"# chat_streaming.py: streams; helpers in memory_store.py\n",
        "server/api/routes.py": b'"""Routes; imported from memory_store.py."""\n',
        "server/core/memory_store.py": b"",
        "server/my_chat_streaming.py": b"",
    }
    paths = {"server/chat_streaming.py": "server/core/chat_streaming.py", "server/routes.py": "server/api/routes.py",
             "server/memory_store.py": "server/core/memory_store.py"}
    modules = {"chat_streaming": "core.chat_streaming", "memory_store": "core.memory_store"}
    found = steps_of(files, modules, paths, ["server"])
    assert found["server/server.py"] == {
        Category.STRINGS: b"# OpenCode Integration  (extracted to core/chat_streaming.py)\n"
                          b"x = 1  # see my_chat_streaming.py\n#   |-- chat_streaming.py\n"}
    assert "server/core/chat_streaming.py" not in found  # moved together: the same names still hold
    # moved apart: from the folder it was written in, not "../core/memory_store.py"
    assert found["server/api/routes.py"] == {Category.STRINGS: b'"""Routes; imported from core/memory_store.py."""\n'}
    # docstrings are prose too; other strings are read by the code and follow their own rules
    assert found["server/api.py"] == {Category.STRINGS: b'"""Routes; state lives in\ncore/memory_store.py."""\n\n\n'
                                                        b'def f():\n    """Calls core/memory_store.py."""\n'
                                                        b'    return "memory_store.py is not prose"\n'}


def test_package_rename_keeps_unknown_attributes() -> None:
    assert rewrite_rai("tests/test_x.py", 'k = "RAI_Chat.Backend.missing"\n') is None


def test_package_rename_in_docs() -> None:
    doc = (
        "Uses `RAI_Chat.Backend.core.database.connection` and `RAI_Chat.Backend.core.auth`.\n"
        "\n"
        "```python\n"
        "from RAI_Chat.Backend.core.database.connection import get_db\n"
        "```\n"
        "Run `python RAI_Chat/Backend/core/auth/service.py`.\n"
    )
    assert rewrite_rai("README.md", doc) == (
        "Uses `RAI_Chat.backend.core.database.session` and `RAI_Chat.backend.core.auth`.\n"
        "\n"
        "```python\n"
        "from RAI_Chat.backend.core.database.session import get_db\n"
        "```\n"
        "Run `python RAI_Chat/backend/core/auth/service.py`.\n"
    )


# --- config files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        # Run from the source root: the script keeps its imports as a module of a package.
        ("backend/Procfile", "release: python seed_db.py --force\n", "release: python -m scripts.seed_db --force\n"),
        ("backend/Procfile", "release: python3 -u ./seed_db.py\n", "release: python3 -u -m scripts.seed_db\n"),
        ("backend/Makefile", "seed:\n\t$(PYTHON) seed_db.py\n", "seed:\n\t$(PYTHON) -m scripts.seed_db\n"),
        ("Justfile", "seed:\n    python backend/seed_db.py\n", "seed:\n    env PYTHONPATH=backend python -m scripts.seed_db\n"),
        # Run from the workspace root: the working directory stays, the source root goes on the path.
        ("Makefile", "seed:\n\tpython backend/seed_db.py\n", "seed:\n\tenv PYTHONPATH=backend python -m scripts.seed_db\n"),
        ("Makefile", "seed:\n\tpoetry run python backend/seed_db.py && echo ok\n",
         "seed:\n\tpoetry run env PYTHONPATH=backend python -m scripts.seed_db && echo ok\n"),
        ("backend/Dockerfile", 'CMD ["python", "seed_db.py"]\n', 'CMD ["python", "-m", "scripts.seed_db"]\n'),
        # Exec form from another folder: `env` sets PYTHONPATH (exec form has no environment prefix).
        ("Dockerfile", 'CMD ["python", "backend/seed_db.py"]\n',
         'CMD ["env", "PYTHONPATH=backend", "python", "-m", "scripts.seed_db"]\n'),
        ("backend/Procfile", "web: uvicorn agent:app --port $PORT\n", "web: uvicorn agents.agent:app --port $PORT\n"),
        ("backend/Procfile", "web: gunicorn 'agent:app'\n", "web: gunicorn 'agents.agent:app'\n"),
        ("backend/Procfile", "worker: python -m agent\n", "worker: python -m agents.agent\n"),
        ("tox.ini", "[testenv]\ncommands = pytest --cov=agent --cov database\n",
         "[testenv]\ncommands = pytest --cov=agents.agent --cov database.database\n"),
        ("pytest.ini", "[pytest]\naddopts = --cov=agent\n", "[pytest]\naddopts = --cov=agents.agent\n"),
        ("pyproject.toml", '[project.scripts]\nserve = "agent:run"\n', '[project.scripts]\nserve = "agents.agent:run"\n'),
        ("setup.cfg", "[options.entry_points]\nconsole_scripts =\n    serve = agent:run\n",
         "[options.entry_points]\nconsole_scripts =\n    serve = agents.agent:run\n"),
        ("backend/app.toml", 'module = "agent"\n', 'module = "agents.agent"\n'),
        ("docker-compose.yml", "    environment:\n      - FLASK_APP=agent\n",
         "    environment:\n      - FLASK_APP=agents.agent\n"),
        ("backend/Dockerfile", "ENV FLASK_APP=agent\n", "ENV FLASK_APP=agents.agent\n"),
        (".github/workflows/ci.yml", "      - run: python -m pytest backend/test_auth.py\n",
         "      - run: python -m pytest backend/tests/test_auth.py\n"),
        ("backend/run.sh", "pytest test_auth.py::test_login\n", "pytest tests/test_auth.py::test_login\n"),
        ("compose.yaml", "    command: uvicorn agent:app\n", "    command: uvicorn agents.agent:app\n"),
        # `-m` in exec form and in YAML lists (xandikos's Kubernetes example), after the interpreter
        ("Dockerfile", 'CMD ["python3", "-m", "agent"]\n', 'CMD ["python3", "-m", "agents.agent"]\n'),
        ("compose.yml", '    command: ["python", "-u", "-m", "agent"]\n', '    command: ["python", "-u", "-m", "agents.agent"]\n'),
        ("examples/app.k8s.yaml", '      command:\n        - "python3"\n        - "-m"\n        - "agent"\n',
         '      command:\n        - "python3"\n        - "-m"\n        - "agents.agent"\n'),
        ("app.yaml", "entrypoint: python -m agent\n", "entrypoint: python -m agents.agent\n"),  # App Engine
        # the interpreter in a make or shell variable (xandikos's Makefile)
        ("Makefile", "web:\n\t$(PYTHON) -m agent\n\t${PYTHON} -m agent\n\t$VENV_PYTHON -m agent --debug\n",
         "web:\n\t$(PYTHON) -m agents.agent\n\t${PYTHON} -m agents.agent\n\t$VENV_PYTHON -m agents.agent --debug\n"),
    ],
)
def test_config_rewrites(path: str, before: str, after: str) -> None:
    new = rewrite(path, before.encode())
    assert new is not None and new.decode() == after


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("backend/settings.toml", 'role = "agent"\n'),  # not a module setting
        ("backend/settings.toml", 'happy = "agent"\n'),  # "app" inside a word is no key
        ("backend/Procfile", "web: python my_seed_db.py\n"),  # another file
        ("backend/Procfile", "web: python seed_db.py.bak\n"),
        ("backend/Procfile", "web: python /app/seed_db.py\n"),  # absolute: mapping unknown
        ("docker-compose.yml", "    image: agent:latest\n"),  # not an attribute of agent.py
        ("backend/Procfile", "web: uvicorn main:app\n"),  # main did not move
        ("Makefile", "lint:\n\tpytest -m agentic\n"),
        ("requirements.txt", "agent.py\n"),  # requirements are not docs
        ("backend/Procfile", "web: python -m agents.agent\n"),  # already new
        ("data/steps.yaml", "entrypoint: python -m agent\n"),  # YAML that neither deploys nor runs the project
    ],
)
def test_config_that_stays(path: str, content: str) -> None:
    assert rewrite(path, content.encode()) is None


@pytest.mark.parametrize(("path", "before", "after"), [
    # `-m` with no interpreter earlier in the list: a pytest marker, or Kubernetes `args:` beside `command:`
    ("compose.yml", '    command: ["pytest", "-m", "agent"]\n', '    command: ["pytest", "-m", "agents.agent"]\n'),
    ("k8s/web.yaml", '      command: ["python3"]\n      args:\n        - -m\n        - agent\n',
     '      command: ["python3"]\n      args:\n        - -m\n        - agents.agent\n'),
])
def test_a_dash_m_item_without_the_interpreter_before_it_is_suggested(path: str, before: str, after: str) -> None:
    assert rewrite(path, before.encode()) is None
    assert suggest(path, before.encode()) == after.encode()


def test_config_crlf_and_bom_preserved() -> None:
    before = b"\xef\xbb\xbfrelease: python seed_db.py\r\nweb: uvicorn agent:app\r\n"
    after = b"\xef\xbb\xbfrelease: python -m scripts.seed_db\r\nweb: uvicorn agents.agent:app\r\n"
    assert rewrite("backend/Procfile", before) == after


def test_ini_setting_with_crlf() -> None:
    assert rewrite("backend/app.ini", b"[run]\r\napp_module = agent\r\n") == b"[run]\r\napp_module = agents.agent\r\n"


def test_script_that_stays_top_level_only_changes_path() -> None:
    files = {**BASE_FILES, "backend/seeding.py": b"", "backend/Procfile": b"release: python seed.py\n"}
    result = steps_of(files, {"seed": "seeding"}, {"backend/seed.py": "backend/seeding.py"}, ROOTS)
    assert result["backend/Procfile"] == {Category.CONFIG: b"release: python seeding.py\n"}


def test_script_already_in_a_package_keeps_running_by_path() -> None:
    doc = "python RAI_Chat/Backend/core/auth/service.py\n"
    assert rewrite_rai("docs/run.txt", doc) == "python RAI_Chat/backend/core/auth/service.py\n"


# --- deployment files: scripts run by path, Docker's COPY, module settings ---------------

SHEBANG_SEED = b"#!/usr/bin/env python3\nfrom database.database import get_db\n"


def deploy_steps(path: str, content: str, seed: bytes = SHEBANG_SEED) -> dict[Category, str]:
    """Steps for one deployment file of the flat backend, whose seed_db.py has a shebang."""
    files = {**BASE_FILES, "backend/scripts/seed_db.py": seed, path: content.encode()}
    found = steps_of(files).get(path, {})
    return {category: data.decode() for category, data in found.items()}


def deployed(path: str, content: str) -> str | None:
    """What is applied; None if nothing is."""
    return deploy_steps(path, content).get(Category.CONFIG)


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        # Executed by path: its shebang's interpreter runs it as a module, from the same folder.
        ("backend/Makefile", "seed:\n\t./seed_db.py --force\n", "seed:\n\tpython3 -m scripts.seed_db --force\n"),
        ("backend/Makefile", "seed:\n\t@./seed_db.py && echo done\n", "seed:\n\t@python3 -m scripts.seed_db && echo done\n"),
        ("backend/Procfile", "release: ./seed_db.py\n", "release: python3 -m scripts.seed_db\n"),
        ("backend/Dockerfile", "RUN ./seed_db.py\n", "RUN python3 -m scripts.seed_db\n"),
        ("backend/Dockerfile", 'CMD ["./seed_db.py", "--force"]\n', 'CMD ["python3", "-m", "scripts.seed_db", "--force"]\n'),
        ("backend/run.sh", 'sh -c "./seed_db.py"\n', 'sh -c "python3 -m scripts.seed_db"\n'),
        ("Makefile", "seed:\n\t./backend/seed_db.py\n", "seed:\n\tenv PYTHONPATH=backend python3 -m scripts.seed_db\n"),
        # `cd x &&` decides the folder the command runs in.
        ("Makefile", "seed:\n\tcd backend && ./seed_db.py\n", "seed:\n\tcd backend && python3 -m scripts.seed_db\n"),
        ("Makefile", "seed:\n\tcd backend; python seed_db.py\n", "seed:\n\tcd backend; python -m scripts.seed_db\n"),
        ("Makefile", "seed:\n\tcd docs && python ../backend/seed_db.py\n",
         "seed:\n\tcd docs && env PYTHONPATH=../backend python -m scripts.seed_db\n"),
        ("Makefile", "test:\n\tcd backend && pytest test_auth.py\n", "test:\n\tcd backend && pytest tests/test_auth.py\n"),
        # Not run: only the path changes.
        ("backend/Makefile", "x:\n\tchmod +x ./seed_db.py\n", "x:\n\tchmod +x ./scripts/seed_db.py\n"),
    ],
)
def test_scripts_run_by_path_become_module_runs(path: str, before: str, after: str) -> None:
    assert deployed(path, before) == after


def test_docs_run_only_dot_slash_programs() -> None:
    readme = "Note: backend/seed_db.py seeds the db.\nRun `./backend/seed_db.py` once.\n"
    assert deployed("README.md", readme) is None  # docs
    assert deploy_steps("README.md", readme) == {Category.DOCS: (
        "Note: backend/scripts/seed_db.py seeds the db.\n"
        "Run `env PYTHONPATH=backend python3 -m scripts.seed_db` once.\n")}


def test_a_script_run_by_path_keeps_the_interpreter_its_shebang_names() -> None:
    seed = b"#!/usr/bin/python3.11 -u\nfrom database.database import get_db\n"
    assert deploy_steps("backend/Makefile", "s:\n\t./seed_db.py\n", seed) == {
        Category.CONFIG: "s:\n\t/usr/bin/python3.11 -m scripts.seed_db\n"}


def test_a_script_without_a_python_shebang_is_only_suggested() -> None:
    # Which interpreter ran it is unknown: the fix is suggested for review, the line is not left looking right.
    found = deploy_steps("backend/Makefile", "s:\n\t./seed_db.py\n", b"from database.database import get_db\n")
    assert found == {Category.REVIEW: "s:\n\tpython -m scripts.seed_db\n"}


def test_a_package_script_whose_siblings_stayed_is_only_suggested() -> None:
    files = {
        "backend/tools/__init__.py": b"",
        "backend/tools/common.py": b"",
        "backend/reports/__init__.py": b"",
        "backend/reports/report.py": b"import common\n",
        "backend/Makefile": b"report:\n\tpython tools/report.py\n",
    }
    found = steps_of(files, {"tools.report": "reports.report"},
                     {"backend/tools/report.py": "backend/reports/report.py"}, ROOTS)
    # Run by path, tools/ was sys.path[0]; from reports/ `import common` fails: only suggested.
    assert found["backend/Makefile"] == {Category.REVIEW: b"report:\n\tpython reports/report.py\n"}


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        # COPY flattens: the moved file gets an instruction that keeps its package, the rest stays.
        ("backend/Dockerfile", "COPY requirements.txt main.py agent.py ./\n",
         "COPY requirements.txt main.py ./\nCOPY agents/__init__.py agents/agent.py ./agents/\n"),
        ("backend/Dockerfile", "COPY agent.py .\n", "COPY agents/__init__.py agents/agent.py ./agents/\n"),
        ("backend/Dockerfile", "ADD seed_db.py /app/seed_db.py\n", "ADD scripts/__init__.py scripts/seed_db.py /app/scripts/\n"),
        ("backend/Dockerfile", "copy --chown=app:app main.py \\\n     agent.py \\\n     /app/\n",
         "copy --chown=app:app main.py \\\n     /app/\ncopy --chown=app:app agents/__init__.py agents/agent.py /app/agents/\n"),
        ("backend/Dockerfile", "  COPY agent.py database.py ./\r\nCMD x\r\n",
         ("  COPY agents/__init__.py agents/agent.py ./agents/\r\n"
          "  COPY database/__init__.py database/database.py ./database/\r\nCMD x\r\n")),
        # Exec form stays exec form.
        ("backend/Dockerfile", 'COPY ["main.py", "agent.py", "./"]\n',
         'COPY ["main.py", "./"]\nCOPY ["agents/__init__.py", "agents/agent.py", "./agents/"]\n'),
        ("backend/Dockerfile", 'COPY --chown=app ["agent.py", \\\n     "/app/"]\n',
         'COPY --chown=app ["agents/__init__.py", "agents/agent.py", "/app/agents/"]\n'),
        # A glob in shell form is a source like another.
        ("backend/Dockerfile", "COPY file[12].py agent.py ./\n",
         "COPY file[12].py ./\nCOPY agents/__init__.py agents/agent.py ./agents/\n"),
        # From the workspace root, the build context.
        ("Dockerfile", "COPY backend/main.py backend/agent.py /app/\n",
         "COPY backend/main.py /app/\nCOPY backend/agents/__init__.py backend/agents/agent.py /app/agents/\n"),
    ],
)
def test_docker_copy_keeps_packages_in_the_image(path: str, before: str, after: str) -> None:
    assert deployed(path, before) == after


def test_docker_copy_glob_gets_the_files_it_no_longer_matches() -> None:
    files = {**BASE_FILES, "backend/Dockerfile": b"COPY requirements.txt *.py ./\n"}
    found = steps_of(files, {"agent": "agents.agent"}, {"backend/agent.py": "backend/agents/agent.py"}, ROOTS)
    assert found["backend/Dockerfile"] == {
        Category.CONFIG: b"COPY requirements.txt *.py ./\nCOPY agents/__init__.py agents/agent.py ./agents/\n"}


@pytest.mark.parametrize(
    "content",
    [
        "COPY . .\n",  # covers the new folders already
        "COPY backend/ /app/\n",
        "COPY --from=build /app/agent.py /app/\n",  # another stage's files
        "COPY main.py ./\n",  # did not move
    ],
)
def test_docker_copy_that_stays(content: str) -> None:
    assert deploy_steps("Dockerfile", content) == {}
    assert deploy_steps("backend/Dockerfile", content) == {}


def test_docker_copy_to_another_file_name_is_only_suggested() -> None:
    assert deploy_steps("backend/Dockerfile", "COPY agent.py /app/renamed_agent.py\n") == {
        Category.REVIEW: "COPY agents/agent.py /app/renamed_agent.py\n"}


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        ("backend/Procfile", "worker: celery -A agent worker -l info\n", "worker: celery -A agents.agent worker -l info\n"),
        ("backend/Procfile", "worker: celery --app=agent.app worker\n", "worker: celery --app=agents.agent.app worker\n"),
        ("backend/Procfile", "worker: celery worker --app agent:app\n", "worker: celery worker --app agents.agent:app\n"),
        ("backend/Procfile", "worker: celery -Aagent worker\n", "worker: celery -Aagents.agent worker\n"),
        ("backend/Dockerfile", 'CMD ["celery", "-A", "agent", "worker"]\n', 'CMD ["celery", "-A", "agents.agent", "worker"]\n'),
        ("backend/Makefile", "run:\n\tflask --app agent run\n", "run:\n\tflask --app agents.agent run\n"),
    ],
)
def test_runner_app_options(path: str, before: str, after: str) -> None:
    assert rewrite(path, before.encode()).decode() == after


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        ("pyproject.toml", '[tool.setuptools]\npy-modules = ["main", "agent", "seed_db"]\n',
         '[tool.setuptools]\npy-modules = ["main", "agents.agent", "scripts.seed_db"]\n'),
        ("pyproject.toml", '[tool.coverage.run]\nsource = [\n  "agent",  # the agent\n  "database",\n]\n',
         '[tool.coverage.run]\nsource = [\n  "agents.agent",  # the agent\n  "database.database",\n]\n'),
        ("backend/.coveragerc", "[run]\nsource =\n    agent\n    database\nbranch = true\n",
         "[run]\nsource =\n    agents.agent\n    database.database\nbranch = true\n"),
        ("setup.cfg", "[coverage:run]\nsource = agent, database\n", "[coverage:run]\nsource = agents.agent, database.database\n"),
        ("backend/logging.ini", "[handler_json]\nclass=agent.VectorStore\nargs=(sys.stdout,)\n",
         "[handler_json]\nclass=agents.agent.VectorStore\nargs=(sys.stdout,)\n"),
        ("backend/logging.conf", "[formatter_json]\nclass = agent.VectorStore\n",
         "[formatter_json]\nclass = agents.agent.VectorStore\n"),
        ("backend/logging.yaml", "handlers:\n  json:\n    class: agent.VectorStore\n    (): agent.run\n",
         "handlers:\n  json:\n    class: agents.agent.VectorStore\n    (): agents.agent.run\n"),
        ("backend/.env", "APP_MODULE=agent:app\nCELERY_APP=agent\nexport MODULE_NAME=agent\nFLASK_APP=\"agent\"\n",
         "APP_MODULE=agents.agent:app\nCELERY_APP=agents.agent\nexport MODULE_NAME=agents.agent\nFLASK_APP=\"agents.agent\"\n"),
        ("backend/worker.env", "CELERY_APP=agent.app # the worker\n", "CELERY_APP=agents.agent.app # the worker\n"),
        (".env.production", "APP_MODULE=agent:app\r\n", "APP_MODULE=agents.agent:app\r\n"),
        ("backend/Makefile", "CELERY_APP ?= agent\nAPP_MODULE := agent:app\n",
         "CELERY_APP ?= agents.agent\nAPP_MODULE := agents.agent:app\n"),
        # a file name where a module may stand: the path follows the file (Flask imports it from there)
        ("backend/.flaskenv", "FLASK_APP=agent.py\n", "FLASK_APP=agents/agent.py\n"),
    ],
)
def test_module_settings(path: str, before: str, after: str) -> None:
    assert rewrite(path, before.encode()).decode() == after


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("backend/Procfile", "web: foo -A agent\n"),  # -A of another program
        ("backend/.env", "APP_NAME=agent\nROLE=agent\nAPP_TITLE=agent service\n"),  # words, not modules
        ("backend/.env", "APP_MODULE=agent server\n"),  # not a module reference as a whole
        ("pyproject.toml", '[[tool.poetry.source]]\nsource = "agent"\n'),  # `source` outside coverage
        ("backend/.coveragerc", "[report]\nsource = agent\n"),
        ("backend/logging.ini", "[handler_file]\nclass=handlers.RotatingFileHandler\n"),  # logging's own
        ("backend/logging.ini", "[handler_json]\nclass=agent.Missing\n"),  # agent defines no Missing
        ("backend/logging.ini", "[logger_agent]\nqualname=agent\n"),  # a logger name
    ],
)
def test_settings_that_stay(path: str, content: str) -> None:
    assert rewrite(path, content.encode()) is None


# --- docs -------------------------------------------------------------------------------


def test_readme_at_workspace_root() -> None:
    readme = (
        "# App\n"
        "\n"
        "Seed with `python backend/seed_db.py`, or from `backend/`: `python seed_db.py`.\n"
        "Serve with `uvicorn agent:app`. The agent answers questions.\n"
        "See [the seeder](backend/seed_db.py) and ./backend/seed_db.py; my_seed_db.py is unrelated.\n"
        "Tests: `pytest test_auth.py`.\n"
    )
    assert rewrite("README.md", readme.encode()).decode() == (
        "# App\n"
        "\n"
        "Seed with `env PYTHONPATH=backend python -m scripts.seed_db`, or from `backend/`: `python -m scripts.seed_db`.\n"
        "Serve with `uvicorn agents.agent:app`. The agent answers questions.\n"
        "See [the seeder](backend/scripts/seed_db.py) and ./backend/scripts/seed_db.py; my_seed_db.py is unrelated.\n"
        "Tests: `pytest tests/test_auth.py`.\n"
    )


def test_paths_relative_to_the_docs_folder() -> None:
    new = rewrite("backend/docs/guide.md", b"Edit ../agent.py and run `python ../seed_db.py`.\n")
    assert new == b"Edit ../agents/agent.py and run `env PYTHONPATH=.. python -m scripts.seed_db`.\n"


def test_prose_words_and_single_part_inline_code_stay() -> None:
    assert rewrite("README.md", b"The agent uses the `database` and `agent.name` settings.\n") is None


def test_python_fence_imports() -> None:
    readme = (
        "```python\n"
        "from agent import run\n"
        "import database\n"
        "import agent, os\n"
        "import agent as a  # alias\n"
        ">>> from database import get_db\n"
        "```\n"
        "```bash\n"
        "from agent import run\n"
        "```\n"
        "import agent\n"
    )
    assert rewrite("README.md", readme.encode()).decode() == (
        "```python\n"
        "from agents.agent import run\n"
        "from database import database\n"
        "import agents.agent as agent, os\n"
        "import agents.agent as a  # alias\n"
        ">>> from database.database import get_db\n"
        "```\n"
        "```bash\n"
        "from agent import run\n"
        "```\n"
        "import agent\n"
    )


def test_rst_code_block_imports_and_inline_literals() -> None:
    doc = (
        "Usage\n"
        "=====\n"
        "\n"
        ".. code-block:: python\n"
        "\n"
        "   from agent import run\n"
        "   import agent\n"
        "\n"
        "from agent import run\n"
    )
    assert rewrite("docs/usage.rst", doc.encode()).decode() == (
        "Usage\n"
        "=====\n"
        "\n"
        ".. code-block:: python\n"
        "\n"
        "   from agents.agent import run\n"
        "   from agents import agent\n"
        "\n"
        "from agent import run\n"
    )


def test_tree_lines_are_left_alone() -> None:
    readme = "```\nbackend/\n├── seed_db.py\n|-- agent.py\n```\nRun seed_db.py.\n"
    assert rewrite("README.md", readme.encode()).decode() == (
        "```\nbackend/\n├── seed_db.py\n|-- agent.py\n```\nRun scripts/seed_db.py.\n"
    )


def test_docs_category_and_crlf() -> None:
    files = {**BASE_FILES, "docs/notes.txt": b"Run python -m agent\r\nthen agent.py.\r\n"}
    assert steps_of(files)["docs/notes.txt"] == {Category.DOCS: b"Run python -m agents.agent\r\nthen agents/agent.py.\r\n"}


# --- the whole -------------------------------------------------------------------------


def test_unchanged_files_are_not_returned_and_inputs_untouched() -> None:
    files = dict(BASE_FILES)
    files["README.md"] = b"Nothing to see.\n"
    files["backend/Procfile"] = b"web: uvicorn main:app\n"
    snapshot = dict(files)
    assert steps_of(files) == {}
    assert files == snapshot


def test_empty_maps_change_nothing() -> None:
    assert steps_of({**BASE_FILES, "README.md": b"python seed_db.py\n"}, {}, {}, ROOTS) == {}


def test_binary_file_with_text_name_is_skipped() -> None:
    assert rewrite("docs/blob.txt", b"\x00\x01agent.py") is None


@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("backend/x.py", Category.STRINGS),
        ("README.md", Category.DOCS),
        ("docs/a.rst", Category.DOCS),
        ("notes.txt", Category.DOCS),
        ("requirements-dev.txt", None),
        ("Procfile", Category.CONFIG),
        ("Dockerfile.dev", Category.CONFIG),
        ("Containerfile", Category.CONFIG),
        (".env.example", Category.CONFIG),
        (".env", Category.CONFIG),
        ("deploy/worker.env", Category.CONFIG),
        (".env.production", Category.CONFIG),
        (".flaskenv", Category.CONFIG),
        ("logging.conf", Category.CONFIG),
        ("config/logging.yaml", Category.CONFIG),
        ("docker-compose.override.yaml", Category.CONFIG),
        (".github/workflows/test.yml", Category.CONFIG),
        ("config/other.yml", None),
        ("Makefile", Category.CONFIG),
        ("build/rules.mk", Category.CONFIG),
        ("scripts/run.sh", Category.CONFIG),
        ("package.json", None),
    ],
)
def test_category_of(path: str, category: Category | None) -> None:
    assert category_of(path) is category


def test_this_tools_own_configuration_keeps_the_old_layouts_paths() -> None:
    # its moves are written in the old layout's terms; rewriting them would break the next run
    pyproject = (b'[tool.pytest.ini_options]\naddopts = "--cov=agent"\n\n'
                 b'[[tool.organize-backend.move]]\nfrom = "backend/seed_db.py"\nto = "backend/scripts/seed_db.py"\n\n'
                 b'[tool.other]\nscript = "backend/seed_db.py"\n')
    after = rewrite("pyproject.toml", pyproject).decode()
    assert 'from = "backend/seed_db.py"' in after
    assert '--cov=agents.agent' in after and 'script = "backend/scripts/seed_db.py"' in after
    assert rewrite("organize-backend.toml", b'[[move]]\nfrom = "backend/seed_db.py"\nto = "x/seed_db.py"\n') is None


def test_rules_and_dash_lines_are_read_in_linear_time() -> None:
    """A Markdown table rule or a line of dashes once sent the command pattern into exponential
    backtracking (a 40-dash line: days). Read in a child process, so a regression fails by timeout
    instead of hanging the suite."""
    import subprocess
    import sys

    script = (
        "from organize_backend.changes.references import rewrite_references\n"
        "doc = ('| a | b |\\n|' + '-' * 60 + '|' + '-' * 60 + '|\\n' + '-' * 80 + '\\n'"
        " + '- - - - - - - - - - - - - - - - - - - - - - - - - - - - - -\\n' + 'Run ./seed_db.py\\n').encode()\n"
        "files = {'README.md': doc, 'scripts/seed_db.py': b'print(1)\\n'}\n"
        "steps = rewrite_references(files, {'seed_db': 'scripts.seed_db'}, {'seed_db.py': 'scripts/seed_db.py'}, [''])\n"
        "print(len(list(steps)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- Sphinx, doctests, `from package import module` (AppDaemon's docs) ------------------------

APPDAEMON_FILES = {
    "appdaemon/__init__.py": b"",
    "appdaemon/core/__init__.py": b"",
    "appdaemon/core/adapi.py": b"class ADAPI:\n    def get_state(self):\n        pass\n",
    "appdaemon/core/adbase.py": b"class ADBase:\n    pass\n",
    "appdaemon/core/exceptions.py": b"class TimeOutException(Exception):\n    pass\n",
    "appdaemon/utils.py": b"X = 1\n",
}
APPDAEMON_MODULES = {"appdaemon.adapi": "appdaemon.core.adapi", "appdaemon.adbase": "appdaemon.core.adbase",
                     "appdaemon.exceptions": "appdaemon.core.exceptions"}
APPDAEMON_PATHS = {f"appdaemon/{name}.py": f"appdaemon/core/{name}.py" for name in ("adapi", "adbase", "exceptions")}


def appdaemon_steps(path: str, text: str) -> dict[Category, bytes]:
    files = {**APPDAEMON_FILES, path: text.encode()}
    return steps_of(files, APPDAEMON_MODULES, APPDAEMON_PATHS, [""]).get(path, {})


@pytest.mark.parametrize(("before", "after"), [
    (".. automodule:: appdaemon.adapi\n", ".. automodule:: appdaemon.core.adapi\n"),
    (".. autoclass:: appdaemon.adapi.ADAPI\n   :members:\n", ".. autoclass:: appdaemon.core.adapi.ADAPI\n   :members:\n"),
    ("   .. automethod:: appdaemon.adapi.ADAPI.get_state\n", "   .. automethod:: appdaemon.core.adapi.ADAPI.get_state\n"),
    (".. py:module:: appdaemon.adbase\n", ".. py:module:: appdaemon.core.adbase\n"),
    ("See :py:meth:`appdaemon.adapi.ADAPI.get_state` and :class:`~appdaemon.adbase.ADBase`.\n",
     "See :py:meth:`appdaemon.core.adapi.ADAPI.get_state` and :class:`~appdaemon.core.adbase.ADBase`.\n"),
    (":mod:`the API <appdaemon.adapi>`\n", ":mod:`the API <appdaemon.core.adapi>`\n"),
    (".. code-block:: python\n\n    from appdaemon import adbase as ad\n    from appdaemon.adapi import ADAPI\n",
     ".. code-block:: python\n\n    from appdaemon.core import adbase as ad\n    from appdaemon.core.adapi import ADAPI\n"),
])
def test_sphinx_targets_and_package_imports_in_rst_follow_the_moves(before: str, after: str) -> None:
    assert appdaemon_steps("docs/API.rst", before) == {Category.DOCS: after.encode()}


@pytest.mark.parametrize("text", [
    ".. automodule:: appdaemon.utils\n",  # not moved
    ":class:`.adapi.ADAPI`\n",  # relative to the current module
    ".. code-block:: python\n\n    from appdaemon import adbase, utils\n",  # a statement to split: left as is
    "The adapi module (appdaemon.adapi.nothing_defined) holds ADAPI.\n",  # no such name in the module
])
def test_what_is_no_sphinx_target_of_a_moved_module_stays(text: str) -> None:
    assert appdaemon_steps("docs/API.rst", text) == {}


def test_myst_directives_and_roles_in_markdown_follow_the_moves() -> None:
    before = "```{automodule} appdaemon.adapi\n```\n\nUse {py:class}`appdaemon.adbase.ADBase`.\n"
    assert appdaemon_steps("docs/api.md", before) == {
        Category.DOCS: before.replace("appdaemon.adapi", "appdaemon.core.adapi")
                             .replace("appdaemon.adbase", "appdaemon.core.adbase").encode()}


def test_sphinx_roles_and_doctest_imports_in_docstrings_follow_the_moves() -> None:
    source = ('def wait():\n    """Wait, see :meth:`appdaemon.adapi.ADAPI.get_state`.\n\n'
              '    >>> from appdaemon.exceptions import TimeOutException\n'
              '    >>> import appdaemon.adbase as base\n'
              '    from appdaemon.exceptions import nothing, this is prose\n    """\n')
    after = source.replace("appdaemon.adapi", "appdaemon.core.adapi").replace(
        "appdaemon.exceptions", "appdaemon.core.exceptions").replace("appdaemon.adbase", "appdaemon.core.adbase")
    assert appdaemon_steps("appdaemon/models/entity.py", source) == {Category.STRINGS: after.encode()}


@pytest.mark.parametrize(("path", "before", "after"), [
    # prose naming a moved module of a package, or a name it defines (healthchecks, datasette, klaus)
    ("docs/API.rst", "The adapi module (appdaemon.adapi) holds ADAPI.\n",
     "The adapi module (appdaemon.core.adapi) holds ADAPI.\n"),
    ("README.md", '```\nAUTHENTICATION_BACKENDS = ["appdaemon.adbase.ADBase"]\n```\n',
     '```\nAUTHENTICATION_BACKENDS = ["appdaemon.core.adbase.ADBase"]\n```\n'),
    ("docs/auth.rst", "With a literal block::\n\n    from appdaemon.adapi import ADAPI\n",
     "With a literal block::\n\n    from appdaemon.core.adapi import ADAPI\n"),
    ("docs/auth.rst", "``resource`` - ``appdaemon.adapi.ADAPI(database, table)``\n",
     "``resource`` - ``appdaemon.core.adapi.ADAPI(database, table)``\n"),
    ("appdaemon/views.py", "# see appdaemon.adapi.ADAPI.get_state, and appdaemon.adbase\nX = 1\n",
     "# see appdaemon.core.adapi.ADAPI.get_state, and appdaemon.core.adbase\nX = 1\n"),
    # xandikos's docstring: two names joined by a slash; an address's host stays
    ("appdaemon/views.py", '"""Serves appdaemon.adapi/appdaemon.adbase, not https://appdaemon.adapi/x."""\n',
     '"""Serves appdaemon.core.adapi/appdaemon.core.adbase, not https://appdaemon.adapi/x."""\n'),
    # datasette's docs/internals.rst: a title that grows gets its underline (and overline) grown too
    ("docs/internals.rst", "appdaemon.adapi\n===============\n\nText.\n\n################\nappdaemon.adbase\n################\n",
     ("appdaemon.core.adapi\n====================\n\nText.\n\n#####################\nappdaemon.core.adbase\n"
      "#####################\n")),
    ("tests/test_x.py", 'def test_x():\n    """Mirrors appdaemon/adapi.py:31."""\n    "appdaemon.adapi.ADAPI is the API"\n',
     'def test_x():\n    """Mirrors appdaemon/core/adapi.py:31."""\n    "appdaemon.core.adapi.ADAPI is the API"\n'),
])
def test_a_moved_module_named_by_its_dotted_name_in_prose_follows_it(path: str, before: str, after: str) -> None:
    found = appdaemon_steps(path, before)
    assert [data for category, data in found.items() if category is not Category.REVIEW] == [after.encode()]


def test_a_moved_module_named_in_a_message_is_suggested() -> None:
    # klaus: warnings.warn("'klaus.utils.SubUri' is deprecated ... use 'klaus.utils.ProxyFix' instead.")
    before = 'import warnings\nwarnings.warn("\'appdaemon.adapi.ADAPI\' is deprecated: use \'appdaemon.adbase\'")\n'
    after = before.replace("appdaemon.adapi", "appdaemon.core.adapi").replace("appdaemon.adbase", "appdaemon.core.adbase")
    assert appdaemon_steps("appdaemon/compat.py", before) == {Category.REVIEW: after.encode()}


@pytest.mark.parametrize(("path", "before", "after"), [
    # maigret's CI: "Smoke-check the install"
    (".github/workflows/ci.yml", "      - run: python -c \"import appdaemon; from appdaemon.adapi import ADAPI; print(1)\"\n",
     "      - run: python -c \"import appdaemon; from appdaemon.core.adapi import ADAPI; print(1)\"\n"),
    ("Makefile", "smoke:\n\tpython3 -W error -c 'from appdaemon import adbase'\n",
     "smoke:\n\tpython3 -W error -c 'from appdaemon.core import adbase'\n"),
])
def test_imports_in_python_c_code_follow_the_moves(path: str, before: str, after: str) -> None:
    found = appdaemon_steps(path, before)
    assert [data for category, data in found.items() if category is not Category.REVIEW] == [after.encode()]


def test_inline_code_naming_what_a_moved_module_defines_follows_it() -> None:
    # maigret's docs/source/library-usage.rst: ``maigret.checking.maigret``, a function of the module
    before = "Call ``appdaemon.adapi.ADAPI`` or `appdaemon.adapi.nothing_defined`.\n"
    assert appdaemon_steps("docs/usage.rst", before) == {
        Category.DOCS: b"Call ``appdaemon.core.adapi.ADAPI`` or `appdaemon.adapi.nothing_defined`.\n"}


def test_imports_in_a_string_of_python_code_follow_the_moves() -> None:
    # maigret's tests/test_report.py runs this in a subprocess, to check an install without extras
    source = ('import subprocess, sys, textwrap\n\n\ndef test_import_without_extras():\n'
              '    code = textwrap.dedent("""\n        import appdaemon.adapi\n'
              '        from appdaemon.adapi import ADAPI\n        print(ADAPI)\n    """)\n'
              '    subprocess.run([sys.executable, "-c", code], check=True)\n\n\n'
              'HELP = """\nfrom appdaemon.adapi import is what the guide says, in prose\n"""\n')
    after = source.replace("        import appdaemon.adapi\n", "        import appdaemon.core.adapi\n").replace(
        "        from appdaemon.adapi import ADAPI", "        from appdaemon.core.adapi import ADAPI")
    found = appdaemon_steps("tests/test_report.py", source)
    assert found[Category.STRINGS] == after.encode()
    # the prose string names the module too: only suggested, as what the program does with it is unknown
    assert found[Category.REVIEW] == after.replace("from appdaemon.adapi import is", "from appdaemon.core.adapi import is").encode()


@pytest.mark.parametrize(("before", "after"), [
    # maigret's docs/source/development.rst
    ("`checking <https://github.com/soxoj/maigret/blob/main/appdaemon/adapi.py#L40>`_\n",
     "`checking <https://github.com/soxoj/maigret/blob/main/appdaemon/core/adapi.py#L40>`_\n"),
    ("https://raw.githubusercontent.com/o/r/master/appdaemon/adbase.py\n",
     "https://raw.githubusercontent.com/o/r/master/appdaemon/core/adbase.py\n"),
    ("https://github.com/o/r/blob/v1.2.0/appdaemon/adapi.py\n", None),  # a tag names the old tree
    ("https://github.com/o/r/blob/3f2a9c1/appdaemon/adapi.py\n", None),  # so does a commit
])
def test_links_to_a_moved_file_on_a_branch_follow_it(before: str, after: str | None) -> None:
    expected = {Category.DOCS: after.encode()} if after else {}
    assert appdaemon_steps("docs/development.rst", before) == expected


def test_references_ending_in_a_call_and_attribute_docstrings_follow_the_moves() -> None:
    # AppDaemon's :meth:`~appdaemon.adapi.ADAPI.parse_time()`, a role in an attribute docstring,
    # and jrnl's CLAUDE.md `jrnl.config.save_config()`
    source = ('class Loop:\n    interval = 1\n    """Set by :meth:`~appdaemon.adapi.ADAPI.get_state()`."""\n')
    assert appdaemon_steps("appdaemon/loop.py", source) == {
        Category.STRINGS: source.replace("appdaemon.adapi", "appdaemon.core.adapi").encode()}
    notes = "Call `appdaemon.adapi.ADAPI()` first.\n"
    assert appdaemon_steps("CLAUDE.md", notes) == {Category.DOCS: notes.replace("appdaemon.adapi", "appdaemon.core.adapi").encode()}


def test_links_to_sphinx_object_anchors_and_translation_catalogs_follow_the_moves() -> None:
    # AppDaemon's AD_INDEX.rst links into the API page by anchor; maigret keeps zh_CN catalogs
    index = "`get_state <AD_API_REFERENCE.html#appdaemon.adapi.ADAPI.get_state>`__, `API <api.html#module-appdaemon.adapi>`__\n"
    assert appdaemon_steps("docs/AD_INDEX.rst", index) == {
        Category.DOCS: index.replace("#appdaemon.adapi", "#appdaemon.core.adapi").replace(
            "#module-appdaemon.adapi", "#module-appdaemon.core.adapi").encode()}
    assert appdaemon_steps("docs/x.rst", "See `Setup <guide.html#appdaemon.setup>`__.\n") == {}  # a section
    catalog = 'msgid "Use ``appdaemon.adapi.ADAPI`` for apps."\nmsgstr "\u4f7f\u7528 ``appdaemon.adapi.ADAPI``"\n'
    assert appdaemon_steps("docs/locale/zh_CN/LC_MESSAGES/usage.po", catalog) == {
        Category.DOCS: catalog.replace("appdaemon.adapi", "appdaemon.core.adapi").encode()}


def test_entry_points_that_name_a_module_alone_follow_it() -> None:
    # datasette's pytest plugin: `pip install .` then broke pytest in the whole environment
    before = ('[project.scripts]\nappd = "appdaemon.adapi:main"\n\n[project.entry-points.pytest11]\n'
              'appdaemon = "appdaemon.adbase"\n\n[tool.poetry.plugins."x.y"]\nbase = "appdaemon.adbase"\n')
    after = before.replace('"appdaemon.adbase"', '"appdaemon.core.adbase"').replace('"appdaemon.adapi', '"appdaemon.core.adapi')
    assert appdaemon_steps("pyproject.toml", before) == {Category.CONFIG: after.encode()}


@pytest.mark.parametrize("call", ["hupper.start_reloader", "import_string", "pydoc.locate"])
def test_objects_imported_by_their_dotted_path_follow_the_move(call: str) -> None:
    # datasette's `serve --reload`: hupper.start_reloader("datasette.cli.cli") was only for review
    source = f'{call}("appdaemon.adapi.ADAPI")\n'
    assert appdaemon_steps("appdaemon/cli.py", source) == {
        Category.STRINGS: source.replace("appdaemon.adapi", "appdaemon.core.adapi").encode()}


def test_imports_in_cog_blocks_of_docs_follow_the_moves() -> None:
    # datasette's docs/cli-reference.rst: `cog --check docs/*.rst` runs in its CI
    before = (".. [[[cog\n    from appdaemon import adbase\n    from appdaemon.adapi import ADAPI\n"
              "    cog.out(ADAPI.__doc__)\n.. ]]]\n\nfrom appdaemon import adbase (prose after the block)\n.. [[[end]]]\n")
    after = before.replace("    from appdaemon import adbase\n", "    from appdaemon.core import adbase\n").replace(
        "    from appdaemon.adapi", "    from appdaemon.core.adapi")
    assert appdaemon_steps("docs/cli.rst", before) == {Category.DOCS: after.encode()}


def test_imports_in_an_rst_literal_block_follow_the_moves() -> None:
    # datasette's docs/authentication.rst: "for example::", a literal block Sphinx highlights as Python
    before = b"For example::\n\n    from agent import run\n\nA quote, not code:\n\n    from agent import run\n"
    assert rewrite("docs/usage.rst", before) == before.replace(b"from agent import", b"from agents.agent import", 1)
    assert rewrite("docs/usage.rst", b".. note::\n\n    from agent import run\n") is None  # a note's prose


def test_a_path_pattern_that_matches_a_moved_module_on_one_side_only_is_found() -> None:
    # django-helpdesk's ruff exclude "src/helpdesk/template*" matched templated_email.py, which moved out of it
    files = {"pyproject.toml": b'[tool.ruff]\nextend-exclude = [\n    "src/desk/template*",\n    "src/desk/migrations/*",\n'
                               b'    "src/*/legacy_*.py",\n]\n',
             "setup.cfg": b"[coverage:run]\nomit = 'src/desk/core/*'\n"}
    moves = {"src/desk/templated_email.py": "src/desk/core/templated_email.py", "src/desk/models.py": "src/desk/core/models.py",
             "src/desk/migrations/0001.py": "src/desk/migrations/0001.py"}
    found = sorted(globs_that_change_what_they_match(files, moves))
    assert found == [
        ("pyproject.toml", 3, "src/desk/template*", "src/desk/templated_email.py", "src/desk/core/templated_email.py", True),
        ("setup.cfg", 2, "src/desk/core/*", "src/desk/models.py", "src/desk/core/models.py", False),
        ("setup.cfg", 2, "src/desk/core/*", "src/desk/templated_email.py", "src/desk/core/templated_email.py", False),
    ]
