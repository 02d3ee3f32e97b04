"""How each import form is rewritten when modules move: the one place that knows.

Every edit is the one a careful reviewer makes by hand, in place: the module path inside an
existing statement changes, and nothing else. No statement is added, removed, moved,
merged, sorted or re-wrapped; the names a statement binds stay the same, so no call site
changes; relative imports stay relative (their dots recomputed for where the importer and
the target are now), absolute ones stay absolute; comments, parentheses, trailing commas
and `# noqa` stay where they are. It holds at any depth: module level, functions, methods,
class bodies, `if`, `try`, `TYPE_CHECKING` blocks, late and bottom-of-file imports.

What each statement names is read the way Python's import system reads it, from the
importer's place in the old tree (its package, for relative imports), with the standard
parser's positions; what it should name is the same module in the new tree.

| form (old)                   | moved                       | becomes                                 |
|------------------------------|-----------------------------|-----------------------------------------|
| `from agent import run`      | agent -> agents.agent       | `from agents.agent import run`          |
| `from .agent import run`     | (importer, target anywhere) | dots recomputed: `from ..agents.agent import run` |
| `from . import agent`        | agent -> agents.agent       | `from .agents import agent`             |
| `from pkg import conn`       | pkg.conn -> pkg.session     | `from pkg import session as conn`       |
| `import agent` (alone)       | agent -> agents.agent       | `from agents import agent`              |
| `import agent, os`           | agent -> agents.agent       | `import agents.agent as agent, os`      |
| `import agent as a`          | agent -> agents.agent       | `import agents.agent as a`              |
| `import pkg.mod` + `pkg.mod.f()` | pkg.mod -> lib.mod      | `import lib.mod` + `lib.mod.f()`        |

Two forms cannot stay one statement, and each is reported (`Notice`) rather than hidden:
a `from X import a, b` whose names now live in different modules is split into one statement
per module; a relative import whose target left the importer's top-level package becomes
absolute.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from organize_backend.changes.project_style import ProjectStyle, resort_runs, sort_key, wrap_long_imports
from organize_backend.planning.hazards import folders_put_on_sys_path
from organize_backend.snapshot import module_name, parent_of
from organize_backend.source_text import (
    STATEMENT_LISTS,
    LineOffsets,
    dotted_name,
    keep_comment_columns,
    line_shift,
    parse_python,
    relative_load,
    replace_spans,
)


@dataclass(frozen=True)
class Notice:
    """An import that could not be rewritten in place, with the reason: shown before writing."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class ModuleTree:
    """Module names before and after the moves, as the application imports them.

    A module is known by several names, and each maps: the name from the folder the
    application imports from (`agent`, from `backend/`), the name from the workspace
    (`backend.agent`, through a namespace package), and its natural name: the one Python
    gives it from the first folder above it that is not a package (for relative imports,
    and for a workspace that is itself a package: `myapp.agent`).
    """

    renamed: dict[str, str]  # old dotted name -> new, for moved modules and packages
    old_modules: frozenset[str]  # every module and package name before the moves
    old_packages: frozenset[str]  # folders with an __init__.py before the moves ("" the workspace)
    new_packages: frozenset[str]  # and after
    workspace_name: str = ""
    build_inputs: tuple = ()  # what `build` was given: for the same tree seen from another root
    _words: frozenset[str] = field(init=False)
    heads_of_moved_submodules: frozenset[str] = field(init=False)  # "maigret" for a moved maigret.report
    _from_roots: dict = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._words = frozenset(part for name in self.renamed for part in name.split("."))
        self.heads_of_moved_submodules = frozenset(name.split(".")[0] for name in self.renamed if "." in name)

    @classmethod
    def build(cls, old_paths: Iterable[str], path_map: Mapping[str, str], folder_map: Mapping[str, str],
              new_paths: Iterable[str], import_root: str, workspace_name: str = "") -> "ModuleTree":
        old_paths, new_paths = list(old_paths), list(new_paths)
        old_packages, new_packages = _packages(old_paths), _packages(new_paths)

        def names(path: str, packages: frozenset[str]) -> list[str | None]:
            return [_importable_name(path, import_root), _importable_name(path, ""),
                    _natural_name(path, packages, workspace_name)]

        old_modules = {prefix for path in old_paths if path.endswith(".py")
                       for name in names(path, old_packages) if name for prefix in _prefixes(name)}
        renamed: dict[str, str] = {}
        for old, new in [*path_map.items(), *folder_map.items()]:
            if not old.endswith(".py"):
                old, new = f"{old}/__init__.py", f"{new}/__init__.py"
            for old_name, new_name in zip(names(old, old_packages), names(new, new_packages)):
                if old_name and new_name and old_name != new_name:
                    renamed.setdefault(old_name, new_name)
        inputs = (tuple(old_paths), dict(path_map), dict(folder_map), tuple(new_paths), workspace_name)
        return cls(renamed, frozenset(old_modules), old_packages, new_packages, workspace_name, inputs)

    def with_root(self, folder: str) -> ModuleTree:
        """This tree, also knowing modules by their names from `folder` (a file that puts that
        folder on sys.path imports them so); its own names win where both name a module."""
        if folder not in self._from_roots:
            old_paths, path_map, folder_map, new_paths, workspace_name = self.build_inputs
            other = ModuleTree.build(old_paths, path_map, folder_map, new_paths, folder, workspace_name)
            self._from_roots[folder] = ModuleTree(
                {**other.renamed, **self.renamed}, self.old_modules | other.old_modules,
                self.old_packages, self.new_packages, self.workspace_name, self.build_inputs)
        return self._from_roots[folder]

    def new_name(self, old: str) -> str:
        """The new dotted name of module `old` (itself moved, or inside a moved package)."""
        if old in self.renamed:
            return self.renamed[old]
        parts = old.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:cut])
            if head in self.renamed:
                return ".".join([self.renamed[head], *parts[cut:]])
        return old

    def might_mention(self, text: str) -> bool:
        """A cheap test before parsing: can this text hold an import that changes?"""
        return "from ." in text or any(word in text for word in self._words)

    def package_of(self, path: str, after: bool) -> list[str] | None:
        """The package that holds a file, as name parts (None outside any package): what its
        relative imports are resolved against, before or after the moves."""
        packages = self.new_packages if after else self.old_packages
        folder = parent_of(path)
        if folder not in packages:
            return None
        name = _natural_name(f"{folder}/__init__.py" if folder else "__init__.py", packages, self.workspace_name)
        return name.split(".") if name else None


