/**
 * npm's postinstall: creates .venv/ inside the project and installs the pinned FakeAI into it.
 *
 * Idempotent and quick on re-runs: a stamp file records a hash of the requirement files and the
 * base interpreter; when nothing changed the script only checks that `import fakeai` still works.
 *
 * Base interpreter: E2E_PYTHON, else python3. Set E2E_SKIP_VENV=1 to skip (for example when you
 * test a FakeAI you installed yourself and pass --python).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { prepareOpenAiSpec } from '../helpers/api/openai-spec';

const root = path.resolve(__dirname, '..');
const venv = path.join(root, '.venv');
const venvPython = path.join(venv, 'bin', 'python');
const requirements = path.join(root, 'python', 'requirements.txt');
const constraints = path.join(root, 'python', 'constraints.txt');
const stampFile = path.join(venv, '.fakeai-e2e-stamp');
const FIND_SPEC =
  "import importlib.util as u, sys; sys.exit(0 if u.find_spec('fakeai') and u.find_spec('PIL') else 1)";

function say(line: string): void {
  process.stdout.write(`[fakeai-e2e setup] ${line}\n`);
}

function fail(paragraph: string): never {
  process.stderr.write(`\n[fakeai-e2e setup] ${paragraph}\n\n`);
  process.exit(2);
}

function run(cmd: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return { ok: false, output: String(r.error.message) };
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function lastLines(text: string, n = 20): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

async function main(): Promise<void> {
  if (process.env.E2E_SKIP_VENV === '1') {
    say('E2E_SKIP_VENV=1: not creating .venv (pass --python or E2E_PYTHON to the suite).');
    return;
  }
  const basePython = process.env.E2E_PYTHON || 'python3';
  const version = run(basePython, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])']);
  if (!version.ok) {
    fail(
      `Could not run the Python interpreter "${basePython}" to create the project's virtualenv ` +
        `(${lastLines(version.output, 3)}). Install Python 3.10 or newer, or point E2E_PYTHON at ` +
        `one, then run "npm install" again.`,
    );
  }
  const stamp = createHash('sha256')
    .update(readFileSync(requirements))
    .update(readFileSync(constraints))
    .update(`${basePython}@${version.output.trim()}`)
    .digest('hex');

  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) {
    // find_spec, not import: importing fakeai costs ~1.7 s, and this path runs on every npm install.
    const check = run(venvPython, ['-c', FIND_SPEC]);
    if (check.ok) {
      say(`.venv is up to date (Python ${version.output.trim()}, ${readPin()}).`);
      await warmOpenAiSpec();
      return;
    }
    say('.venv exists but fakeai no longer imports: rebuilding it.');
  }

  if (existsSync(venv)) rmSync(venv, { recursive: true, force: true });
  say(`creating .venv with ${basePython} (Python ${version.output.trim()})`);
  const created = run(basePython, ['-m', 'venv', venv]);
  if (!created.ok) {
    fail(
      `"${basePython} -m venv .venv" failed:\n${lastLines(created.output)}\nOn Debian/Ubuntu install ` +
        `the venv module (apt-get install python3-venv), then run "npm install" again.`,
    );
  }
  say(`installing ${readPin()} and its pinned dependencies from PyPI`);
  const installed = run(venvPython, [
    '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet',
    '-r', requirements, '-c', constraints,
  ]);
  if (!installed.ok) {
    fail(
      `pip could not install the pinned server into .venv:\n${lastLines(installed.output)}\n` +
        `Check that PyPI is reachable, then run "npm install" again.`,
    );
  }
  const check = run(venvPython, ['-c', 'import fakeai, PIL']);
  if (!check.ok) {
    fail(`fakeai was installed but does not import:\n${lastLines(check.output)}`);
  }
  writeFileSync(stampFile, `${stamp}\n`);
  say(`.venv ready: ${venvPython}`);
  await warmOpenAiSpec();
}

/**
 * Converts OpenAI's pinned document into its on-disk cache now, once, rather than in the first
 * globalSetup: on a fresh clone the first test runs would otherwise each pay ~2 s of CPU for it at
 * the same moment (the self-tests start several fixture runs at once), starving the servers they time.
 */
async function warmOpenAiSpec(): Promise<void> {
  try {
    const info = await prepareOpenAiSpec(venvPython);
    say(`OpenAI API document ${info.version} cached (${path.relative(root, info.dir)}).`);
  } catch (e) {
    fail((e as Error).message);
  }
}

function readPin(): string {
  const line = readFileSync(requirements, 'utf8').split('\n').find((l) => l.startsWith('fakeai=='));
  return line ?? 'fakeai';
}

void main();
