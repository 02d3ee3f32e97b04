"""What a module of the flat folder is, read from its code: the evidence the planner places it by.

`read_module(name, source)` parses a module once and returns its `ModuleFacts`: what it
imports (absolute names; who imports whom inside the folder is `import_graph.py`'s), what it
defines and how, and `roles`: each kind of module it looks like (`api`, `models`, `config`, ...), with
the evidence a user sees in the plan ("defines routes: @router.get, line 12").

A role is claimed by what the code does, never by the file name alone; names are the
planner's business (`planning/vocabulary.py`). Each role has a strength, so that a module
with routes and a pydantic model is placed as the routes it serves:

    DECISIVE  what the module is for (a route table, ORM tables, a settings class)
    STRONG    what it mostly does (all its classes are schemas, it wraps an outside API)
    HINT      a leaning, used only when nothing stronger speaks
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from organize_backend.source_text import parse_python

DECISIVE, STRONG, HINT = 3, 2, 1

# --- libraries that say what a module does ------------------------------------------------

_WEB_FRAMEWORKS = ("fastapi", "flask", "starlette", "aiohttp.web", "django", "quart", "sanic", "litestar", "bottle")
_ROUTE_METHODS = frozenset({
    "get", "post", "put", "patch", "delete", "head", "options", "route", "api_route", "websocket",
    "websocket_route", "view",
})
_ROUTER_FACTORIES = frozenset({"APIRouter", "Blueprint", "RouteTableDef", "Router", "Namespace"})
_APP_FACTORIES = frozenset({"FastAPI", "Flask", "Starlette", "Quart", "Sanic", "Litestar", "Application"})
_DATABASE_DRIVERS = (
    "sqlite3", "sqlalchemy", "sqlmodel", "psycopg", "psycopg2", "asyncpg", "aiosqlite", "pymongo", "motor",
    "pymysql", "mysql.connector", "peewee", "databases", "tortoise", "redis", "beanie", "odmantic",
)
_CONNECTION_FACTORIES = frozenset({
    "connect", "create_engine", "create_async_engine", "sessionmaker", "async_sessionmaker", "scoped_session",
    "MongoClient", "AsyncIOMotorClient", "create_pool", "Redis", "from_url", "StrictRedis",
})
_ORM_BASES = frozenset({"Base", "DeclarativeBase", "Model", "Document", "AsyncAttrs"})
_ORM_COLUMN_CALLS = frozenset({
    "Column", "mapped_column", "relationship", "ForeignKey", "CharField", "IntegerField", "TextField",
    "ForeignKeyField", "DateTimeField", "BooleanField",
})
_SCHEMA_BASES = frozenset({
    "BaseModel", "TypedDict", "NamedTuple", "Enum", "StrEnum", "IntEnum", "Schema", "RootModel", "Struct",
})
_SETTINGS_BASES = frozenset({"BaseSettings", "Settings", "AppSettings"})
_OUTSIDE_API_CLIENTS = (
    "httpx", "requests", "aiohttp", "openai", "anthropic", "boto3", "botocore", "google.cloud", "googleapiclient",
    "stripe", "twilio", "slack_sdk", "telegram", "discord", "tweepy", "github", "gitlab", "sendgrid",
    "mistralai", "cohere", "groq", "ollama", "litellm", "replicate", "urllib.request", "smtplib", "grpc",
)
_CLI_LIBRARIES = ("argparse", "click", "typer", "fire", "docopt")
_TEST_LIBRARIES = ("pytest", "unittest", "hypothesis")
_AUTH_LIBRARIES = (
    "jwt", "jose", "passlib", "bcrypt", "authlib", "flask_login", "flask_jwt_extended", "fastapi.security",
    "itsdangerous",
)
_VECTOR_LIBRARIES = (
    "faiss", "chromadb", "qdrant_client", "pinecone", "lancedb", "weaviate", "sentence_transformers",
)
_ENV_READERS = frozenset({"getenv", "environ", "load_dotenv", "dotenv_values", "config"})


@dataclass(frozen=True)
class Role:
    name: str  # "api", "models", "schemas", "db", "clients", "config", "cli", "tests", "agents", ...
    strength: int
    evidence: str  # what the user reads in the plan


@dataclass(frozen=True)
class ModuleFacts:
    """What one module is, as far as the planner cares."""

    imports: frozenset[str]  # absolute dotted names, "sqlalchemy.orm"
    functions: tuple[str, ...]  # top-level function names
    function_defs: tuple[ast.FunctionDef | ast.AsyncFunctionDef, ...]  # the same functions, whole
    classes: tuple[ast.ClassDef, ...]  # top-level classes
    has_main_block: bool
    lines: int
    roles: tuple[Role, ...] = field(default=())

    def strongest(self) -> Role | None:
        return max(self.roles, key=lambda role: role.strength, default=None)


def read_module(name: str, source: str) -> ModuleFacts | None:
    """Facts about `source` (the module `name`, "auth.py"), or None when it does not parse."""
    try:
        tree = parse_python(source)
    except (SyntaxError, ValueError):  # ValueError: null bytes in the source
        return None
    facts = ModuleFacts(
        imports=frozenset(_absolute_imports(tree)),
        functions=tuple(node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))),
        function_defs=tuple(node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))),
        classes=tuple(node for node in tree.body if isinstance(node, ast.ClassDef)),
        has_main_block=any(is_main_block(node) for node in tree.body),
        lines=source.count("\n") + 1,
    )
    roles = tuple(role for reader in _ROLE_READERS if (role := reader(name, tree, facts)) is not None)
    return ModuleFacts(**{**facts.__dict__, "roles": roles})


# --- reading the tree ----------------------------------------------------------------------


def _absolute_imports(tree: ast.Module) -> Iterator[str]:
    # The whole tree: optional imports sit in try/except and inside functions.
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def is_main_block(node: ast.stmt) -> bool:
    if not (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides)
    has_main = any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides)
    return has_name and has_main


def last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def imports_any(facts: ModuleFacts, libraries: Sequence[str]) -> str | None:
    """The first of `libraries` the module imports (the library itself or a submodule)."""
    for library in libraries:
        if any(name == library or name.startswith(library + ".") for name in facts.imports):
            return library
    return None


def _module_level_calls(tree: ast.Module) -> Iterator[tuple[str, ast.Call]]:
    """(assigned name or "", call) for calls made when the module is imported."""
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                yield (target.id if isinstance(target, ast.Name) else ""), node.value
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            yield "", node.value


def _decorators(tree: ast.Module) -> Iterator[ast.expr]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from node.decorator_list


def shown(names: Sequence[str]) -> str:
    return ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")


# --- roles: each reader returns the strongest evidence it finds, or None ---------------------


def _tests(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    library = imports_any(facts, _TEST_LIBRARIES)
    tests = [function for function in facts.functions if function.startswith("test_")]
    tests += [cls.name for cls in facts.classes if cls.name.startswith("Test")]
    if tests and (library or (len(tests) >= 2 and _asserts_in_tests(tree))):
        return Role("tests", DECISIVE, f"defines tests ({shown(tests)})")
    fixtures = [d for d in _decorators(tree) if last_name(d) == "fixture"]
    if fixtures and library == "pytest":
        return Role("tests", DECISIVE, "defines pytest fixtures")
    return None


def _asserts_in_tests(tree: ast.Module) -> bool:
    """Tests without a test library assert (pytest's plain `assert`); AppDaemon's pyversions.py
    names version switches `test_lt_376()` and `test_ge_376()`, which return and assert nothing."""
    return any(isinstance(inner, ast.Assert) for node in ast.walk(tree)
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
               for inner in ast.walk(node))


def _api(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    if not imports_any(facts, _WEB_FRAMEWORKS):
        return None
    routes = [d for d in _decorators(tree) if isinstance(d, ast.Call) and _is_route(d.func)]
    if routes:
        first = routes[0]
        return Role("api", DECISIVE, f"defines {len(routes)} route(s) (@{ast.unparse(first.func)}, line {first.lineno})")
    if any(target == "urlpatterns" for target, _ in _module_level_calls(tree)) or _assigns(tree, "urlpatterns"):
        return Role("api", DECISIVE, "defines urlpatterns")
    return None


def _is_route(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and func.attr in _ROUTE_METHODS and isinstance(func.value, (ast.Name, ast.Attribute))


def _assigns(tree: ast.Module, variable: str) -> bool:
    return any(isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == variable for t in node.targets)
               for node in tree.body)


def _app(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    """The module that builds the application object: an entry point, run by a server."""
    for target, call in _module_level_calls(tree):
        if last_name(call) in _APP_FACTORIES and target:
            return Role("app", DECISIVE, f"creates the application ({target} = {last_name(call)}(...), line {call.lineno})")
    if "create_app" in facts.functions and imports_any(facts, _WEB_FRAMEWORKS):
        return Role("app", DECISIVE, "defines create_app")
    return None


def _models(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    tables = [cls.name for cls in facts.classes if _is_orm_class(cls)]
    if tables and imports_any(facts, _DATABASE_DRIVERS + ("django.db", "flask_sqlalchemy")) or len(tables) >= 2:
        return Role("models", DECISIVE, f"defines ORM tables ({shown(tables)})")
    return None


def _is_orm_class(cls: ast.ClassDef) -> bool:
    if any(isinstance(k.value, ast.Constant) and k.arg == "table" and k.value.value is True for k in cls.keywords):
        return True  # SQLModel(table=True)
    has_orm_base = any(last_name(base) in _ORM_BASES for base in cls.bases)
    has_columns = any(isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call)
                      and last_name(node.value) in _ORM_COLUMN_CALLS for node in cls.body)
    table_name = any(isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__tablename__"
                                                          for t in node.targets) for node in cls.body)
    return (has_orm_base and (has_columns or table_name)) or table_name


def _schemas(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    shapes = only_data_classes(facts.classes, facts.function_defs)
    return Role("schemas", STRONG, f"defines only data classes ({shown(shapes)})") if shapes else None


def only_data_classes(classes: Sequence[ast.ClassDef], functions: Sequence[ast.stmt]) -> list[str] | None:
    """The class names of a module made of data shapes (pydantic models, dataclasses, enums, typed
    dicts, ORM models), with a few helper functions that are smaller than the shapes (a module whose
    main job is one long function next to its dataclass is that function's); None for any other."""
    shapes: list[str] = []
    for cls in classes:
        if not _is_shape(cls, shapes):
            return None
        shapes.append(cls.name)
    helpers_small = len(functions) <= len(shapes) and _lines(functions) <= _lines(classes)
    return shapes if shapes and helpers_small else None


def _lines(nodes: Sequence[ast.stmt]) -> int:
    return sum((node.end_lineno or node.lineno) - node.lineno + 1 for node in nodes)


def _is_shape(cls: ast.ClassDef, local_shapes: Sequence[str]) -> bool:
    # `class UserCreate(UserBase)` is a shape when UserBase, defined above, is one.
    bases = {last_name(base) for base in cls.bases}
    if bases & (_SCHEMA_BASES | _ORM_BASES | {"SQLModel"} | set(local_shapes)):
        return True
    return any(last_name(d) == "dataclass" for d in cls.decorator_list) or _is_orm_class(cls)


def _db(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    driver = imports_any(facts, _DATABASE_DRIVERS)
    if driver is None:
        return None
    for target, call in _module_level_calls(tree):
        if last_name(call) in _CONNECTION_FACTORIES:
            return Role("db", DECISIVE, f"imports {driver} and sets up {target or last_name(call)} (line {call.lineno})")
    factories = [f for f in facts.functions if f.startswith(("get_db", "get_session", "init_db", "connect", "get_conn"))]
    if factories:
        return Role("db", DECISIVE, f"imports {driver} and defines {factories[0]}")
    repositories = [cls.name for cls in facts.classes if cls.name.endswith(("Repository", "Repo", "DAO", "Store", "CRUD"))]
    if repositories:
        return Role("db", STRONG, f"imports {driver} and defines {shown(repositories)}")
    return Role("db", HINT, f"imports {driver}")


def _config(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    settings = [cls.name for cls in facts.classes if {last_name(b) for b in cls.bases} & _SETTINGS_BASES]
    if settings:
        return Role("config", DECISIVE, f"defines settings ({shown(settings)})")
    constants = [node for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                 and all(isinstance(t, ast.Name) and t.id.isupper() for t in _targets(node))]
    from_environment = [node for node in constants if node.value is not None and _reads_environment(node.value)]
    # what the module defines besides, by size: a 400-line class beside nine constants is that class's
    definitions = _lines([*facts.function_defs, *facts.classes])
    if len(from_environment) >= 3 and definitions <= 3 * _lines(constants):
        return Role("config", STRONG, f"reads the environment into {len(from_environment)} constants")
    if len(constants) >= 5 and definitions == 0:
        return Role("config", HINT, f"defines {len(constants)} constants and nothing else")
    return None


def _reads_environment(value: ast.expr) -> bool:
    return any(isinstance(node, (ast.Name, ast.Attribute)) and last_name(node) in _ENV_READERS
               for node in ast.walk(value))


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _clients(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    library = imports_any(facts, _OUTSIDE_API_CLIENTS)
    if library is None or imports_any(facts, _WEB_FRAMEWORKS + _TEST_LIBRARIES):
        return None
    clients = [cls.name for cls in facts.classes if cls.name.endswith(("Client", "API", "Api", "Provider", "Sdk"))]
    if clients:
        return Role("clients", STRONG, f"imports {library} and defines {shown(clients)}")
    return Role("clients", HINT, f"calls an outside service through {library}")


def _cli(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    library = imports_any(facts, _CLI_LIBRARIES)
    if facts.has_main_block and library:
        return Role("cli", DECISIVE, f"a command-line program ({library}, __main__ block)")
    commands = [d for d in _decorators(tree) if last_name(d) in ("command", "group", "callback")]
    if commands and library in ("click", "typer"):
        return Role("cli", DECISIVE, f"defines {library} commands")
    if facts.has_main_block:
        return Role("cli", HINT, "has a __main__ block")
    return None


def _auth(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    library = imports_any(facts, _AUTH_LIBRARIES)
    return Role("auth", STRONG, f"imports {library}") if library else None


def _agents(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    defined = [*(cls.name for cls in facts.classes), *facts.functions]
    agent = next((defined_name for defined_name in defined if "agent" in defined_name.lower()), None)
    return Role("agents", STRONG, f"defines {agent}") if agent else None


def _vectors(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    library = imports_any(facts, _VECTOR_LIBRARIES)
    return Role("data", STRONG, f"imports {library}") if library else None


def _chatkit(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    return Role("chatkit", STRONG, "imports chatkit") if imports_any(facts, ("chatkit",)) else None


def _services(name: str, tree: ast.Module, facts: ModuleFacts) -> Role | None:
    services = [cls.name for cls in facts.classes if cls.name.endswith("Service")]
    return Role("services", STRONG, f"defines {shown(services)}") if services else None


_ROLE_READERS = (_tests, _app, _api, _models, _schemas, _db, _config, _clients, _cli, _auth, _agents, _vectors,
                 _chatkit, _services)
