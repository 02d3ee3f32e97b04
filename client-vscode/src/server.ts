// The language client's life: start it with a checked interpreter, restart it, and ask
// before the server's import updates are applied to files moved in the explorer.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest, LanguageClient, LanguageClientOptions, ServerOptions,
} from 'vscode-languageclient/node';
import {
  hasChanges, initializationOptions, Interpreter, RENAME_ANSWERS, renameOutcome, renamePolicy,
} from './logic';
import { findInterpreter, projectInterpreter } from './python';

const CLIENT_ID = 'organizeBackend'; // also the prefix of the `organizeBackend.trace.server` setting
const MOVE_QUESTION = 'Update imports for the moved Python file(s)?';

export class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  /** Where the running server's Python came from; restarts follow that source's changes. */
  interpreter: Interpreter | undefined;

  constructor(private readonly extensionPath: string, readonly output: vscode.OutputChannel) {}

  /** The running client, started on first use; undefined (after telling why) if it cannot run. */
  ready(): Promise<LanguageClient | undefined> {
    if (this.client?.isRunning()) return Promise.resolve(this.client);
    this.starting ??= this.start().finally(() => { this.starting = undefined; });
    return this.starting;
  }

  async restart(): Promise<LanguageClient | undefined> {
    await this.stop();
    return this.ready();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.interpreter = undefined;
    if (client) await client.dispose().catch((error) => this.log(`stopping the server: ${error}`));
  }

  dispose(): void {
    void this.stop();
  }

  /** Sends `workspace/executeCommand` to the server, or undefined if the server cannot run it. */
  async execute(command: string, args: unknown[] = []): Promise<unknown> {
    const client = await this.ready();
    if (!client) return undefined;
    const offered = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    if (!offered.includes(command)) {
      void vscode.window.showErrorMessage(`Organize Backend: this version of the server has no command ${command}.`);
      return undefined;
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private async start(): Promise<LanguageClient | undefined> {
    await this.stop(); // a client whose server died is replaced, not left behind
    const folder = vscode.workspace.workspaceFolders?.[0];
    const found = await findInterpreter(folder?.uri);
    if ('reasons' in found) {
      void explainMissingPython(found.reasons, this.output);
      return undefined;
    }
    this.log(`starting the server with ${found.command.join(' ')} (${found.source})`);
    const projectPython = await projectInterpreter(folder?.uri);
    if (projectPython) this.log(`the project's interpreter, from the Python extension: ${projectPython}`);
    const client = new LanguageClient(
      CLIENT_ID, 'Organize Backend', this.serverOptions(found, folder), this.clientOptions(projectPython));
    try {
      await client.start();
    } catch (error) {
      this.log(`the server did not start: ${error}`);
      void vscode.window.showErrorMessage('Organize Backend: the language server did not start; see the output for why.', 'Show Output')
        .then((choice) => choice && this.output.show());
      await client.dispose().catch(() => undefined);
      return undefined;
    }
    this.client = client;
    this.interpreter = found;
    return client;
  }

  private serverOptions(interpreter: Interpreter, folder: vscode.WorkspaceFolder | undefined): ServerOptions {
    const [executable, ...args] = interpreter.command;
    const launcher = vscode.Uri.joinPath(vscode.Uri.file(this.extensionPath), 'bundled', 'tool', 'server.py').fsPath;
    // A development checkout without bundled/ runs the server installed in that Python.
    const server = existsSync(launcher) ? [launcher, 'lsp'] : ['-m', 'organize_backend', 'lsp'];
    const env = { ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' };
    return { command: executable, args: [...args, ...server], options: { cwd: folder?.uri.fsPath, env } };
  }

  private clientOptions(projectPython: string | undefined): LanguageClientOptions {
    return {
      documentSelector: [{ scheme: 'file', language: 'python' }],
      initializationOptions: initializationOptions(projectPython),
      synchronize: { configurationSection: 'organizeBackend' },
      outputChannel: this.output,
      middleware: { workspace: { willRenameFiles: (event, next) => confirmImportUpdates(event, next) } },
    };
  }

  private log(message: string): void {
    this.output.appendLine(`[extension] ${message}`);
  }
}

type WillRename = (event: vscode.FileWillRenameEvent) => Thenable<vscode.WorkspaceEdit | null | undefined>;

/** `organizeBackend.updateImportsOnFileMove`: never asks nothing, always applies, prompt asks. */
async function confirmImportUpdates(event: vscode.FileWillRenameEvent, next: WillRename) {
  const settings = vscode.workspace.getConfiguration('organizeBackend');
  const policy = renamePolicy(settings.get('updateImportsOnFileMove'));
  if (policy === 'never') return null;
  const edit = await next(event);
  if (policy === 'always' || !hasChanges(edit)) return edit;
  const outcome = renameOutcome(await vscode.window.showInformationMessage(MOVE_QUESTION, ...RENAME_ANSWERS));
  if (outcome.remember) {
    const target = vscode.workspace.workspaceFolders
      ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await settings.update('updateImportsOnFileMove', outcome.remember, target);
  }
  return outcome.apply ? edit : null;
}

async function explainMissingPython(reasons: string[], output: vscode.OutputChannel): Promise<void> {
  reasons.forEach((reason) => output.appendLine(`[extension] ${reason}`));
  const message = 'Organize Backend needs Python 3.10 or newer to run its language server: '
    + `${reasons.join('; ')}. Set "organizeBackend.interpreter" or pick an interpreter in the Python extension.`;
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings');
  if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'organizeBackend.interpreter');
}
