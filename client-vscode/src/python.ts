// Which Python runs the language server: the setting, else the Python extension's active
// interpreter, else python3; and whether it is new enough.
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { Interpreter, interpreterCandidates, isSupported, parseVersion } from './logic';

const DEFAULT_PYTHON = process.platform === 'win32' ? 'python' : 'python3';
const VERSION_CHECK_MS = 15000;

/** The bits of the ms-python.python API used here; it is optional, so nothing is assumed. */
interface PythonEnvironments {
  getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
  resolveEnvironment(path: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
}

async function pythonEnvironments(): Promise<PythonEnvironments | undefined> {
  const extension = vscode.extensions.getExtension('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    return api?.environments as PythonEnvironments | undefined;
  } catch {
    return undefined; // an old or broken Python extension: fall back to the default
  }
}

async function activeInterpreterPath(resource?: vscode.Uri): Promise<string | undefined> {
  try {
    const environments = await pythonEnvironments();
    const active = environments?.getActiveEnvironmentPath(resource);
    if (!environments || !active) return undefined;
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable?.uri?.fsPath;
  } catch {
    return undefined;
  }
}

/** The project's own interpreter, as the Python extension has it for `resource`; undefined without it. */
export function projectInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  return activeInterpreterPath(resource);
}

/** The interpreters worth trying for `resource`'s workspace, best first. */
export async function interpreterChoices(resource?: vscode.Uri): Promise<Interpreter[]> {
  const setting = vscode.workspace.getConfiguration('organizeBackend', resource).get('interpreter');
  const configured = interpreterCandidates(setting, undefined, DEFAULT_PYTHON);
  if (configured[0]?.source === 'setting') return configured; // no need to wake the Python extension
  return interpreterCandidates(undefined, await activeInterpreterPath(resource), DEFAULT_PYTHON);
}

/** The first candidate that runs and is new enough, or every reason why none is. */
export async function findInterpreter(resource?: vscode.Uri): Promise<Interpreter | { reasons: string[] }> {
  const reasons: string[] = [];
  for (const candidate of await interpreterChoices(resource)) {
    const check = await checkVersion(candidate);
    if (check.ok) return candidate;
    reasons.push(check.reason);
  }
  return { reasons };
}

/** Calls `listener` when the Python extension's interpreter changes; nothing if it is absent. */
export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  try {
    return (await pythonEnvironments())?.onDidChangeActiveEnvironmentPath?.(listener);
  } catch {
    return undefined;
  }
}

export type VersionCheck = { ok: true } | { ok: false; reason: string };

/** Runs the interpreter once to read its version: a missing or old Python fails here, clearly. */
export function checkVersion(interpreter: Interpreter): Promise<VersionCheck> {
  const [executable, ...args] = interpreter.command;
  const script = 'import sys; print(sys.version_info[:2])';
  return new Promise((resolve) => {
    execFile(executable, [...args, '-c', script], { timeout: VERSION_CHECK_MS }, (error, stdout) => {
      if (error) return resolve({ ok: false, reason: `could not run ${interpreter.command.join(' ')}: ${error.message}` });
      const version = parseVersion(stdout);
      if (!version) return resolve({ ok: false, reason: `${executable} did not report a Python version` });
      if (!isSupported(version)) {
        return resolve({ ok: false, reason: `${executable} is Python ${version.join('.')}, too old` });
      }
      resolve({ ok: true });
    });
  });
}
