/**
 * No server outlives the runner and its port is free again: after a pass, a failure, a setup error,
 * SIGINT, SIGTERM and SIGKILL. Runs the real globalSetup/globalTeardown in a fixture Jest project
 * (and startFakeAI in a driver for SIGKILL), against stubs, looks for any process still carrying
 * the run's marker, and binds the server's port on 127.0.0.1.
 *
 * The stub `survives_parent` forks a grandchild that ignores SIGTERM, so a pass here also means
 * the whole process group was killed, not just the server's pid.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { runDirOf } from '../core/run-dir';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../server/process-group';
import { announcedPort, leftovers, newRunId, portIsFree, runDriver, runJestFixture, STUB_PYTHON, stubEnv, untilPortFree, waitUntil } from '../__fixtures__/drivers/run-driver';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-cleanup-'));
const GRACE_MS = 500;
// Each case runs a whole Jest (or a node driver) plus python stubs; two busy cores make that seconds.
jest.setTimeout(60_000);

function jestRun(stub: string, pattern: string | string[], extra: Record<string, string> = {}) {
  const runId = newRunId();
  const root = path.join(tmp, runId);
  // The run's id is fixed here so the test knows its run directory before the run writes to it.
  const reportsDir = runDirOf(root, runId);
  const env = stubEnv(stub, runId, {
    E2E_PYTHON: STUB_PYTHON,
    E2E_REPORTS_DIR: root,
    E2E_RUN_ID: runId,
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

function serverLog(reportsDir: string): string {
  return readFileSync(path.join(reportsDir, 'server.log'), 'utf8');
}

function pidsOf(reportsDir: string): { server: number; grandchild: number } {
  const m = /server pid=(\d+) grandchild pid=(\d+)/.exec(serverLog(reportsDir));
  const pids = { server: Number(m?.[1]), grandchild: Number(m?.[2]) };
  expect(pids.server).toBeGreaterThan(0);
  expect(pids.grandchild).toBeGreaterThan(0);
  return pids;
}

/** The default server's port, from its log; asserted taken, so the later "free" means something. */
async function heldPort(logFile: string): Promise<number> {
  const port = announcedPort(logFile);
  expect(await portIsFree(port)).toBe(false);
  return port;
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

  test('sees a port with a listener on 127.0.0.1 as taken, and as free once the listener closes', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as { port: number }).port;
    expect(await portIsFree(port)).toBe(false);
    await new Promise((r) => holder.close(r));
    expect(await portIsFree(port)).toBe(true);
  });

  test('reads the port from the ready line a server logs, and refuses a log without one', () => {
    const log = path.join(tmp, 'announced.log');
    writeFileSync(log, 'FakeAI - OpenAI Compatible API Server\nINFO:     Uvicorn running on http://127.0.0.1:43210 (Press CTRL+C to quit)\n');
    expect(announcedPort(log)).toBe(43210);
    writeFileSync(log, 'INFO:     Started server process [1]\n');
    expect(() => announcedPort(log)).toThrow('no "Uvicorn running on" line');
  });
});

