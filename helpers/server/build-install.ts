/**
 * Installs a `--fakeai <spec>` build into a virtualenv of its own, .venv-builds/<key>/, and says
 * which interpreter runs it. Cached: a venv whose stamp matches is used as it is; a source checkout
 * is reinstalled when its files change (git HEAD + `git status`, or the sizes and mtimes of its
 * files when it is not a git work tree).
 *
 * Same pins as the project's .venv where they apply: pip gets python/constraints.txt and the
 * pillow pin from python/requirements.txt. A build that needs other versions (pip's resolver
 * refuses the constraints) is retried without them, and the stamp says so.
 *
 * Runs before Jest (scripts/e2e.ts, scripts/matrix.ts), synchronously: nothing else happens while
 * pip works. Failures are HarnessErrors (exit 2) with pip's or Python's last lines.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HarnessConfig } from '../core/config';
import { HarnessError } from '../core/errors';
import type { BuildIdentity } from '../core/harness-env';
import { type BuildSpec, type DirectUrl, originOf } from './build-spec';

export const BUILDS_DIR = '.venv-builds';

export interface InstalledBuild {
  spec: BuildSpec;
  python: string;
  venv: string;
  /** What happened this time: nothing to do, a fresh venv, or a reinstall after the checkout changed. */
  action: 'cached' | 'installed' | 'reinstalled';
  /** The pip command that installed it (its arguments), for the report. */
  pipArgs: string[];
  /** Whether python/constraints.txt applied (false: the build needs other versions). */
  constrained: boolean;
  /** Git commit of a checkout (with "+dirty" for local changes), null otherwise. */
  commit: string | null;
  ms: number;
}

interface Stamp {
  fingerprint: string;
  pipArgs: string[];
  constrained: boolean;
  commit: string | null;
}

function run(cmd: string, args: string[], cwd?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function tail(text: string, n = 15): string {
  return text.trimEnd().split('\n').slice(-n).map((l) => `  | ${l}`).join('\n');
}

/** Git HEAD plus "+dirty" and a hash of `git status`, or null outside a git work tree. */
export function checkoutCommit(dir: string): { commit: string; statusHash: string } | null {
  const head = run('git', ['-C', dir, 'rev-parse', 'HEAD']);
  if (!head.ok) return null;
  const status = run('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=normal']);
  const dirty = status.out.trim() !== '';
  // A dirty tree changes with every edit: hash the changed files' sizes and mtimes, not just the list.
  const changed = status.out.split('\n').map((l) => l.slice(3).trim()).filter(Boolean);
  const detail = changed.map((f) => {
    try {
      const st = statSync(path.join(dir, f));
      return `${f}:${st.size}:${st.mtimeMs}`;
    } catch {
      return `${f}:gone`;
    }
  });
  return { commit: `${head.out.trim().slice(0, 12)}${dirty ? '+dirty' : ''}`, statusHash: createHash('sha256').update(detail.join('\n')).digest('hex') };
}

const SKIP_DIRS = new Set(['.git', '__pycache__', 'build', 'dist', '.venv', 'venv', 'node_modules', '.tox', '.mypy_cache', '.pytest_cache']);

/** Sizes and mtimes of every file under `dir` (build outputs and caches left out). */
export function treeFingerprint(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.endsWith('.egg-info')) walk(path.join(d, e.name));
      } else if (e.isFile() && !e.name.endsWith('.pyc')) {
        const st = statSync(path.join(d, e.name));
        h.update(`${path.relative(dir, path.join(d, e.name))}:${st.size}:${st.mtimeMs}\n`);
      }
    }
  };
  walk(dir);
  return h.digest('hex');
}

/** What must be unchanged for the cached venv to still be the build the user named. */
function fingerprint(spec: BuildSpec, basePythonVersion: string, pins: string): { value: string; commit: string | null } {
  const h = createHash('sha256').update(`${spec.requirement}\n${basePythonVersion}\n${pins}\n`);
  let commit: string | null = null;
  if (spec.kind === 'checkout') {
    const git = checkoutCommit(spec.requirement);
    commit = git?.commit ?? null;
    h.update(git ? `${git.commit}\n${git.statusHash}` : treeFingerprint(spec.requirement));
  } else if (spec.kind === 'archive') {
    const st = statSync(spec.requirement);
    h.update(`${st.size}:${st.mtimeMs}`);
  }
  return { value: h.digest('hex'), commit };
}

