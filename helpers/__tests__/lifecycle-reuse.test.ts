/**
 * Reuse mode and a server that dies mid-run, through the real globalSetup/globalTeardown in the
 * fixture Jest project.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../server/process-group';
import { waitUntilReady } from '../server/readiness';
import { leftovers, newRunId, runJestFixture, STUB_PYTHON, stubEnv } from '../__fixtures__/drivers/run-driver';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-reuse-'));
jest.setTimeout(60_000);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function jestRun(stub: string, pattern: string, extra: Record<string, string>) {
  const runId = newRunId();
  const env = stubEnv(stub, runId, { E2E_PYTHON: STUB_PYTHON, E2E_REPORTS_DIR: path.join(tmp, runId), ...extra });
  return { ...runJestFixture(pattern, env), runId };
}

describe('reusing a running server', () => {
  let running: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    // The user's own server: started outside the harness, with its own marker.
    running = spawn(STUB_PYTHON, ['-m', 'fakeai', 'server', '--host', '127.0.0.1', '--port', String(port)], {
      env: stubEnv('healthy', newRunId()),
      stdio: 'ignore',
    });
    url = `http://127.0.0.1:${port}`;
    expect((await waitUntilReady({ baseUrl: url, timeoutMs: 20_000 })).ready).toBe(true);
  });
  afterAll(() => {
    running.kill('SIGKILL');
  });

  test.concurrent('spawns nothing, says so, says the log is not watched, and leaves that server running', async () => {
    // exit_at_boot on PYTHONPATH: had the harness spawned anything, setup would have failed.
    const run = jestRun('exit_at_boot', 'pass', { E2E_URL: url });
    const result = await run.done;
    expect(result.stderr).toContain(`✔ Using the running server at ${url} — nothing spawned.`);
    expect(result.stderr).toContain('Its log is not watched');
    expect(result.code).toBe(0);
    expect(leftovers(run.runId)).toEqual([]);
    expect(isAlive(running.pid!)).toBe(true);
  });

  test.concurrent('with --server-log it watches that file instead', async () => {
    const log = path.join(tmp, 'their-server.log');
    writeFileSync(log, 'older lines\n');
    const result = await jestRun('exit_at_boot', 'pass', { E2E_URL: url, E2E_SERVER_LOG: log }).done;
    expect(result.stderr).toContain(`Watching its log ${log} from its current end.`);
    expect(result.code).toBe(0);
  });

  test.concurrent('a URL where nothing is ready fails setup with a paragraph naming the flags', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await jestRun('healthy', 'pass', { E2E_URL: closed, E2E_STARTUP_TIMEOUT: '1' }).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`The running server at ${closed} did not answer GET /health with "ready": true within 1 s`);
    expect(result.stderr).toContain('Nothing was spawned.');
    expect(result.stderr).toContain('--host/--port / E2E_URL');
  });
});

describe('a server that dies mid-run', () => {
  test('fails the run at teardown with its exit code and log tail, even though every test passed', async () => {
    const run = jestRun('dies_mid_run', 'die', { E2E_KILL_GRACE_MS: '500' });
    const result = await run.done;
    if (!result.stderr.includes('exited during')) require('fs').writeFileSync('/tmp/perf/fail-'+Date.now()+'.txt', `code=${result.code}\n`+result.stderr);
    expect(result.stderr).toContain('1 passed');
    expect(result.stderr).toContain('FakeAI server "default" exited during the run (code=7 signal=null)');
    expect(result.stderr).toContain('stub dies_mid_run: dying (GET /die) with code 7');
    expect(result.code).toBe(1);
    expect(leftovers(run.runId)).toEqual([]);
  });
});
