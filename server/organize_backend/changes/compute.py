"""Third stage: a Plan becomes a ChangeSet (data), without touching the user's files.

rope moves the modules on a scratch copy; then each pass edits the original texts in
place, recorded as a step so a sink can tell safe edits from inferred ones:

    rope moves -> imports (in place) -> file-relative paths -> strings, config, docs
               -> packaging lists of packages -> README tree

The README tree is the whole-folder organize's business only: a single move or an explorer
rename changes references, nothing else.
"""

from __future__ import annotations

import codecs
import io
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import PurePosixPath

from organize_backend.changes.gitignore import GitIgnore
from organize_backend.changes.imports import ModuleTree, Notice, rewrite_imports
from organize_backend.changes.package_lists import listed_packages_edits
from organize_backend.changes.project_style import ProjectStyle, docs_formatter, style_policy
from organize_backend.changes.readme import (
    ASCII, BOX, BOX_CHARACTERS, BrokenBlock, is_shown, render_tree, update_structure_section,
)
from organize_backend.changes.references import (
    cog_regions,
    globs_that_change_what_they_match,
    is_docs_import_line,
    rewrite_references,
)
from organize_backend.changes.rope_moves import RopeResult, run_moves
from organize_backend.model import Category, ChangeSet, FileChange, Plan, Snapshot, decode
from organize_backend.planning.hazards import adjust_file_relative_paths, adjust_modules_file_paths
from organize_backend.snapshot import parent_of, relocated, source_roots
from organize_backend.two_processes import split_work

BOM = b"\xef\xbb\xbf"


def compute_changes(snapshot: Snapshot, plan: Plan) -> ChangeSet:
    roots = source_roots(snapshot)
    moved = run_moves(snapshot, plan.moves)
    path_map = {original: final for final, original in moved.origin.items() if original != final}
    tree = module_tree(snapshot, moved, path_map)
    module_map = tree.renamed  # every name a moved module is known by: imports and strings agree
    steps: dict[str, list[tuple[Category, bytes]]] = {}  # final path -> steps
    current: dict[str, bytes] = {}  # final path -> bytes after the passes so far
    origin: dict[str, str] = {}  # final path -> original path

    style_of = style_policy(snapshot.files)  # read once: the import pass and the length check both ask
    imports, notices = _imports_rewritten(snapshot, moved, tree, style_of)
    for final, data in moved.files.items():
        original = moved.origin.get(final)
        if original is None:
            current[final] = data
            steps[final] = [(Category.PACKAGE, data)]
            continue
        origin[final] = original
        current[final] = snapshot.files[original]
        steps[final] = []
        if final in imports:
            _record(final, imports[final], Category.IMPORTS, current, steps)
        if _carried(original, moved.moved_folders) != final:  # its package's files moved with it otherwise
            _adjust_paths(final, original, current, steps)
    _adjust_other_modules_paths(module_map, current, steps)

    for path, data in snapshot.files.items():
        if not path.endswith(".py"):
            final = _carried(path, moved.moved_folders)
            origin[final], current[final], steps[final] = path, data, []

    for final, category, data in rewrite_references(current, module_map, path_map, roots):
        _record(final, data, category, current, steps)
    for final, data in listed_packages_edits(current, moved.created, roots):
        _record(final, data, Category.CONFIG, current, steps)
    written = _as_written(snapshot, origin, current, steps)  # what is measured is what apply writes
    warnings = tuple(str(notice) for notice in notices) + _past_the_formatter(snapshot, origin, written, style_of) \
        + _past_the_docs_formatter(snapshot, origin, written) + _cog_to_rerun(snapshot, origin, written) \
        + _globs_left_behind(snapshot, path_map)
    if plan.whole_folder:
        warnings += _update_readme(snapshot, current, origin, steps)
    changes = _change_set(snapshot, moved, module_map, path_map, current, origin, steps, warnings)
    return replace(changes, organize_root=snapshot.organize_root) if plan.whole_folder else changes


def module_tree(snapshot: Snapshot, moved: RopeResult, path_map: dict[str, str]) -> ModuleTree:
    return ModuleTree.build(snapshot.python_files(), path_map, moved.moved_folders, moved.files,
                            import_root=source_roots(snapshot)[0], workspace_name=snapshot.root.name)