function pillowPin(root: string): string {
  const line = readFileSync(path.join(root, 'python', 'requirements.txt'), 'utf8').split('\n').find((l) => /^pillow==/i.test(l.trim()));
  return line?.trim() ?? 'pillow';
}

function installError(spec: BuildSpec, what: string, output: string, remedy: string): HarnessError {
  return new HarnessError('BUILD_INSTALL_FAILED', `Cannot install the FakeAI build "--fakeai ${spec.spec}" (${spec.requirement}): ${what}.\n${tail(output)}\nWhat to do: ${remedy}`);
}

/** Installs (or finds cached) the build; throws a HarnessError that reads as one paragraph. */
export function ensureBuild(spec: BuildSpec, opts: { root: string; basePython: string; log?: (line: string) => void }): InstalledBuild {
  const started = Date.now();
  const say = opts.log ?? (() => undefined);
  const venv = path.join(opts.root, BUILDS_DIR, spec.key);
  const python = path.join(venv, 'bin', 'python');
  const stampFile = path.join(venv, '.fakeai-e2e-build.json');
  const base = run(opts.basePython, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])']);
  if (!base.ok) {
    throw new HarnessError('PYTHON_NOT_FOUND', `Cannot create a virtualenv for "--fakeai ${spec.spec}": the Python interpreter "${opts.basePython}" could not be run.\n${tail(base.out, 3)}\nWhat to do: point --python / E2E_PYTHON at Python 3.10 or newer (with --fakeai it is the interpreter the build's venv is made from).`);
  }
  const constraints = path.join(opts.root, 'python', 'constraints.txt');
  const pins = `${readFileSync(constraints, 'utf8')}\n${pillowPin(opts.root)}`;
  const fp = fingerprint(spec, base.out.trim(), pins);

  const stamp = existsSync(stampFile) ? (JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp) : null;
  if (stamp && stamp.fingerprint === fp.value && existsSync(python)) {
    return { spec, python, venv, action: 'cached', pipArgs: stamp.pipArgs, constrained: stamp.constrained, commit: stamp.commit, ms: Date.now() - started };
  }
  // A checkout that changed keeps its venv (the dependencies rarely move): only the package is rebuilt.
  const reinstall = stamp !== null && spec.kind === 'checkout' && existsSync(python);
  if (!reinstall) {
    rmSync(venv, { recursive: true, force: true });
    mkdirSync(path.dirname(venv), { recursive: true });
    say(`creating ${path.relative(opts.root, venv)} with ${opts.basePython} (Python ${base.out.trim()})`);
    const made = run(opts.basePython, ['-m', 'venv', venv]);
    if (!made.ok) throw installError(spec, `"${opts.basePython} -m venv" failed`, made.out, 'install the venv module (Debian/Ubuntu: apt-get install python3-venv), or pass --python with an interpreter that has it.');
  }
  const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-color', '--quiet'];
  let pipArgs = reinstall ? [...pip, '--force-reinstall', '--no-deps', spec.requirement] : [...pip, spec.requirement, pillowPin(opts.root), '-c', constraints];
  let constrained = !reinstall;
  say(`${reinstall ? 'reinstalling' : 'installing'} ${spec.requirement} (pip ${pipArgs.slice(2).join(' ')})`);
  let r = run(python, pipArgs, opts.root);
  if (!r.ok && constrained && /ResolutionImpossible|conflict/i.test(r.out)) {
    // The build asks for other versions than 0.3.2's pins: install what it asks for, and say so.
    say('the pinned dependency versions do not fit this build; installing without python/constraints.txt');
    pipArgs = [...pip, spec.requirement, pillowPin(opts.root)];
    constrained = false;
    r = run(python, pipArgs, opts.root);
  }
  if (!r.ok) {
    // A fresh venv that holds no build is clutter; a checkout's venv keeps its dependencies for the next try.
    if (reinstall) rmSync(stampFile, { force: true });
    else rmSync(venv, { recursive: true, force: true });
    const remedy =
      spec.kind === 'pypi'
        ? `check that PyPI is reachable and serves fakeai ${spec.requirement.split('==')[1]} ("pip index versions fakeai" lists what it serves).`
        : 'run the same pip command by hand to see the whole output; a source checkout must be installable with "pip install <dir>".';
    throw installError(spec, 'pip failed', r.out, remedy);
  }
  const next: Stamp = { fingerprint: fp.value, pipArgs: pipArgs.slice(2), constrained, commit: fp.commit };
  writeFileSync(stampFile, `${JSON.stringify(next, null, 2)}\n`);
  return { spec, python, venv, action: reinstall ? 'reinstalled' : 'installed', pipArgs: next.pipArgs, constrained, commit: fp.commit, ms: Date.now() - started };
}

