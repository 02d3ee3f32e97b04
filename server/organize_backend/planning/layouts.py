"""Decide where each module of a flat backend folder belongs.

One question, one answer: `classify(file_name, source, layout)` returns a `Placement`
(the package the module goes to, or None to leave it where it is) with the reason a user
sees in the plan. The decision is made in this order, first answer wins:

1. the user's `keep` globs,
2. entry points (`main.py`, `app.py`, ...) and the modules a framework imports by name (a
   Django app's `admin.py`: django_apps.py) stay, unless a user rule names one literally,
3. the user's package rules (`[tool.organize-backend.packages]`), in their order,
4. file names that cannot be imported as modules stay (they can only be run by path),
5. the preset's name rules, in order,
6. the preset's content rules (what the module imports and defines, read with `ast`),
7. otherwise the module stays: "no rule matched".

Names decide first because they are what the user sees and can predict; content only
places modules whose names say nothing. A module that does not parse is placed by its
name alone: a plan must never fail because one file is half-edited.
"""

from __future__ import annotations

import ast
import keyword
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

from organize_backend.model import OrganizeError
from organize_backend.planning.signals import imports_any, is_main_block, only_data_classes, shown
from organize_backend.source_text import parse_python

AUTO = "auto"  # the layout read from the folder as a whole: planning/placement.py

PRESETS: dict[str, tuple[str, ...]] = {
    # seed 000, the "backend structure organizer" skill
    "skill": ("agents", "auth", "chatkit", "data", "database", "models", "services", "utils", "scripts", "tests"),
    # seed 001, the layered decision record: fewer, broader packages
    "layered": ("services", "data", "configs", "simple_agents", "tests"),
    "none": (),
}

# Files that start the application or mark a package: servers, Procfiles and users run
# them by path, so they stay at the root. conftest.py is not here: it holds test
# fixtures and goes to tests/ with the tests that use it.
ENTRY_POINTS: tuple[str, ...] = (
    "main.py",
    "app.py",
    "wsgi.py",
    "asgi.py",
    "manage.py",
    "run.py",
    "server.py",
    "setup.py",
    "__init__.py",
    "__main__.py",
)

_NO_RULES: Mapping[str, Sequence[str]] = MappingProxyType({})
_NO_CONVENTIONS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Placement:
    package: str | None  # None = stays where it is
    reason: str  # human-readable, names the rule or signal that decided
    file_name: str | None = None  # a new file name (`strip_affixes`), else the module keeps its own
    affix: str = ""  # the words of the name the package says already: "service" in services/
    decided_by: str = ""  # for the rules that look at other placements: USER_RULE, NO_SIGNAL, or ""


USER_RULE = "user rule"  # the user's package rule placed it
NO_SIGNAL = "no signal"  # nothing placed it but the rule for what is left over


# --- what a module imports and defines ------------------------------------------------


@dataclass(frozen=True)
class ModuleFacts:
    """The few facts about a module's source that the content rules look at."""

    imports: frozenset[str]  # dotted names, "sqlalchemy.orm"; relative imports left out
    functions: tuple[str, ...]  # top-level function names
    function_defs: tuple[ast.FunctionDef | ast.AsyncFunctionDef, ...]  # the same functions, whole
    classes: tuple[ast.ClassDef, ...]  # top-level classes
    factories: tuple[tuple[str, str], ...]  # (name, factory) for `engine = create_engine(...)`
    has_main_block: bool


def read_facts(source: str) -> ModuleFacts | None:
    """Facts about `source`, or None when it does not parse."""
    try:
        tree = parse_python(source)
    except (SyntaxError, ValueError):  # ValueError: null bytes in the source
        return None
    body = tree.body
    return ModuleFacts(
        imports=frozenset(_imported_names(tree)),
        functions=tuple(node.name for node in body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))),
        function_defs=tuple(node for node in body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))),
        classes=tuple(node for node in body if isinstance(node, ast.ClassDef)),
        factories=tuple(_factory_assignments(body)),
        has_main_block=any(is_main_block(node) for node in body),
    )


