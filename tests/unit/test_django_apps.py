"""A Django app's modules that Django and its add-ons import by name stay where they are.

Django imports `<app>.models` and `<app>.admin` from every installed app by name: moved into a
package, the app loses its models or its admin pages with no error. The fixtures are the
shape of a real project (healthchecks' hc/accounts): settings listing the app, an AppConfig,
models importing django.db, migrations. Django itself is not needed to plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree
from organize_backend.config import Config
from organize_backend.model import Plan
from organize_backend.planning import plan as plan_module
from organize_backend.planning.django_apps import find_django_app
from organize_backend.planning.layouts import classify
from organize_backend.planning.plan import make_plan
from organize_backend.snapshot import take_snapshot

SETTINGS = (
    'SECRET_KEY = "dev"\n'
    "INSTALLED_APPS = [\n"
    '    "django.contrib.admin",\n'
    '    "django.contrib.auth",\n'
    '    "django.contrib.contenttypes",\n'
    '    "shop",\n'
    "]\n"
    'ROOT_URLCONF = "proj.urls"\n'
)
PROJECT = {
    "manage.py": "import os\nimport sys\n\nif __name__ == '__main__':\n"
                 "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"
                 "    from django.core.management import execute_from_command_line\n\n"
                 "    execute_from_command_line(sys.argv)\n",
    "proj/__init__.py": "",
    "proj/settings.py": SETTINGS,
    "proj/urls.py": "from django.contrib import admin\nfrom django.urls import include, path\n\n"
                    'urlpatterns = [path("admin/", admin.site.urls), path("", include("shop.urls"))]\n',
}
# The app, as `manage.py startapp shop` makes it and a team grows it.
SHOP = {
    "shop/__init__.py": "",
    "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n"
                    '    default_auto_field = "django.db.models.BigAutoField"\n    name = "shop"\n',
    "shop/models.py": "from django.db import models\n\n\nclass Product(models.Model):\n"
                      "    name = models.CharField(max_length=100)\n    price = models.IntegerField(default=0)\n",
    "shop/admin.py": "from django.contrib import admin\n\nfrom shop.models import Product\n\n\n"
                     "@admin.register(Product)\nclass ProductAdmin(admin.ModelAdmin):\n"
                     '    list_display = ["name", "price"]\n',
    "shop/forms.py": "from django import forms\n\n\nclass OrderForm(forms.Form):\n    quantity = forms.IntegerField()\n",
    "shop/pricing.py": "from shop.models import Product\n\n\ndef total(product: Product, quantity: int) -> int:\n"
                       "    return product.price * quantity\n",
    "shop/views.py": "from django.http import JsonResponse\n\nfrom shop.forms import OrderForm\n"
                     "from shop.models import Product\nfrom shop.pricing import total\n\n\n"
                     "def order(request, pk):\n    form = OrderForm(request.GET)\n    form.is_valid()\n"
                     '    return JsonResponse({"total": total(Product.objects.get(pk=pk), '
                     'form.cleaned_data["quantity"])})\n',
    "shop/urls.py": 'from django.urls import path\n\nfrom shop import views\n\n'
                    'urlpatterns = [path("order/<int:pk>/", views.order)]\n',
    "shop/tasks.py": "from celery import shared_task\n\nfrom shop.models import Product\n\n\n"
                     "@shared_task\ndef reprice():\n    Product.objects.update(price=0)\n",
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": "from django.db import migrations, models\n\n\n"
                                       "class Migration(migrations.Migration):\n    initial = True\n"
                                       "    dependencies = []\n    operations = []\n",
}
CONVENTIONAL = ("admin.py", "apps.py", "models.py", "tasks.py", "urls.py", "views.py")


def plan_for(root: Path, files: dict[str, str], config: Config | None = None, organize_root: str = "shop") -> Plan:
    write_tree(root, files)
    return make_plan(take_snapshot(root, organize_root), config or Config())


def moves_of(plan: Plan) -> dict[str, str]:
    return {move.source: move.destination for move in plan.moves}


def kept_of(plan: Plan) -> dict[str, str]:
    return {kept.path: kept.reason for kept in plan.kept}


# --- the auto layout ----------------------------------------------------------------------------


def test_the_modules_django_imports_by_name_stay_with_the_reason(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, {**PROJECT, **SHOP})
    kept = kept_of(plan)
    assert set(kept) == {f"shop/{name}" for name in CONVENTIONAL}
    assert kept["shop/admin.py"] == "Django app convention: admin.autodiscover() imports shop.admin by this name"
    assert kept["shop/models.py"] == \
        "Django app convention: Django's app registry imports shop.models by this name"
    assert kept["shop/tasks.py"].startswith("Django app convention: Celery's autodiscover_tasks() imports shop.tasks")
    assert all(reason.startswith("Django app convention: ") for reason in kept.values())


def test_the_other_modules_of_a_django_app_still_move(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, {**PROJECT, **SHOP})
    assert set(moves_of(plan)) == {"shop/forms.py", "shop/pricing.py"}
    assert not any(destination.startswith("shop/models/") for destination in moves_of(plan).values())


def test_the_plan_notes_that_the_folder_is_a_django_app(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, {**PROJECT, **SHOP})
    note = next(note for note in plan.notes if "Django app" in note)
    assert note.startswith("shop/ is a Django app (listed in INSTALLED_APPS in proj/settings.py:6): ")
    assert "admin.py, apps.py, models.py, tasks.py, urls.py, views.py keep the names" in note


def test_an_app_found_by_its_app_config_path_in_installed_apps(tmp_path: Path) -> None:
    settings = SETTINGS.replace('"shop",', '"shop.apps.ShopConfig",')
    app = _app_of(tmp_path, {**PROJECT, "proj/settings.py": settings, "shop/__init__.py": "",
                             "shop/admin.py": "from django.contrib import admin\n"})
    assert app is not None and app.evidence == "listed in INSTALLED_APPS in proj/settings.py:6"


def test_an_app_of_a_package_found_by_its_dotted_name(tmp_path: Path) -> None:
    """healthchecks: hc/accounts/ is `hc.accounts` in a tuple of INSTALLED_APPS, extended later on."""
    files = {"hc/__init__.py": "", "hc/accounts/__init__.py": "",
             "hc/settings.py": 'INSTALLED_APPS = ("django.contrib.admin",)\nINSTALLED_APPS += ("hc.accounts",)\n',
             "hc/accounts/views.py": "def login(request):\n    return None\n"}
    app = _app_of(tmp_path, files, "hc/accounts")
    assert app is not None and (app.name, app.evidence) == ("hc.accounts", "listed in INSTALLED_APPS in hc/settings.py:2")


def test_an_app_configured_in_code_by_settings_configure(tmp_path: Path) -> None:
    files = {"runtests.py": 'from django.conf import settings\n\nsettings.configure(INSTALLED_APPS=["shop"])\n',
             "shop/__init__.py": "", "shop/urls.py": "urlpatterns = []\n"}
    app = _app_of(tmp_path, files)
    assert app is not None and app.evidence == "listed in INSTALLED_APPS in runtests.py:3"


@pytest.mark.parametrize(("name", "evidence"), [
    ("apps.py", "apps.py defines ShopConfig(AppConfig)"),
    ("migrations/0001_initial.py", "migrations/ holds Django migrations"),
    ("models.py", "models.py imports django.db"),
])
def test_what_only_a_django_app_holds_makes_one_without_settings(tmp_path: Path, name: str, evidence: str) -> None:
    """A reusable app's repository has no settings listing it: its own files say what it is."""
    files = {"shop/__init__.py": "", "shop/admin.py": "from django.contrib import admin\n",
             f"shop/{name}": SHOP[f"shop/{name}"]}
    if name.startswith("migrations/"):
        files["shop/migrations/__init__.py"] = ""
    assert _app_of(tmp_path, files).evidence == evidence


