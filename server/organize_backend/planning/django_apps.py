"""A Django app's modules that Django and its add-ons import by name.

Django imports `<app>.models` for its app registry and `<app>.admin` when the admin site
discovers the ModelAdmins; Celery imports `<app>.tasks` the same way. Nothing in the
workspace imports them so: moved into a package (`models/admin.py`), they are simply not
found, and the app loses its models or its admin pages with no error. So where the folder
being organized is a Django app, these modules keep their names and places, whatever layout
places the others.

A folder is a Django app when the workspace's settings list it in INSTALLED_APPS (by its dotted
name or its AppConfig's path), or when it holds what only a Django app holds: an `apps.py`
defining an AppConfig subclass, a `migrations/` package of Django migrations, a `models.py`
that imports `django.db`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from organize_backend.model import Kept
from organize_backend.planning.roots import package_name
from organize_backend.snapshot import join, parent_of
from organize_backend.source_text import parse_python

# stem -> who imports `<app>.<stem>` by that name. Only modules loaded by name, or named so by
# a convention every Django codebase and tool follows; left to the other rules, on purpose:
# signals (imported explicitly, in AppConfig.ready), tests (the test runner finds test*.py below
# the app wherever they are), forms and serializers (imported explicitly), middleware, backends
# and context_processors (named in settings by their whole dotted path, which the moves' string
# rewriting follows), templatetags, management and migrations (packages, never flat modules).
CONVENTION_MODULES: Mapping[str, str] = {
    "models": "Django's app registry imports {app}.models by this name",  # AppConfig.import_models
    "admin": "admin.autodiscover() imports {app}.admin by this name",
    "apps": "Django looks for the app's AppConfig in {app}.apps by this name",  # AppConfig.create
    "urls": "include() and ROOT_URLCONF name {app}.urls by this name, as every Django project does",
    "views": "every Django app keeps its views in {app}.views, where its URLconfs and readers look",
    "tasks": "Celery's autodiscover_tasks() imports {app}.tasks by this name",
    "translation": "django-modeltranslation imports {app}.translation by this name",
    "wagtail_hooks": "Wagtail imports {app}.wagtail_hooks by this name",
    "search_indexes": "django-haystack imports {app}.search_indexes by this name",
}
CONVENTION = "Django app convention"  # how a reason of a module kept so starts


@dataclass(frozen=True)
class DjangoApp:
    folder: str  # "hc/accounts"
    name: str  # the dotted name Django knows it by: "hc.accounts"
    evidence: str  # why it is one: "listed in INSTALLED_APPS in hc/settings.py:93"

    def conventions(self) -> dict[str, str]:
        """stem -> the reason a module of this name stays where it is."""
        return {stem: f"{CONVENTION}: {why.format(app=self.name)}" for stem, why in CONVENTION_MODULES.items()}


def find_django_app(files: Mapping[str, bytes], folder: str) -> DjangoApp | None:
    """The Django app that `folder` (a path in the workspace `files`) is, or None.

    A folder with no module of a conventional name has nothing to keep: it is not read further."""
    if not any(join(folder, f"{stem}.py") in files for stem in CONVENTION_MODULES):
        return None
    name = package_name(files, folder) or folder.replace("/", ".")  # "": the workspace folder, named from outside
    evidence = ((_listed_in_installed_apps(files, name) if name else None) or _app_config(files, folder)
                or _django_migrations(files, folder) or _django_models(files, folder))
    return DjangoApp(folder, name or "<app>", evidence) if evidence else None


def conventions_of(files: Mapping[str, bytes], folder: str) -> dict[str, str]:
    """stem -> why the module stays, for the modules Django imports by name; {} outside a Django app."""
    app = find_django_app(files, folder)
    return app.conventions() if app else {}


def django_app_notes(app: DjangoApp | None, kept: Iterable[Kept]) -> tuple[str, ...]:
    """The plan's note that the organized folder is a Django app, naming the modules that stay for it."""
    if app is None:
        return ()
    folder, conventions = app.folder, app.conventions()
    staying = sorted(PurePosixPath(k.path).name for k in kept
                     if parent_of(k.path) == folder and conventions.get(PurePosixPath(k.path).stem) == k.reason)
    if not staying:
        return ()
    note = (f"{folder or '.'}/ is a Django app ({app.evidence}): {', '.join(staying)} keep the names Django and its "
            "add-ons import them by; the other modules are placed as in any folder")
    return (note,)


