/**
 * Every run owns its files: two runs (one after the other against a kept server, or two at once in
 * one checkout) never share a log, a record file, a marker or a report; old runs are pruned by
 * count, never one still in progress.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { beginRun, finishRun, latestRunDir, listRuns, newRunId, pruneRuns, readRunInfo, runDirOf, runFile, runInProgress } from '../core/run-dir';

let root = '';
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-runs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A pid that is certainly not running: above the kernel's pid_max. */
const DEAD_PID = 2 ** 22 + 1;

function fakeRun(id: string, info: { pid: number; finished: boolean }): string {
  const dir = runDirOf(root, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id, pid: info.pid, startedAt: 'x', ...(info.finished ? { finishedAt: 'y' } : {}) }));
  return dir;
}

describe('run ids', () => {
  test('sort by start time and differ between processes started in the same millisecond', () => {
    const t = new Date('2026-12-06T03:15:00.123Z');
    expect(newRunId(t, 4567)).toBe('20261206-031500-123-4567');
    expect(newRunId(t, 4567)).not.toBe(newRunId(t, 4568));
    const ids = [newRunId(new Date('2026-12-06T03:15:01.000Z'), 1), newRunId(new Date('2026-12-06T03:14:59.999Z'), 9), newRunId(t, 5)];
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });
});

describe('run directories from the configuration', () => {
  test('two runs in one checkout get different directories, server logs, records and reports', () => {
    // Two loads without a fixed E2E_RUN_ID stand for two runs started at the same time.
    const a = loadConfig({ E2E_REPORTS_DIR: root, E2E_RUN_ID: newRunId(new Date(), 111) }, false);
    const b = loadConfig({ E2E_REPORTS_DIR: root, E2E_RUN_ID: newRunId(new Date(), 222) }, false);
    for (const key of ['runDir', 'serverLogFile', 'jsonReport', 'junitReport', 'htmlReport'] as const) expect(a[key]).not.toBe(b[key]);
    expect(runFile(a.runDir, 'apiFilesDone')).not.toBe(runFile(b.runDir, 'apiFilesDone'));
  });

  test('reuse mode (the same server URL every time) still gets a new run directory per run', () => {
    const env = { E2E_REPORTS_DIR: root, E2E_URL: 'http://127.0.0.1:8000' };
    const first = loadConfig(env, false);
    const second = loadConfig(env, false);
    expect(first.runId).not.toBe(second.runId);
    expect(runFile(first.runDir, 'apiFilesDone')).not.toBe(runFile(second.runDir, 'apiFilesDone'));
  });

  test('a settled configuration (run id and seed fixed) is read once per environment; any change to an E2E_* variable is read again', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { E2E_REPORTS_DIR: root, E2E_RUN_ID: 'settled', E2E_SEED: '7' });
      const first = loadConfig();
      expect(loadConfig()).toBe(first);
      process.env.E2E_KILL_GRACE_MS = String(first.killGraceMs + 1);
      const changed = loadConfig();
      expect(changed).not.toBe(first);
      expect(changed.killGraceMs).toBe(first.killGraceMs + 1);
      // Without a fixed seed each read draws one: nothing is remembered.
      delete process.env.E2E_SEED;
      expect(loadConfig()).not.toBe(loadConfig());
      // Another environment object is never answered from what process.env gave.
      expect(loadConfig({ ...process.env, E2E_SEED: '7' })).not.toBe(loadConfig({ ...process.env, E2E_SEED: '7' }));
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  test('--reports-dir is the parent of runs/, and --json/--junit/--html FILE are honoured as given', () => {
    const c = loadConfig({ E2E_REPORTS_DIR: root, E2E_RUN_ID: 'r1', E2E_JSON: '/tmp/x/out.json', E2E_JUNIT: '/tmp/x/j.xml', E2E_HTML: '/tmp/x/h.html' }, false);
    expect(c.reportsRoot).toBe(root);
    expect(c.runDir).toBe(path.join(root, 'runs', 'r1'));
    expect(c.serverLogFile).toBe(path.join(root, 'runs', 'r1', 'server.log'));
    expect([c.jsonReport, c.junitReport, c.htmlReport]).toEqual(['/tmp/x/out.json', '/tmp/x/j.xml', '/tmp/x/h.html']);
  });

  test('--hang-after defaults to 5 s, takes 0 for off, and refuses a negative value', () => {
    expect(loadConfig({}, false).hangAfterMs).toBe(5000);
    expect(loadConfig({ E2E_HANG_AFTER: '0' }, false).hangAfterMs).toBe(0);
    expect(() => loadConfig({ E2E_HANG_AFTER: '-1' }, false)).toThrow(/E2E_HANG_AFTER/);
  });

  test('refuses a run id that could escape the runs folder, and a --keep-runs below 1', () => {
    expect(() => loadConfig({ E2E_RUN_ID: '../etc' }, false)).toThrow(/E2E_RUN_ID/);
    expect(() => loadConfig({ E2E_KEEP_RUNS: '0' }, false)).toThrow(/E2E_KEEP_RUNS/);
  });
});

