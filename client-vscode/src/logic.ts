// Decisions the extension makes, kept free of the `vscode` module so `node --test` can check them.

export const MINIMUM_PYTHON: readonly [number, number] = [3, 10];

/** Where an interpreter came from, for messages. */
export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface Interpreter {
  /** The executable and any arguments before the script, e.g. ["py", "-3.12"]. */
  command: string[];
  source: InterpreterSource;
}

/**
 * `organizeBackend.interpreter` as a command: a string is one executable path (paths may hold
 * spaces, so it is never split); an array is an executable and its arguments. Blank = unset.
 */
export function commandFromSetting(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.trim() ? [value.trim()] : undefined;
  if (Array.isArray(value) && value.every((part) => typeof part === 'string')) {
    const parts = value.map((part) => part.trim()).filter(Boolean);
    return parts.length ? parts : undefined;
  }
  return undefined;
}

/**
 * The interpreters to try, in order. An explicit setting is the only candidate (the user
 * chose it; silently using another would hide the mistake); otherwise the Python extension's
 * active interpreter, then the default command.
 */
export function interpreterCandidates(setting: unknown, pythonExtension: string | undefined, fallback: string): Interpreter[] {
  const configured = commandFromSetting(setting);
  if (configured) return [{ command: configured, source: 'setting' }];
  const candidates: Interpreter[] = [];
  if (pythonExtension) candidates.push({ command: [pythonExtension], source: 'python-extension' });
  if (pythonExtension !== fallback) candidates.push({ command: [fallback], source: 'default' });
  return candidates;
}

/** Parses what `print(sys.version_info[:2])` writes: "(3, 11)". */
export function parseVersion(output: string): [number, number] | undefined {
  const match = /\(\s*(\d+)\s*,\s*(\d+)\s*\)/.exec(output);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function isSupported(version: readonly [number, number]): boolean {
  const [major, minor] = version;
  return major > MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor >= MINIMUM_PYTHON[1]);
}

/**
 * What the server is told at start: the project's interpreter (the Python extension's active
 * one), where the project's installed packages are looked up. Its `python` setting, and the
 * project's own `python` key, win over this.
 */
export function initializationOptions(projectPython: string | undefined): { python?: string } {
  const python = projectPython?.trim();
  return python ? { python } : {};
}

export type RenamePolicy = 'prompt' | 'always' | 'never';

/** `organizeBackend.updateImportsOnFileMove`; anything unexpected means ask. */
export function renamePolicy(value: unknown): RenamePolicy {
  return value === 'always' || value === 'never' ? value : 'prompt';
}

export const RENAME_ANSWERS = ['Yes', 'No', 'Always', 'Never'] as const;
export type RenameAnswer = (typeof RENAME_ANSWERS)[number];

export interface RenameOutcome {
  apply: boolean;
  /** A new value for the setting, when the answer was meant for good. */
  remember?: RenamePolicy;
}

/** What an answer to "Update imports for the moved Python file(s)?" means; dismissed = No. */
export function renameOutcome(answer: string | undefined): RenameOutcome {
  switch (answer) {
    case 'Yes': return { apply: true };
    case 'Always': return { apply: true, remember: 'always' };
    case 'Never': return { apply: false, remember: 'never' };
    default: return { apply: false };
  }
}

/** A workspace edit worth asking about: vscode.WorkspaceEdit has `size` (entries by resource). */
export function hasChanges(edit: { size: number } | null | undefined): boolean {
  return !!edit && edit.size > 0;
}
