import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-ignore: a plain ES module of the build scripts, without type declarations
import { projectDependencies } from '../scripts/pyproject.mjs';

const SAMPLE = `
[build-system]
requires = ["setuptools>=68"]

[project]
name = "x"
dependencies = [
    "rope>=1.15,<1.16",  # the refactoring engine
    'pytoolconfig[global]>=1.2',
    "tomli>=2.0; python_version < '3.11'",
]

[project.optional-dependencies]
test = ["pytest>=8"]
`;

test('dependencies of [project]: comments, brackets and markers survive', () => {
  assert.deepEqual(projectDependencies(SAMPLE), [
    'rope>=1.15,<1.16', 'pytoolconfig[global]>=1.2', "tomli>=2.0; python_version < '3.11'",
  ]);
});

test('other tables are not read', () => {
  const other = '[tool.x]\ndependencies = ["nope"]\n[project]\nname = "x"\n';
  assert.throws(() => projectDependencies(other), /no dependencies array/);
});

test("the repository's pyproject.toml names the server's libraries", () => {
  const names = projectDependencies(readFileSync(join(__dirname, '..', '..', '..', 'pyproject.toml'), 'utf8'))
    .map((requirement: string) => /^[A-Za-z0-9_.-]+/.exec(requirement)?.[0]);
  for (const name of ['rope', 'pygls', 'lsprotocol']) assert.ok(names.includes(name), name);
});
