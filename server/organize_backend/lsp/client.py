"""What a client can apply, read from its capabilities (and its name, where those lie).

Measured on real editors (shared/editors.md): VS Code applies resource operations and shows
change annotations in its refactor preview; Neovim 0.7 to 0.10 applies resource operations
but declares no `documentChanges` flag, ignores annotations, and 0.7 creates no missing
parent folder; Emacs eglot declares no resource operations and silently drops them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types as lsp


@dataclass(frozen=True)
class ClientProfile:
    name: str = ""
    resource_operations: bool = False  # creates and renames files from a WorkspaceEdit
    annotations: bool = False  # change annotations (VS Code: the refactor preview)
    resolve_edit: bool = False  # codeAction/resolve may fill in `edit`
    disabled_actions: bool = False  # `disabled.reason` on a code action
    literal_actions: bool = True  # CodeAction objects, not bare Commands
    needs_parent_folders: bool = False  # the server must create new folders first

    @property
    def applies_moves(self) -> bool:
        return self.resource_operations


def profile_of(params: lsp.InitializeParams) -> ClientProfile:
    capabilities = params.capabilities
    name = params.client_info.name if params.client_info else ""
    workspace = capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    operations = set(edit.resource_operations or []) if edit else set()
    is_neovim = name.lower() in ("neovim", "nvim")
    # Neovim applies documentChanges without declaring the flag; trust its name there.
    document_changes = bool(edit and edit.document_changes) or is_neovim
    code_action = capabilities.text_document.code_action if capabilities.text_document else None
    resolve = code_action.resolve_support if code_action else None
    return ClientProfile(
        name=name,
        resource_operations=document_changes and {lsp.ResourceOperationKind.Create,
                                                   lsp.ResourceOperationKind.Rename} <= operations,
        annotations=bool(edit and edit.change_annotation_support) and not is_neovim,
        resolve_edit=bool(resolve and "edit" in resolve.properties),
        disabled_actions=bool(code_action and code_action.disabled_support),
        literal_actions=bool(code_action and code_action.code_action_literal_support),
        needs_parent_folders=is_neovim,
    )
