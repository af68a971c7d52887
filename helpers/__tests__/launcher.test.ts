/**
 * The pre-importing launcher (helpers/server/launcher.py, launcher.ts): what it preloads and how it
 * caches that, which of FakeAI's own modules it may preload (and the package each fork finishes),
 * what a forked server is started with compared with a spawned one, and when it refuses to fork. The contract both launch modes share (readiness, stop, exit, errors, cleanup)
 * is in lifecycle.test.ts and cleanup.test.ts, which run both.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launcherEnvironment, launcherKey } from '../server/launcher';
import { SERVER_PROFILES, serverEnvironment } from '../core/config';
import { type DriverEvent, leftovers, MULTI_DRIVER, newRunId, ROOT, runDriver, runJestFixture, STUB_PYTHON, STUBS, stubEnv, waitUntil } from '../__fixtures__/drivers/run-driver';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-launcher-'));
const LAUNCHER = path.join(ROOT, 'helpers', 'server', 'launcher.py');
// Each case starts python interpreters and a node driver; two busy cores make that seconds.
jest.setTimeout(60_000);

/** Runs launcher.py on a stub build (or a copy of one in `stubDir`) with no requests (stdin closed at once); its fd-3 status lines. */
function launcherStatus(stub: string, cacheDir: string, stubDir?: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(STUB_PYTHON, [LAUNCHER, '500', cacheDir], {
      env: stubEnv(stub, newRunId(), stubDir ? { PYTHONPATH: stubDir } : {}),
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdio[3]!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    // The status stream may still hold data when 'exit' fires: wait for every stream to close.
    child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`launcher exited ${code}: ${err}`))));
    child.stdin!.end();
  });
}

/** The status line of a kind (`own`, `ready`, …), or undefined. */
function line(status: string[], kind: string): string | undefined {
  return status.find((l) => l.startsWith(`${kind} `));
}

/** Runs launcher.py's own functions in the stub interpreter: `code` prints one JSON value. */
function launcherPython(code: string): unknown {
  const r = spawnSync(STUB_PYTHON, ['-c', `import json, sys, types\nsys.path.insert(0, ${JSON.stringify(path.dirname(LAUNCHER))})\nimport launcher\n${code}`], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function cacheFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('preload-') && f.endsWith('.json')) : [];
}