def _imports_rewritten(snapshot: Snapshot, moved: RopeResult, tree: ModuleTree,
                       style_of: Callable[[str], ProjectStyle]) -> tuple[dict[str, bytes], list[Notice]]:
    """Every Python file whose imports change, in place (imports.py), on two cores."""
    files = [(final, original) for final, original in moved.origin.items() if final.endswith(".py")]

    def rewrite(part: list) -> tuple[dict[str, bytes], list[Notice]]:
        rewritten, notices = {}, []
        for final, original in part:
            data = snapshot.files[original]
            encoding = _declared_encoding(data)
            text = decode(data) if encoding == "utf-8" else data.decode(encoding, errors="surrogateescape")
            new_text, found = rewrite_imports(text, original, final, tree,
                                              style=style_of(original))
            notices += found
            if new_text != text:
                rewritten[final] = (_encode_like(new_text, data) if encoding == "utf-8"
                                    else new_text.encode(encoding, errors="surrogateescape"))
        return rewritten, notices

    return split_work(rewrite, files, lambda first, second: ({**first[0], **second[0]}, first[1] + second[1]))


def _past_the_formatter(snapshot: Snapshot, origin: dict, current: dict,
                        style_of: Callable[[str], ProjectStyle]) -> tuple[str, ...]:
    """A changed line past the line length of a formatter the project enforces fails its check.
    Only imports are re-wrapped here (project_style.py); any other line is named, for the user
    to run the formatter: a string rewritten in `mock.patch("app.core.policy.subprocess.run",
    ...)` grows past 88 characters."""
    found = []
    for final, data in sorted(current.items()):
        original = origin.get(final)
        if not final.endswith(".py") or original is None or data == snapshot.files[original]:
            continue
        style = style_of(original)
        if not style.formats:
            continue
        long_before = {line for line in decode(snapshot.files[original]).splitlines() if len(line) > style.wraps_at}
        found += [f"{final}:{number}: now {len(line)} characters, past the {style.wraps_at} of the formatter the "
                  "project's checks run: re-wrap it (run the formatter on this file)"
                  for number, line in enumerate(decode(data).splitlines(), 1)
                  if len(line) > style.wraps_at and line not in long_before]
    return tuple(found)


def _past_the_docs_formatter(snapshot: Snapshot, origin: dict, current: dict) -> tuple[str, ...]:
    """A renamed import in a docs code block grown past the length blacken-docs formats them at
    fails that check (datasette's CI: 60): named, for the user to run it. blacken-docs measures a
    block's code without the block's indent, and reads only the files its command names."""
    formatter = docs_formatter(snapshot.files)
    found = []
    for final, data in sorted(current.items()) if formatter else ():
        original = origin.get(final)
        if not final.endswith((".md", ".rst")) or original is None or data == snapshot.files[original] \
                or not formatter.formats(final):
            continue
        before = set(decode(snapshot.files[original]).splitlines())
        found += [f"{final}:{number}: now {len(line.lstrip())} characters in its code block, past the "
                  f"{formatter.length} blacken-docs formats code blocks at: re-wrap it (run blacken-docs on this file)"
                  for number, line in enumerate(decode(data).splitlines(), 1)
                  if len(line.lstrip()) > formatter.length and line not in before and is_docs_import_line(line)]
    return tuple(found)


def _globs_left_behind(snapshot: Snapshot, path_map: Mapping[str, str]) -> tuple[str, ...]:
    """A config's path pattern that matches a moved module on one side of its move only: the tool
    that reads it (a lint exclude, per-file ignores, coverage's omit) treats the file otherwise now."""
    found = []
    for config, line, pattern, old, new, before in globs_that_change_what_they_match(snapshot.files, path_map):
        change = f"matched {old} and not {new}, where it moves" if before else f"matches {new}, where {old} moves"
        found.append(f'{config}:{line}: "{pattern}" {change}: what reads the pattern (a lint exclude, per-file '
                     "ignores, coverage's omit) treats the module otherwise now; adjust it")
    return tuple(found)