def _imported_names(tree: ast.Module) -> list[str]:
    # Walk the whole tree: optional imports sit in try/except and inside functions.
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _factory_assignments(body: list[ast.stmt]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for node in body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            factory = _called_name(node.value)
            if factory in _CONNECTION_FACTORIES:
                found.extend((target.id, factory) for target in node.targets if isinstance(target, ast.Name))
    return found


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


# --- content signals: each returns the evidence for the reason, or None ---------------

Signal = Callable[[ModuleFacts], str | None]

_DATABASE_DRIVERS = (
    "sqlite3", "sqlalchemy", "sqlmodel", "psycopg", "psycopg2", "asyncpg", "aiosqlite",
    "pymongo", "motor", "pymysql", "mysql.connector", "peewee", "databases", "tortoise",
)
_CONNECTION_FACTORIES = frozenset({
    "connect", "create_engine", "create_async_engine", "sessionmaker", "async_sessionmaker",
    "scoped_session", "MongoClient", "AsyncIOMotorClient", "create_pool",
})
_FACTORY_FUNCTION_NAMES = ("get_db*", "connect*", "init_db*", "*connection*", "*session*", "*engine*")
_AUTH_LIBRARIES = (
    "jwt", "jose", "passlib", "bcrypt", "authlib", "flask_login", "flask_jwt_extended", "fastapi.security",
)
_DATA_LIBRARIES = (
    "faiss", "chromadb", "qdrant_client", "pinecone", "lancedb", "weaviate", "sentence_transformers",
    "numpy", "pandas",
)


def defines_agent(facts: ModuleFacts) -> str | None:
    names = [*(cls.name for cls in facts.classes), *facts.functions]
    agent = next((name for name in names if "agent" in name.lower()), None)
    return f"defines {agent}" if agent else None


def imports_auth_library(facts: ModuleFacts) -> str | None:
    library = imports_any(facts, _AUTH_LIBRARIES)
    return f"imports {library}" if library else None


def imports_chatkit(facts: ModuleFacts) -> str | None:
    return "imports chatkit" if imports_any(facts, ("chatkit",)) else None


def imports_database_driver(facts: ModuleFacts) -> str | None:
    driver = imports_any(facts, _DATABASE_DRIVERS)
    return f"imports {driver}" if driver else None


def defines_database_factory(facts: ModuleFacts) -> str | None:
    """A database driver import alone is common (repositories use it); a module that
    also hands out connections, sessions or engines is the database module."""
    driver = imports_database_driver(facts)
    if driver is None:
        return None
    factory = next((name for name in facts.functions if _matches_any(name.lower(), _FACTORY_FUNCTION_NAMES)), None)
    factory = factory or next((name for name, _ in facts.factories), None)
    return f"{driver} and defines {factory}" if factory else None


def defines_only_model_classes(facts: ModuleFacts) -> str | None:
    """Schema modules are made of model classes; a few helper functions are allowed."""
    models = only_data_classes(facts.classes, facts.function_defs)
    return f"defines only model classes ({shown(models)})" if models else None


def imports_data_library(facts: ModuleFacts) -> str | None:
    library = imports_any(facts, _DATA_LIBRARIES)
    return f"imports {library}" if library else None


def defines_service_class(facts: ModuleFacts) -> str | None:
    service = next((cls.name for cls in facts.classes if cls.name.endswith(("Service", "Manager"))), None)
    return f"defines {service}" if service else None


def has_main_block(facts: ModuleFacts) -> str | None:
    return "has a __main__ block" if facts.has_main_block else None


# --- preset rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class NameRule:
    """Modules whose file name matches one of `patterns` go to `package` (None: stay).

    `excluded` names look alike but mean something else (`author.py` is not auth);
    `condition` is content that must hold too, so a look-alike name alone does not move
    a module (`run_tests.py` is a script only when it has a __main__ block).
    """

    package: str | None
    patterns: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    condition: Signal | None = None
    why_kept: str = ""  # for package None: why this kind of module stays


@dataclass(frozen=True)
class ContentRule:
    package: str
    signal: Signal


@dataclass(frozen=True)
class Preset:
    name_rules: tuple[NameRule, ...]
    content_rules: tuple[ContentRule, ...]


TEST_NAMES = ("test_*.py", "*_test.py", "tests.py", "conftest.py")
# Names that are scripts whatever their body looks like.
SCRIPT_NAMES = ("seed_*", "seed.py", "init_db*", "migrate*", "*_script.py", "populate_*", "reset_db*")
# Names that are scripts only when the module runs something on its own.
SCRIPT_LIKE_NAMES = (
    "run_*", "create_*", "manage_*", "update_*", "generate_*", "export_*", "import_*",
    "backfill_*", "cleanup_*", "reset_*", "load_*", "setup_*",
)
_AGENT_NAMES = ("*agent*",)
_AUTH_NAMES = ("*auth*", "*login*", "*jwt*", "*password*", "*token*", "*permission*")
_AUTH_LOOK_ALIKES = ("*author*", "*tokeniz*")
_CHATKIT_NAMES = ("chatkit*",)
_DATA_NAMES = ("*vector*", "*embedding*", "*loader*", "*ingest*", "*storage*", "*store*", "*cache*")
_DATA_LOOK_ALIKES = ("*restore*",)
_INDEX_NAMES = ("*index*",)
_MODEL_NAMES = ("models.py", "*model*", "schemas.py", "*schema*")
_DATABASE_NAMES = ("database.py", "db.py", "*_db.py", "db_*", "*database*", "*migration*")
_SESSION_NAMES = ("*session*",)
_SERVICE_NAMES = ("*service*", "*manager*", "*handler*", "rag.py", "rag_*", "*_rag.py")
_UTIL_NAMES = (
    "*util*", "*helper*", "*rate_limit*", "text_*", "format*", "*_format*", "*formatter*",
    "*validator*", "*validation*",
)
_CONFIG_NAMES = ("config*", "settings*", "*_config.py", "*_settings.py")

_SKILL = Preset(
    name_rules=(
        NameRule("tests", TEST_NAMES),
        NameRule("scripts", SCRIPT_NAMES),
        NameRule("scripts", SCRIPT_LIKE_NAMES, condition=has_main_block),
        # chatkit before data and services: chatkit_store.py is chatkit plumbing
        NameRule("chatkit", _CHATKIT_NAMES),
        NameRule("agents", _AGENT_NAMES),
        NameRule("auth", _AUTH_NAMES, excluded=_AUTH_LOOK_ALIKES),
        NameRule("data", _DATA_NAMES + _INDEX_NAMES, excluded=_DATA_LOOK_ALIKES),
        NameRule("models", _MODEL_NAMES),
        NameRule("database", _DATABASE_NAMES),
        NameRule("services", _SERVICE_NAMES),
        # after services: session_service.py is a service even when it imports sqlalchemy
        NameRule("database", _SESSION_NAMES, condition=imports_database_driver),
        NameRule("utils", _UTIL_NAMES),
        NameRule(None, _CONFIG_NAMES, why_kept="configuration stays at the root, the preset has no configs package"),
    ),
    content_rules=(
        ContentRule("agents", defines_agent),
        ContentRule("auth", imports_auth_library),
        ContentRule("chatkit", imports_chatkit),
        ContentRule("database", defines_database_factory),
        ContentRule("models", defines_only_model_classes),
        ContentRule("data", imports_data_library),
        ContentRule("services", defines_service_class),
    ),
)

_LAYERED = Preset(
    name_rules=(
        NameRule("tests", TEST_NAMES),
        # no scripts package: scripts are run by path, moving them breaks the command line
        NameRule(None, SCRIPT_NAMES, why_kept="scripts stay at the root, the preset has no scripts package"),
        NameRule(None, SCRIPT_LIKE_NAMES, condition=has_main_block,
                 why_kept="scripts stay at the root, the preset has no scripts package"),
        NameRule("configs", _CONFIG_NAMES),
        NameRule("services", _CHATKIT_NAMES),
        NameRule("simple_agents", _AGENT_NAMES),
        # data holds storage, models and the database: the seed finds models/ over-engineering
        NameRule("data", _DATA_NAMES + _MODEL_NAMES + _DATABASE_NAMES, excluded=_DATA_LOOK_ALIKES),
        # the seed puts the indexer with the business logic, next to rag.py
        NameRule("services", _SERVICE_NAMES + _INDEX_NAMES + _AUTH_NAMES, excluded=_AUTH_LOOK_ALIKES),
        NameRule("data", _SESSION_NAMES, condition=imports_database_driver),
    ),
    content_rules=(
        ContentRule("simple_agents", defines_agent),
        ContentRule("data", defines_database_factory),
        ContentRule("data", defines_only_model_classes),
        ContentRule("data", imports_data_library),
        ContentRule("services", imports_chatkit),
        ContentRule("services", imports_auth_library),
        ContentRule("services", defines_service_class),
    ),
)

_PRESET_RULES: dict[str, Preset] = {"skill": _SKILL, "layered": _LAYERED, "none": Preset((), ())}


# --- classification -------------------------------------------------------------------


def classify(
    file_name: str,
    source: str,
    layout: str,
    rules: Mapping[str, Sequence[str]] = _NO_RULES,
    keep: Sequence[str] = (),
    conventions: Mapping[str, str] = _NO_CONVENTIONS,
) -> Placement:
    """Where the module `file_name` (with contents `source`) goes under `layout`.
    `conventions`: stem -> why a framework imports the module by its name (django_apps.py)."""
    if layout not in _PRESET_RULES:
        raise OrganizeError(f"unknown layout {layout!r}: choose one of {', '.join(sorted(PRESETS))}")
    name = PurePosixPath(file_name).name
    rules = _checked_rules(rules)
    return (
        _kept_by_user(name, keep)
        or _entry_point(name, rules)
        or _by_convention(name, rules, conventions)
        or _user_rule(name, rules)
        or _not_importable(name)
        or _by_preset(name, source, layout)
    )


def _checked_rules(rules: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """The user's rules with valid package names and patterns as tuples.

    A bare string is taken as one pattern: iterating it would yield "*", which matches
    every file.
    """
    checked: dict[str, tuple[str, ...]] = {}
    for package, patterns in rules.items():
        _check_package_name(package)
        checked[package] = (patterns,) if isinstance(patterns, str) else tuple(patterns)
    return checked


def _kept_by_user(name: str, keep: Sequence[str]) -> Placement | None:
    pattern = first_match(name, keep)
    return Placement(None, f'kept by keep glob "{pattern}"') if pattern else None


def _entry_point(name: str, rules: Mapping[str, Sequence[str]]) -> Placement | None:
    # A wildcard like "*" must not sweep main.py away; naming the file itself does move it.
    if name not in ENTRY_POINTS:
        return None
    if _named_literally(name, rules) and name not in ("__init__.py", "__main__.py"):
        return None
    return Placement(None, "entry point: kept at the root")


def _by_convention(name: str, rules: Mapping[str, Sequence[str]], conventions: Mapping[str, str]) -> Placement | None:
    """A module a framework imports by its name stays, as an entry point does: only a rule naming it moves it."""
    stem = _stem(name)
    if stem not in conventions or _named_literally(name, rules):
        return None
    return Placement(None, conventions[stem])


def _named_literally(name: str, rules: Mapping[str, Sequence[str]]) -> bool:
    return any(pattern in (name, _stem(name)) for patterns in rules.values() for pattern in patterns)


def _user_rule(name: str, rules: Mapping[str, Sequence[str]]) -> Placement | None:
    for package, patterns in rules.items():
        pattern = first_match(name, patterns)
        if pattern:
            return Placement(package, f'package rule "{package}": "{pattern}"')
    return None


def _check_package_name(package: str) -> None:
    # "core.auth" is allowed: nested packages, as in seed 002.
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in package.split(".")):
        raise OrganizeError(f"package rule {package!r}: not a valid Python package name")


def _not_importable(name: str) -> Placement | None:
    stem = _stem(name)
    if stem.isidentifier() and not keyword.iskeyword(stem):
        return None
    return Placement(None, f'"{name}" is not an importable module name: it can only be run by path, kept at the root')


def _by_preset(name: str, source: str, layout: str) -> Placement:
    preset = _PRESET_RULES[layout]
    if not (preset.name_rules or preset.content_rules):
        return Placement(None, "layout is none")  # nothing to match: no need to parse the module
    facts = read_facts(source)
    placement = _by_name(name, facts, preset, layout)
    if placement is None and facts is not None:
        placement = _by_content(facts, preset, layout)
    if placement is not None:
        return placement
    return Placement(None, "layout is none" if layout == "none" else "no rule matched")


def _by_name(name: str, facts: ModuleFacts | None, preset: Preset, layout: str) -> Placement | None:
    for rule in preset.name_rules:
        pattern = first_match(name, rule.patterns)
        if pattern is None or first_match(name, rule.excluded):
            continue
        evidence = ""
        if rule.condition is not None:
            # Without facts (a syntax error) the condition cannot hold: fall back to the
            # plain name rules further down.
            evidence = (rule.condition(facts) if facts is not None else None) or ""
            if not evidence:
                continue
        matched = f'{evidence} and name matches "{pattern}"' if evidence else f'name matches "{pattern}"'
        if rule.package is None:
            return Placement(None, f"{matched} ({layout} preset): {rule.why_kept}")
        return Placement(rule.package, f"{matched} ({layout} preset)")
    return None


def _by_content(facts: ModuleFacts, preset: Preset, layout: str) -> Placement | None:
    for rule in preset.content_rules:
        evidence = rule.signal(facts)
        if evidence:
            return Placement(rule.package, f"{evidence} ({layout} preset)")
    return None


def first_match(name: str, patterns: Sequence[str]) -> str | None:
    """The first pattern matching the file name or its stem ("agent" names agent.py)."""
    stem = _stem(name)
    return next((pattern for pattern in patterns if fnmatchcase(name, pattern) or fnmatchcase(stem, pattern)), None)


def _matches_any(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def _stem(name: str) -> str:
    return name[: -len(".py")] if name.endswith(".py") else name