# --- what makes a folder a Django app --------------------------------------------------------


def _listed_in_installed_apps(files: Mapping[str, bytes], name: str) -> str | None:
    for path in sorted(files):
        if path.endswith(".py") and b"INSTALLED_APPS" in files[path]:
            for line, entry in _installed_apps(files[path]):
                if entry == name or _is_app_config_of(entry, name):
                    return f"listed in INSTALLED_APPS in {path}:{line}"
    return None


def _is_app_config_of(entry: str, name: str) -> bool:
    """`hc.accounts.apps.AccountsConfig` names the app hc.accounts by its AppConfig class."""
    rest = entry[len(name) + 1:] if entry.startswith(name + ".") else ""
    return rest.count(".") == 1 and rest.rsplit(".", 1)[-1][:1].isupper()


def _installed_apps(data: bytes) -> list[tuple[int, str]]:
    """(line, entry) for each string of an INSTALLED_APPS a settings module assigns or extends,
    or hands to `settings.configure(INSTALLED_APPS=...)`."""
    tree = _parsed(data)
    if tree is None:
        return []
    values = [value for node in ast.walk(tree) if (value := _installed_apps_value(node)) is not None]
    return [(constant.lineno, constant.value) for value in values for constant in ast.walk(value)
            if isinstance(constant, ast.Constant) and isinstance(constant.value, str)]


def _installed_apps_value(node: ast.AST) -> ast.expr | None:
    """What `node` gives INSTALLED_APPS: `INSTALLED_APPS = [...]`, `+= (...)`, `INSTALLED_APPS=[...]`."""
    if isinstance(node, ast.Assign) and any(_names_installed_apps(target) for target in node.targets):
        return node.value
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)) and _names_installed_apps(node.target):
        return node.value
    return node.value if isinstance(node, ast.keyword) and node.arg == "INSTALLED_APPS" else None


def _names_installed_apps(target: ast.AST) -> bool:
    return (isinstance(target, ast.Name) and target.id == "INSTALLED_APPS") or \
        (isinstance(target, ast.Attribute) and target.attr == "INSTALLED_APPS")


def _app_config(files: Mapping[str, bytes], folder: str) -> str | None:
    tree = _parsed(files.get(join(folder, "apps.py"), b""))
    for node in tree.body if tree else ():
        if isinstance(node, ast.ClassDef) and any(_base_name(base) == "AppConfig" for base in node.bases):
            return f"apps.py defines {node.name}(AppConfig)"
    return None


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Attribute):
        return base.attr
    return base.id if isinstance(base, ast.Name) else ""


def _django_migrations(files: Mapping[str, bytes], folder: str) -> str | None:
    migrations = join(folder, "migrations")
    if join(migrations, "__init__.py") not in files:
        return None
    held = [path for path in files if parent_of(path) == migrations and path.endswith(".py")]
    return "migrations/ holds Django migrations" if any(b"django.db" in files[path] for path in held) else None


def _django_models(files: Mapping[str, bytes], folder: str) -> str | None:
    data = files.get(join(folder, "models.py"), b"")
    tree = _parsed(data) if b"django" in data else None
    for node in ast.walk(tree) if tree else ():
        from_django_db = isinstance(node, ast.ImportFrom) and not node.level and _is_django_db(node.module or "")
        if from_django_db or (isinstance(node, ast.Import) and any(_is_django_db(alias.name) for alias in node.names)):
            return "models.py imports django.db"
    return None


def _is_django_db(module: str) -> bool:
    return module == "django.db" or module.startswith("django.db.")


def _parsed(data: bytes) -> ast.Module | None:
    try:
        return parse_python(data.decode("utf-8", errors="replace")) if data else None
    except (SyntaxError, ValueError):  # a file that does not parse says nothing here
        return None
