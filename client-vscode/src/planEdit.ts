// The plan the user edits in Show Plan before anything is computed: which modules move where.
// Kept free of the `vscode` module so `node --test` can check it; commands.ts only shows it.
// Paths are workspace-relative POSIX paths, as the server sends and takes them.

export interface Move {
  from: string;
  to: string;
}

/** What the server's organizeBackend.planMoves answers. */
export interface EditablePlan {
  /** The organized folder ("" = the workspace folder) and its URI. */
  root: string;
  folder: string;
  moves: (Move & { reason: string })[];
  kept: { path: string; reason: string }[];
  /** Folders a module may go to: existing packages and those the plan creates. */
  packages: string[];
}

/** A refusal comes back as `{ message }` (the server has shown it already). */
export function isEditablePlan(value: unknown): value is EditablePlan {
  const plan = value as EditablePlan | undefined;
  return typeof plan?.root === 'string' && typeof plan.folder === 'string' && Array.isArray(plan.moves)
    && Array.isArray(plan.kept) && Array.isArray(plan.packages);
}

/** organizeBackend.writePlan's answer: `written` is false when the server refused (and said why). */
export function isWritten(value: unknown): boolean {
  return (value as { written?: unknown } | undefined)?.written === true;
}

/** The plan's moves without their reasons: what the user starts editing from. */
export function plannedMoves(plan: EditablePlan): Move[] {
  return plan.moves.map(({ from, to }) => ({ from, to }));
}

/** The user's moves differ from the plan's: they must be written before organizing. */
export function isEdited(plan: EditablePlan, moves: readonly Move[]): boolean {
  const key = (move: Move) => `${move.from}\0${move.to}`;
  const planned = new Set(plan.moves.map(key));
  return moves.length !== planned.size || moves.some((move) => !planned.has(key(move)));
}

/** A quick pick item (the shape of vscode.QuickPickItem); `path` undefined: organize now. */
export interface PlanItem {
  label: string;
  description?: string;
  detail?: string;
  path?: string;
}

/** The list the user picks from: "organize with these moves" first, then every module that
 * the plan moves or keeps, with where it goes now and why the plan had it there. */
export function planItems(plan: EditablePlan, moves: readonly Move[]): PlanItem[] {
  const edited = isEdited(plan, moves);
  const items: PlanItem[] = [{
    label: '$(check) Organize with these moves',
    description: `${moves.length} module(s)${edited ? ', edited: written to the configuration first' : ''}`,
  }];
  const reasons = new Map([...plan.moves.map((m) => [m.from, m.reason] as const),
                           ...plan.kept.map((k) => [k.path, k.reason] as const)]);
  const planned = new Map(plan.moves.map((m) => [m.from, m.to]));
  const paths = [...new Set([...plan.moves.map((m) => m.from), ...plan.kept.map((k) => k.path)])].sort();
  for (const path of paths) {
    const to = moves.find((move) => move.from === path)?.to;
    const before = planned.get(path);
    const changed = to !== before;
    const where = to === undefined ? 'stays at the root' : `→ ${shown(plan.root, to)}`;
    const why = reasons.get(path) ?? '';
    items.push({
      label: shown(plan.root, path),
      description: changed ? `${where} (edited)` : where,
      detail: changed ? `planned: ${before === undefined ? 'stays at the root' : shown(plan.root, before)} (${why})` : why,
      path,
    });
  }
  return items;
}

export const OTHER = 'other';

/** A destination to pick: a full module path, null = not moved, OTHER = typed by the user. */
export interface DestinationItem {
  label: string;
  description?: string;
  to: string | null | typeof OTHER;
}

/** Where the module `path` may go: the packages (its current one marked), staying, or other. */
export function destinationItems(plan: EditablePlan, moves: readonly Move[], path: string): DestinationItem[] {
  const current = moves.find((move) => move.from === path)?.to;
  const planned = plan.moves.find((move) => move.from === path)?.to;
  const folders = [...new Set([...plan.packages, ...(current ? [parentOf(current)] : [])])]
    .filter((folder) => folder !== plan.root).sort();
  const name = baseName(path);
  const items: DestinationItem[] = folders.map((folder) => {
    const to = join(folder, name);
    const marks = [to === current && 'current', to === planned && to !== current && 'planned'].filter(Boolean);
    return { label: `${shown(plan.root, folder)}/`, description: marks.join(', ') || undefined, to };
  });
  items.push({ label: 'Stay at the root', description: current === undefined ? 'current' : 'not moved', to: null });
  items.push({ label: 'Other…', description: 'type a package folder or a new module path', to: OTHER });
  return items;
}

/**
 * What the user typed in "Other…", relative to the organized folder: a package folder
 * ("core/text", the module keeps its name) or a module path ("core/text/cleaning.py", a
 * rename). The server checks again; this is for an answer while typing.
 */
export function destinationFromInput(root: string, path: string, input: string): { to: string } | { error: string } {
  const typed = input.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (!typed || typed === '.') return { error: 'Type a package folder such as core/ or a module path such as core/text.py' };
  if (typed.startsWith('/') || /^[A-Za-z]:/.test(typed)) return { error: 'Type a path relative to the organized folder' };
  const parts = typed.split('/');
  const isModule = typed.endsWith('.py');
  const names = isModule ? [...parts.slice(0, -1), parts[parts.length - 1].slice(0, -3)] : parts;
  const wrong = names.find((part) => !isPythonName(part));
  if (wrong !== undefined) return { error: `'${wrong}' is not a valid Python name` };
  const relative = isModule ? typed : `${typed}/${baseName(path)}`;
  const to = join(root, relative);
  return to === path ? { error: 'That is where the module is now: pick "Stay at the root"' } : { to };
}

/** The moves with `path` going to `to` (null: not moved); the order of the others is kept. */
export function withDestination(moves: readonly Move[], path: string, to: string | null): Move[] {
  const index = moves.findIndex((move) => move.from === path);
  if (to === null || to === path) return moves.filter((move) => move.from !== path);
  if (index < 0) return [...moves, { from: path, to }];
  return moves.map((move, at) => (at === index ? { from: path, to } : move));
}

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal',
  'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

function isPythonName(part: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(part) && !KEYWORDS.has(part);
}

/** A path as the user thinks of it: relative to the organized folder. */
function shown(root: string, path: string): string {
  return root && path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

function join(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name;
}

function parentOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