def test_a_wildcard_package_rule_does_not_sweep_a_convention_module_but_naming_it_moves_it(tmp_path: Path) -> None:
    config = Config(packages=(("web", ("*.py",)), ("records", ("models.py",))))
    plan = plan_for(tmp_path, {**PROJECT, **SHOP}, config)
    assert kept_of(plan)["shop/admin.py"].startswith("Django app convention: ")
    assert moves_of(plan)["shop/models.py"] == "shop/records/models.py"
    assert moves_of(plan)["shop/forms.py"] == "shop/web/forms.py"
    message = ("Django app convention: Django's app registry imports shop.models by this name: moved to "
               "shop/records/models.py, it is no longer found so")
    assert [(h.path, h.kind, h.message) for h in plan.hazards] == [("shop/models.py", "framework convention", message)]


def test_an_explicit_move_of_a_convention_module_is_made_and_named_as_a_hazard(tmp_path: Path) -> None:
    # the editor's explorer: admin.py dragged into a package
    plan = plan_for(tmp_path, {**PROJECT, **SHOP}, Config(layout="none", moves=(("shop/admin.py", "shop/site/admin.py"),)))
    assert moves_of(plan) == {"shop/admin.py": "shop/site/admin.py"}
    assert [(h.path, h.kind) for h in plan.hazards] == [("shop/admin.py", "framework convention")]
    renamed = plan_for(tmp_path / "b", {**PROJECT, **SHOP}, Config(layout="none", moves=(("shop/pricing.py", "shop/sales/pricing.py"),)))
    assert not [h for h in renamed.hazards if h.kind == "framework convention"]