describe('the preload list', () => {
  test('is probed once per build, without any fakeai module, and read from the cache after that', async () => {
    const cache = path.join(tmp, 'cache-probe');
    const first = await launcherStatus('reports_itself', cache);
    expect(first[0]).toMatch(/^facts \{"found": true/);
    expect(line(first, 'ready')).toMatch(/^ready \d+ probed$/);
    const [file] = cacheFiles(cache);
    const modules = JSON.parse(readFileSync(path.join(cache, file), 'utf8')).modules as string[];
    expect(modules).toContain('stub_rng');
    expect(modules.filter((m) => m === 'fakeai' || m.startsWith('fakeai.'))).toEqual([]);
    const second = await launcherStatus('reports_itself', cache);
    expect(line(second, 'ready')).toBe(line(first, 'ready')!.replace('probed', 'cached'));
    expect(line(second, 'own')).toBe(line(first, 'own'));
    expect(cacheFiles(cache)).toEqual([file]);
  });

  test('a cache file that cannot be read is probed again and rewritten', async () => {
    const cache = path.join(tmp, 'cache-corrupt');
    await launcherStatus('reports_itself', cache);
    const [file] = cacheFiles(cache);
    writeFileSync(path.join(cache, file), '{"modules": [');
    const again = await launcherStatus('reports_itself', cache);
    expect(line(again, 'ready')).toMatch(/^ready \d+ probed$/);
    expect(JSON.parse(readFileSync(path.join(cache, file), 'utf8')).modules).toContain('stub_rng');
  });

  test('each build has its own cache entry', async () => {
    const cache = path.join(tmp, 'cache-builds');
    await launcherStatus('reports_itself', cache);
    await launcherStatus('healthy', cache);
    expect(cacheFiles(cache)).toHaveLength(2);
  });
});

describe("FakeAI's own modules in the preload", () => {
  test('candidates whose imports pass every check are preloaded, named on the own line before ready, and cached with the build', async () => {
    const cache = path.join(tmp, 'cache-own');
    const first = await launcherStatus('reports_itself', cache);
    expect(first.slice(1)).toEqual(['own 1 fakeai.config', expect.stringMatching(/^ready \d+ probed$/)]);
    const [file] = cacheFiles(cache);
    expect(JSON.parse(readFileSync(path.join(cache, file), 'utf8')).own).toEqual({ candidates: ['fakeai.config'], modules: ['fakeai.config'], reason: null });
    const second = await launcherStatus('reports_itself', cache);
    expect(second.slice(1)).toEqual(['own 1 fakeai.config', expect.stringMatching(/^ready \d+ cached$/)]);
  });

  test('editing a candidate module (its folder unchanged, as in a source checkout) is probed again, not judged by the cache', async () => {
    const build = path.join(tmp, 'edited-build');
    cpSync(path.join(STUBS, 'reports_itself'), build, { recursive: true });
    const cache = path.join(tmp, 'cache-edited');
    expect(line(await launcherStatus('reports_itself', cache, build), 'own')).toBe('own 1 fakeai.config');
    const config = path.join(build, 'fakeai', 'config.py');
    writeFileSync(config, `${readFileSync(config, 'utf8')}\nSETTING = os.environ.get("FAKEAI_STUB_ADDED")\n`);
    const again = await launcherStatus('reports_itself', cache, build);
    expect(again.slice(1)).toEqual(['own - fakeai.config read FAKEAI_STUB_ADDED at import', expect.stringMatching(/^ready \d+ probed$/)]);
  });

  // Each refusal keeps the third-party preload (the launcher is still ready) and preloads nothing
  // of fakeai, saying why.
  test.each([
    ['own_reads_env', 'a candidate reads a FAKEAI_* setting at import', 'own - fakeai.config read FAKEAI_STUB_TIMEOUT at import'],
    ['own_starts_thread', 'a candidate starts a thread at import', 'own - fakeai.utils started a thread (stub-own-worker) at import'],
    ['own_imports_app', 'a candidate imports a fakeai module outside the candidates', 'own - importing fakeai.models imported fakeai.app, outside the candidates'],
    ['own_import_error', 'a candidate cannot be imported before the package runs', expect.stringMatching(/^own - importing fakeai\.models failed \(ImportError: cannot import name '__version__' from 'fakeai'/)],
    ['healthy', 'the build has none of the candidates', 'own - this build has none of fakeai.config, fakeai.models, fakeai.utils, fakeai.models_registry'],
  ])('%s: none is preloaded when %s, and the own line says why', async (stub, _why, own) => {
    const status = await launcherStatus(stub, path.join(tmp, `cache-${stub}`));
    expect(status.slice(1)).toEqual([own, expect.stringMatching(/^ready \d+ probed$/)]);
  });

  test('the verdict: any read of what may differ between servers, thread, output or earlier fakeai import refuses the whole set', () => {
    const clean = { present: ['fakeai.config', 'fakeai.models'], modules: ['fakeai.config', 'fakeai.models.chat', 'fakeai.models'], reads: [['fakeai.config', 'HOME'], ['fakeai.models', 'PYDANTIC_DISABLE_PLUGINS']], threads: [], alive: [], errors: [], output: '' };
    const cases: Record<string, unknown> = {
      clean,
      lowercaseSetting: { ...clean, reads: [['fakeai.models', 'fakeai_auth__api_keys']] },
      wholeEnvironment: { ...clean, reads: [['fakeai.config', '*']] },
      pythonpath: { ...clean, reads: [['fakeai.config', 'PYTHONPATH']] },
      output: { ...clean, output: 'configured\n' },
      threadStillAlive: { ...clean, alive: ['pool-1'] },
      fakeaiBefore: { before: ['fakeai', 'fakeai.app'] },
      twoProblems: { ...clean, threads: [['fakeai.models', 'w']], reads: [['fakeai.config', 'FAKEAI_X']] },
    };
    const verdicts = launcherPython(`print(json.dumps({k: launcher.own_probe_verdict(v) for k, v in json.loads(${JSON.stringify(JSON.stringify(cases))}).items()}))`) as Record<string, [string[], string | null]>;
    expect(verdicts.clean).toEqual([clean.modules, null]);
    expect(verdicts.lowercaseSetting).toEqual([[], 'fakeai.models read fakeai_auth__api_keys at import']);
    expect(verdicts.wholeEnvironment).toEqual([[], 'fakeai.config read the whole environment at import']);
    expect(verdicts.pythonpath).toEqual([[], 'fakeai.config read PYTHONPATH at import']);
    expect(verdicts.output).toEqual([[], "importing fakeai.config, fakeai.models wrote output: 'configured'"]);
    expect(verdicts.threadStillAlive).toEqual([[], 'a thread is running after the imports (pool-1)']);
    expect(verdicts.fakeaiBefore).toEqual([[], 'a third-party module imports fakeai before FakeAI\'s own modules could be preloaded']);
    expect(verdicts.twoProblems).toEqual([[], 'fakeai.config read FAKEAI_X at import (and 1 more)']);
  });

  test('the launcher never forks with fakeai.app, an executed fakeai package, or a fakeai module the probe did not clear', () => {
    const reasons = launcherPython(`
pkg = types.ModuleType("fakeai")
sys.modules["fakeai"] = pkg
sys.modules["fakeai.config"] = types.ModuleType("fakeai.config")
out = {"cleared": launcher.why_unsafe_to_fork(pkg, ["fakeai.config"])}
out["uncleared"] = launcher.why_unsafe_to_fork(pkg, [])
out["noPackageExpected"] = launcher.why_unsafe_to_fork(None, ["fakeai.config"])
sys.modules["fakeai.app"] = types.ModuleType("fakeai.app")
out["app"] = launcher.why_unsafe_to_fork(pkg, ["fakeai.config", "fakeai.app"])
del sys.modules["fakeai.app"]
sys.modules["fakeai"] = types.ModuleType("fakeai")
out["executedPackage"] = launcher.why_unsafe_to_fork(pkg, ["fakeai.config"])
print(json.dumps(out))`) as Record<string, string | null>;
    expect(reasons.cleared).toBeNull();
    expect(reasons.uncleared).toMatch(/^a preloaded module imported fakeai\.config,/);
    expect(reasons.noPackageExpected).toMatch(/^a preloaded module imported fakeai,/);
    expect(reasons.app).toMatch(/^a preloaded module imported fakeai\.app,/);
    expect(reasons.executedPackage).toMatch(/^a preloaded module imported fakeai,/);
  });

  test('a server forked from a launcher that refused them still starts preloaded, and says why its own modules were not', async () => {
    const runId = newRunId();
    const env = stubEnv('own_reads_env', runId);
    const run = runDriver(
      { name: 'default', python: STUB_PYTHON, env, logFile: path.join(tmp, `${runId}.log`), startupTimeoutMs: 20_000, killGraceMs: 500, launch: 'preload', preloadCacheDir: path.join(tmp, 'cache-own-refused'), then: 'stop' },
      env,
    );
    const ready = await run.next('ready');
    expect(ready).toMatchObject({ launch: 'preload', ownPreload: { packages: [], modules: 0, reason: 'fakeai.config read FAKEAI_STUB_TIMEOUT at import' } });
    expect(ready).not.toHaveProperty('launchFallback');
    await run.next('stopped');
    await run.done;
    await waitUntil(() => leftovers(runId).length === 0, 3000, 'nothing of the run is left');
  });
});

describe('what a run says about the own-module preload', () => {
  /** The fixture Jest project (the real globalSetup) on one passing test against `stub`. */
  async function setupOutput(stub: string, extra: Record<string, string>): Promise<string> {
    const runId = newRunId();
    const env = stubEnv(stub, runId, { E2E_PYTHON: STUB_PYTHON, E2E_REPORTS_DIR: path.join(tmp, runId), E2E_RUN_ID: runId, E2E_KILL_GRACE_MS: '500', E2E_STARTUP_TIMEOUT: '20', ...extra });
    const run = await runJestFixture('pass', env).done;
    expect(run.code).toBe(0);
    await waitUntil(() => leftovers(runId).length === 0, 3000, 'nothing of the run is left');
    return run.stderr;
  }

  test('a run whose build cleared them names the modules preloaded', async () => {
    expect(await setupOutput('reports_itself', {})).toContain("Launch: preloaded FakeAI's own fakeai.config (1 module); fakeai/__init__.py and the app run in each server.");
  });

  test('a run whose build refused them says why, even under --quiet', async () => {
    const out = await setupOutput('own_reads_env', { E2E_QUIET: '1' });
    expect(out).toContain("Launch: FakeAI's own modules not preloaded (fakeai.config read FAKEAI_STUB_TIMEOUT at import); each server imports them itself.");
  });
});

describe('when forking is refused', () => {
  test('a preloaded module that started a thread makes the launcher unusable, naming the thread', async () => {
    const status = await launcherStatus('starts_thread', path.join(tmp, 'cache-thread'));
    expect(line(status, 'unusable')).toBe('unusable a preloaded module started a thread (stub-poller); a thread does not survive fork');
  });

  test('a preloaded module that imports fakeai makes the launcher unusable: FakeAI reads its settings at import', async () => {
    const status = await launcherStatus('imports_fakeai', path.join(tmp, 'cache-leak'));
    expect(line(status, 'unusable')).toMatch(/^unusable a preloaded module imported fakeai/);
  });

  test('startFakeAI then spawns the server instead, and says why', async () => {
    const runId = newRunId();
    const env = stubEnv('starts_thread', runId);
    const run = runDriver(
      { name: 'default', python: STUB_PYTHON, env, logFile: path.join(tmp, `${runId}.log`), startupTimeoutMs: 20_000, killGraceMs: 500, launch: 'preload', preloadCacheDir: path.join(tmp, 'cache-fallback'), then: 'stop' },
      env,
    );
    const ready = await run.next('ready');
    expect(ready).toMatchObject({ launch: 'spawn', launchFallback: expect.stringContaining('started a thread (stub-poller)') });
    expect(ready.pid).not.toBe(ready.groupId); // the watchdog's group: really spawned
    await run.next('stopped');
    await run.done;
    await waitUntil(() => leftovers(runId).length === 0, 3000, 'nothing of the run is left');
  });
});

interface SelfReport {
  argv: string[];
  path0: string;
  cwd: string;
  fakeaiEnv: Record<string, string>;
  pythonpath: string | null;
  ownGroup: boolean;
  ownSession: boolean;
  stdin: string;
  sigtermDefault: boolean;
  preloaded: boolean;
  draw: number;
  ownPreloaded: boolean;
  ownDraw: number;
  initPid: boolean;
  initMark: string | null;
  version: string;
  sameConfig: boolean;
  filterKept: boolean;
}

function selfReports(logFile: string): SelfReport[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('stub reports_itself: '))
    .map((l) => JSON.parse(l.slice('stub reports_itself: '.length)) as SelfReport);
}

describe('a forked server', () => {
  test('starts exactly as a spawned one does, with only its own FAKEAI_* settings and its own log', async () => {
    const runId = newRunId();
    const base = stubEnv('reports_itself', runId);
    const server = (name: string, launch: string, mark: string) => ({
      name,
      python: STUB_PYTHON,
      env: { ...base, FAKEAI_STUB_MARK: mark, ...(name === 'b' ? { FAKEAI_ONLY_B: '1' } : {}) },
      logFile: path.join(tmp, `${runId}-${name}.log`),
      startupTimeoutMs: 20_000,
      killGraceMs: 500,
      launch,
      preloadCacheDir: path.join(tmp, 'cache-env'),
    });
    const specs = [server('a', 'preload', 'alpha'), server('b', 'preload', 'beta'), server('c', 'spawn', 'gamma')];
    const run = runDriver({ servers: specs }, base, MULTI_DRIVER);
    await run.next('done', 45_000);
    await run.done;
    const ready = Object.fromEntries(run.events.filter((e) => e.event === 'ready').map((e) => [e.name as string, e])) as Record<string, DriverEvent>;
    expect(Object.keys(ready).sort()).toEqual(['a', 'b', 'c']);
    expect([ready.a.launch, ready.b.launch, ready.c.launch]).toEqual(['preload', 'preload', 'spawn']);

    const [a, b, c] = specs.map((s) => {
      const reports = selfReports(s.logFile);
      expect(reports).toHaveLength(1); // its own log, and no one else's
      return reports[0];
    });
    expect(a.fakeaiEnv).toEqual({ FAKEAI_STUB_MARK: 'alpha' });
    expect(b.fakeaiEnv).toEqual({ FAKEAI_STUB_MARK: 'beta', FAKEAI_ONLY_B: '1' });
    expect(c.fakeaiEnv).toEqual({ FAKEAI_STUB_MARK: 'gamma' });
    // What `python -m fakeai server ...` sees, forked or spawned alike (argv[0] is fakeai/__main__.py).
    for (const [r, name] of [[a, 'a'], [b, 'b']] as const) {
      expect(r.argv).toEqual([c.argv[0], 'server', '--host', '127.0.0.1', '--port', String(ready[name].port)]);
    }
    expect(c.argv[0]).toMatch(/reports_itself\/fakeai\/__main__\.py$/);
    for (const r of [a, b, c]) {
      expect(r.path0).toBe(ROOT);
      expect(r.cwd).toBe(ROOT);
      expect(r.pythonpath).toBe(base.PYTHONPATH); // stack-dump/ taken off again, as in a spawned server
      expect(r.stdin).toBe('/dev/null');
      expect(r.sigtermDefault).toBe(true);
    }
    // Its own group (stopped by the group) and session (its own CPU share under autogroup), as the
    // spawned server's watchdog has.
    expect([a.ownGroup, b.ownGroup, a.ownSession, b.ownSession]).toEqual([true, true, true, true]);
    // The preload really happened (the module came from the launcher), and its generator was
    // reseeded per server: without the reseed both forks would draw the same number.
    expect([a.preloaded, b.preloaded, c.preloaded]).toEqual([true, true, false]);
    expect(a.draw).not.toBe(b.draw);
    // FakeAI's own candidate module too: preloaded for the forks (the launcher said so), imported
    // by the spawned server, its generator reseeded per fork.
    expect([ready.a.ownPreload, ready.b.ownPreload, ready.c.ownPreload]).toEqual([{ packages: ['fakeai.config'], modules: 1 }, { packages: ['fakeai.config'], modules: 1 }, undefined]);
    expect([a.ownPreloaded, b.ownPreloaded, c.ownPreloaded]).toEqual([true, true, false]);
    expect(a.ownDraw).not.toBe(b.ownDraw);
    // fakeai/__init__.py (FakeAI's app and its AppConfig() in the real thing) ran in each server,
    // from that server's own FAKEAI_* settings, into the package object the preload used.
    expect([a.initPid, b.initPid, c.initPid]).toEqual([true, true, true]);
    expect([a.initMark, b.initMark, c.initMark]).toEqual(['alpha', 'beta', 'gamma']);
    expect([a.version, b.version, c.version]).toEqual(['0.0.4-stub', '0.0.4-stub', '0.0.4-stub']);
    expect([a.sameConfig, b.sameConfig, c.sameConfig]).toEqual([true, true, true]);
    // Warning filters a preloaded module installs at import stay installed, as in a spawned server.
    expect([a.filterKept, b.filterKept, c.filterKept]).toEqual([true, true, true]);
    // The preload's import-time warning is in each server's own log, once, as the import writes it.
    for (const s of specs) {
      const warned = readFileSync(s.logFile, 'utf8').split('\n').filter((l) => l.includes('UserWarning: stub reports_itself warns at import'));
      expect([s.name, warned]).toEqual([s.name, [expect.stringMatching(/reports_itself\/fakeai\/config\.py:\d+: UserWarning: stub reports_itself warns at import, as FakeAI's models do$/)]]);
    }
    await waitUntil(() => leftovers(runId).length === 0, 3000, 'nothing of the run is left');
  });

  test('a runner SIGKILLed while its forked servers run leaves nothing: the launcher takes every group down', async () => {
    const runId = newRunId();
    const env = stubEnv('survives_parent', runId);
    const run = runDriver(
      { name: 'default', python: STUB_PYTHON, env, logFile: path.join(tmp, `${runId}.log`), startupTimeoutMs: 20_000, killGraceMs: 500, launch: 'preload', preloadCacheDir: path.join(tmp, 'cache-kill'), then: 'hold' },
      env,
    );
    const ready = await run.next('ready');
    expect(ready.launch).toBe('preload');
    expect(leftovers(runId).length).toBeGreaterThanOrEqual(3); // the launcher, the server, its grandchild
    run.child.kill('SIGKILL');
    await run.done;
    await waitUntil(() => leftovers(runId).length === 0, 5000, 'the launcher cleaned up');
  });
});

describe('which servers share a launcher', () => {
  test('servers differing only in FAKEAI_* settings share one; any other difference gets its own', () => {
    const env = { PATH: '/bin', PYTHONPATH: '/x' };
    expect(launcherKey('py', { ...env, FAKEAI_A: '1' }, 2000)).toBe(launcherKey('py', { ...env, fakeai_b: '2' }, 2000));
    expect(launcherKey('py', env, 2000)).not.toBe(launcherKey('py', { ...env, PYTHONHASHSEED: '0' }, 2000));
    expect(launcherKey('py', env, 2000)).not.toBe(launcherKey('py3', env, 2000));
    expect(launcherKey('py', env, 2000)).not.toBe(launcherKey('py', env, 500));
    expect(launcherEnvironment({ ...env, FAKEAI_A: '1' })).toEqual(env);
  });

  test('the launcher the CLI starts early (from the first profile\'s environment) is the one every profile\'s server uses', () => {
    // npm run e2e starts it before Jest; globalSetup must find it, not start a second one. (runCLI,
    // unlike the jest binary, sets no NODE_ENV in between: a full run shows one launcher.)
    const early = launcherKey('py', serverEnvironment(SERVER_PROFILES[0]), 2000);
    for (const p of SERVER_PROFILES) expect([p.name, launcherKey('py', serverEnvironment(p), 2000)]).toEqual([p.name, early]);
  });
});
