import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  destinationFromInput, destinationItems, EditablePlan, isEditablePlan, isEdited, isWritten, OTHER, planItems,
  plannedMoves, withDestination,
} from '../src/planEdit';

// What organizeBackend.planMoves answers for a flat backend/ folder.
const PLAN: EditablePlan = {
  root: 'backend',
  folder: 'file:///work/app/backend',
  moves: [
    { from: 'backend/agent.py', to: 'backend/agents/agent.py', reason: 'name says "agent"' },
    { from: 'backend/text_utils.py', to: 'backend/utils/text_utils.py', reason: 'name says "utils"' },
  ],
  kept: [{ path: 'backend/main.py', reason: 'entry point: kept at the root' }],
  packages: ['backend/agents', 'backend/legacy', 'backend/utils'],
};

test("the server's answer is a plan to edit, or a refusal it has already shown", () => {
  assert.ok(isEditablePlan(PLAN));
  assert.ok(!isEditablePlan({ message: 'no workspace folder is open' }));
  assert.ok(!isEditablePlan(undefined));
  assert.ok(isWritten({ written: true, moves: 2 }));
  assert.ok(!isWritten({ written: false, message: 'conflicting moves' }));
  assert.ok(!isWritten(undefined));
});

test('the list shows organize first, then every moved and kept module relative to the root', () => {
  const items = planItems(PLAN, plannedMoves(PLAN));
  assert.equal(items[0].path, undefined);
  assert.equal(items[0].description, '2 module(s)');
  assert.deepEqual(items.slice(1).map((item) => [item.label, item.description, item.detail, item.path]), [
    ['agent.py', '→ agents/agent.py', 'name says "agent"', 'backend/agent.py'],
    ['main.py', 'stays at the root', 'entry point: kept at the root', 'backend/main.py'],
    ['text_utils.py', '→ utils/text_utils.py', 'name says "utils"', 'backend/text_utils.py'],
  ]);
});

test('an edited module says so, with what the plan had', () => {
  let moves = withDestination(plannedMoves(PLAN), 'backend/text_utils.py', 'backend/core/text_utils.py');
  moves = withDestination(moves, 'backend/agent.py', null);
  moves = withDestination(moves, 'backend/main.py', 'backend/app/main.py');
  const byPath = new Map(planItems(PLAN, moves).map((item) => [item.path, item]));
  assert.equal(byPath.get('backend/text_utils.py')?.description, '→ core/text_utils.py (edited)');
  assert.equal(byPath.get('backend/text_utils.py')?.detail, 'planned: utils/text_utils.py (name says "utils")');
  assert.equal(byPath.get('backend/agent.py')?.description, 'stays at the root (edited)');
  assert.equal(byPath.get('backend/main.py')?.detail, 'planned: stays at the root (entry point: kept at the root)');
  assert.match(byPath.get(undefined)?.description ?? '', /^2 module\(s\), edited/);
});

test('moves: a new destination replaces the old in place, staying removes it, a kept module is added', () => {
  const planned = plannedMoves(PLAN);
  assert.deepEqual(withDestination(planned, 'backend/agent.py', 'backend/legacy/agent.py'), [
    { from: 'backend/agent.py', to: 'backend/legacy/agent.py' },
    { from: 'backend/text_utils.py', to: 'backend/utils/text_utils.py' },
  ]);
  assert.deepEqual(withDestination(planned, 'backend/agent.py', null), [planned[1]]);
  assert.deepEqual(withDestination(planned, 'backend/agent.py', 'backend/agent.py'), [planned[1]]);
  assert.deepEqual(withDestination(planned, 'backend/main.py', 'backend/app/main.py'),
    [...planned, { from: 'backend/main.py', to: 'backend/app/main.py' }]);
  assert.deepEqual(planned, plannedMoves(PLAN)); // the moves it was given are left as they were
});

test('the plan counts as edited only when its moves differ, whatever their order', () => {
  const planned = plannedMoves(PLAN);
  assert.ok(!isEdited(PLAN, planned));
  assert.ok(!isEdited(PLAN, [...planned].reverse()));
  assert.ok(isEdited(PLAN, planned.slice(1)));
  assert.ok(isEdited(PLAN, withDestination(planned, 'backend/agent.py', 'backend/legacy/agent.py')));
  assert.ok(isEdited(PLAN, [...planned, { from: 'backend/main.py', to: 'backend/app/main.py' }]));
});

test('destinations: the packages with the current and planned ones marked, then stay and other', () => {
  const moves = withDestination(plannedMoves(PLAN), 'backend/agent.py', 'backend/legacy/agent.py');
  assert.deepEqual(destinationItems(PLAN, moves, 'backend/agent.py'), [
    { label: 'agents/', description: 'planned', to: 'backend/agents/agent.py' },
    { label: 'legacy/', description: 'current', to: 'backend/legacy/agent.py' },
    { label: 'utils/', description: undefined, to: 'backend/utils/agent.py' },
    { label: 'Stay at the root', description: 'not moved', to: null },
    { label: 'Other…', description: 'type a package folder or a new module path', to: OTHER },
  ]);
});

test("a destination typed in before is offered with the plan's packages; a kept module stays now", () => {
  const moves = withDestination(plannedMoves(PLAN), 'backend/main.py', 'backend/app/main.py');
  const labels = destinationItems(PLAN, moves, 'backend/main.py').map((item) => [item.label, item.description]);
  assert.deepEqual(labels.slice(0, 2), [['agents/', undefined], ['app/', 'current']]);
  const kept = destinationItems(PLAN, plannedMoves(PLAN), 'backend/main.py');
  assert.deepEqual(kept.find((item) => item.to === null)?.description, 'current');
});

test('typed destinations: a folder keeps the name, a .py path renames, both below the root', () => {
  assert.deepEqual(destinationFromInput('backend', 'backend/text_utils.py', 'core/text'),
    { to: 'backend/core/text/text_utils.py' });
  assert.deepEqual(destinationFromInput('backend', 'backend/text_utils.py', ' ./core/ '),
    { to: 'backend/core/text_utils.py' });
  assert.deepEqual(destinationFromInput('backend', 'backend/text_utils.py', 'core\\cleaning.py'),
    { to: 'backend/core/cleaning.py' });
  assert.deepEqual(destinationFromInput('', 'text_utils.py', 'utils'), { to: 'utils/text_utils.py' });
  assert.deepEqual(destinationFromInput('backend', 'backend/t.py', 'données'), { to: 'backend/données/t.py' });
});

test('typed destinations that cannot be a Python module are refused while typing', () => {
  const error = (input: string) => {
    const result = destinationFromInput('backend', 'backend/text_utils.py', input);
    return 'error' in result ? result.error : undefined;
  };
  assert.match(error('') ?? '', /Type a package folder/);
  assert.match(error('/etc') ?? '', /relative to the organized folder/);
  assert.match(error('C:/core') ?? '', /relative to the organized folder/);
  assert.equal(error('../core'), "'..' is not a valid Python name");
  assert.equal(error('core/class'), "'class' is not a valid Python name");
  assert.equal(error('2core'), "'2core' is not a valid Python name");
  assert.equal(error('my-utils/x.py'), "'my-utils' is not a valid Python name");
  assert.match(error('text_utils.py') ?? '', /where the module is now/);
  assert.equal(error('core/text.py'), undefined);
});
