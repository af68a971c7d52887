/**
 * startFakeAI end to end against stub servers, each run in its own driver process: outcome, error
 * code, message, timing, and that no process is left behind — in both launch modes, which share
 * one contract (forked from the pre-importing launcher, or spawned under the watchdog).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../server/process-group';
import { type DriverEvent, leftovers, newRunId, runDriver, STUB_PYTHON, stubEnv, untilPortFree, waitUntil } from '../__fixtures__/drivers/run-driver';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-lifecycle-'));
// A generous startup timeout: "fails at once" is asserted as a fraction of it, a third — far
// below the timeout that a failure to notice the exit would cost, far above a boot at load ~10.
const LONG_TIMEOUT_MS = 30_000;
// Each case starts a node driver and a python stub; on two busy cores that can take seconds.
jest.setTimeout(60_000);

type LaunchMode = 'preload' | 'spawn';

interface Case {
  stub: string;
  launch: LaunchMode;
  then?: 'stop' | 'hold' | 'die';
  python?: string;
  port?: number;
  startupTimeoutMs?: number;
  killGraceMs?: number;
  extraEnv?: Record<string, string>;
}

function drive(c: Case) {
  const runId = newRunId();
  const logFile = path.join(tmp, `${runId}.log`);
  const exitMarkerFile = path.join(tmp, `${runId}.exit.json`);
  const run = runDriver(
    {
      name: 'default',
      python: c.python ?? STUB_PYTHON,
      env: stubEnv(c.stub, runId, c.extraEnv),
      port: c.port,
      logFile,
      exitMarkerFile,
      startupTimeoutMs: c.startupTimeoutMs ?? LONG_TIMEOUT_MS,
      killGraceMs: c.killGraceMs ?? 2000,
      launch: c.launch,
      then: c.then ?? 'stop',
    },
    stubEnv(c.stub, runId),
  );
  return { ...run, runId, logFile, exitMarkerFile, log: () => readFileSync(logFile, 'utf8') };
}

async function expectNothingLeft(runId: string, ...pids: unknown[]): Promise<void> {
  await waitUntil(() => leftovers(runId).length === 0, 3000, `no process of run ${runId} is left`);
  for (const pid of pids) expect(isAlive(pid as number)).toBe(false);
}

/** After a stop the server's port can be bound again (the ready event says which port it was). */
async function expectPortFree(ready: DriverEvent): Promise<void> {
  expect(ready.port).toBeGreaterThan(0);
  await untilPortFree(ready.port as number);
}

async function expectSetupError(c: Case, code: string): Promise<DriverEvent & { message: string; elapsedMs: number }> {
  const run = drive(c);
  const err = (await run.next('error', 30_000)) as DriverEvent & { message: string; elapsedMs: number };
  expect(err.code).toBe(code);
  await run.done;
  await expectNothingLeft(run.runId);
  return err;
}

describe.each<LaunchMode>(['preload', 'spawn'])('starting and stopping a server (%s)', (launch) => {
  test.concurrent('a healthy server becomes ready, reports its facts, and stops on SIGTERM leaving no process and its port free', async () => {
    const run = drive({ launch, stub: 'healthy' });
    const ready = await run.next('ready');
    expect(ready.baseUrl).toBe(`http://127.0.0.1:${ready.port}`);
    expect(ready.command).toEqual([STUB_PYTHON, '-m', 'fakeai', 'server', '--host', '127.0.0.1', '--port', String(ready.port)]);
    expect(ready.launch).toBe(launch);
    // Spawned, the server is the watchdog's child in the watchdog's group; forked, it leads its own.
    if (launch === 'spawn') expect(ready.pid).not.toBe(ready.groupId);
    else expect(ready.pid).toBe(ready.groupId);
    expect(ready.bootToReadyMs).toBeLessThan(LONG_TIMEOUT_MS);
    const stopped = await run.next('stopped');
    expect(stopped).toMatchObject({ killedWithSigkill: false, signal: 'SIGTERM' });
    // Under the 2000 ms grace: it stopped on SIGTERM, not on the SIGKILL that ends the grace
    // (a SIGTERM stop takes tens of ms, so even a loaded machine stays far below).
    expect(stopped.stopMs).toBeLessThan(2000);
    await expectNothingLeft(run.runId, ready.pid, ready.groupId);
    await expectPortFree(ready);
  });

  test.concurrent('a server that ignores SIGTERM is killed with SIGKILL after the grace period, and its port is free', async () => {
    const run = drive({ launch, stub: 'ignores_sigterm', killGraceMs: 400 });
    const ready = await run.next('ready');
    const stopped = await run.next('stopped');
    expect(stopped).toMatchObject({ killedWithSigkill: true, signal: 'SIGKILL' });
    // The grace was waited out in full, and SIGKILL followed it rather than some later timeout;
    // 2 s of slack for a loaded machine to deliver it and reap the group.
    expect(stopped.stopMs).toBeGreaterThanOrEqual(400);
    expect(stopped.stopMs).toBeLessThan(400 + 2000);
    await expectNothingLeft(run.runId, ready.pid, ready.groupId);
    await expectPortFree(ready);
  });

  test.concurrent('a grandchild the server forked is stopped with the group, not left behind', async () => {
    const run = drive({ launch, stub: 'survives_parent', killGraceMs: 400 });
    const ready = await run.next('ready');
    const grandchild = Number(/grandchild pid=(\d+)/.exec(run.log())?.[1]);
    expect(ready.groupMembers).toEqual(expect.arrayContaining([ready.groupId, ready.pid, grandchild]));
    const stopped = await run.next('stopped');
    // The server obeyed SIGTERM; only the grandchild needed the group SIGKILL.
    expect(stopped.killedWithSigkill).toBe(true);
    await expectNothingLeft(run.runId, ready.pid, grandchild);
    await expectPortFree(ready);
  });

  test.concurrent('a server that dies mid-run gets an exit line in its log and an exit marker file', async () => {
    const run = drive({ launch, stub: 'dies_mid_run', then: 'die', extraEnv: { STUB_EXIT_CODE: '7' } });
    const ready = await run.next('ready');
    const exited = await run.next('exited');
    expect(exited).toMatchObject({ code: 7, signal: null, marker: { code: 7, signal: null } });
    expect(run.log()).toContain('[fakeai-e2e] server default exited code=7 signal=null');
    await run.done;
    await expectNothingLeft(run.runId, ready.pid);
    await expectPortFree(ready);
  });
});

