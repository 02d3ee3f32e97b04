import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);

test('no contributed command has the id of a server command', () => {
  // vscode-languageclient registers every command of the server's executeCommandProvider as a
  // VS Code command; a contributed command of the same id makes the client fail to start.
  const actions = readFileSync(join(root, '..', 'server', 'organize_backend', 'lsp', 'actions.py'), 'utf8');
  const serverCommands = [...actions.matchAll(/"(organizeBackend\.\w+)"/g)].map((match) => match[1]);
  assert.ok(serverCommands.length >= 5, `server commands found: ${serverCommands}`);
  for (const id of contributed) assert.ok(!serverCommands.includes(id), `${id} is also a server command`);
});

test('every contributed command activates the extension and is registered in the code', () => {
  const source = readFileSync(join(root, 'src', 'commands.ts'), 'utf8');
  for (const id of contributed) {
    assert.ok(manifest.activationEvents.includes(`onCommand:${id}`), id);
    assert.ok(source.includes(`'${id}'`), id);
  }
});

test('menus name only contributed commands', () => {
  const menus = Object.values(manifest.contributes.menus).flat() as { command: string }[];
  for (const entry of menus) assert.ok(contributed.includes(entry.command), entry.command);
});

test('no activation at start-up: only Python files and the commands wake the extension', () => {
  for (const event of manifest.activationEvents) assert.match(event, /^(onLanguage:python|onCommand:)/);
});

test('the server commands the client sends exist on the server', () => {
  const source = readFileSync(join(root, 'src', 'commands.ts'), 'utf8');
  const block = /const SERVER = \{([^}]*)\}/.exec(source)?.[1] ?? '';
  const sent = [...block.matchAll(/'(organizeBackend\.\w+)'/g)].map((match) => match[1]);
  const actions = readFileSync(join(root, '..', 'server', 'organize_backend', 'lsp', 'actions.py'), 'utf8');
  assert.equal(sent.length, 6);
  for (const id of sent) assert.ok(actions.includes(`"${id}"`), `${id} is not a server command`);
});