/**
 * Imports the build the way `python -m fakeai server` does (its app module, with every route), so
 * a build that cannot start fails here in one paragraph rather than as a server that died at boot.
 */
export function checkBuildImports(build: InstalledBuild): void {
  const r = run(build.python, ['-c', 'import PIL, fakeai, importlib.util as u; u.find_spec("fakeai.app") and __import__("fakeai.app")']);
  if (r.ok) return;
  const last = r.out.trim().split('\n').pop() ?? '';
  throw new HarnessError(
    'BUILD_DOES_NOT_IMPORT',
    `The FakeAI build "--fakeai ${build.spec.spec}" installed into ${build.venv}, but it does not import: ${last}\n${tail(r.out, 8)}\n` +
      'What to do: nothing in the suite can fix this; the build itself is broken (a release missing a module, a checkout needing a newer Python). ' +
      `Reproduce with: ${build.python} -c "import fakeai.app"`,
  );
}

/** The runner's handoff to globalSetup and the reports (E2E_FAKEAI_BUILD): how the build got there. */
export const BUILD_HINT_VAR = 'E2E_FAKEAI_BUILD';

export interface BuildHint {
  source: BuildIdentity['source'];
  installedBy: string;
  commit: string | null;
  /** False when the install failed: the interpreter at hand is not the build, so it is not asked. */
  installed?: boolean;
}

export function hintFor(build: InstalledBuild): BuildHint {
  const how = build.action === 'cached' ? `cached venv ${BUILDS_DIR}/${build.spec.key}` : `pip ${build.pipArgs.join(' ')}${build.constrained ? '' : ' (python/constraints.txt did not fit: unpinned)'}`;
  return { source: build.spec.kind, installedBy: `--fakeai ${build.spec.spec} → ${how}`, commit: build.commit };
}

export function readBuildHint(env: NodeJS.ProcessEnv = process.env): BuildHint | null {
  const raw = env[BUILD_HINT_VAR];
  if (!raw) return null;
  try {
    return JSON.parse(raw) as BuildHint;
  } catch {
    return null;
  }
}

// The fingerprint: every .py file of the fakeai package Python would import (path, size, mtime in
// ns), hashed. An edit, a checkout or a reinstall changes it; helpers/api/openapi.ts keys the
// documents it keeps between runs by it. Without importing fakeai (its app reads FAKEAI_* at import).
const PROBE = `
import json, importlib.metadata as m
out = {'version': None, 'direct': None, 'fingerprint': None}
try:
    d = m.distribution('fakeai')
    out['version'] = d.version
    t = d.read_text('direct_url.json')
    out['direct'] = json.loads(t) if t else None
except Exception:
    pass
try:
    import hashlib, importlib.util, os, sys
    spec = importlib.util.find_spec('fakeai')
    root = os.path.dirname(spec.origin)
    h = hashlib.sha256(sys.executable.encode() + b'\\0' + root.encode())
    for base, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for f in sorted(files):
            if f.endswith('.py'):
                st = os.stat(os.path.join(base, f))
                h.update(f'{os.path.relpath(os.path.join(base, f), root)}\\0{st.st_size}\\0{st.st_mtime_ns}\\n'.encode())
    out['fingerprint'] = h.hexdigest()[:24]
except Exception:
    pass
print(json.dumps(out))
`;