describe('cleanup after a Jest run', () => {
  test.concurrent('a passing run exits 0 and leaves no server, its port free', async () => {
    const run = jestRun('healthy', 'pass');
    const result = await run.done;
    expect(result.stderr).toContain('✔ Started FakeAI (version unknown) "default"');
    expect(result.stderr).toMatch(/Not started: auth\b.* — no selected test file uses/);
    expect(result.code).toBe(0);
    await waitUntil(() => leftovers(run.runId).length === 0, 3000, 'no server is left');
    await untilPortFree(announcedPort(path.join(run.reportsDir, 'server.log')));
  });

  test.concurrent('a failing run exits 1 and leaves no server, grandchild included, its port free', async () => {
    const run = jestRun('survives_parent', 'fail');
    const result = await run.done;
    expect(result.stderr).toContain('fails on purpose after reaching the server');
    expect(result.code).toBe(1);
    const { grandchild } = pidsOf(run.reportsDir);
    await waitUntil(() => leftovers(run.runId).length === 0, 3000, 'no server is left');
    expect(leftovers(run.runId)).not.toContain(grandchild);
    await untilPortFree(announcedPort(path.join(run.reportsDir, 'server.log')));
  });

  test.concurrent('a profile that fails at boot fails setup with its paragraph, and the server that did start is stopped, its port free', async () => {
    // "auth" also selects e2e/auth.test.ts by name, so globalSetup starts the auth profile.
    const run = jestRun('exit_at_boot', ['pass', 'auth'], { STUB_EXIT_IF_ENV: 'FAKEAI_AUTH__REQUIRE_API_KEY' });
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Got error running globalSetup');
    expect(result.stderr).toContain('FakeAI server "auth" exited with code 3 before it became ready');
    await waitUntil(() => leftovers(run.runId).length === 0, 3000, 'the default server is stopped too');
    await untilPortFree(announcedPort(path.join(run.reportsDir, 'server.log')));
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test.concurrent(`${signal} to the runner mid-test stops the servers and frees the port, then the runner dies of ${signal}`, async () => {
      const run = jestRun('survives_parent', 'hold');
      await untilHolding(run.reportsDir);
      const { grandchild } = pidsOf(run.reportsDir);
      const port = await heldPort(path.join(run.reportsDir, 'server.log'));
      run.child.kill(signal);
      const result = await run.done;
      expect(result.signal).toBe(signal);
      // The handler waited for the group to go before re-raising: nothing may be left even now.
      expect(leftovers(run.runId)).toEqual([]);
      expect(leftovers(run.runId)).not.toContain(grandchild);
      expect(await portIsFree(port)).toBe(true);
    });
  }

  test.concurrent('a second Ctrl-C while the servers stop does not cut the stop short', async () => {
    // A grace long enough that the stop is surely still waiting on the SIGTERM-ignoring grandchild
    // when the second Ctrl-C lands, however slowly this machine polls.
    const graceMs = 3000;
    const run = jestRun('survives_parent', 'hold', { E2E_KILL_GRACE_MS: String(graceMs) });
    await untilHolding(run.reportsDir);
    const pids = pidsOf(run.reportsDir);
    const port = await heldPort(path.join(run.reportsDir, 'server.log'));
    const firstAt = Date.now();
    run.child.kill('SIGINT');
    // The stop is under way: the server obeyed the group SIGTERM, the grandchild ignores it and
    // is alive until the grace runs out.
    await waitUntil(() => !isAlive(pids.server), 10_000, 'the server exited on the first Ctrl-C');
    expect(isAlive(pids.grandchild)).toBe(true);
    run.child.kill('SIGINT');
    const result = await run.done;
    const ranMs = Date.now() - firstAt;
    expect(result.signal).toBe('SIGINT');
    // Cut short, the runner would die at the second Ctrl-C, well before the grace (and the
    // watchdog would then clean up behind it, hiding that from the leftover check). Finished, the
    // stop cannot end before the grace, when it SIGKILLs the grandchild.
    expect(ranMs).toBeGreaterThanOrEqual(graceMs);
    expect(leftovers(run.runId)).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
  });

  test.concurrent('SIGKILL to the runner: the watchdog takes the servers down within about a second, and the port is free', async () => {
    const run = jestRun('survives_parent', 'hold');
    await untilHolding(run.reportsDir);
    expect(leftovers(run.runId).length).toBeGreaterThan(0);
    const port = await heldPort(path.join(run.reportsDir, 'server.log'));
    run.child.kill('SIGKILL');
    await run.done;
    const tookMs = await waitUntil(() => leftovers(run.runId).length === 0, 5000, 'the watchdog cleaned up');
    // The spec's "gone within about a second". The server obeys the watchdog's SIGTERM, so the
    // group SIGKILL (which takes the grandchild) follows at once: tens of ms, leaving ~1.4 s of
    // slack for a loaded machine to schedule the watchdog.
    expect(tookMs).toBeLessThan(1500);
    await untilPortFree(port);
  });
});

describe('which profiles a real Jest run hands globalSetup', () => {
  test.concurrent('--testPathIgnorePatterns reaches globalSetup: an ignored usedBy file does not start its profile', async () => {
    // Without the ignore pattern "auth" starts the auth profile (the setup-error case above relies on it).
    const run = jestRun('healthy', ['pass', 'auth', '--testPathIgnorePatterns', 'auth\\.test']);
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Not started: auth\b/);
    expect(result.stderr).not.toContain('"auth" at');
    await waitUntil(() => leftovers(run.runId).length === 0, 3000, 'no server is left');
  });
});

describe('cleanup when the runner is SIGKILLed', () => {
  test.concurrent('in the middle of a stop, after the server exited but before what it forked did: nothing is left, the port is free', async () => {
    const runId = newRunId();
    const env = stubEnv('survives_parent', runId);
    // A long grace, so the runner is still waiting to SIGKILL the grandchild when it dies.
    const run = runDriver({ name: 'default', python: STUB_PYTHON, env, logFile: path.join(tmp, `${runId}.log`), startupTimeoutMs: 20_000, killGraceMs: 10_000, then: 'stop-midway' }, env);
    const port = Number((await run.next('ready')).port);
    const stopping = await run.next('stopping');
    expect((stopping.groupMembers as number[]).length).toBeGreaterThan(0); // the grandchild, and the watchdog staying for it
    run.child.kill('SIGKILL');
    await run.done;
    const tookMs = await waitUntil(() => leftovers(runId).length === 0, 5000, 'the watchdog finished the stop');
    // The watchdog's takedown finds the server gone and SIGKILLs the group at once (no grace to
    // wait, unlike the runner's 10 s): well under the spec's "about a second", with ~1 s spare.
    expect(tookMs).toBeLessThan(1500);
    await untilPortFree(port);
  });

  test.concurrent('a server that ignores SIGTERM is SIGKILLed by the watchdog after the grace period, and the port is free', async () => {
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
    const port = Number((await run.next('ready')).port);
    expect(await portIsFree(port)).toBe(false);
    run.child.kill('SIGKILL');
    await run.done;
    const tookMs = await waitUntil(() => leftovers(runId).length === 0, 5000, 'the watchdog cleaned up');
    // The server holds out for the whole grace; ~1 s beyond it is slack for a loaded machine.
    expect(tookMs).toBeLessThan(GRACE_MS + 1000);
    await untilPortFree(port);
  });
});
