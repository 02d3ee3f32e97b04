"""Apply a WorkspaceEdit to disk the way a real editor does, quirks included (shared/editors.md).

- VS Code applies documentChanges in order and creates missing parent folders.
- Neovim 0.7 applies documentChanges in order, ignores annotations, never creates a file when
  `ignoreIfExists` is set, and creates no missing parent folder (a rename into one fails).
- Emacs eglot applies text edits only: every CreateFile, RenameFile and DeleteFile is dropped.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.protocol import default_converter

from organize_backend.source_text import split_lines

CLIENTS = {
    "vscode": "visual_studio_code_v1.65.2.json",
    "neovim": "neovim_v0.7.0.json",
    "emacs": "emacs_v29.1.json",
}


def initialize_params(client: str, root: Path) -> lsp.InitializeParams:
    """The capabilities and clientInfo that real client sends, for a workspace at `root`."""
    raw = json.loads((resources.files("pytest_lsp.clients") / CLIENTS[client]).read_text())
    converter = default_converter()
    return lsp.InitializeParams(
        capabilities=converter.structure(raw["capabilities"], lsp.ClientCapabilities),
        client_info=converter.structure(raw["clientInfo"], lsp.ClientInfo),
        root_uri=root.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
    )


def path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


class EditorRefused(Exception):
    """The editor failed to apply an operation (as Neovim 0.7 does for a missing folder)."""


def apply_edit(client: str, edit: lsp.WorkspaceEdit) -> None:
    for operation in edit.document_changes or []:
        if isinstance(operation, lsp.TextDocumentEdit):
            _apply_text_edits(path_of(operation.text_document.uri), operation.edits)
        elif client == "emacs":
            continue  # eglot drops resource operations without a word
        elif isinstance(operation, lsp.CreateFile):
            _create(client, operation)
        elif isinstance(operation, lsp.RenameFile):
            _rename(client, operation)
        elif isinstance(operation, lsp.DeleteFile):
            path_of(operation.uri).unlink()
    for uri, edits in (edit.changes or {}).items():
        _apply_text_edits(path_of(uri), edits)


def _create(client: str, operation: lsp.CreateFile) -> None:
    target = path_of(operation.uri)
    if client == "neovim":
        if operation.options and operation.options.ignore_if_exists:
            return  # Neovim 0.7.2 never creates the file then
        if not target.parent.is_dir():
            raise EditorRefused(f"cannot create {target}: no such folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_bytes(b"")


def _rename(client: str, operation: lsp.RenameFile) -> None:
    source, target = path_of(operation.old_uri), path_of(operation.new_uri)
    if client == "neovim" and not target.parent.is_dir():
        raise EditorRefused(f"{source}: No such file or directory")  # Neovim's misleading message
    target.parent.mkdir(parents=True, exist_ok=True)
    source.rename(target)


def _apply_text_edits(path: Path, edits) -> None:
    text = path.read_bytes().decode("utf-8", errors="surrogateescape") if path.exists() else ""
    lines = split_lines(text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: lsp.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        utf16 = lines[position.line].encode("utf-16-le")[: position.character * 2]
        return offsets[position.line] + len(utf16.decode("utf-16-le"))

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
