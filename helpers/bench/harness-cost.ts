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

export interface HarnessRunFacts {
  spawnAt: number;
  exitAt: number;
  exitCode: number | null;
  jest: { startTime: number; testResults: Array<{ startTime: number; endTime: number }> };
  report: { timings?: { startedAt?: string | null }; servers?: Array<{ name: string; bootToReadyMs?: number }> } | null;
}

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
  return {
    'npm + tsx + e2e CLI start': cliAt === null ? null : cliAt - f.spawnAt,
    'Jest start + config load + globalSetup (other than boot)': boot === null ? null : setupEnd - (cliAt ?? f.spawnAt) - boot,
    'server spawn → ready (slowest profile, profiles in parallel)': boot,
    'test environment + first transform': firstStart - setupEnd,
    'tests (first file start → last file end)': lastEnd - firstStart,
    'globalTeardown + reports + exit': f.exitAt - lastEnd,
    'total wall time': f.exitAt - f.spawnAt,
    'e2e exit code': f.exitCode === null ? 'killed' : String(f.exitCode),
  };
}

/** Runs `npm run e2e` once (own reports dir) and returns its phases. */
export async function measureHarnessCost(reportsDir: string): Promise<HarnessCost> {
  const dir = path.join(reportsDir, 'harness-cost');
  const jestJson = path.join(dir, 'jest-results.json');
  const spawnAt = Date.now();
  const child = spawn('npm', ['run', '--silent', 'e2e', '--', '--reports-dir', dir, '--quiet', '--', '--json', `--outputFile=${jestJson}`], {
    cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const [code] = (await once(child, 'close')) as [number | null];
  const exitAt = Date.now();
  let jest: HarnessRunFacts['jest'];
  try {
    jest = JSON.parse(readFileSync(jestJson, 'utf8'));
  } catch {
    throw new Error(`harness cost: npm run e2e (exit ${code}) wrote no Jest results to ${jestJson}:\n${stderr}`);
  }
  let report: HarnessRunFacts['report'] = null;
  try {
    report = JSON.parse(readFileSync(path.join(dir, 'e2e-report.json'), 'utf8'));
  } catch {
    report = null;
  }
  return harnessPhases({ spawnAt, exitAt, exitCode: code, jest, report });
}
