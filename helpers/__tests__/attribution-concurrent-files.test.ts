/**
 * Attribution with files running at once: Jest on the fixture project helpers/__fixtures__/attribution/
 * (the real globalSetup, test environment and globalTeardown) with two workers, against the
 * traceback_on_request stub. concurrent-a and concurrent-b each provoke their own exception while
 * the other file's test is running; each must land on its own test, and on nobody else's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { runDirOf } from '../core/run-dir';
import { type FindingRecord, readRecords, recordsOfKind } from '../core/run-records';
import { fixtureEnv, runFixtureJest } from '../__fixtures__/attribution/fixture-jest';
import { readWindows, type TestWindow, windowsPath, type WindowLine } from '../logs/attribution';

const STUB = path.join(PROJECT_ROOT, 'helpers', '__fixtures__', 'stub-servers', 'traceback_on_request');

interface Run {
  exitCode: number | null;
  output: string;
  reportsRoot: string;
  runDir: string;
  failures: Map<string, string>;
  findings: FindingRecord[];
  windows: TestWindow[];
  lines: WindowLine[];
}

async function runConcurrentFixture(): Promise<Run> {
  const reportsRoot = mkdtempSync(path.join(os.tmpdir(), 'attribution-concurrent-'));
  const runDir = runDirOf(reportsRoot, 'r');
  // A fixed run id: this run's files land in <runDir>/runs/r/ (helpers/core/run-dir.ts).
  const env = fixtureEnv({ PYTHONPATH: STUB, E2E_REPORTS_DIR: reportsRoot, E2E_RUN_ID: 'r', E2E_KILL_GRACE_MS: '500' });
  // Two workers, as scripts/e2e.ts passes them for --workers 2 (the fixture config sets the idle
  // memory limit that keeps Jest from running a few fast files in band).
  const { exitCode, output, failures } = await runFixtureJest(['--maxWorkers', '2', 'concurrent-'], env);
  const lines = readFileSync(windowsPath(runDir), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as WindowLine);
  return { exitCode, output, reportsRoot, runDir, failures, findings: recordsOfKind(readRecords(runDir), 'finding'), windows: readWindows(runDir), lines };
}

const TRIGGER = { A: 'file A triggers boom CONC-A while file B triggers its own', B: 'file B triggers boom CONC-B while file A triggers its own' };

describe('two test files running at the same time, each provoking its own exception', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runConcurrentFixture();
  }, 120_000);
  afterAll(() => rmSync(run.reportsRoot, { recursive: true, force: true }));

  test('really ran the two trigger tests at the same time, on two servers', () => {
    const span = (test: string) => {
      const start = run.lines.find((l) => l.type === 'start' && l.test === test);
      const end = run.lines.find((l) => l.type === 'end' && l.test === test);
      return { from: Date.parse((start as { startedAt: string }).startedAt), to: Date.parse((end as { endedAt: string }).endedAt), server: start!.server };
    };
    const a = span(TRIGGER.A);
    const b = span(TRIGGER.B);
    expect(a.from).toBeLessThan(b.to);
    expect(b.from).toBeLessThan(a.to);
    expect(a.server).not.toBe(b.server);
  });

  test('fails each trigger test with its own exception only, naming no other test', () => {
    for (const [self, other] of [['A', 'B'], ['B', 'A']] as const) {
      const msg = run.failures.get(`file ${self} › ${TRIGGER[self].replace(`file ${self} `, '')}`)!;
      expect(msg).toContain(`logged an exception during test "${TRIGGER[self]}"`);
      expect(msg).toContain(`RuntimeError: request failed: boom CONC-${self}`);
      expect(msg).not.toContain(`CONC-${other}`);
      expect(msg).not.toContain('Other tests were running');
    }
  });

  test('records each exception once, owned by exactly the test that caused it', () => {
    for (const self of ['A', 'B'] as const) {
      const mine = run.findings.filter((f) => f.text.includes(`boom CONC-${self}`));
      expect(mine).toHaveLength(1);
      expect(mine[0].tests).toEqual([TRIGGER[self]]);
      expect(mine[0].allowed).toBe(false);
    }
  });

  test('leaves the innocent tests passing and nothing unowned', () => {
    expect(run.output).toMatch(/Tests: +2 failed, 2 passed, 4 total/);
    expect(run.failures.size).toBe(2);
    expect(run.output).not.toContain('no test owned');
    expect(run.exitCode).toBe(1);
  });
});
