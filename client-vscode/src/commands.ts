// The palette and explorer commands: each picks its target and runs one server command.
// The server itself tells the user the outcome (window/showMessage), so nothing is shown twice.
import * as vscode from 'vscode';
import { Server } from './server';

/** Server-side command names (registered by the server through executeCommandProvider). */
const SERVER = {
  organizeFolder: 'organizeBackend.organizeFolder',
  moveTo: 'organizeBackend.moveTo',
  showPlan: 'organizeBackend.showPlan',
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
