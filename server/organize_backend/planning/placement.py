"""The `auto` layout: where each module of the flat folder goes, decided for the folder as a whole.

A preset (`layouts.classify`) looks at one file at a time. Maintainers who reorganize a
folder by hand look at all of it: which modules share a name (`filesystem_ext4.py`,
`filesystem_xfs.py`), which packages exist already, what each module does, and who
imports whom. This layout does the same, in this order; the first answer wins:

1. what the user said (keep globs, package rules) and what must stay (entry points, files
   that can only be run by path, package metadata, the modules a framework imports by name
   (a Django app's models.py, admin.py: django_apps.py), a module that builds the app, a module
   with a `__main__` block that no file of the application imports);
2. tests, and seed/migration scripts;
3. the skill preset's name rules, where the folder is the AI chat backend it was written for;
4. a word of the name that names a package the folder has already (`git_ops` -> git/);
5. families: modules sharing the first words of their names (`bootloader_config_*` ->
   bootloader/config/) or the last one (`*_emulator` -> emulators/);
6. a word of the name that names a kind of module (`user_service` -> services, `db_helper` ->
   utils): a topic anywhere, else the last such word;
7. what the code is (`signals.py`): routes -> api, ORM tables and schemas -> models, a settings
   class -> config, database set-up -> database, a client of an outside API -> clients, ...;
8. the import graph: a module goes where most of the modules it talks to went;
9. what is left goes to core/ (or the folder's existing core, lib, common, app or domain
   package), in a package as in a folder of top-level modules, even what only the entry points
   use: maintainers leave little at a folder's top; a folder named core keeps it at its top;
10. no new package holds one module (config/config.py, database/db.py): that module joins
   core/, or stays where there is none. The plan (plan.py) places the folder again when its
   checks keep a module, so that this holds for what then moves.

Every placement carries its reason, naming the signal that decided it.
"""

from __future__ import annotations

import keyword
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Callable, Mapping, Sequence

from organize_backend.planning.import_graph import ModuleGraph
from organize_backend.planning.layouts import (
    ENTRY_POINTS,
    NO_SIGNAL,
    PRESETS,
    SCRIPT_LIKE_NAMES,
    SCRIPT_NAMES,
    TEST_NAMES,
    USER_RULE,
    Placement,
    classify,
    first_match,
)
from organize_backend.planning.signals import STRONG, ModuleFacts, read_module

# A word of a module's name -> the package that kind of module goes to. Where a word is in two
# kinds, the first listed wins.
VOCABULARY: tuple[tuple[str, frozenset[str]], ...] = (
    ("chatkit", frozenset({"chatkit"})),
    ("agents", frozenset({"agent", "agents"})),
    ("auth", frozenset({"auth", "authentication", "authorization", "login", "logout", "jwt", "password",
                        "passwords", "permission", "permissions", "oauth", "oauth2", "security", "signup"})),
    ("config", frozenset({"config", "configs", "configuration", "settings", "conf", "constants", "consts", "env"})),
    ("data", frozenset({"vector", "vectors", "embedding", "embeddings", "indexer", "index", "ingest", "ingestion",
                        "loader", "loaders", "storage", "cache"})),
    ("models", frozenset({"model", "models", "schema", "schemas", "entity", "entities", "dto", "dtos"})),
    ("database", frozenset({"db", "database", "databases", "repository", "repositories", "repo", "repos", "crud",
                            "dao", "sqlite", "orm", "migration", "migrations"})),
    ("api", frozenset({"api", "apis", "route", "routes", "router", "routers", "endpoint", "endpoints", "view",
                       "views", "controller", "controllers", "urls", "websocket", "webhook", "webhooks"})),
    ("services", frozenset({"service", "services", "rag"})),
    ("clients", frozenset({"client", "clients", "sdk"})),
    ("utils", frozenset({"util", "utils", "utility", "utilities", "helper", "helpers", "common", "misc"})),
)
# Kinds that are what a module is about, wherever the word sits in its name.
TOPICS = frozenset({"chatkit", "agents", "auth", "config"})
# Packages a folder may already have under another name: the project's own word wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "config": ("config", "configs", "configuration", "settings", "conf", "core.config"),
    "models": ("models", "model", "schemas", "schema", "entities"),
    "database": ("database", "db", "repositories", "repository", "storage", "persistence"),
    "api": ("api", "routes", "routers", "endpoints", "views", "controllers", "handlers"),
    "services": ("services", "service"),
    "clients": ("clients", "client", "integrations", "providers"),
    "utils": ("utils", "util", "utilities", "helpers", "common", "lib"),
    "core": ("core", "lib", "common", "app", "domain"),
    "tests": ("tests", "test"),
    "scripts": ("scripts", "bin", "tools"),
    "agents": ("agents", "agent"),
    "auth": ("auth", "security"),
    "data": ("data", "storage"),
}
# What a role read from the code (signals.py) means for where the module goes.
ROLE_PACKAGES = {
    "api": "api", "models": "models", "schemas": "models", "db": "database", "config": "config",
    "clients": "clients", "auth": "auth", "agents": "agents", "data": "data", "chatkit": "chatkit",
    "services": "services",  # tests: `_test_or_script`, which knows what the application imports
}
# First words that say nothing about what a module is about.
_NOT_A_FAMILY = frozenset({
    "base", "common", "core", "get", "set", "my", "new", "old", "main", "app", "test", "tests", "run", "do",
    "make", "simple", "basic", "default", "abstract", "generic", "py",
})
_NO_SIGNAL = "no name or code signal"  # the start of the reason for what is left over
# Fewer modules named alike are a coincidence more often than a package (measured on bench/reorgs).
FAMILY_SIZE = 3
# Last words that make no family: `*_utils` are utils (a kind), `*_base` bases of many families.
_NOT_A_SUFFIX_FAMILY = frozenset({"base", "py", "main", "test", "v1", "v2", "old", "new"})
# Modules that tools and users read where they are: `pkg.__version__`, build backends' version files.
PACKAGE_METADATA = frozenset({"__version__", "__about__", "_version", "version", "__meta__"})


