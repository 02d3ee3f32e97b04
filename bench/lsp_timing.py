"""How fast the language server answers on a generated flat workspace, as an editor sees it.

    python bench/lsp_timing.py [--modules 1600]

Starts `organize-backend lsp` over stdio with VS Code's capabilities (pytest-lsp ships them),
then times: listing the code actions on one module (the first request, then again); resolving
the organize edit for 10 moves of widely imported modules (explicit moves, `layout = "none"`),
once picked at once after the listing and once picked `--pick-after` seconds later (the server
prepares the edit from the moment it lists the action); and `workspace/willRenameFiles` for one
widely imported module. Wall-clock seconds from request to answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # noqa: E402

MOVES = 10


def write_moves(root: Path) -> None:
    lines = ['[tool.organize-backend]', 'layout = "none"', '']
    for index in range(MOVES):
        package = "services" if index % 2 == 0 else "data"
        lines += ["[[tool.organize-backend.move]]", f'from = "core_{index:04d}.py"',
                  f'to = "{package}/core_{index:04d}.py"', ""]
    (root / "organize-backend.toml").write_text("\n".join(lines))


def vscode_initialize(root: Path) -> lsp.InitializeParams:
    raw = json.loads((resources.files("pytest_lsp.clients") / "visual_studio_code_v1.65.2.json").read_text())
    converter = default_converter()
    return lsp.InitializeParams(
        capabilities=converter.structure(raw["capabilities"], lsp.ClientCapabilities),
        client_info=lsp.ClientInfo(name="Visual Studio Code", version="1.65.2"),
        root_uri=root.as_uri(), workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name=root.name)])


async def timed(label: str, request, results: dict):
    start = time.perf_counter()
    answer = await request
    results[label] = round(time.perf_counter() - start, 3)
    return answer


def code_action_params(module: Path) -> lsp.CodeActionParams:
    return lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=module.as_uri()),
        range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
        context=lsp.CodeActionContext(diagnostics=[], only=["source"]))


async def measure(root: Path, pick_after: float) -> dict:
    client = LanguageClient("bench", "1")
    client.feature(lsp.WORKSPACE_CONFIGURATION)(lambda params: [None for _ in params.items])
    client.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CREATE)(lambda params: None)
    await client.start_io(sys.executable, "-m", "organize_backend", "lsp")
    results: dict = {}
    await client.initialize_async(vscode_initialize(root))
    client.initialized(lsp.InitializedParams())
    list_params = code_action_params(root / "mod_0100.py")
    await timed("list organize action, first request", client.text_document_code_action_async(list_params), results)
    actions = await timed("list organize action, again", client.text_document_code_action_async(list_params), results)
    organize = next(a for a in actions if a.title.startswith("Organize backend"))
    resolved = await timed(f"resolve edit for {MOVES} moves, picked at once", client.code_action_resolve_async(organize), results)
    results["edit operations"] = len(resolved.edit.document_changes)
    with open(root / "mod_0200.py", "a") as module:
        module.write("# typed since\n")  # new content: nothing prepared before counts
    actions = await client.text_document_code_action_async(list_params)
    organize = next(a for a in actions if a.title.startswith("Organize backend"))
    await asyncio.sleep(pick_after)
    await timed(f"resolve edit for {MOVES} moves, picked {pick_after:g} s after listing",
                client.code_action_resolve_async(organize), results)
    rename = lsp.RenameFilesParams(files=[lsp.FileRename(old_uri=(root / "core_0015.py").as_uri(),
                                                         new_uri=(root / "data" / "core_0015.py").as_uri())])
    (root / "data").mkdir(exist_ok=True)
    edit = await timed("willRenameFiles of one module", client.workspace_will_rename_files_async(rename), results)
    results["files edited by the rename"] = len(edit.document_changes) if edit else 0
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", type=int, default=1600)
    parser.add_argument("--pick-after", type=float, default=30.0,
                        help="seconds between listing and picking the action, for the second resolve")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="organize-lsp-bench-") as folder:
        root = generate(Path(folder) / f"flat-{args.modules}", args.modules)
        write_moves(root)
        results = asyncio.run(measure(root, args.pick_after))
    print(json.dumps({"modules": args.modules, **results}, indent=2))


if __name__ == "__main__":
    main()
