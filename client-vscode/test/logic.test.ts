import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  commandFromSetting, hasChanges, initializationOptions, interpreterCandidates, isSupported, parseVersion,
  renameOutcome, renamePolicy,
} from '../src/logic';

test('an interpreter setting: a string is one path, even with spaces; an array is a command', () => {
  assert.deepEqual(commandFromSetting('/opt/My Python/bin/python3'), ['/opt/My Python/bin/python3']);
  assert.deepEqual(commandFromSetting(['py', '-3.12']), ['py', '-3.12']);
  assert.equal(commandFromSetting('  '), undefined);
  assert.equal(commandFromSetting([]), undefined);
  assert.equal(commandFromSetting(['py', 3]), undefined);
  assert.equal(commandFromSetting(null), undefined);
});

test('the setting is the only candidate when set', () => {
  const candidates = interpreterCandidates('/venv/bin/python', '/other/python', 'python3');
  assert.deepEqual(candidates, [{ command: ['/venv/bin/python'], source: 'setting' }]);
});

test('without a setting: the Python extension first, then the default', () => {
  assert.deepEqual(interpreterCandidates('', '/venv/bin/python', 'python3'), [
    { command: ['/venv/bin/python'], source: 'python-extension' },
    { command: ['python3'], source: 'default' },
  ]);
  assert.deepEqual(interpreterCandidates(undefined, undefined, 'python3'), [{ command: ['python3'], source: 'default' }]);
  assert.equal(interpreterCandidates(undefined, 'python3', 'python3').length, 1);
});

test('versions are read from print(sys.version_info[:2])', () => {
  assert.deepEqual(parseVersion('(3, 12)\n'), [3, 12]);
  assert.deepEqual(parseVersion('(3,9)'), [3, 9]);
  assert.equal(parseVersion('Python 3.12.1'), undefined);
});

test('Python 3.10 and newer are supported, older ones are not', () => {
  assert.ok(isSupported([3, 10]));
  assert.ok(isSupported([3, 13]));
  assert.ok(isSupported([4, 0]));
  assert.ok(!isSupported([3, 9]));
  assert.ok(!isSupported([2, 7]));
});

test('updateImportsOnFileMove: unknown values mean prompt', () => {
  assert.equal(renamePolicy('always'), 'always');
  assert.equal(renamePolicy('never'), 'never');
  assert.equal(renamePolicy('prompt'), 'prompt');
  assert.equal(renamePolicy(true), 'prompt');
  assert.equal(renamePolicy(undefined), 'prompt');
});

test('answers to the import question: only Yes and Always apply the edit', () => {
  assert.deepEqual(renameOutcome('Yes'), { apply: true });
  assert.deepEqual(renameOutcome('No'), { apply: false });
  assert.deepEqual(renameOutcome('Always'), { apply: true, remember: 'always' });
  assert.deepEqual(renameOutcome('Never'), { apply: false, remember: 'never' });
  assert.deepEqual(renameOutcome(undefined), { apply: false }); // dismissed
});

test('an edit is worth asking about only if it changes something', () => {
  assert.ok(hasChanges({ size: 2 }));
  assert.ok(!hasChanges({ size: 0 }));
  assert.ok(!hasChanges(null));
  assert.ok(!hasChanges(undefined));
});

test("the server is told the project's interpreter only when the Python extension names one", () => {
  assert.deepEqual(initializationOptions('/work/app/.venv/bin/python'), { python: '/work/app/.venv/bin/python' });
  assert.deepEqual(initializationOptions(' /opt/My Python/bin/python3 '), { python: '/opt/My Python/bin/python3' });
  assert.deepEqual(initializationOptions(undefined), {});
  assert.deepEqual(initializationOptions('  '), {});
});