describe.each<LaunchMode>(['preload', 'spawn'])('setup errors (%s)', (launch) => {
  test.concurrent('a server that exits at boot fails at once with its exit code and log tail', async () => {
    const err = await expectSetupError({ launch, stub: 'exit_at_boot' }, 'EXITED_AT_BOOT');
    expect(err.message).toContain('exited with code 3 before it became ready');
    expect(err.message).toContain('stub exit_at_boot: configuration is broken');
    expect(err.message).toContain('What to do:');
    expect(err.elapsedMs).toBeLessThan(LONG_TIMEOUT_MS / 3);
  });

  test.concurrent('a server whose /health says ready: false is NEVER_READY after the timeout, and is stopped', async () => {
    const err = await expectSetupError({ launch, stub: 'never_ready', startupTimeoutMs: 1000 }, 'NEVER_READY');
    expect(err.message).toContain('"ready": true within 1 s');
    expect(err.message).toContain('--timeout / E2E_STARTUP_TIMEOUT');
    // The 1 s timeout was honoured: not before it, nor at a much later one (30 s, 45 s default).
    // Measured 2.3–2.9 s at load ~8 (the stub's boot counts too); 8 s of slack.
    expect(err.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(err.elapsedMs).toBeLessThan(1000 + 8000);
  });

  test.concurrent('ready lines followed by "address already in use" are PORT_IN_USE, never ready', async () => {
    const err = await expectSetupError({ launch, stub: 'port_taken' }, 'PORT_IN_USE');
    expect(err.message).toContain('address already in use');
    expect(err.message).toContain('Uvicorn running on'); // the tail shows the misleading ready line
  });

  test.concurrent('a fixed port that is already taken is PORT_IN_USE before anything is spawned', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await expectSetupError({ launch, stub: 'healthy', port }, 'PORT_IN_USE');
      expect(err.message).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(err.message).toContain('--host/--port or E2E_URL');
    } finally {
      blocker.close();
    }
  });

  test.concurrent('a python that does not exist is PYTHON_NOT_FOUND, naming it and the flag', async () => {
    const missing = path.join(tmp, 'no-such-python');
    const err = await expectSetupError({ launch, stub: 'healthy', python: missing }, 'PYTHON_NOT_FOUND');
    expect(err.message).toContain(missing);
    expect(err.message).toContain('--python / E2E_PYTHON');
  });

  test.concurrent('an interpreter without fakeai is FAKEAI_NOT_INSTALLED, naming the install command', async () => {
    // An empty PYTHONPATH entry and the venv's base interpreter: nowhere to find a fakeai package.
    const base = (await import('node:child_process'))
      .execFileSync(STUB_PYTHON, ['-c', 'import sys; print(getattr(sys, "_base_executable", sys.executable))'], { encoding: 'utf8' })
      .trim();
    const err = await expectSetupError({ launch, stub: 'no_such_stub', python: base }, 'FAKEAI_NOT_INSTALLED');
    expect(err.message).toContain(`interpreter "${base}"`);
    expect(err.message).toContain('npm install');
    expect(err.message).toContain('pip install fakeai==0.3.2 pillow');
  });
});