/** The probe's answer joined with the runner's hint; an answer that is not the probe's JSON leaves version null. */
function identityOf(python: string, hint: BuildHint, probe: { ok: boolean; out: string }): BuildIdentity {
  let probed: { version: string | null; direct: DirectUrl | null; fingerprint?: string | null } = { version: null, direct: null };
  if (probe.ok) {
    try {
      probed = JSON.parse(probe.out.trim().split('\n').pop() ?? '');
    } catch {
      // Not Python's JSON: leave it unknown.
    }
  }
  const o = originOf(probed.direct);
  return { version: probed.version, installedBy: hint.installedBy, source: hint.source, ...o, commit: hint.commit ?? o.commit, python, fingerprint: probed.fingerprint ?? null };
}

/**
 * The build as the interpreter knows it (package metadata and pip's direct_url.json) joined with
 * how the runner installed it. A probe that fails leaves version null: the server's own start-up
 * check then says what is wrong.
 */
export function probeBuild(python: string, hint: BuildHint): BuildIdentity {
  return identityOf(python, hint, run(python, ['-c', PROBE]));
}

/** probeBuild without blocking: the same probe and answer, so it can run while the servers boot. */
export function probeBuildAsync(python: string, hint: BuildHint): Promise<BuildIdentity> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve(identityOf(python, hint, { ok: !error, out: `${stdout ?? ''}${stderr ?? ''}` }));
    });
  });
}

/** Whether the run's build is asked (probeBuild), or already known without asking (a reused server, a failed install). */
function buildWithoutProbe(config: Pick<HarnessConfig, 'reuseUrl' | 'python' | 'pythonSource'>, env: NodeJS.ProcessEnv): { known: BuildIdentity } | { hint: BuildHint } {
  if (config.reuseUrl) {
    return { known: { version: null, installedBy: `not installed by the suite: the running server at ${config.reuseUrl} (--host/--port, E2E_URL)`, source: 'reused', origin: config.reuseUrl, commit: null, archive: null, fromIndex: false, python: null } };
  }
  const hint: BuildHint = readBuildHint(env) ??
    (config.pythonSource === 'project .venv'
      ? { source: 'pinned', installedBy: 'npm install (.venv from python/requirements.txt + constraints.txt)', commit: null }
      : { source: 'interpreter', installedBy: `${config.pythonSource === 'python3 on PATH' ? 'python3 on PATH' : '--python'} ${config.python} (prepared by the user)`, commit: null });
  if (hint.installed === false) return { known: { version: null, installedBy: hint.installedBy, source: hint.source, origin: null, commit: null, archive: null, fromIndex: false, python: null } };
  return { hint };
}

/** The build this run judges, whichever way the interpreter was chosen. */
export function buildOfRun(config: Pick<HarnessConfig, 'reuseUrl' | 'python' | 'pythonSource'>, env: NodeJS.ProcessEnv = process.env): BuildIdentity {
  const b = buildWithoutProbe(config, env);
  return 'known' in b ? b.known : probeBuild(config.python, b.hint);
}

/**
 * buildOfRun without blocking the runner: globalSetup starts it before the servers and awaits it
 * after them. Its spawnSync used to run after every server was ready, on the run's critical path
 * (0.04 s on a quiet machine, 0.8 s in a profiled run while the servers booted).
 */
export function buildOfRunAsync(config: Pick<HarnessConfig, 'reuseUrl' | 'python' | 'pythonSource'>, env: NodeJS.ProcessEnv = process.env): Promise<BuildIdentity> {
  const b = buildWithoutProbe(config, env);
  return 'known' in b ? Promise.resolve(b.known) : probeBuildAsync(config.python, b.hint);
}
