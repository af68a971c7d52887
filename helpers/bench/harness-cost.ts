/**
 * What one `npm run e2e` costs, phase by phase. scripts/measure-harness.ts (the lifecycle work)
 * gives wall time against boot time over several runs; this splits ONE run further, from three
 * clocks that need no instrumentation of the harness:
 *   - our own spawn and exit timestamps of `npm run e2e`;
 *   - Jest's --json output: `startTime` (set when tests are scheduled, i.e. after globalSetup) and
 *     each test file's start/end;
 *   - the e2e report's `timings.startedAt` (the CLI starting Jest) and each server's bootToReadyMs.
 * Phases that cannot be told apart from outside are named together rather than guessed apart.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { latestRunDir } from '../core/run-dir';

export interface HarnessRunFacts {
  spawnAt: number;
  exitAt: number;
  exitCode: number | null;
  jest: { startTime: number; testResults: Array<{ startTime: number; endTime: number; assertionResults?: Array<{ duration?: number | null }> }> };
  /** CPU seconds (user + system) of npm run e2e and everything it waited for, servers included. */
  cpuMs?: number | null;
  report: { timings?: { startedAt?: string | null }; servers?: Array<{ name: string; bootToReadyMs?: number }> } | null;
  /** The run's closed log windows (windows.ndjson "end" lines): how long each test's close took, per server. */
  windows?: Array<{ file: string; test: string; closeMs: number; closedBy?: 'rest' | 'quiet' }>;
}

/**
 * A window stays open after its test while the log is not quiet, a traceback is cut at its end, or
 * an exception the test may provoke on purpose has not shown yet (bounded at 1.5 s,
 * helpers/jest/environment.ts). A test that may provoke one but never does pays that bound in every
 * run: 1 s or more is listed here, by name, so such a wait is seen rather than absorbed into a total.
 */
export const SLOW_CLOSE_MS = 1000;

export type HarnessCost = Record<string, number | string | null>;

/** Pure: the facts of one run → named phases in ms. Throws when the clocks contradict each other. */
export function harnessPhases(f: HarnessRunFacts): HarnessCost {
  const files = f.jest.testResults;
  if (files.length === 0) throw new Error('harness cost: the e2e run ran no test files');
  const firstStart = Math.min(...files.map((t) => t.startTime));
  const lastEnd = Math.max(...files.map((t) => t.endTime));
  const cliAt = f.report?.timings?.startedAt ? Date.parse(f.report.timings.startedAt) : null;
  const boots = (f.report?.servers ?? []).flatMap((s) => (typeof s.bootToReadyMs === 'number' ? [s.bootToReadyMs] : []));
  const boot = boots.length ? Math.max(...boots) : null;
  const order = [f.spawnAt, cliAt ?? f.spawnAt, f.jest.startTime, firstStart, lastEnd, f.exitAt];
  for (let i = 1; i < order.length; i++) {
    if (order[i] < order[i - 1]) throw new Error(`harness cost: clocks out of order (${order.join(' > ')})`);
  }
  const setupEnd = f.jest.startTime;
  const fileMs = files.map((t) => t.endTime - t.startTime);
  const testMs = files.map((t) => (t.assertionResults ?? []).reduce((sum, a) => sum + (a.duration ?? 0), 0));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const span = lastEnd - firstStart;
  // A test's servers close together: the slowest of its windows is what the test waited.
  const closes = new Map<string, number>();
  for (const w of f.windows ?? []) closes.set(`${w.file} › ${w.test}`, Math.max(closes.get(`${w.file} › ${w.test}`) ?? 0, w.closeMs));
  const slow = [...closes].filter(([, ms]) => ms >= SLOW_CLOSE_MS).sort((a, b) => b[1] - a[1]);
  return {
    'npm + tsx + e2e CLI start': cliAt === null ? null : cliAt - f.spawnAt,
    'Jest start + config load + globalSetup (other than boot)': boot === null ? null : setupEnd - (cliAt ?? f.spawnAt) - boot,
    'server spawn → ready (slowest profile, profiles in parallel)': boot,
    'test environment + first transform': firstStart - setupEnd,
    'tests (first file start → last file end)': span,
    '  sum of test durations (all files)': sum(testMs),
    '  sum of per-file cost outside tests (module load, beforeAll/afterAll, log windows)': sum(fileMs) - sum(testMs),
    '  files at once (sum of file times ÷ span)': span > 0 ? Math.round((sum(fileMs) / span) * 100) / 100 : null,
    '  log-window closes after the tests (sum over tests)': f.windows === undefined ? null : Math.round(sum([...closes.values()])),
    '  log windows ended with the server at rest (of all)': f.windows === undefined ? null : `${f.windows.filter((w) => w.closedBy === 'rest').length} of ${f.windows.length}`,
    [`  tests whose window stayed open ≥ ${SLOW_CLOSE_MS / 1000} s`]: f.windows === undefined ? null : slow.length === 0 ? 'none' : slow.map(([t, ms]) => `${t} (${Math.round(ms)} ms)`).join('; '),
    'globalTeardown + reports + exit': f.exitAt - lastEnd,
    'total wall time': f.exitAt - f.spawnAt,
    'CPU time (user + system, servers included)': f.cpuMs ?? null,
    'e2e exit code': f.exitCode === null ? 'killed' : String(f.exitCode),
  };
}

