/**
 * Hang detection: a server whose event loop blocks mid-run fails the current test and every later
 * one at once, with the Python stack of the blocking call; a stall shorter than the threshold does
 * not. End to end through the fixture project helpers/__fixtures__/attribution/ (the real
 * globalSetup, test environment and globalTeardown) against the hangs_mid_run stub.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { runDirOf } from '../core/run-dir';
import { blockingFrame, hangMessage, type HangMarker, parseStackDump, silentFileOf, startHangWatch } from '../server/hang-watch';
import { useLocalHttpServer } from '../__fixtures__/local-http-server';

const STUBS = path.join(PROJECT_ROOT, 'helpers', '__fixtures__', 'stub-servers');
const CONFIG = path.join(PROJECT_ROOT, 'helpers', '__fixtures__', 'attribution', 'jest.config.js');
const STUB_MAIN = path.join(STUBS, 'hangs_mid_run', 'fakeai', '__main__.py');
const HANG_AFTER_S = 3;

const DUMP = [
  'Thread 0x00007f0000000001 (most recent call first):',
  '  File "/usr/lib/python3.11/threading.py", line 324 in wait',
  '  File "/usr/lib/python3.11/threading.py", line 1002 in _bootstrap',
  '',
  'Current thread 0x00007f0000000002 (most recent call first):',
  '  File "/srv/app/handlers.py", line 42 in block_event_loop',
  '  File "/srv/app/handlers.py", line 60 in handle',
  '  File "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/events.py", line 80 in _run',
  '  File "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py", line 1922 in _run_once',
].join('\n');

describe('reading a faulthandler dump', () => {
  test('finds every thread and its frames, most recent first', () => {
    const threads = parseStackDump(DUMP);
    expect(threads.map((t) => [t.current, t.frames.length])).toEqual([[false, 2], [true, 4]]);
  });

  test('names the innermost frame of the signalled thread outside the standard library as where it is stuck', () => {
    expect(blockingFrame(parseStackDump(DUMP))).toEqual({ file: '/srv/app/handlers.py', line: 42, func: 'block_event_loop' });
  });

  test('falls back to the innermost frame when every frame is the standard library\'s', () => {
    const dump = 'Current thread 0x1 (most recent call first):\n  File "/usr/lib/python3.11/selectors.py", line 468 in select\n';
    expect(blockingFrame(parseStackDump(dump))).toEqual({ file: '/usr/lib/python3.11/selectors.py', line: 468, func: 'select' });
  });

  test('finds nothing in text that is not a dump', () => {
    expect(parseStackDump('Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n')).toEqual([]);
    expect(blockingFrame([])).toBeUndefined();
  });

  test('says why there is no stack when the dump failed', () => {
    const marker: HangMarker = { at: 'T', silentMs: 5200, hangAfterMs: 5000, pid: 1, stackDump: null, dumpProblem: 'the server has no SIGUSR1 handler' };
    const text = hangMessage('default', marker, '/r/server.log', ['last line']);
    expect(text).toContain('server default hung: no answer to GET /health for 5.2 s (threshold 5.0 s, --hang-after)');
    expect(text).toContain('No stack dump: the server has no SIGUSR1 handler.');
    expect(text).toContain('  | last line');
    expect(text).not.toContain('Stuck at');
  });
});

describe('stopping the hang watch', () => {
  const health = useLocalHttpServer((_req, res) => res.end('{"status":"healthy"}'));

  test('ends its worker by itself, not by the 1 s terminate fallback that every teardown used to wait for', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-hangstop-'));
    try {
      const hangMarkerFile = path.join(dir, 'server-a.hang.json');
      let probed!: () => void;
      const answered = new Promise<void>((r) => (probed = r));
      health.server.once('request', () => probed());
      const watch = startHangWatch(
        [{ name: 'a', pid: process.pid, baseUrl: health.baseUrl, logFile: path.join(dir, 'a.log'), exitMarkerFile: path.join(dir, 'a.exit.json'), hangMarkerFile, silentFile: silentFileOf(hangMarkerFile) }],
        { hangAfterMs: 5000, probeEveryMs: 50 },
      );
      await answered; // stopped while it is really watching, between probes or inside one
      expect(await watch.stop()).toBe('exited');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([0, 200])('keeps the process alive until it has stopped, also when its only server already died (stop after %i ms)', (delayMs) => {
    // Unref'd worker and timer: a process with nothing else pending used to exit, code 0, inside
    // stop() — a teardown that never reported the dead server, and a green run.
    const r = spawnSync(process.execPath, ['-r', path.join(PROJECT_ROOT, 'scripts', 'register.js'), path.join(PROJECT_ROOT, 'helpers', '__fixtures__', 'hang-watch-stop.ts'), String(delayMs)], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('stopped exited\n');
  });
});

interface Run {
  exitCode: number | null;
  output: string;
  endedAt: number;
  runDir: string;
  failures: Map<string, string>;
}

function runHangFixture(): Promise<Run> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-hang-'));
  const runDir = runDirOf(root, 'hang');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('E2E_') && !k.startsWith('JEST_')) env[k] = v;
  Object.assign(env, {
    PYTHONPATH: path.join(STUBS, 'hangs_mid_run'),
    PYTHONDONTWRITEBYTECODE: '1',
    E2E_REPORTS_DIR: root,
    E2E_RUN_ID: 'hang',
    E2E_HANG_AFTER: String(HANG_AFTER_S),
    E2E_KILL_GRACE_MS: '500',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    FIXTURE_RUN_MARK: root,
  });
  const child = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--config', CONFIG, '--runInBand', 'hang.fixture'], { cwd: PROJECT_ROOT, env });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) =>
    child.on('close', (exitCode) => {
      const failures = new Map<string, string>();
      for (const block of output.split(/^ {2}● /m).slice(1)) failures.set(block.split('\n')[0].trim(), block);
      resolve({ exitCode, output, endedAt: Date.now(), runDir, failures });
    }),
  );
}

/** Live processes carrying the run's marker in their environment. */
function leftovers(mark: string): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/environ`, 'latin1').split('\0').includes(`FIXTURE_RUN_MARK=${mark}`)) found.push(Number(e));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

describe('a server whose event loop blocks mid-run', () => {
  let run: Run;
  let blockedAt: number;
  const sleepLine = readFileSync(STUB_MAIN, 'utf8').split('\n').findIndex((l) => l.includes('THE BLOCKING CALL')) + 1;

  beforeAll(async () => {
    run = await runHangFixture();
    const log = readFileSync(path.join(run.runDir, 'server.log'), 'utf8');
    // The last block is the hang (the first is the survived stall).
    blockedAt = Number([...log.matchAll(/blocking the event loop at (\d+)/g)].pop()?.[1]);
  }, 120_000);
  afterAll(() => {
    if (process.env.KEEP_HANG_RUN) process.stdout.write(run.output);
    rmSync(path.dirname(path.dirname(run.runDir)), { recursive: true, force: true });
  });

  test('survives a stall shorter than the threshold', () => {
    expect(run.failures.has('server stalls and recovers › a stall below the threshold is not a hang')).toBe(false);
    expect(run.failures.has('server stalls and recovers › answers afterwards')).toBe(false);
    expect(run.output).toMatch(/✓ a stall below the threshold is not a hang/);
  });

  test('fails the blocked test naming the hang and the file:line of the blocking call, from the live server\'s stack', () => {
    const msg = run.failures.get('server hangs mid-run › blocks the event loop')!;
    expect(msg).toMatch(/server default hung: no answer to GET \/health for \d+\.\d s \(threshold 3\.0 s/);
    expect(msg).toContain(`Stuck at ${STUB_MAIN}:${sleepLine} in block_event_loop`);
    expect(msg).toContain('Python stacks of all its threads (faulthandler');
    expect(msg).toMatch(/Current thread 0x[0-9a-f]+ \(most recent call first\)/);
    expect(msg).toContain('stub hangs_mid_run: blocking the event loop at'); // the log tail
  });

  test('fails every later test at once with the same diagnosis', () => {
    for (const name of ['server hangs mid-run › would wait 30 s for nothing', 'a later file part › also fails at once']) {
      expect(run.failures.get(name)).toContain('server default hung');
    }
    expect(run.output).toMatch(/✕ would wait 30 s for nothing( \(\d{1,3} ms\))?\n/);
    expect(run.output).toMatch(/✕ also fails at once( \(\d{1,3} ms\))?\n/);
  });

  test('ends the run within 30 s of the block, failed, with nothing left running', () => {
    expect(blockedAt).toBeGreaterThan(0);
    expect(run.endedAt - blockedAt).toBeLessThan(30_000);
    expect(run.exitCode).toBe(1);
    expect(leftovers(path.dirname(path.dirname(run.runDir)))).toEqual([]);
  });

  test('globalTeardown reports the hang, not a mere exit', () => {
    expect(run.output).toMatch(/FakeAI server default hung/);
  });
});