def _cog_to_rerun(snapshot: Snapshot, origin: dict, current: dict) -> tuple[str, ...]:
    """A cog block whose code or output changed: what cog generates may differ in more than the
    names (datasette's plugin list is sorted by module name), and `cog --check` is a CI step."""
    found = []
    for final, data in sorted(current.items()):
        original = origin.get(final)
        if original is None or data == snapshot.files[original] or b"[[[cog" not in data:
            continue
        if cog_regions(decode(data)) != cog_regions(decode(snapshot.files[original])):
            found.append(f"{final}: a cog block's code or output names moved modules: run `cog -r {final}` "
                         "to regenerate its output")
    return tuple(found)


def _as_written(snapshot: Snapshot, origin: dict, current: dict, steps: dict) -> dict[str, bytes]:
    """final path -> the content apply writes: the review-only suggestions on top left out (a line
    they would lengthen is not past a formatter's length: django-helpdesk's settings.py)."""
    return {final: next((data for category, data in reversed(steps[final]) if not category.needs_review),
                        snapshot.files[origin[final]] if final in origin else data)
            for final, data in current.items()}


def _record(final: str, data: bytes, category: Category, current: dict, steps: dict) -> None:
    if data != current[final]:
        current[final] = data
        steps[final].append((category, data))


def _adjust_paths(final: str, original: str, current: dict, steps: dict) -> None:
    """Keep `Path(__file__).parent`-style paths pointing where they did (the plan checked they can)."""
    deeper = final.count("/") - original.count("/")
    if deeper <= 0 or b"__file__" not in current[final]:
        return
    adjusted = adjust_file_relative_paths(decode(current[final]), deeper)
    if adjusted is not None:
        _record(final, _encode_like(adjusted, current[final]), Category.PATHS, current, steps)


def _adjust_other_modules_paths(module_map: Mapping[str, str], current: dict, steps: dict) -> None:
    """A folder found from another module's `__file__` (sshuttle's test climbs from
    `sshuttle.sudoers.__file__`) is lifted by the levels that module went down, as a module's own
    paths are; the plan named each such read as a hazard, adjusted or not."""
    deeper = {new: new.count(".") - old.count(".") for old, new in module_map.items() if new.count(".") > old.count(".")}
    for final in sorted(current) if deeper else ():
        if final.endswith(".py") and b"__file__" in current[final]:
            adjusted = adjust_modules_file_paths(decode(current[final]), deeper)
            if adjusted is not None:
                _record(final, _encode_like(adjusted, current[final]), Category.PATHS, current, steps)


def _carried(path: str, moved_folders: dict[str, str]) -> str:
    """Where a non-Python file ends up: it travels with a package folder that moved as a whole."""
    for original, final in sorted(moved_folders.items(), key=lambda item: -len(item[0])):
        if (now := relocated(path, original, final)) is not None and now != final:
            return now
    return path


def _update_readme(snapshot: Snapshot, current: dict, origin: dict, steps: dict) -> tuple[str, ...]:
    """Seed 000, phase 5: the README documents the new structure, in its block (readme.py).

    Returns a warning when the README stays as it is because the tree cannot be written into it.
    """
    folder = snapshot.organize_root
    readme = f"{folder}/README.md" if folder else "README.md"
    if readme not in current:
        return ()
    data = current[readme]
    bom, encoding = _text_encoding(data)
    errors = "surrogateescape" if encoding in _ROUND_TRIP else "strict"
    drawing = BOX if _can_encode(BOX_CHARACTERS, encoding) else ASCII
    tree = render_tree(PurePosixPath(folder).name if folder else snapshot.root.name,
                       _tree_paths(snapshot, current, origin), drawing=drawing)
    try:
        text = data[len(bom):].decode(encoding, errors)
        updated = update_structure_section(text, tree, "\r\n" if "\r\n" in text else "\n")
        new_data = bom + updated.encode(encoding, errors)
    except UnicodeError:
        return (f"{readme}: the project structure tree is not updated: it cannot be written in {encoding}",)
    except BrokenBlock as error:
        return (f"{readme}: the project structure tree is not updated: {error}",)
    _record(readme, new_data, Category.STRUCTURE, current, steps)
    return ()