def _natural_name(path: str, packages: frozenset[str], workspace_name: str) -> str | None:
    """The name Python gives a file from the first folder above it that is not a package."""
    parts = [] if path.rsplit("/", 1)[-1] == "__init__.py" else [path.rsplit("/", 1)[-1][:-3]]
    folder = parent_of(path)
    while folder and folder in packages:
        parts.insert(0, folder.rsplit("/", 1)[-1])
        folder = parent_of(folder)
    if not folder and "" in packages and workspace_name:
        parts.insert(0, workspace_name)
    name = ".".join(parts)
    return name if name and all(part.isidentifier() for part in parts) else None


def _packages(paths: list[str]) -> frozenset[str]:
    return frozenset(parent_of(path) for path in paths if path.rsplit("/", 1)[-1] == "__init__.py")


def _importable_name(path: str, root: str) -> str | None:
    if root and not path.startswith(root + "/"):
        return None
    name = module_name(path, [root])
    return name if name and all(part.isidentifier() for part in name.split(".")) else None


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


# --- one file -------------------------------------------------------------------------------


def rewrite_imports(text: str, old_path: str, new_path: str, tree: ModuleTree,
                    style: ProjectStyle = ProjectStyle()) -> tuple[str, list[Notice]]:
    """`text` (the file at `old_path`, now at `new_path`) with every import of a moved module,
    and every relative import the file's own move changes, rewritten in place.

    `style`: what the project's configuration enforces (project_style.py). With a sorter, a
    run of imports holding a renamed one is put back in order, if it was in order before;
    with a formatter, a renamed import grown past the line length is wrapped its way."""
    if not tree.might_mention(text):
        return text, []
    try:
        module = parse_python(text)
    except (SyntaxError, ValueError):  # the plan refused files that do not parse; undecodable bytes
        return text, [Notice(new_path, 1, "could not be read as Python text: its imports were not checked")]
    for entry in folders_put_on_sys_path(old_path, text, module) if "sys.path" in text else ():
        tree = tree.with_root(entry.folder)
    rewriter = _FileRewriter(text, new_path, tree, tree.package_of(old_path, after=False),
                             tree.package_of(new_path, after=True))
    changed: list[ast.stmt] = []  # the import statements rewritten
    for node, in_class in _import_statements(module.body):
        edits_before = len(rewriter.edits)
        if isinstance(node, ast.ImportFrom):
            rewriter.import_from(node)
        else:
            rewriter.import_(node, in_class)
        if len(rewriter.edits) > edits_before:
            changed.append(node)
    rewriter.dotted_uses(module)
    rewriter.annotation_strings(module)
    if "import_module" in text or "__import__" in text:
        rewriter.relative_loads(module)
    new_text = replace_spans(text, rewriter.edits)
    if changed and style.sorts_imports:
        new_text = resort_runs(new_text, _old_sort_keys(changed, line_shift(rewriter.offsets, rewriter.edits)))
    if changed and style.wraps_at:
        new_text = replace_spans(new_text, wrap_long_imports(new_text, text, style.wraps_at))
    return keep_comment_columns(text, new_text), rewriter.notices


