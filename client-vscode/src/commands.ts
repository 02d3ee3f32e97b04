// The palette and explorer commands: each picks its target and runs one server command.
// The server itself tells the user the outcome (window/showMessage), so nothing is shown twice.
import * as vscode from 'vscode';
import {
  destinationFromInput, destinationItems, EditablePlan, isEditablePlan, isEdited, isWritten, Move, OTHER, planItems,
  plannedMoves, withDestination,
} from './planEdit';
import { Server } from './server';

/** Server-side command names (registered by the server through executeCommandProvider). */
const SERVER = {
  organizeFolder: 'organizeBackend.organizeFolder',
  moveTo: 'organizeBackend.moveTo',
  showPlan: 'organizeBackend.showPlan',
  planMoves: 'organizeBackend.planMoves',
  writePlan: 'organizeBackend.writePlan',
  undo: 'organizeBackend.undo',
};

export function registerCommands(server: Server): vscode.Disposable[] {
  const plans = new PlanDocuments();
  const commands: Record<string, (...args: any[]) => unknown> = {
    'organizeBackend.organizeThisFolder': (uri?: vscode.Uri) => organizeFolder(server, uri),
    'organizeBackend.moveModule': (uri?: vscode.Uri) => moveModule(server, uri),
    'organizeBackend.showPlanReport': () => showPlan(server, plans),
    'organizeBackend.undoLast': () => undoLast(server),
    'organizeBackend.restart': () => server.restart(),
  };
  const registered = Object.entries(commands).map(([id, run]) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => reportFailure(run(...args))));
  return [...registered, vscode.workspace.registerTextDocumentContentProvider(PlanDocuments.scheme, plans)];
}

async function organizeFolder(server: Server, uri?: vscode.Uri): Promise<void> {
  const folder = uri instanceof vscode.Uri ? uri : await pickFolder();
  if (!folder) return;
  await busy('Organizing the backend', server.execute(SERVER.organizeFolder, [folder.toString()]));
}

async function moveModule(server: Server, uri?: vscode.Uri): Promise<void> {
  const file = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!file || file.scheme !== 'file' || !file.path.endsWith('.py')) {
    void vscode.window.showWarningMessage('Organize Backend: open or select a Python file to move.');
    return;
  }
  await server.execute(SERVER.moveTo, [file.toString()]);
}

async function showPlan(server: Server, plans: PlanDocuments): Promise<void> {
  const plan = await busy('Planning the backend layout', server.execute(SERVER.showPlan));
  if (typeof plan !== 'string') return;
  const document = await vscode.workspace.openTextDocument(plans.show(plan));
  await vscode.window.showTextDocument(document, { preview: true });
  await editPlan(server);
}

/**
 * Beside the report, the user may change where modules go before anything is computed: a
 * quick pick of the modules, then of a destination, as often as they like; then organize.
 * An edited plan is written into the configuration first (layout = "none" and the moves), so
 * the organize makes exactly those moves, now and whenever it runs again.
 */
async function editPlan(server: Server): Promise<void> {
  const plan = await busy('Planning the backend layout', server.execute(SERVER.planMoves));
  if (!isEditablePlan(plan)) return; // the server has said why
  let moves = plannedMoves(plan);
  for (;;) {
    const picked = await vscode.window.showQuickPick(planItems(plan, moves), {
      placeHolder: 'Pick a module to change where it goes, or organize with these moves (Esc: leave it)',
      matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true,
    });
    if (!picked) return;
    if (picked.path === undefined) break;
    const to = await pickDestination(plan, moves, picked.path);
    if (to !== undefined) moves = withDestination(moves, picked.path, to);
  }
  await organizeWith(server, plan, moves);
}

