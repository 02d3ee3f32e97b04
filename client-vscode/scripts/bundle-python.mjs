// Fills bundled/: the language server (from ../server) in bundled/tool, its launcher, and
// the pure-Python libraries it needs in bundled/libs, so the extension runs on any
// Python 3.10+ without pip install.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectDependencies } from './pyproject.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const extension = resolve(here, '..');
const repo = resolve(extension, '..');
const bundled = join(extension, 'bundled');
const tool = join(bundled, 'tool');
const libs = join(bundled, 'libs');
const python = process.env.PYTHON || (process.platform === 'win32' ? 'python' : 'python3');
const OLDEST_PYTHON = '3.10';

function run(command, args) {
  // Builds often run as root in containers; pip's advice about that is noise here.
  const env = { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' };
  const result = spawnSync(command, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.error) throw new Error(`${command}: ${result.error.message} (set PYTHON to a Python 3 with pip)`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
  return result.stdout;
}

function copyServer() {
  const source = join(repo, 'server', 'organize_backend');
  if (!existsSync(source)) throw new Error(`no language server at ${source}`);
  const compiled = (path) => basename(path) !== '__pycache__' && !path.endsWith('.pyc');
  cpSync(source, join(tool, 'organize_backend'), { recursive: true, filter: compiled });
  cpSync(join(extension, 'python', 'server.py'), join(tool, 'server.py'));
}

// Wheels only, resolved for the oldest supported Python; no scripts, no bytecode (the
// interpreter that runs them writes its own).
function pipInstall(requirements) {
  rmSync(libs, { recursive: true, force: true });
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input',
    '--no-compile', '--no-warn-script-location', '--target', libs,
    '--python-version', OLDEST_PYTHON, '--implementation', 'py', '--only-binary=:all:',
    ...requirements]);
  rmSync(join(libs, 'bin'), { recursive: true, force: true });
}

// pip judges markers by the Python running it, so a build on 3.11+ would miss what 3.10
// needs (tomli, exceptiongroup): add what the helper reports until nothing is missing.
function installLibraries(dependencies) {
  let requirements = dependencies;
  for (let pass = 0; pass < 4; pass += 1) {
    pipInstall(requirements);
    const helper = join(here, 'extra_requirements.py');
    const missing = run(python, [helper, libs, ...requirements]).split('\n').filter(Boolean);
    if (missing.length === 0) return requirements;
    requirements = [...requirements, ...missing];
  }
  throw new Error('bundled libraries: requirements do not settle after 4 passes');
}

function main() {
  const dependencies = projectDependencies(readFileSync(join(repo, 'pyproject.toml'), 'utf8'));
  rmSync(bundled, { recursive: true, force: true });
  mkdirSync(tool, { recursive: true });
  copyServer();
  const installed = installLibraries(dependencies);
  console.log(`bundled: organize_backend and ${installed.join(', ')}`);
}

try {
  main();
} catch (error) {
  console.error(`bundle-python: ${error.message}`);
  process.exit(1);
}
