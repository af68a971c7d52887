/**
 * The soak: flake counts per test, broken kept apart from flaky, the run-time spread; and the
 * CLI end to end on one small test file, with CPU hogs that are gone when it ends.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { renderSoak, type SoakRun, summariseSoak } from '../reporting/soak';

const run = (index: number, wallMs: number, tests: Record<string, string>, exitCode = 0): SoakRun => ({ index, exitCode, wallMs, tests, verdictLine: '' });

describe('summing up a soak', () => {
  test('a test that failed in some runs and passed in others is flaky, counted by its failures', () => {
    const s = summariseSoak([run(1, 10_000, { a: 'passed', b: 'passed' }), run(2, 12_000, { a: 'failed', b: 'passed' }, 1), run(3, 11_000, { a: 'passed', b: 'skipped' })]);
    expect(s.flaky).toEqual([{ name: 'a', failed: 1, passed: 2 }]);
    expect(s.failedRuns).toBe(1);
    expect(renderSoak(s, { hog: false, stoppedEarly: null, date: 'D' })).toContain('  1/3 failed  a');
  });

  test('a test whose title carries its random seed is one test across runs, not a new one each run', () => {
    const title = (seed: number) => `robustness (seed ${seed}, replay with E2E_SEED=${seed}) rejects invalid bodies`;
    const s = summariseSoak([run(1, 1, { [title(11)]: 'failed' }, 1), run(2, 1, { [title(22)]: 'passed' }), run(3, 1, { [title(33)]: 'failed' }, 1)]);
    expect(s.broken).toEqual([]);
    expect(s.flaky).toEqual([{ name: 'robustness (seed N, replay with E2E_SEED=N) rejects invalid bodies', failed: 2, passed: 1 }]);
  });

  test('a test that failed every time is broken, not flaky', () => {
    const s = summariseSoak([run(1, 1, { a: 'failed' }, 1), run(2, 1, { a: 'failed' }, 1)]);
    expect(s.flaky).toEqual([]);
    expect(s.broken).toEqual([{ name: 'a', failed: 2, passed: 0 }]);
  });

  test('gives min, median and max run time and the spread as a share of the median', () => {
    const s = summariseSoak([run(1, 10_000, {}), run(2, 12_000, {}), run(3, 11_000, {})]);
    expect(s.wall).toEqual({ minMs: 10_000, medianMs: 11_000, maxMs: 12_000, spreadPercent: 18.2 });
    expect(renderSoak(s, { hog: true, stoppedEarly: null, date: 'D' })).toMatch(/3 runs with CPU hogs beside them, 0 failed\.\nRun time: min 10\.0 s, median 11\.0 s, max 12\.0 s \(spread 18\.2 % of the median\)\.\n.*Flaky tests: 0\./s);
  });
});

/** Processes whose command line names this soak's pid as a hog's parent. */
function hogsOf(pid: number): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'latin1').split('\0');
      if (argv.includes('-e') && argv.includes(String(pid)) && argv.some((a) => a.includes('process.ppid'))) found.push(Number(e));
    } catch {
      // gone
    }
  }
  return found;
}

describe('npm run soak', () => {
  test('runs the suite N times with hogs beside it, prints the flake counts, and leaves no hog behind', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-soak-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('E2E_') && !k.startsWith('JEST_')));
    const child = spawn(process.execPath, ['-r', './scripts/register.js', 'scripts/soak.ts', '--runs', '2', '--hog', '--', '--reports-dir', root, '--', 'e2e/health.test.ts'], { cwd: PROJECT_ROOT, env });
    let out = '';
    let hogsSeen = 0;
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
      hogsSeen = Math.max(hogsSeen, hogsOf(child.pid!).length);
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    try {
      expect({ code, out }).toMatchObject({ code: 0 });
      expect(out).toMatch(/\[soak 1\/2\] exit 0 .*\n\[soak 2\/2\] exit 0 /);
      expect(out).toMatch(/Soak .*: 2 runs with CPU hogs beside them, 0 failed\.\nRun time: min .*\nFlaky tests: 0\./);
      expect(hogsSeen).toBe(os.cpus().length);
      expect(hogsOf(child.pid!)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);
});