describe('beginning and finishing a run', () => {
  test('creates the run directory with run.json and points latest at it', () => {
    const dir = beginRun({ reportsRoot: root, runId: 'a', keepRuns: 10 });
    expect(readRunInfo(dir)).toMatchObject({ id: 'a', pid: process.pid });
    expect(runInProgress(dir)).toBe(true);
    beginRun({ reportsRoot: root, runId: 'b', keepRuns: 10 });
    expect(lstatSync(path.join(root, 'latest')).isSymbolicLink()).toBe(true);
    expect(latestRunDir(root)).toBe(runDirOf(root, 'b'));
    finishRun(dir);
    expect(runInProgress(dir)).toBe(false);
  });

  test('is idempotent for one run: globalSetup calling it again keeps what the CLI started', () => {
    const dir = beginRun({ reportsRoot: root, runId: 'a', keepRuns: 10 });
    writeFileSync(path.join(dir, 'records.ndjson'), 'kept\n');
    const started = readRunInfo(dir)!.startedAt;
    beginRun({ reportsRoot: root, runId: 'a', keepRuns: 10 });
    expect(readFileSync(path.join(dir, 'records.ndjson'), 'utf8')).toBe('kept\n');
    expect(readRunInfo(dir)!.startedAt).toBe(started);
  });

  test('reads latest from a plain file naming the run, where symlinks could not be made', () => {
    fakeRun('x', { pid: DEAD_PID, finished: true });
    writeFileSync(path.join(root, 'latest'), 'runs/x\n');
    expect(latestRunDir(root)).toBe(runDirOf(root, 'x'));
  });
});

describe('pruning old runs', () => {
  test('keeps the newest N (the current run counted) and removes the oldest', () => {
    for (const id of ['r1', 'r2', 'r3', 'r4']) fakeRun(id, { pid: DEAD_PID, finished: true });
    fakeRun('r5', { pid: process.pid, finished: false });
    expect(pruneRuns(root, 3, 'r5')).toEqual(['r1', 'r2']);
    expect(listRuns(root)).toEqual(['r3', 'r4', 'r5']);
  });

  test('never removes a run still in progress, however old; a crashed run (dead pid) is fair game', () => {
    fakeRun('r1', { pid: process.pid, finished: false }); // alive: in progress
    fakeRun('r2', { pid: DEAD_PID, finished: false }); // its runner died without finishing
    fakeRun('r3', { pid: DEAD_PID, finished: true });
    fakeRun('r4', { pid: process.pid, finished: false });
    expect(pruneRuns(root, 1, 'r4')).toEqual(['r2', 'r3']);
    expect(existsSync(runDirOf(root, 'r1'))).toBe(true);
  });
});
