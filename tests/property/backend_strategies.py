"""Hypothesis strategies for flat Python backends that use every import form and placement.

A generated backend (`Backend`) is a flat folder of 5 to 12 modules that call each other, a test
file per module and an app entry point, plus the explicit moves of an `organize-backend.toml`
(layout "none"). It is either:

- "flat": the modules at the workspace root, imported by their own names (`import users`), the
  application run from the workspace;
- "package": the workspace is itself a package (`app/`, with `__init__.py`) imported as `app.x`
  from its parent folder, where the application runs (`python -m app.main`); the modules import
  each other absolutely (`import app.users`, `from app import users`) and relatively
  (`from . import users`, `from .users import get_users`), which become `from .. import` once a
  module has moved into a subpackage.

Each module defines `BASE`, `value()` (BASE plus what its imports contribute), `get_<name>()`
(returns `value()`), `Thing`, a class `Service` whose `total()` adds what the imports placed in the
class body and in the method contribute, and `typed_<dep>()` functions whose string annotation
names a module binding (`"users.Thing"`, `"app.users.Thing"`, `"users_mod.Thing"`), checked with
`typing.get_type_hints`. Each dependency edge is drawn with a form and a placement:

forms (flat): `import d`, `import d as d_mod`, `from d import get_d`, a parenthesized multi-line
  `from d import (\n    get_d,  # comment\n    Thing as d_Thing,\n)`, `importlib.import_module("d")`,
  `__import__("d")`, `__import__("d", fromlist=[...])`, `importlib.util.find_spec("d")`;
forms (package): the same with `app.d`, plus `from app import d`, `from . import d [as d_mod]`,
  `import app` with `from app.d import get_d` and `app.d.value()` (the submodule as a package attribute),
  `from .d import get_d`, a parenthesized `from .d import (...)`, `import_module(".d", __package__)`,
  `__import__("d", globals(), locals(), ["value"], 1)`;
placements: module level (top), under `if`, in `try/except ImportError`, under `if TYPE_CHECKING:`,
  late (after `os.environ.setdefault(...)`), at the bottom of the file, inside `value()`, inside a
  method, in a class body; two imports of one placement may share a line (`import a, b`,
  `import a; from b import get_b`, `from . import a, b`).

Tests (`test_<name>.py`) assert `value()`, and some patch a dependency with
`mock.patch("<dep>.value", return_value=1000)` (or as a decorator) or replace it with
`patch.dict(sys.modules, {"<dep>": fake})`; their expected values are computed here (`evaluate`).
`main.py` imports every module (at the top or inside its `if __name__ == "__main__":` block) and
prints every value.

The environment variable ORGANIZE_BACKEND_FORMS (comma-separated names from FORMS and PLACES)
restricts generation to those forms and placements, to study one form at a time.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field

from hypothesis import strategies as st

PACKAGE = "app"  # the name of the workspace when it is itself a package

MODULE_NAMES = (
    "users", "orders", "billing", "catalog", "inventory", "shipping", "payments", "reports",
    "notices", "pricing", "accounts", "ledger", "quotas", "invoices", "webhooks", "storage",
    "mailer", "metrics", "database", "db_conn", "audit_log", "cache_layer",
)
TARGET_PACKAGES = ("services", "domain", "infra", "db", "data_layer", "backend_core")
NEW_NAMES = ("session", "store", "client", "engine", "repository", "handlers", "gateway", "registry",
             "adapter", "queries", "worker", "bridge")

FLAT_BINDING = ("import", "import_as", "from_get", "from_paren")
PACKAGE_BINDING = ("import", "import_as", "from_pkg", "from_get", "from_paren", "relative_module",
                   "relative_module_as", "relative_get", "relative_paren", "package_attribute")
FLAT_DYNAMIC = ("import_module", "dunder", "dunder_fromlist", "find_spec")
PACKAGE_DYNAMIC = ("import_module", "import_module_rel", "dunder_rel", "dunder_fromlist", "find_spec")
MODULE_BINDING = frozenset({"import", "import_as", "from_pkg", "relative_module", "relative_module_as"})
DYNAMIC = frozenset(FLAT_DYNAMIC + PACKAGE_DYNAMIC)
FORMS = tuple(dict.fromkeys(FLAT_BINDING + PACKAGE_BINDING + FLAT_DYNAMIC + PACKAGE_DYNAMIC))

MODULE_LEVEL = ("top", "if", "try", "type_checking", "late", "bottom")
CALL_TIME = ("function", "method")
PLACES = MODULE_LEVEL + CALL_TIME + ("class_body",)

FAKE = 1000  # what a patched or faked dependency returns


def _restriction() -> frozenset[str]:
    value = os.environ.get("ORGANIZE_BACKEND_FORMS", "")
    names = frozenset(name.strip() for name in value.split(",") if name.strip())
    unknown = names - set(FORMS) - set(PLACES) - {"flat", "package"}
    if unknown:
        raise ValueError(f"ORGANIZE_BACKEND_FORMS: unknown {sorted(unknown)}; known: {FORMS + PLACES}")
    return names


RESTRICT = _restriction()


def _allowed(names, kind_set) -> tuple[str, ...]:
    chosen = RESTRICT & set(kind_set)
    return tuple(name for name in names if not chosen or name in chosen)


# --- the model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    """Module `dep` imported by its importer in `form`, at `place`."""

    dep: int
    form: str
    place: str
    annotate: bool = False  # a typed_<dep>() with a string annotation naming the binding
    join: str = ""  # "," or ";": share the line of the previous edge of the same place, if it can


@dataclass(frozen=True)
class Module:
    name: str
    base: int
    edges: tuple[Edge, ...]
    test_import: str  # how its test imports it: a binding form
    patch_dep: int | None = None  # mock.patch("<dep>.value") in its test
    patch_as_decorator: bool = False
    fake_dep: int | None = None  # patch.dict(sys.modules, {"<dep>": fake}) in its test


@dataclass(frozen=True)
class Backend:
    mode: str  # "flat" or "package"
    modules: tuple[Module, ...]
    main_imports: tuple[tuple[str, str], ...]  # (form, "top" or "main_guard") per module
    moves: tuple[tuple[str, str], ...]  # explicit moves, workspace-relative paths
    files: dict = field(default_factory=dict, compare=False, repr=False)  # workspace-relative path -> text

    @property
    def package(self) -> str | None:
        return PACKAGE if self.mode == "package" else None

    def dotted(self, path: str) -> str:
        """The module name of a workspace-relative .py path, as the application imports it."""
        parts = path[: -len(".py")].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(([PACKAGE] if self.mode == "package" else []) + parts)


# --- what the backend computes ----------------------------------------------------------------


def fake_effect(edge: Edge, mode: str) -> str:
    """Under patch.dict(sys.modules, {dep: fake}) once everything is imported: does this edge
    see the fake ("fake"), the real module ("real"), or something no in-place rewrite can keep
    ("unsafe": a call-time `import d` reads sys.modules["d"] before the move, but the package
    attribute after; find_spec needs the fake's __spec__)?"""
    if edge.place not in CALL_TIME:
        return "real"
    if edge.form == "find_spec":
        return "unsafe"
    if edge.form in ("import", "import_as") and mode == "flat":
        return "unsafe"
    if edge.form in MODULE_BINDING or edge.form == "package_attribute":
        return "real"  # an attribute of the (real) package
    return "fake"


def contributes(edge: Edge) -> bool:
    """Does the edge add its dependency's value (else a constant: 0 or 1)?"""
    return edge.place != "type_checking" and edge.form != "find_spec"


def evaluate(modules, index: int, override: int | None = None, fake: int | None = None, mode="flat") -> int:
    """value() of module `index`, with `override`'s value() patched to FAKE (mock.patch) or
    `fake` replaced in sys.modules by a fake whose functions return FAKE (patch.dict)."""
    memo: dict[int, int] = {}

    def value_of(current: int) -> int:
        if current == override:
            return FAKE
        if current not in memo:
            total = modules[current].base
            for edge in modules[current].edges:
                if edge.place == "type_checking":
                    continue
                if edge.form == "find_spec":
                    total += 1
                elif edge.dep == fake and fake_effect(edge, mode) == "fake":
                    total += FAKE
                else:
                    total += value_of(edge.dep)
            memo[current] = total
        return memo[current]

    return value_of(index)


def reachable(modules, index: int) -> set[int]:
    seen, stack = set(), [index]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(edge.dep for edge in modules[current].edges if edge.place != "type_checking")
    return seen


# --- strategies -------------------------------------------------------------------------------


def _binding_forms(mode):
    return _allowed(FLAT_BINDING if mode == "flat" else PACKAGE_BINDING, FORMS) or (
        ("import",) if mode == "flat" else ("from_pkg",))


def _dynamic_forms(mode):
    chosen = RESTRICT & set(FORMS)
    forms = FLAT_DYNAMIC if mode == "flat" else PACKAGE_DYNAMIC
    return tuple(form for form in forms if not chosen or form in chosen)


@st.composite
def edges_for(draw, mode: str, deps: list[int]):
    binding = _binding_forms(mode)
    dynamic = _dynamic_forms(mode)
    places = _allowed(PLACES, PLACES)
    edges = []
    for dep in deps:
        place = draw(st.sampled_from(places))
        if place == "class_body":
            forms = tuple(form for form in binding if form in MODULE_BINDING) or (
                ("import",) if mode == "flat" else ("from_pkg",))
        elif place in CALL_TIME:
            forms = binding + dynamic
        else:
            forms = binding
        form = draw(st.sampled_from(forms))
        annotate = form in MODULE_BINDING and place in MODULE_LEVEL and draw(st.booleans())
        join = draw(st.sampled_from(("", "", ",", ";")))
        edges.append(Edge(dep, form, place, annotate, join))
    return tuple(edges)


MODES = _allowed(("flat", "package"), ("flat", "package"))


@st.composite
def backends(draw, mode: str) -> Backend:
    count = draw(st.integers(5, 12))
    names = draw(st.lists(st.sampled_from(MODULE_NAMES), min_size=count, max_size=count, unique=True))
    binding = _binding_forms(mode)
    modules: list[Module] = []
    for index, name in enumerate(names):
        deps = draw(st.lists(st.integers(0, index - 1), unique=True, max_size=min(3, index))) if index else []
        edges = draw(edges_for(mode, deps))
        base = draw(st.integers(1, 99))
        test_import = draw(st.sampled_from(binding))
        patchable = [edge.dep for edge in edges if contributes(edge)]
        patch_dep = draw(st.sampled_from(patchable)) if patchable and draw(st.booleans()) else None
        modules.append(Module(name, base, edges, test_import, patch_dep, draw(st.booleans())))
        # patch.dict only where the outcome is defined before and after (see fake_effect)
        fakeable = [edge.dep for edge in edges if contributes(edge) and fake_effect(edge, mode) == "fake"]
        fakeable = [dep for dep in fakeable if not any(
            fake_effect(edge, mode) == "unsafe"
            for other in reachable(modules, index) for edge in modules[other].edges if edge.dep == dep)]
        if fakeable and draw(st.booleans()):
            modules[index] = Module(name, base, edges, test_import, patch_dep, modules[index].patch_as_decorator,
                                    draw(st.sampled_from(fakeable)))
    main_imports = tuple((draw(st.sampled_from(binding)), draw(st.sampled_from(("top", "main_guard"))))
                         for _ in names)
    moves = draw(move_lists(names))
    backend = Backend(mode, tuple(modules), main_imports, moves)
    backend.files.update(render(backend))
    return backend


@st.composite
def move_lists(draw, names):
    """Explicit moves: into a new package, into a package of its own name, with a rename,
    several modules into one package; tests into tests/. At least one module moves."""
    new_names = draw(st.permutations(NEW_NAMES))
    moves = []
    kinds = [draw(st.sampled_from(("stay", "package", "package", "own", "rename"))) for _ in names]
    if all(kind == "stay" for kind in kinds):
        kinds[0] = "package"
    for index, (name, kind) in enumerate(zip(names, kinds)):
        if kind == "package":
            moves.append((f"{name}.py", f"{draw(st.sampled_from(TARGET_PACKAGES))}/{name}.py"))
        elif kind == "own":
            moves.append((f"{name}.py", f"{name}/{name}.py"))
        elif kind == "rename":
            moves.append((f"{name}.py", f"{draw(st.sampled_from(TARGET_PACKAGES))}/{new_names[index]}.py"))
    for name in names:
        if draw(st.booleans()):
            moves.append((f"test_{name}.py", f"tests/test_{name}.py"))
    return tuple(moves)


# --- rendering --------------------------------------------------------------------------------


@dataclass
class Statement:
    lines: list[str]
    bindings: list[str]


def _absolute(mode: str, name: str) -> str:
    return name if mode == "flat" else f"{PACKAGE}.{name}"


def binding_statement(form: str, name: str, mode: str) -> tuple[Statement, str, str | None]:
    """(statement, expression giving the value, module access path for annotations or None)."""
    target = _absolute(mode, name)
    if form == "import":
        binding = target.split(".")[0]
        return Statement([f"import {target}"], [binding]), f"{target}.value()", target
    if form == "import_as":
        return Statement([f"import {target} as {name}_mod"], [f"{name}_mod"]), f"{name}_mod.value()", f"{name}_mod"
    if form == "from_pkg":
        return Statement([f"from {PACKAGE} import {name}"], [name]), f"{name}.value()", name
    if form == "relative_module":
        return Statement([f"from . import {name}"], [name]), f"{name}.value()", name
    if form == "relative_module_as":
        return Statement([f"from . import {name} as {name}_mod"], [f"{name}_mod"]), f"{name}_mod.value()", f"{name}_mod"
    if form == "package_attribute":  # the submodule as an attribute of its package, once a from-import loaded it
        lines = [f"import {PACKAGE}", f"from {target} import get_{name}"]
        return Statement(lines, [PACKAGE, f"get_{name}"]), f"{target}.value()", None
    source = f".{name}" if form.startswith("relative") else target
    if form in ("from_get", "relative_get"):
        return Statement([f"from {source} import get_{name}"], [f"get_{name}"]), f"get_{name}()", None
    if form in ("from_paren", "relative_paren"):
        lines = [f"from {source} import (", f"    get_{name},  # what value() adds", f"    Thing as {name}_Thing,", ")"]
        return Statement(lines, [f"get_{name}", f"{name}_Thing"]), f"get_{name}()", None
    raise ValueError(form)


def dynamic_expression(form: str, name: str, mode: str) -> str:
    target = _absolute(mode, name)
    if form == "import_module":
        return f'importlib.import_module("{target}").value()'
    if form == "import_module_rel":
        return f'importlib.import_module(".{name}", __package__).value()'
    if form == "dunder_rel":
        return f'__import__("{name}", globals(), locals(), ["value"], 1).value()'
    if form == "dunder":
        return f'__import__("{target}").value()'
    if form == "dunder_fromlist":
        return f'__import__("{target}", fromlist=["value"]).value()'
    if form == "find_spec":
        return f'(1 if importlib.util.find_spec("{target}") is not None else {FAKE})'
    raise ValueError(form)


def _joinable(first: Edge, second: Edge, separator: str) -> bool:
    if first.form in DYNAMIC or second.form in DYNAMIC:
        return False
    if separator == ";":
        return "paren" not in first.form and "paren" not in second.form
    groups = ({"import", "import_as"}, {"relative_module", "relative_module_as"}, {"from_pkg"})
    return any(first.form in group and second.form in group for group in groups)


def _join(first: Statement, second: Statement, separator: str) -> Statement:
    a, b = first.lines[-1], second.lines[0]
    if separator == ";":
        line = f"{a}; {b}"
    elif b.startswith("import "):
        line = f"{a}, {b[len('import '):]}"
    else:  # from X import a + from X import b
        line = f"{a}, {b.split(' import ', 1)[1]}"
    return Statement(first.lines[:-1] + [line] + second.lines[1:], first.bindings + second.bindings)


def _statements(edges: list[Edge], names, mode) -> list[Statement]:
    """The import statements of one placement, edges joined on one line where drawn and possible."""
    statements: list[Statement] = []
    previous: Edge | None = None
    for edge in edges:
        statement = binding_statement(edge.form, names[edge.dep], mode)[0]
        if previous is not None and edge.join and _joinable(previous, edge, edge.join) and len(statements[-1].lines) == 1:
            statements[-1] = _join(statements[-1], statement, edge.join)
            previous = None  # at most two on a line
        else:
            statements.append(statement)
            previous = edge
    return statements


def _indent(lines, depth=1):
    return ["    " * depth + line if line else line for line in lines]


def render_module(backend_mode: str, modules, index: int) -> str:
    module = modules[index]
    names = [m.name for m in modules]
    by_place: dict[str, list[Edge]] = {place: [] for place in PLACES}
    for edge in module.edges:
        by_place[edge.place].append(edge)

    def lines_of(place):
        return [line for statement in _statements([e for e in by_place[place] if e.form not in DYNAMIC], names,
                                                  backend_mode) for line in statement.lines]

    out = [f'"""The {module.name} module of the generated backend."""', "",
           "import importlib", "import importlib.util", "import os", "import sys",
           "from typing import TYPE_CHECKING", ""]
    top = lines_of("top")
    if top:
        out += top + [""]
    for edge in by_place["if"]:
        out += ["if sys.version_info >= (3, 8):"] + _indent(binding_statement(edge.form, names[edge.dep], backend_mode)[0].lines) + [""]
    for statement in _statements([e for e in by_place["try"]], names, backend_mode):
        out += ["try:"] + _indent(statement.lines) + ["except ImportError:  # optional dependency",
                                                     "    " + " = ".join(statement.bindings) + " = None", ""]
    checking = lines_of("type_checking")
    if checking:
        out += ["if TYPE_CHECKING:"] + _indent(checking) + [""]
    out += [f"BASE = {module.base}", ""]
    late = lines_of("late")
    if late:
        out += [f'os.environ.setdefault("{module.name.upper()}_MODE", "prod")'] + [
            line + ("  # noqa: E402" if line.startswith(("import ", "from ")) and not line.endswith("(") else "")
            for line in late] + [""]

    def expression(edge: Edge, self_prefix: str = "") -> str:
        if edge.form in DYNAMIC:
            return dynamic_expression(edge.form, names[edge.dep], backend_mode)
        return self_prefix + binding_statement(edge.form, names[edge.dep], backend_mode)[1]

    service_terms = [expression(e, "self.") for e in by_place["class_body"]] + [expression(e) for e in by_place["method"]]
    method_imports = lines_of("method")
    out += ["", "class Thing:", f'    """A record of {module.name}."""', "", "",
            "class Service:", '    """What the imports in the class body and in the method add."""', ""]
    class_lines = lines_of("class_body")
    if class_lines:
        out += _indent(class_lines) + [""]
    out += ["    def total(self):"] + _indent(method_imports, 2) + [
        "        return " + " + ".join(["0"] + service_terms), "", ""]
    out += [f"def get_{module.name}():", "    return value()", "", ""]
    terms = [expression(e) for e in module.edges if e.place not in ("type_checking", "class_body", "method")]
    out += ["def value():"] + _indent(lines_of("function")) + [
        "    return " + " + ".join(["BASE"] + terms + ["Service().total()"]), ""]
    for edge in module.edges:
        if edge.annotate:
            access = binding_statement(edge.form, names[edge.dep], backend_mode)[2]
            out += ["", f'def typed_{names[edge.dep]}(thing: "{access}.Thing" = None) -> None:', "    return None", ""]
    bottom = lines_of("bottom")
    if bottom:
        out += ["", "# imported last: the module is complete by the time it is used", *bottom]
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _test_import(form: str, name: str, mode: str) -> tuple[list[str], str]:
    statement, expr, _ = binding_statement(form, name, mode)
    return statement.lines, expr


def render_test(backend: Backend, index: int) -> str:
    modules, mode = backend.modules, backend.mode
    module = modules[index]
    imports, expr = _test_import(module.test_import, module.name, mode)
    value = evaluate(modules, index, mode=mode)
    head = [f'"""Tests of {module.name}."""', ""]
    std = []
    if module.fake_dep is not None:
        std += ["import sys", "import types"]
    if module.patch_dep is not None:
        std += ["from unittest import mock"]
    if module.fake_dep is not None:
        std += ["from unittest.mock import patch"]
    out = head + (std + [""] if std else []) + imports + ["", "", "def test_value():", f"    assert {expr} == {value}"]
    if module.patch_dep is not None:
        dep = modules[module.patch_dep].name
        target = f"{_absolute(mode, dep)}.value"
        patched = evaluate(modules, index, override=module.patch_dep, mode=mode)
        if module.patch_as_decorator:
            out += ["", "", f'@mock.patch("{target}", return_value={FAKE})',
                    f"def test_value_with_{dep}_patched(patched):", f"    assert {expr} == {patched}",
                    "    assert patched.called"]
        else:
            out += ["", "", f"def test_value_with_{dep}_patched():",
                    f'    with mock.patch("{target}", return_value={FAKE}):', f"        assert {expr} == {patched}"]
    if module.fake_dep is not None:
        dep = modules[module.fake_dep].name
        faked = evaluate(modules, index, fake=module.fake_dep, mode=mode)
        out += ["", "", f"def test_value_with_a_fake_{dep}():",
                f"    assert {expr} == {value}  # imports everything first",
                f'    fake = types.SimpleNamespace(value=lambda: {FAKE}, get_{dep}=lambda: {FAKE}, Thing=object)',
                f'    with patch.dict(sys.modules, {{"{_absolute(mode, dep)}": fake}}):',
                f"        assert {expr} == {faked}"]
    return "\n".join(out) + "\n"


def render_main(backend: Backend) -> str:
    names = [module.name for module in backend.modules]
    top, guard, prints = [], [], []
    for name, (form, place) in zip(names, backend.main_imports):
        lines, expr = _test_import(form, name, backend.mode)
        (top if place == "top" else guard).extend(lines)
        prints.append(f'    print("{name}", {expr})')
    out = ['"""The application entry point: prints the value of every module."""', ""]
    if top:
        out += top + ["", ""]
    out += ['if __name__ == "__main__":'] + _indent(guard) + prints
    return "\n".join(out) + "\n"


def render_config(backend: Backend) -> str:
    out = ['layout = "none"']
    for source, destination in backend.moves:
        out += ["", "[[move]]", f'from = "{source}"', f'to = "{destination}"']
    return "\n".join(out) + "\n"


def render(backend: Backend) -> dict[str, str]:
    """Workspace-relative path -> text of every file of the backend."""
    files = {}
    if backend.mode == "package":
        files["__init__.py"] = ""
    for index, module in enumerate(backend.modules):
        files[f"{module.name}.py"] = render_module(backend.mode, backend.modules, index)
        files[f"test_{module.name}.py"] = render_test(backend, index)
    files["main.py"] = render_main(backend)
    files["organize-backend.toml"] = render_config(backend)
    return files


def expected_main_output(backend: Backend) -> str:
    return "".join(f"{module.name} {evaluate(backend.modules, index, mode=backend.mode)}\n"
                   for index, module in enumerate(backend.modules))


def moved_path(backend: Backend, path: str) -> str:
    for source, destination in backend.moves:
        if path == source:
            return posixpath.normpath(destination)
    return path