# --- what is not a Django app ------------------------------------------------------------------

FASTAPI = {
    "app/__init__.py": "",
    "app/main.py": "from fastapi import FastAPI\n\nfrom app.views import router\n\napp = FastAPI()\n"
                   "app.include_router(router)\n",
    "app/models.py": "from pydantic import BaseModel\n\n\nclass Item(BaseModel):\n    name: str\n    price: float\n",
    "app/views.py": "from fastapi import APIRouter\n\nfrom app.models import Item\n\nrouter = APIRouter()\n\n\n"
                    '@router.get("/items")\ndef items() -> list[Item]:\n    return []\n',
    "app/admin.py": "from app.models import Item\n\n\ndef reset(items: list[Item]) -> None:\n    items.clear()\n",
    "app/database.py": "import sqlite3\n\n\ndef get_db():\n    return sqlite3.connect('app.db')\n",
}


def test_a_fastapi_app_with_models_and_views_is_planned_as_before(tmp_path: Path, monkeypatch) -> None:
    plan = plan_for(tmp_path, FASTAPI, organize_root="app")
    assert _app_of(tmp_path, FASTAPI, "app") is None
    assert moves_of(plan)["app/models.py"] == "app/models/models.py"
    assert not any("Django" in note for note in plan.notes)
    monkeypatch.setattr(plan_module, "find_django_app", lambda files, folder: None)
    assert plan_for(tmp_path, FASTAPI, organize_root="app") == plan


def test_an_app_of_a_django_project_that_is_not_the_one_installed_is_not_a_django_app(tmp_path: Path) -> None:
    """INSTALLED_APPS names `shop`; `catalog/` beside it, with models of its own, is a plain package."""
    files = {**PROJECT, "catalog/__init__.py": "", "catalog/models.py": FASTAPI["app/models.py"],
             "catalog/views.py": "def show():\n    return None\n"}
    assert _app_of(tmp_path, files, "catalog") is None


def test_a_django_app_holding_no_module_of_those_names_is_not_read(tmp_path: Path) -> None:
    files = {**PROJECT, "shop/__init__.py": "", "shop/pricing.py": SHOP["shop/pricing.py"]}
    assert _app_of(tmp_path, files) is None


def _app_of(root: Path, files: dict[str, str], folder: str = "shop"):
    write_tree(root, files)
    return find_django_app(take_snapshot(root).files, folder)


# --- the presets -------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["skill", "layered"])
def test_the_presets_keep_them_too(tmp_path: Path, layout: str) -> None:
    plan = plan_for(tmp_path, {**PROJECT, **SHOP}, Config(layout=layout))
    assert kept_of(plan)["shop/models.py"] == \
        "Django app convention: Django's app registry imports shop.models by this name"
    assert "shop/models.py" not in moves_of(plan)


def test_classify_keeps_a_convention_module_unless_a_rule_names_it() -> None:
    conventions = {"admin": "Django app convention: admin.autodiscover() imports shop.admin by this name"}
    assert classify("admin.py", "", "skill", {"services": ("*",)}, conventions=conventions).package is None
    assert classify("admin.py", "", "skill", {"services": ("admin.py",)}, conventions=conventions).package == "services"
    assert classify("models.py", "", "skill", conventions=conventions).package == "models"
