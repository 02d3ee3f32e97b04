// Entry point: one language server for the window, started when a Python file opens or a
// command runs, and restarted when the interpreter it runs on (or the project's) changes.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { onInterpreterChange } from './python';
import { Server } from './server';

let server: Server | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Organize Backend');
  server = new Server(context.extensionPath, output);
  const running = server;
  context.subscriptions.push(output, server, ...registerCommands(running));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('organizeBackend.interpreter')) void running.restart();
  }));
  // In the background: waking the Python extension must not delay this one.
  void onInterpreterChange(() => {
    // The server is told the project's interpreter when it starts (and may run on it), so a
    // running server follows the Python extension's choice.
    if (running.interpreter) void running.restart();
  }).then((listener) => listener && context.subscriptions.push(listener));
  void running.ready(); // not awaited: activation must not wait for Python
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