def _tree_paths(snapshot: Snapshot, current: dict, origin: dict) -> list[str]:
    """The organized folder's modules the tree shows (folder-relative): no tests, nothing git ignores.

    An ignore rule is written for the old layout or the new one: either keeps a file out.
    """
    folder = snapshot.organize_root
    ignored = GitIgnore.read(snapshot.root, [*snapshot.files, *snapshot.other_files])
    paths = []
    for final in current:
        if folder and not final.startswith(folder + "/"):
            continue
        relative = final[len(folder) + 1:] if folder else final
        if is_shown(relative) and not ignored.ignores(final) and not ignored.ignores(origin.get(final, final)):
            paths.append(relative)
    return paths


_ROUND_TRIP = ("utf-8", "latin-1")  # every byte decodes, and comes back as it was
_TEXT_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (BOM, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _text_encoding(data: bytes) -> tuple[bytes, str]:
    """(byte order mark, encoding) of a text file that declares nothing.

    Not UTF-8 and no byte order mark means one of the 8-bit encodings (latin-1, cp1252, ...),
    which one is unknown: read as latin-1, every byte comes back as it was, and only text
    those encodings share (ASCII, and Western letters) is written into it.
    """
    for bom, encoding in _TEXT_BOMS:  # UTF-32-LE first: its mark begins with UTF-16-LE's
        if data.startswith(bom):
            return bom, encoding
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return b"", "latin-1"
    return b"", "utf-8"


def _can_encode(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _declared_encoding(data: bytes) -> str:
    """The encoding a Python file declares (PEP 263 cookie), as the parser reads it."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return "utf-8"
    return "utf-8" if encoding in ("utf-8", "utf-8-sig") else encoding


def _encode_like(text: str, like: bytes) -> bytes:
    """Encode as the file was: a byte order mark stays, undecodable bytes come back as they were."""
    data = text.encode("utf-8", errors="surrogateescape")
    return BOM + data if like.startswith(BOM) and not data.startswith(BOM) else data


def _change_set(snapshot, moved: RopeResult, module_map, path_map, current, origin, steps, warnings) -> ChangeSet:
    files = []
    for final in sorted(current):
        original = origin.get(final)
        before = snapshot.files[original] if original is not None else None
        files.append(FileChange(original, final, before, current[final], tuple(steps[final])))
    for deleted in sorted(moved.deleted):
        files.append(FileChange(deleted, None, snapshot.files[deleted], None))
    files += _other_files_carried(snapshot, moved.moved_folders)
    existing = _existing_folders(snapshot)
    created_dirs = sorted({folder for change in files if change.new_path
                           for folder in _folders_of(change.new_path) if folder not in existing})
    return ChangeSet(
        root=snapshot.root,
        files=tuple(files),
        created_dirs=tuple(created_dirs),
        removed_dirs=tuple(sorted(set(moved.removed_dirs) | _emptied_by_folder_moves(snapshot, moved), key=lambda f: -f.count("/"))),
        module_map=module_map,
        path_map=path_map,
        warnings=warnings,
    )


def _other_files_carried(snapshot: Snapshot, moved_folders: dict[str, str]) -> list[FileChange]:
    changes = []
    for path in sorted(snapshot.other_files):
        final = _carried(path, moved_folders)
        if final != path:
            data = (snapshot.root / path).read_bytes()
            changes.append(FileChange(path, final, data, data))
    return changes


def _emptied_by_folder_moves(snapshot: Snapshot, moved: RopeResult) -> set[str]:
    """A folder moved as a whole leaves its old path (and its subfolders) behind, empty."""
    emptied = set()
    all_paths = set(snapshot.files) | set(snapshot.other_files)
    for original in moved.moved_folders:
        emptied.add(original)
        emptied.update(f for p in all_paths if p.startswith(original + "/") for f in _folders_of(p)
                       if f.startswith(original + "/"))
    return emptied


def _existing_folders(snapshot: Snapshot) -> set[str]:
    return {folder for path in list(snapshot.files) + list(snapshot.other_files) for folder in _folders_of(path)}


def _folders_of(path: str) -> list[str]:
    folders = []
    folder = parent_of(path)
    while folder:
        folders.append(folder)
        folder = parent_of(folder)
    return folders