/** The module's new path, null for "not moved", undefined when the user gave up. */
async function pickDestination(plan: EditablePlan, moves: Move[], path: string): Promise<string | null | undefined> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const picked = await vscode.window.showQuickPick(destinationItems(plan, moves, path), {
    placeHolder: `Where does ${name} go?`, ignoreFocusOut: true,
  });
  if (!picked || picked.to !== OTHER) return picked?.to;
  const check = (input: string) => destinationFromInput(plan.root, path, input);
  const typed = await vscode.window.showInputBox({
    prompt: `A package folder or a new module path for ${name}, relative to ${plan.root ? `${plan.root}/` : 'the workspace folder'}`,
    placeHolder: 'core/ or core/text.py',
    ignoreFocusOut: true,
    validateInput: (input) => { const result = check(input); return 'error' in result ? result.error : undefined; },
  });
  const result = typed === undefined ? undefined : check(typed);
  return result && 'to' in result ? result.to : undefined;
}

async function organizeWith(server: Server, plan: EditablePlan, moves: Move[]): Promise<void> {
  if (isEdited(plan, moves)) {
    const written = await busy('Writing the edited plan', server.execute(SERVER.writePlan, [{ moves }]));
    if (!isWritten(written)) return; // refused, nothing written: the server has said why
  }
  await busy('Organizing the backend', server.execute(SERVER.organizeFolder, [plan.folder]));
}

/**
 * The plan report as a read-only document: an untitled one would be "dirty" and ask to be
 * saved on close. One URI, refreshed on every run, so runs do not pile up tabs.
 */
class PlanDocuments implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'organize-backend';
  private readonly uri = vscode.Uri.from({ scheme: PlanDocuments.scheme, path: 'Organize Backend Plan' });
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private text = '';

  show(text: string): vscode.Uri {
    this.text = text;
    this.changed.fire(this.uri);
    return this.uri;
  }

  provideTextDocumentContent(): string {
    return this.text;
  }
}

async function undoLast(server: Server): Promise<void> {
  await busy('Undoing the last organize', server.execute(SERVER.undo));
}

/** A status-bar spinner: a notification would sit over the Refactor Preview the server opens. */
function busy<T>(title: string, work: Thenable<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => work);
}

async function reportFailure(work: unknown): Promise<void> {
  try {
    await work;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`Organize Backend: ${text}`);
  }
}

/** The workspace folders and their subfolders that hold Python files: where a flat backend lives. */
async function pickFolder(): Promise<vscode.Uri | undefined> {
  const roots = vscode.workspace.workspaceFolders ?? [];
  if (roots.length === 0) {
    void vscode.window.showWarningMessage('Organize Backend: open a folder first.');
    return undefined;
  }
  const items = (await Promise.all(roots.map(folderItems))).flat();
  if (items.length === 1) return items[0].uri;
  const choice = await vscode.window.showQuickPick(items, { placeHolder: 'Which folder holds the flat backend?' });
  return choice?.uri;
}

interface FolderItem extends vscode.QuickPickItem { uri: vscode.Uri }

async function folderItems(root: vscode.WorkspaceFolder): Promise<FolderItem[]> {
  const items: FolderItem[] = [{ label: root.name, description: 'workspace folder', uri: root.uri }];
  for (const [name, type] of await readDirectory(root.uri)) {
    if (type !== vscode.FileType.Directory || name.startsWith('.') || SKIPPED.has(name)) continue;
    const uri = vscode.Uri.joinPath(root.uri, name);
    if (await holdsPython(uri)) items.push({ label: `${root.name}/${name}`, uri });
  }
  return items;
}

const SKIPPED = new Set(['__pycache__', 'node_modules', 'venv', 'env', 'site-packages']);

async function holdsPython(folder: vscode.Uri): Promise<boolean> {
  return (await readDirectory(folder)).some(([name, type]) => type === vscode.FileType.File && name.endsWith('.py'));
}

async function readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
  try {
    return await vscode.workspace.fs.readDirectory(uri);
  } catch {
    return []; // unreadable: not a candidate
  }
}