def _old_sort_keys(changed: list[ast.stmt], moved_to) -> dict[int, tuple]:
    """Each line of the new text that a rewritten statement now occupies (several, for a
    split), with the sort key the statement had before: what its run's old order is judged by."""
    keys = {}
    for node in changed:
        first = moved_to(node.lineno)
        for line in range(first, max(moved_to(node.end_lineno + 1), first + 1)):
            keys[line] = sort_key(node)
    return keys


# The statements that hold other statements (the rest cannot hold an import).
_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
             ast.With, ast.AsyncWith, ast.Try, ast.ExceptHandler, ast.Match, ast.match_case,
             *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


def _import_statements(body: list) -> Iterable[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement at any depth, and whether a class body holds it; statements
    only, no expression is visited (an import is a statement, and walking every expression
    node was most of this pass's time)."""
    pending = [(node, False) for node in reversed(body)]
    while pending:
        node, in_class = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, in_class
            continue
        if not isinstance(node, _COMPOUND):
            continue
        for name in STATEMENT_LISTS:
            inner = getattr(node, name, None)
            if inner:
                pending.extend((child, isinstance(node, ast.ClassDef)) for child in reversed(inner))


class _FileRewriter:
    def __init__(self, text: str, path: str, tree: ModuleTree, old_package, new_package):
        self.text = text
        self.path = path
        self.tree = tree
        self.old_package: list[str] | None = old_package
        self.new_package: list[str] | None = new_package
        self.offsets = LineOffsets(text)
        self.edits: list[tuple[int, int, str]] = []
        self.notices: list[Notice] = []
        self.renamed_chains: dict[str, str] = {}  # `import a.b` moved: uses of a.b become the new name
        self.renamed_attribute_chains: dict[str, str] = {}  # and `self.a.b`, for one in a class body
        self.bound_packages: set[str] = set()  # `import maigret`: `maigret.report.f()` reaches a submodule
        self.split = False  # a statement became several: the lines no longer pair up

    # --- from X import a, b ------------------------------------------------------------------

    def import_from(self, node: ast.ImportFrom) -> None:
        base = self._resolve(node.level, node.module, self.old_package)
        if base is None:
            return
        targets = [(alias, self._new_home(base, alias.name)) for alias in node.names]
        homes = list(dict.fromkeys(home for _, (home, _) in targets))
        if len(homes) > 1:
            self._split(node, targets)
            return
        written = self._written_module(node, homes[0])
        if written is None:
            return
        for alias, (_, leaf) in targets:
            if leaf != alias.name:
                self.edits.append((*self.offsets.span(alias), f"{leaf} as {alias.asname or alias.name}"))
        start, end, old_text = self._module_text(node)
        if written != old_text and written != _squeezed(old_text):
            glued = self.text.startswith("import", end)  # `from .import x`: a name needs a space before `import`
            written = written + " " if glued and not written.endswith(".") else written
            self.edits.append((start, end, written))
            self._shift_aligned_continuation(node, len(written) - (end - start))

    def _shift_aligned_continuation(self, node: ast.ImportFrom, shift: int) -> None:
        """`from bukuserver.forms import (a,` with `b)` below aligned under `a`: the module's new
        name moves the parenthesis, and the lines aligned with it move along (flake8's E128)."""
        if not shift or node.end_lineno == node.lineno:
            return
        first_start, first_end = self.offsets.line_bounds(node.lineno)
        parenthesis = self.text.find("(", self.offsets.span(node)[0], first_end)
        if parenthesis < 0 or not self.text[parenthesis + 1:first_end].strip():
            return  # a hanging indent (`(` ends the line) does not follow the parenthesis
        column = parenthesis + 1 - first_start
        for line in range(node.lineno + 1, node.end_lineno + 1):
            start, end = self.offsets.line_bounds(line)
            content = self.text[start:end]
            if len(content) - len(content.lstrip(" ")) == column and content.strip():
                self.edits.append((start, start, " " * shift) if shift > 0 else (start, start - shift, ""))

    def _new_home(self, base: str, name: str) -> tuple[str, str]:
        """Where `from base import name` finds `name` after the moves: (module, name there)."""
        if name != "*" and f"{base}.{name}" in self.tree.old_modules:
            new = self.tree.new_name(f"{base}.{name}")
            if "." in new:
                home, leaf = new.rsplit(".", 1)
                return home, leaf
            return "", new  # a submodule that became a top-level module
        return self.tree.new_name(base), name

    def _written_module(self, node: ast.ImportFrom, home: str) -> str | None:
        """The text that names `home` in this statement: the old text where it still does."""
        if home == "":
            self._notice(node, "names a module that is now top-level; `from . import` cannot express it: left as is")
            return None
        if node.level == 0:
            return home
        if self.new_package is not None and self._resolve(node.level, node.module, self.new_package) == home:
            return self._module_text(node)[2]
        relative = _relative(self.new_package or [], home.split("."))
        if relative is None:
            self._notice(node, f"the relative import now names `{home}`, outside this package: written absolute")
            return home
        return relative

    def _split(self, node: ast.ImportFrom, targets) -> None:
        """The names now live in different modules: one statement per module, in the same place."""
        by_home: dict[str, list[str]] = {}
        for alias, (home, leaf) in targets:
            bound = alias.asname or alias.name
            by_home.setdefault(home, []).append(leaf if leaf == bound else f"{leaf} as {bound}")
        statements = []
        for home, names in by_home.items():
            written = home if node.level == 0 else (_relative(self.new_package or [], home.split(".")) or home)
            statements.append(f"from {written} import {', '.join(names)}")
        start, end = self.offsets.span(node)
        indent = self.text[self.offsets.line_bounds(node.lineno)[0]:start]
        separator = self.offsets.newline() + indent if not indent.strip() else "; "
        self.edits.append((start, end, separator.join(statements)))
        self.split = True
        self._notice(node, "its names now live in " + ", ".join(f"`{h}`" for h in by_home) + ": split into one import each")

    def _module_text(self, node: ast.ImportFrom) -> tuple[int, int, str]:
        """Span and text of the module part of `from <module> import ...`."""
        start, end = self.offsets.span(node)
        match = _FROM_MODULE.match(self.text, start, end)
        assert match is not None, "a parsed from-import always matches"
        return match.start("module"), match.end("module"), match.group("module")

    def _resolve(self, level: int, module: str | None, package: list[str] | None) -> str | None:
        if level == 0:
            return module
        if package is None or level - 1 > len(package):
            return None
        base = package[: len(package) - (level - 1)]
        name = ".".join(base + ([module] if module else []))
        return name or None

    # --- import a, b.c as d -----------------------------------------------------------------

    def import_(self, node: ast.Import, in_class: bool = False) -> None:
        for alias in node.names:
            head = alias.name.split(".")[0]
            if alias.asname is None and head in self.tree.heads_of_moved_submodules:
                self.bound_packages.add(head)
            new = self.tree.new_name(alias.name)
            if new == alias.name:
                continue
            if alias.asname:
                self.edits.append((*self.offsets.span(alias), f"{new} as {alias.asname}"))
            elif "." not in alias.name:
                self._rebind_plain(node, alias, new)
            else:
                self._rename_dotted(node, alias, new, in_class)

    def _rebind_plain(self, node: ast.Import, alias: ast.alias, new: str) -> None:
        """`import agent` binds `agent`: the new statement binds the same name to the new module."""
        if len(node.names) > 1 or "." not in new:
            self.edits.append((*self.offsets.span(alias), f"{new} as {alias.name}"))
            return
        home, leaf = new.rsplit(".", 1)
        written = f"from {home} import {leaf}" + (f" as {alias.name}" if leaf != alias.name else "")
        self.edits.append((*self.offsets.span(node), written))

    def _rename_dotted(self, node: ast.Import, alias: ast.alias, new: str, in_class: bool) -> None:
        """`import a.b` binds `a`, and the code says `a.b.f()`: both name the new module.
        In a class body it binds a class attribute, used as `self.a.b.f()`."""
        self.edits.append((*self.offsets.span(alias), new))
        self.renamed_chains[alias.name] = new
        if in_class:
            self.renamed_attribute_chains[alias.name] = new
        if alias.name.split(".")[0] != new.split(".")[0]:
            self._notice(node, f"`import {alias.name}` now binds `{new.split('.')[0]}`: "
                               f"uses of `{alias.name}` are renamed, other uses of `{alias.name.split('.')[0]}` are not")

    def dotted_uses(self, module: ast.Module) -> None:
        """`a.b.f()` after `import a.b` moved: the longest chain that names a moved module. So
        also after a plain `import maigret`: `maigret.report.f()` reaches the submodule as an
        attribute of its package, there once any import loaded it (maigret's web app)."""
        if not self.renamed_chains and not self.bound_packages:
            return
        pending: list[ast.AST] = [module]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.Attribute) and (name := dotted_name(node)) is not None:
                new = self.renamed_chains.get(name) or self._moved_submodule_of_bound_package(name)
                if new is not None:
                    self.edits.append((*self.offsets.span(node), new))
                    continue
                if self._attribute_chain(node, name):
                    continue
            pending.extend(ast.iter_child_nodes(node))

    def _moved_submodule_of_bound_package(self, chain: str) -> str | None:
        head = chain.split(".")[0]
        if head not in self.bound_packages or chain not in self.tree.old_modules:
            return None
        new = self.tree.new_name(chain)
        return new if new != chain and new.split(".")[0] == head else None

    def annotation_strings(self, module: ast.Module) -> None:
        """A string annotation names the local binding (`-> "a.b.Thing"`): it follows the code's
        `a.b` chains. Plain single-line literals only, whose text is their value."""
        if not self.renamed_chains:
            return
        for literal in _annotation_literals(module):
            start, end = self.offsets.span(literal)
            source = self.text[start:end]
            if len(source) < 2 or source[0] not in "'\"" or source[1:-1] != literal.value:
                continue  # a prefix, escapes, implicit concatenation or triple quotes: left alone
            renamed = _CHAIN_IN_TEXT.sub(lambda match: self._renamed_chain(match.group()), literal.value)
            if renamed != literal.value:
                self.edits.append((start + 1, end - 1, renamed))

    def relative_loads(self, module: ast.Module) -> None:
        """A relative import written as a call (`source_text.relative_load`), resolved like the
        statement form: its dots, or `__import__`'s level, recomputed for where both are now."""
        for call in ast.walk(module):
            load = relative_load(call)
            if load is None or not load.follows_moves:
                continue
            base = self._resolve(load.level, load.name or None, self.old_package)
            if base is None or self.tree.new_name(base) == base and self.old_package == self.new_package:
                continue
            target = self.tree.new_name(base)
            if self.new_package is not None and self._resolve(load.level, load.name or None, self.new_package) == target:
                continue
            written = _relative(self.new_package or [], target.split(".")) or target
            level = len(written) - len(written.lstrip("."))
            if load.level_node is None:
                self._replace_literal(load.name_node, load.level * "." + load.name, written)
            elif written[level:] and self._replace_literal(load.name_node, load.name, written[level:]) \
                    and level != load.level:
                start, end = self.offsets.span(load.level_node)
                self.edits.append((start, end, str(level)))  # 0 across top-level packages: absolute

    def _replace_literal(self, literal: ast.Constant, value: str, new_value: str) -> bool:
        """A plain string literal's text between its quotes; False (nothing done) for any other spelling."""
        start, end = self.offsets.span(literal)
        if self.text[start:end][1:-1] != value:
            return False
        self.edits.append((start + 1, end - 1, new_value))
        return True

    def _renamed_chain(self, dotted: str) -> str:
        """`a.b.Thing` with its longest renamed head (`a.b`) written anew."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            head = ".".join(parts[:cut])
            if head in self.renamed_chains:
                return ".".join([self.renamed_chains[head], *parts[cut:]])
        return dotted

    def _attribute_chain(self, node: ast.Attribute, name: str) -> bool:
        """`self.a.b` (or `Cls.a.b`) for a class body's `import a.b`: the `a.b` part is renamed."""
        for chain, new in self.renamed_attribute_chains.items():
            start, end = self.offsets.span(node)
            text = self.text[start:end]
            if name.endswith("." + chain) and text.endswith("." + chain):
                self.edits.append((end - len(chain), end, new))
                return True
        return False

    def _notice(self, node: ast.AST, message: str) -> None:
        self.notices.append(Notice(self.path, node.lineno, message))


# `from` <module> `import`: the module part, with its dots, between the keywords. Either may be
# separated by spaces or backslash continuations; `from .import x` needs none.
_GAP = r"(?:[ \t\f]|\\\r?\n|\\\r)"
_FROM_MODULE = re.compile(rf"from{_GAP}*(?P<module>[.\w]+(?:{_GAP}*[.\w]+)*?)(?:{_GAP}+|(?<=\.))import\b")


# A dotted name inside a string annotation, not preceded by a dot (`a.b` in `Optional[a.b.T]`).
_CHAIN_IN_TEXT = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _annotation_literals(module: ast.Module) -> Iterable[ast.Constant]:
    """String constants inside annotations: of arguments, returns and annotated assignments."""
    for node in ast.walk(module):
        annotations: list = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            annotations = [argument.annotation for argument in every if argument is not None] + [node.returns]
        elif isinstance(node, ast.AnnAssign):
            annotations = [node.annotation]
        for annotation in annotations:
            if annotation is not None:
                yield from (inner for inner in ast.walk(annotation)
                            if isinstance(inner, ast.Constant) and isinstance(inner.value, str))


def _squeezed(written: str) -> str:
    return re.sub(_GAP, "", written)


def _relative(package: list[str], target: list[str]) -> str | None:
    """`target` as seen from a module of `package` with the fewest dots; None across top-level packages."""
    common = 0
    while common < min(len(package), len(target)) and package[common] == target[common]:
        common += 1
    if common == 0:
        return None
    dots = "." * (len(package) - common + 1)
    return dots + ".".join(target[common:])
