/**
 * No server outlives the runner: after a pass, a failure, a setup error, SIGINT, SIGTERM and
 * SIGKILL. Runs the real globalSetup/globalTeardown in a fixture Jest project (and startFakeAI in a
 * driver for SIGKILL), against stubs, and looks for any process still carrying the run's marker.
 *
 * The stub `survives_parent` forks a grandchild that ignores SIGTERM, so a pass here also means
 * the whole process group was killed, not just the server's pid.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { leftovers, newRunId, runDriver, runJestFixture, STUB_PYTHON, stubEnv, waitUntil } from '../__fixtures__/drivers/run-driver';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-cleanup-'));
const GRACE_MS = 500;
// Each case runs a whole Jest (or a node driver) plus python stubs; two busy cores make that seconds.
jest.setTimeout(60_000);

function jestRun(stub: string, pattern: string | string[], extra: Record<string, string> = {}) {
  const runId = newRunId();
  const reportsDir = path.join(tmp, runId);
  const env = stubEnv(stub, runId, {
    E2E_PYTHON: STUB_PYTHON,
    E2E_REPORTS_DIR: reportsDir,
    E2E_KILL_GRACE_MS: String(GRACE_MS),
    E2E_STARTUP_TIMEOUT: '20',
    ...extra,
  });
  return { ...runJestFixture(pattern, env), runId, reportsDir };
}

/** Waits for the hold fixture to say it is running, i.e. the servers are up and a test is in progress. */
async function untilHolding(reportsDir: string): Promise<void> {
  await waitUntil(() => existsSync(path.join(reportsDir, 'holding')), 30_000, 'the fixture test is running');
}

function grandchildOf(reportsDir: string): number {
  const pid = Number(/grandchild pid=(\d+)/.exec(readFileSync(path.join(reportsDir, 'server.log'), 'utf8'))?.[1]);
  expect(pid).toBeGreaterThan(0);
  return pid;
}

describe('the leftover check itself', () => {
  test('sees a live process that carries the run marker, and stops seeing it once it is killed', async () => {
    const runId = newRunId();
    const { spawn } = await import('node:child_process');
    const sleeper = spawn('sleep', ['30'], { env: stubEnv('healthy', runId), stdio: 'ignore' });
    await waitUntil(() => leftovers(runId).includes(sleeper.pid!), 3000, 'the sleeper is seen');
    sleeper.kill('SIGKILL');
    await waitUntil(() => leftovers(runId).length === 0, 3000, 'the sleeper is gone');
  });
});

describe('cleanup after a Jest run', () => {
  test.concurrent('a passing run exits 0 and leaves no server', async () => {
    const run = jestRun('healthy', 'pass');
    const result = await run.done;
    expect(result.stderr).toContain('✔ Started FakeAI (version unknown) "default"');
    expect(result.stderr).toMatch(/Not started: auth\b.* — no selected test file uses/);
    expect(result.code).toBe(0);
    await waitUntil(() => leftovers(run.runId).length === 0, 3000, 'no server is left');
  });

  test.concurrent('a failing run exits 1 and leaves no server, grandchild included', async () => {
    const run = jestRun('survives_parent', 'fail');
    const result = await run.done;
    expect(result.stderr).toContain('fails on purpose after reaching the server');
    expect(result.code).toBe(1);
    const grandchild = grandchildOf(run.reportsDir);
    await waitUntil(() => leftovers(run.runId).length === 0, 3000, 'no server is left');
    expect(leftovers(run.runId)).not.toContain(grandchild);
  });

  test.concurrent('a profile that fails at boot fails setup with its paragraph, and the server that did start is stopped', async () => {
    // "auth" also selects e2e/auth.test.ts by name, so globalSetup starts the auth profile.
    const run = jestRun('exit_at_boot', ['pass', 'auth'], { STUB_EXIT_IF_ENV: 'FAKEAI_AUTH__REQUIRE_API_KEY' });
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Got error running globalSetup');
    expect(result.stderr).toContain('FakeAI server "auth" exited with code 3 before it became ready');
    await waitUntil(() => leftovers(run.runId).length === 0, 3000, 'the default server is stopped too');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test.concurrent(`${signal} to the runner mid-test stops the servers, then the runner dies of ${signal}`, async () => {
      const run = jestRun('survives_parent', 'hold');
      await untilHolding(run.reportsDir);
      const grandchild = grandchildOf(run.reportsDir);
      run.child.kill(signal);
      const result = await run.done;
      expect(result.signal).toBe(signal);
      // The handler waited for the group to go before re-raising: nothing may be left even now.
      expect(leftovers(run.runId)).toEqual([]);
      expect(leftovers(run.runId)).not.toContain(grandchild);
    });
  }

  test.concurrent('a second Ctrl-C while the servers stop does not cut the stop short', async () => {
    const run = jestRun('survives_parent', 'hold');
    await untilHolding(run.reportsDir);
    run.child.kill('SIGINT');
    // Within the grace period: the grandchild ignores SIGTERM, so the stop is still waiting on it.
    await new Promise((r) => setTimeout(r, 100));
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.signal).toBe('SIGINT');
    // Had the second signal killed the runner mid-stop, the watchdog would still be in its grace.
    expect(leftovers(run.runId)).toEqual([]);
  });

  test.concurrent('SIGKILL to the runner: the watchdog takes the servers down within about a second', async () => {
    const run = jestRun('survives_parent', 'hold');
    await untilHolding(run.reportsDir);
    expect(leftovers(run.runId).length).toBeGreaterThan(0);
    run.child.kill('SIGKILL');
    await run.done;
    const tookMs = await waitUntil(() => leftovers(run.runId).length === 0, 5000, 'the watchdog cleaned up');
    expect(tookMs).toBeLessThan(1500);
  });
});

describe('cleanup when the runner is SIGKILLed', () => {
  test.concurrent('in the middle of a stop, after the server exited but before what it forked did: nothing is left', async () => {
    const runId = newRunId();
    const env = stubEnv('survives_parent', runId);
    // A long grace, so the runner is still waiting to SIGKILL the grandchild when it dies.
    const run = runDriver({ name: 'default', python: STUB_PYTHON, env, logFile: path.join(tmp, `${runId}.log`), startupTimeoutMs: 20_000, killGraceMs: 10_000, then: 'stop-midway' }, env);
    const stopping = await run.next('stopping');
    expect((stopping.groupMembers as number[]).length).toBeGreaterThan(0); // the grandchild, and the watchdog staying for it
    run.child.kill('SIGKILL');
    await run.done;
    const tookMs = await waitUntil(() => leftovers(runId).length === 0, 5000, 'the watchdog finished the stop');
    expect(tookMs).toBeLessThan(1500);
  });

  test.concurrent('a server that ignores SIGTERM is SIGKILLed by the watchdog after the grace period', async () => {
    const runId = newRunId();
    const run = runDriver(
      {
        name: 'default',
        python: STUB_PYTHON,
        env: stubEnv('ignores_sigterm', runId),
        logFile: path.join(tmp, `${runId}.log`),
        startupTimeoutMs: 20_000,
        killGraceMs: GRACE_MS,
        then: 'hold',
      },
      stubEnv('ignores_sigterm', runId),
    );
    await run.next('ready');
    run.child.kill('SIGKILL');
    await run.done;
    const tookMs = await waitUntil(() => leftovers(runId).length === 0, 5000, 'the watchdog cleaned up');
    expect(tookMs).toBeLessThan(GRACE_MS + 1000);
  });
});