/** CPU time of this process's waited-for children so far (Linux /proc; null elsewhere). */
function childrenCpuMs(): number | null {
  try {
    // Fields after the ")" that ends the command name: cutime and cstime are the 14th and 15th, in
    // clock ticks (USER_HZ, 100 on Linux).
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Runs `npm run e2e` once (own reports dir; `e2eFlags` for the CLI, `jestArgs` such as test paths) and returns its phases. */
export async function measureHarnessCost(reportsDir: string, e2eFlags: readonly string[] = [], jestArgs: readonly string[] = []): Promise<HarnessCost> {
  const dir = path.join(reportsDir, 'harness-cost');
  const jestJson = path.join(dir, 'jest-results.json');
  const spawnAt = Date.now();
  const cpuBefore = childrenCpuMs();
  const child = spawn('npm', ['run', '--silent', 'e2e', '--', '--reports-dir', dir, '--quiet', ...e2eFlags, '--', '--json', `--outputFile=${jestJson}`, ...jestArgs], {
    cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const [code] = (await once(child, 'close')) as [number | null];
  const exitAt = Date.now();
  const cpuAfter = childrenCpuMs();
  let jest: HarnessRunFacts['jest'];
  try {
    jest = JSON.parse(readFileSync(jestJson, 'utf8'));
  } catch {
    throw new Error(`harness cost: npm run e2e (exit ${code}) wrote no Jest results to ${jestJson}:\n${stderr}`);
  }
  let report: HarnessRunFacts['report'] = null;
  try {
    // Each run writes into its own directory under the reports root (helpers/core/run-dir.ts).
    report = JSON.parse(readFileSync(path.join(latestRunDir(dir) ?? dir, 'e2e-report.json'), 'utf8'));
  } catch {
    report = null;
  }
  const cpuMs = cpuBefore === null || cpuAfter === null ? null : Math.round(cpuAfter - cpuBefore);
  let windows: HarnessRunFacts['windows'];
  try {
    windows = readFileSync(path.join(latestRunDir(dir) ?? dir, 'windows.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; file: string; test: string; closeMs?: number; closedBy?: 'rest' | 'quiet' })
      .filter((w) => w.type === 'end' && typeof w.closeMs === 'number')
      .map((w) => ({ file: w.file, test: w.test, closeMs: w.closeMs!, closedBy: w.closedBy }));
  } catch {
    windows = undefined;
  }
  return harnessPhases({ spawnAt, exitAt, exitCode: code, jest, report, cpuMs, windows });
}
