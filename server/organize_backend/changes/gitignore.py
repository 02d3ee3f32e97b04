"""Which workspace paths git ignores, read from the .gitignore files themselves.

The README's structure tree lists what the project is made of, and an ignored file
(`local_settings.py`, a generated client) is not part of it. git may be missing where the
tool runs (a CI machine, a container), so the rules are read here rather than asked of
`git check-ignore`; the same answer everywhere is worth more than the last corner of the
format. Read: every `.gitignore` of the workspace (each applies below its own folder, a
deeper one after a shallower one) and `.git/info/exclude`; comments, `!` negation, a
leading or inner `/` anchoring a pattern to its folder, a trailing `/` matching folders
only, `*`, `?`, `[...]` and `**`. As in git, nothing below an ignored folder comes back.
Not read: the user's global excludes file (`core.excludesFile`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class _Rule:
    folder: str  # the folder of the .gitignore that holds the rule ("" for the workspace)
    pattern: re.Pattern[str]
    negated: bool
    folders_only: bool

    def matches(self, path: str, is_folder: bool) -> bool:
        if self.folders_only and not is_folder:
            return False
        if self.folder:
            if not path.startswith(self.folder + "/"):
                return False
            path = path[len(self.folder) + 1:]
        return self.pattern.fullmatch(path) is not None


class GitIgnore:
    """The ignore rules of one workspace."""

    def __init__(self, rules: Iterable[_Rule]) -> None:
        # Shallow files first: a deeper .gitignore overrides its parents, as the last match wins.
        self.rules = sorted(rules, key=lambda rule: rule.folder.count("/") + bool(rule.folder))

    @classmethod
    def read(cls, root: Path, paths: Iterable[str]) -> GitIgnore:
        """The rules of the `.gitignore` files among `paths` (workspace-relative) and of .git/info/exclude."""
        rules: list[_Rule] = list(_parse("", _read_text(root / ".git" / "info" / "exclude")))
        for path in sorted(paths):
            if posixpath.basename(path) == ".gitignore":
                rules += _parse(posixpath.dirname(path), _read_text(root / path))
        return cls(rules)

    def ignores(self, path: str) -> bool:
        """True if git ignores the file `path` or a folder above it."""
        parts = path.split("/")
        for length in range(1, len(parts) + 1):
            if self._ignored("/".join(parts[:length]), is_folder=length < len(parts)):
                return True
        return False

    def _ignored(self, path: str, is_folder: bool) -> bool:
        ignored = False
        for rule in self.rules:
            if rule.matches(path, is_folder):
                ignored = not rule.negated
        return ignored


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _parse(folder: str, text: str) -> Iterable[_Rule]:
    for line in text.splitlines():
        line = _strip_trailing_spaces(line)
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        elif line.startswith("\\"):
            line = line[1:] if line[1:2] in ("!", "#") else line
        folders_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        # A slash at the start or in the middle anchors the pattern to the file's folder;
        # without one it matches a name at any depth below it.
        anchored = "/" in line
        body = _glob_regex(line.lstrip("/"))
        yield _Rule(folder, re.compile(body if anchored else f"(?:.*/)?{body}"), negated, folders_only)


def _strip_trailing_spaces(line: str) -> str:
    """Trailing spaces are dropped unless escaped with a backslash."""
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        return stripped + " "
    return stripped


_GLOB_TOKEN = re.compile(r"\*\*/|/\*\*$|\*\*|\*|\?|\[[^/\]]*\]|\\.|.", re.DOTALL)


def _glob_regex(pattern: str) -> str:
    pieces = []
    for token in _GLOB_TOKEN.findall(pattern):
        if token == "**/":
            pieces.append("(?:.*/)?")
        elif token == "/**":
            pieces.append("/.*")
        elif token in ("**", "*"):
            pieces.append("[^/]*")  # elsewhere than around a slash, ** is a plain *
        elif token == "?":
            pieces.append("[^/]")
        elif token.startswith("[") and len(token) > 2:
            inner = token[1:-1]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            pieces.append(f"[{inner.replace(chr(92), chr(92) * 2)}]")
        elif token.startswith("\\") and len(token) == 2:
            pieces.append(re.escape(token[1]))
        else:
            pieces.append(re.escape(token))
    return "".join(pieces)