def is_test_file(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return any(part in ("tests", "test") for part in parts[:-1]) or bool(first_match(parts[-1], TEST_NAMES))


@dataclass(frozen=True)
class Folder:
    """The flat folder as the planner sees it."""

    modules: Mapping[str, str]  # file name -> source
    graph: ModuleGraph  # who imports whom among them
    existing_packages: frozenset[str] = frozenset()  # names of packages (folders) already in the folder
    name: str = ""  # the folder's own name: "utils" for backend/utils/
    run_by: Mapping[str, str] = field(default_factory=dict)  # stem -> how the project runs it (an entry point)
    # stem -> why a framework imports the module by its name (django_apps: a Django app's admin.py)
    conventions: Mapping[str, str] = field(default_factory=dict)
    # stem -> why the plan's checks keep it where it is (a lookup by its package name, a name no rewrite follows)
    staying: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        """What the folder itself is, by its name (`utils/` is the utils package)."""
        return _kind_of(self.name.lower()) or ("core" if self.name.lower() in SYNONYMS["core"] else None)


def place_folder(folder: Folder, rules: Mapping[str, Sequence[str]] | None = None, keep: Sequence[str] = (),
                 strip_affixes: bool = False) -> dict[str, Placement]:
    """A placement for every module of `folder`, by file name."""
    stems = {name: name[:-3] for name in folder.modules}
    facts = {stem: read_module(name, folder.modules[name]) for name, stem in stems.items()}
    planner = _Planner(folder, facts, folder.graph, rules or {}, keep)
    placements = planner.run()
    if strip_affixes:
        placements = _without_affixes(placements)
    return {name: placements[stems[name]] for name in folder.modules}


# --- words of a name ------------------------------------------------------------------------


def words(stem: str) -> list[str]:
    """`user_service` -> [user, service]; `BiblesSqlite` -> [bibles, sqlite]; `HTTPClient` -> [http, client]."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", stem)
    return [word.lower() for word in re.split(r"[_\W]+", spaced) if word]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word if word.endswith("s") else word + "s"


# --- the planner ------------------------------------------------------------------------------


class _Planner:
    def __init__(self, folder: Folder, facts: Mapping[str, ModuleFacts | None], graph: ModuleGraph,
                 rules: Mapping[str, Sequence[str]], keep: Sequence[str]) -> None:
        self.folder = folder
        self.facts = facts
        self.graph = graph
        self.rules = {package: (patterns,) if isinstance(patterns, str) else tuple(patterns)
                      for package, patterns in rules.items()}
        self.keep = keep
        self.placed: dict[str, Placement] = {}
        self.families = _families(list(facts))
        self.skill = _skill_preset_if_it_fits(folder)

    def run(self) -> dict[str, Placement]:
        steps: tuple[Callable[[str], Placement | None], ...] = (
            self._kept_by_user, self._user_rule, self._must_stay, self._test_or_script, self._by_skill_preset,
            self._by_existing_package, self._by_family, self._by_name, self._by_code,
        )
        for step in steps:
            for stem in self.facts:
                if stem not in self.placed:
                    placement = step(stem)
                    if placement is not None:
                        self.placed[stem] = placement
        self._by_graph()
        for stem in self.facts:
            self.placed.setdefault(stem, self._left_over())
        self._no_new_package_for_one_module()
        return self.placed

    def package(self, kind: str) -> str:
        """The folder's own package for a kind of module, else the kind's usual name."""
        for name in SYNONYMS.get(kind, (kind,)):
            if name in self.folder.existing_packages:
                return name
        return kind

    # --- what the user said, what must stay ---

    def _kept_by_user(self, stem: str) -> Placement | None:
        pattern = first_match(f"{stem}.py", self.keep)
        return Placement(None, f'kept by keep glob "{pattern}"') if pattern else None

    def _user_rule(self, stem: str) -> Placement | None:
        # a wildcard must not sweep what must stay by name (entry points, what the project runs,
        # conventions); a rule naming the module moves it
        fixed = f"{stem}.py" in ENTRY_POINTS or stem in self.folder.run_by or stem in self.folder.conventions
        for package, patterns in self.rules.items():
            named = next((pattern for pattern in patterns if pattern in (stem, f"{stem}.py")), None)
            pattern = named if fixed else named or first_match(f"{stem}.py", patterns)
            if pattern:
                return Placement(package, f'package rule "{package}": "{pattern}"', decided_by=USER_RULE)
        return None

    def _must_stay(self, stem: str) -> Placement | None:
        facts = self.facts[stem]
        if not stem.isidentifier() or keyword.iskeyword(stem):
            return Placement(None, f'"{stem}.py" is not an importable module name: it can only be run by path')
        if stem == "setup" and facts is not None and not facts.imports & {"setuptools", "distutils.core"}:
            return None  # a module named setup that is not a setup script is an ordinary module
        if f"{stem}.py" in ENTRY_POINTS:
            return Placement(None, "entry point: kept at the root")
        if stem in self.folder.run_by:
            return Placement(None, f"entry point: {self.folder.run_by[stem]}")
        if stem in self.folder.conventions:
            return Placement(None, self.folder.conventions[stem])
        if stem in self.folder.staying:
            return Placement(None, self.folder.staying[stem])
        if stem in PACKAGE_METADATA:
            return Placement(None, f"package metadata: read at the top of its package (`{stem}`)")
        if facts is None:
            return None
        app = next((role for role in facts.roles if role.name == "app"), None)
        if app is not None:
            return Placement(None, f"entry point: {app.evidence}")
        if facts.has_main_block and not self._imported(stem) and stem not in self.families \
                and not first_match(f"{stem}.py", SCRIPT_NAMES):
            return Placement(None, "entry point: has a __main__ block and no module imports it")
        return None

    def _imported(self, stem: str) -> bool:
        """Imported by a module of the application: a test importing a launcher to test it does not
        make the launcher a library."""
        importers = [name for name in self.graph.importers.get(stem, ()) if not first_match(f"{name}.py", TEST_NAMES)]
        elsewhere = [path for path in self.graph.used_elsewhere.get(stem, ()) if not is_test_file(path)]
        return bool(importers or elsewhere)

    def _test_or_script(self, stem: str) -> Placement | None:
        facts = self.facts[stem]
        pattern = first_match(f"{stem}.py", TEST_NAMES)
        if pattern:
            return Placement(self.package("tests"), f'a test module (name matches "{pattern}")')
        role = next((role for role in facts.roles if role.name == "tests"), None) if facts else None
        if role is not None and not self._imported(stem):  # AppDaemon's pyversions.py: test_* helpers the app calls
            return Placement(self.package("tests"), role.evidence)
        pattern = first_match(f"{stem}.py", SCRIPT_NAMES)
        if pattern is None and facts is not None and facts.has_main_block:
            pattern = first_match(f"{stem}.py", SCRIPT_LIKE_NAMES)
        if pattern:
            return Placement(self.package("scripts"), f'a script (name matches "{pattern}")')
        return None

    # --- names ---

    def _by_skill_preset(self, stem: str) -> Placement | None:
        return self.skill.get(stem)

    def _by_existing_package(self, stem: str) -> Placement | None:
        """A word of the name that names a package the folder has (`git_ops` -> git/, `NoteSqlite` -> db/)."""
        name_words = words(stem)
        for word in name_words:
            for candidate in (word, _plural(word), _singular(word)):
                if candidate in self.folder.existing_packages:
                    return Placement(candidate, f'name says "{word}": the folder has {candidate}/')
        for word in reversed(name_words):  # the kind is said last: NoteSqlite, user_service
            kind = _kind_of(word)
            package = self.package(kind) if kind else None
            if package in self.folder.existing_packages and kind != self.folder.kind:
                return Placement(package, f'name says "{word}": the folder has {package}/ for those')
        return None

    def _by_name(self, stem: str) -> Placement | None:
        """A topic word anywhere (`auth_middleware`, `model_routing_config`), else the last word
        that names a kind: names say the kind last (`db_helper` is a helper, `user_model` a model)."""
        name_words = words(stem)
        topical = [word for word in name_words if _kind_of(word) in TOPICS]
        kinds = [word for word in reversed(name_words) if _kind_of(word)]
        word = next(iter(topical + kinds), None)
        if word is None:
            return None
        kind = _kind_of(word)
        if kind == self.folder.kind:
            return None  # a util in utils/ is where it belongs
        return Placement(self.package(kind), f'name says "{word}"', affix=word)

    def _by_family(self, stem: str) -> Placement | None:
        family = self.families.get(stem)
        if family is None:
            return None
        top = self.package(_kind_of(family.package[0]) or family.package[0])
        if top == self.folder.kind:
            return None  # utils/ is already the utils package: a family of utils says nothing more
        package = ".".join((top, *family.package[1:]))
        members = family.members
        shown = ", ".join(f"{member}.py" for member in sorted(members)[:3]) + (", ..." if len(members) > 3 else "")
        return Placement(package, f"a family of {len(members)} modules named alike ({shown})", affix=family.affix)

    # --- the code ---

    def _by_code(self, stem: str) -> Placement | None:
        facts = self.facts[stem]
        if facts is None:
            return None
        for role in sorted(facts.roles, key=lambda role: -role.strength):
            if role.strength >= STRONG and role.name in ROLE_PACKAGES:
                if ROLE_PACKAGES[role.name] == self.folder.kind:
                    return None
                return Placement(self.package(ROLE_PACKAGES[role.name]), role.evidence)
        return None

    def _by_graph(self) -> None:
        """Modules no name or code signal placed join the package most of their neighbours went to.

        Repeated until nothing changes, so a chain of helpers follows the module it serves."""
        changed = True
        while changed:
            changed = False
            for stem in self.facts:
                if stem in self.placed:
                    continue
                placement = self._joining_neighbours(stem)
                if placement is not None:
                    self.placed[stem] = placement
                    changed = True

    def _joining_neighbours(self, stem: str) -> Placement | None:
        votes: Counter[str] = Counter()
        for neighbour in self.graph.neighbours(stem):
            placement = self.placed.get(neighbour)
            if placement is not None and placement.package is not None and placement.package != "tests":
                votes[placement.package] += 1
        if not votes:
            return None
        (package, count), = votes.most_common(1)
        talking = len([n for n in self.graph.neighbours(stem) if self.placed.get(n, Placement(None, "")).package
                       != "tests"])
        if count * 2 <= talking:
            return None
        return Placement(package, f"imports or is imported by {count} of the modules in {package}/")

    def _left_over(self) -> Placement:
        if self.skill:
            return Placement(None, "no rule matched: the skill preset, which fits this folder, keeps it at the root")
        # Maintainers who reorganize a folder, package or not, leave little at its top, not even
        # what only its entry points use: in bench/reorgs they moved 16 of the 17 modules that
        # only entry points import, and moving what no signal places agreed with their
        # move-or-stay choice for 73% of modules (25 development cases) against 47% when it stayed.
        generic = self._existing_generic_package()
        if generic:
            return Placement(generic, f"{_NO_SIGNAL}: joins {generic}/, the folder's general package",
                             decided_by=NO_SIGNAL)
        core = self._free_core_name()
        if core == self.folder.name:  # src/app/core/core/ would say nothing more
            return Placement(None, f"{_NO_SIGNAL}: {core}/ is the application's core already")
        return Placement(core, f"{_NO_SIGNAL}: the application's core ({core}/), not the top level",
                         decided_by=NO_SIGNAL)

    def _no_new_package_for_one_module(self) -> None:
        """A new package that would hold one module only adds a level to its imports: config.py
        alone in config/, db.py alone in database/. Maintainers put such a module with others or
        left it (in bench/reorgs, 14 of the 15 the planner placed alone under its own name): it
        joins the core package with what no signal places, or stays where there is none. The
        user's rules, the skill preset's layout, existing packages and the folders tools find by
        name (tests/, scripts/, but not tests/tests.py) are left as they are."""
        members = Counter(placement.package for placement in self.placed.values())
        core = next((p.package for p in self.placed.values() if p.package and p.decided_by == NO_SIGNAL), None)
        lone = [stem for stem, placement in self.placed.items() if self._alone_in_a_new_package(stem, members)]
        joining = [stem for stem in lone if self.placed[stem].package != core and not first_match(f"{stem}.py", TEST_NAMES)]
        if core and members[core] + len(joining) < 2:
            core = None  # the core would be a package of one module too
        for stem in lone:
            package = self.placed[stem].package
            alone = f"{package.replace('.', '/')}/{stem}.py would hold only it"
            if core and stem in joining:  # tests.py is no part of the core (scout)
                self.placed[stem] = Placement(core, f"{alone}: joins {core}/, the application's core")
            elif package != core or core is None:
                self.placed[stem] = Placement(None, f"{alone}: stays at the top")

    def _alone_in_a_new_package(self, stem: str, members: Counter) -> bool:
        placement = self.placed[stem]
        package = placement.package
        found_by_name = package in (*SYNONYMS["tests"], *SYNONYMS["scripts"]) and package != stem  # not tests/tests.py
        return package is not None and members[package] == 1 and package not in self.folder.existing_packages \
            and not found_by_name and placement.decided_by != USER_RULE and stem not in self.skill

    def _free_core_name(self) -> str:
        """core, unless a module of the folder is named so: `pkg.core` would then name the new
        package, without what the module held (pypiserver.core and its PkgFile)."""
        return next((name for name in SYNONYMS["core"] if name not in self.facts), "core_modules")

    def _existing_generic_package(self) -> str | None:
        for name in SYNONYMS["core"]:
            if name in self.folder.existing_packages:
                return name
        return None


@dataclass(frozen=True)
class Family:
    package: tuple[str, ...]  # ("bootloader", "config"): nested packages, outermost first
    members: tuple[str, ...]  # stems of every module named alike, the whole family
    affix: str  # the words the package makes redundant in a member's name: "bootloader_config"


# The skill preset (seed 000) is the default where it fits: where its name rules speak for
# most of the folder, the folder is the kind of backend the preset was written for.
SKILL_FITS = 0.6
# ... and the folder is the kind it was written for, an AI chat backend: agents, chatkit, vector data.
SKILL_SIGNATURE = frozenset({"agents", "chatkit", "data"})


def _skill_preset_if_it_fits(folder: Folder) -> dict[str, Placement]:
    """stem -> the skill preset's placement by name, for every module its name rules place, when
    they place at least SKILL_FITS of the folder's modules (tests and entry points aside) and two of
    its signature packages, or the folder has three of the preset's packages already; else {}."""
    by_name: dict[str, Placement] = {}
    counted = 0
    for name, source in folder.modules.items():
        stem = name[:-3]
        if name in ENTRY_POINTS or first_match(name, TEST_NAMES):
            continue
        counted += 1
        placement = classify(name, "", "skill")  # no source: its name rules alone
        if "name matches" in placement.reason:
            by_name[stem] = placement
    organized_already = folder.existing_packages & set(PRESETS["skill"])
    signature = {placement.package for placement in by_name.values()} & SKILL_SIGNATURE
    if len(organized_already) >= 3:  # an earlier organize made these: the preset fits still
        share = f"the folder has {', '.join(f'{name}/' for name in sorted(organized_already))}"
    elif counted and len(by_name) >= SKILL_FITS * counted and len(signature) >= 2:
        share = f"{len(by_name)} of {counted} modules"
    else:
        return {}
    return {stem: Placement(p.package, f"{p.reason.replace('(skill preset)', '(skill preset: ' + share + ')')}")
            for stem, p in by_name.items()}


def _families(stems: Sequence[str]) -> dict[str, Family]:
    """stem -> Family for modules named alike, at least FAMILY_SIZE of them.

    A shared first word makes a package of that name (`filesystem.py`, `filesystem_xfs.py` ->
    filesystem/), named by the words all members share (`package_manager_*` -> package_manager/);
    inside it, members sharing the next word as well form a nested package
    (`bootloader_config_*` -> bootloader/config/). A shared last word makes a package of its
    plural (`lfi_emulator.py`, `xss_emulator.py` -> emulators/). First words win."""
    named = {stem: words(stem) for stem in stems if words(stem) and not first_match(f"{stem}.py", TEST_NAMES)}
    families: dict[str, Family] = {}
    by_first: dict[str, list[str]] = {}
    for stem, name_words in named.items():
        by_first.setdefault(_singular(name_words[0]), []).append(stem)
    for word, members in by_first.items():
        if len(members) >= FAMILY_SIZE and word not in _NOT_A_FAMILY and _can_name_a_package(word) \
                and any(len(named[m]) > 1 for m in members):
            common = _common_prefix([named[m] for m in members])
            for member in members:
                families[member] = _nested(member, named, members, common)
    by_last: dict[str, list[str]] = {}
    for stem, name_words in named.items():
        if stem not in families and len(name_words) > 1:
            by_last.setdefault(_singular(name_words[-1]), []).append(stem)
    for word, members in by_last.items():
        if len(members) >= FAMILY_SIZE and word not in _NOT_A_SUFFIX_FAMILY and _can_name_a_package(word):
            for member in members:
                families[member] = Family((_kind_of(word) or _plural(word),), tuple(members), named[member][-1])
    return families


def _can_name_a_package(word: str) -> bool:
    """A word that can be a package's name (not `class`, `2fa`)."""
    return word.isidentifier() and not keyword.iskeyword(word)


def _nested(member: str, named: Mapping[str, list[str]], members: Sequence[str], common: list[str]) -> Family:
    """The family package of `member`, one level deeper where two or more share the next word."""
    depth = len(common)
    own = named[member]
    if len(own) > depth + 1 or (len(own) == depth + 1 and own[-1] not in ("base",)):
        next_word = own[depth]
        siblings = [m for m in members if len(named[m]) > depth and named[m][depth] == next_word]
        if len(siblings) >= 2 and len(siblings) < len(members):
            return Family(("_".join(common), next_word), tuple(siblings), "_".join(own[:depth + 1]))
    return Family(("_".join(common),), tuple(members), "_".join(common))


def _common_prefix(names: Sequence[list[str]]) -> list[str]:
    common: list[str] = []
    for position_words in zip(*names):
        if len({_singular(word) for word in position_words}) != 1:
            break
        common.append(position_words[0])
    return common or [names[0][0]]


def _kind_of(word: str) -> str | None:
    return next((kind for kind, vocabulary in VOCABULARY if word in vocabulary), None)


def _without_affixes(placements: Mapping[str, Placement]) -> dict[str, Placement]:
    """`user_service` in services/ -> services/user.py, `filesystem_ext4` in filesystem/ -> ext4.py:
    the package says what the words said. A name that would be empty, not importable, a standard
    library module's, or taken in the same package keeps its own name."""
    renamed = dict(placements)
    taken: dict[str | None, set[str]] = {}
    for stem, placement in placements.items():
        taken.setdefault(placement.package, set()).add(stem)
    for stem, placement in sorted(placements.items()):
        if placement.package is None or not placement.affix:
            continue
        new_stem = _strip(stem, placement.affix)
        if new_stem is None or new_stem in taken[placement.package]:
            continue
        taken[placement.package].add(new_stem)
        renamed[stem] = replace(placement, file_name=f"{new_stem}.py",
                                reason=f"{placement.reason}; renamed: {placement.package.split('.')[-1]}/ says "
                                       f'"{placement.affix}" (strip_affixes)')
    return renamed


def _strip(stem: str, affix: str) -> str | None:
    """`stem` without the words of `affix` at its start or end, keeping its own spelling."""
    for pattern in (rf"^{re.escape(affix)}_+(?P<rest>.+)$", rf"^(?P<rest>.+?)_+{re.escape(affix)}s?$"):
        match = re.match(pattern, stem, re.IGNORECASE)
        if match:
            rest = match["rest"]
            usable = rest.isidentifier() and not keyword.iskeyword(rest) and rest not in sys.stdlib_module_names
            return rest if usable else None
    return None
