/**
 * Telling a server at rest from /proc (helpers/server/server-rest.ts), and what that does to a log
 * window's wait (helpers/logs/server-log.ts waitForQuiet): real processes in known states, and an
 * event-loop server that fails after it answered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { VENV_PYTHON } from '../core/config';
import { ServerLog } from '../logs/server-log';
import { canTellRest, restedBetween, type RestSample, sampleRest, showsRest } from '../server/server-rest';

const PYTHON = existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3';
const STATES = path.join(__dirname, '..', '__fixtures__', 'server-rest', 'states.py');

let dir: string;
const started: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'server-rest-'));
});
afterEach(() => {
  for (const c of started.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Starts states.py in MODE (its own process group, stderr to `log`) and waits for "ready PORT". */
async function start(mode: string, args: string[] = [], log = path.join(dir, 'server.log')): Promise<{ pid: number; port: number; log: string }> {
  writeFileSync(log, '', { flag: 'a' });
  const child = spawn(PYTHON, [STATES, mode, ...args], { detached: true, stdio: ['ignore', 'pipe', openSync(log, 'a')] });
  started.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`states.py ${mode} exited ${code} before it was ready`)));
  });
  return { pid: child.pid!, port, log };
}

/** Samples pid every ms for up to `ms`; whether any two consecutive-enough samples showed rest. */
async function restSeenWithin(pid: number, ms: number): Promise<boolean> {
  const t0 = performance.now();
  let first: RestSample | undefined = sampleRest(pid);
  while (performance.now() - t0 < ms) {
    await new Promise((r) => setTimeout(r, 1));
    const next = sampleRest(pid);
    if (showsRest(first, next)) return true;
    if (!restedBetween(first, next)) first = next;
  }
  return false;
}

const linux = canTellRest() ? describe : describe.skip;

linux('seeing a process at rest in /proc', () => {
  test('an idle event loop (the main thread in epoll_wait, nothing else running) is at rest', async () => {
    const { pid } = await start('epoll');
    expect(await restSeenWithin(pid, 3000)).toBe(true);
  });

  test('a main thread that sleeps anywhere but in epoll_wait is never taken for rest: it may not be an event loop', async () => {
    const { pid } = await start('sleep');
    expect(await restSeenWithin(pid, 300)).toBe(false);
    expect(sampleRest(pid)).toMatchObject({ asleep: false, busy: false });
  });

  test('a spinning main thread is busy, never at rest', async () => {
    const { pid } = await start('busy');
    expect(await restSeenWithin(pid, 300)).toBe(false);
    expect(sampleRest(pid)?.busy).toBe(true);
  });

  test('an idle event loop beside a thread that works is not at rest', async () => {
    const { pid } = await start('epoll-busy-thread');
    expect(await restSeenWithin(pid, 300)).toBe(false);
  });

  test('an idle event loop with a child process is not at rest: the child may be the one working', async () => {
    const { pid } = await start('epoll-child');
    expect(await restSeenWithin(pid, 300)).toBe(false);
  });

  test('a process that does not exist cannot be told about', () => {
    const gone = spawn(PYTHON, ['-c', 'pass']);
    return new Promise<void>((resolve) => {
      gone.once('exit', () => {
        expect(sampleRest(gone.pid!)).toBeUndefined();
        resolve();
      });
    });
  });

  test('two samples show rest only when both are asleep, no CPU or scheduling happened between them, and they are ≥ 1 ms apart', () => {
    const a: RestSample = { at: 0, cpuNs: 100, slices: 5, asleep: true, busy: false };
    expect(showsRest(a, { ...a, at: 1 })).toBe(true);
    expect(showsRest(a, { ...a, at: 0.5 })).toBe(false);
    expect(showsRest(a, { ...a, at: 1, cpuNs: 101 })).toBe(false);
    expect(showsRest(a, { ...a, at: 1, slices: 6 })).toBe(false);
    expect(showsRest(a, { ...a, at: 1, asleep: false })).toBe(false);
    expect(showsRest({ ...a, asleep: false }, { ...a, at: 1 })).toBe(false);
    expect(showsRest(undefined, a)).toBe(false);
  });
});

describe('a log window that may end when its server is at rest', () => {
  const idle: RestSample = { at: 0, cpuNs: 7, slices: 3, asleep: true, busy: false };

  test('ends well before the quiet period when the server is seen at rest, and says so', async () => {
    const log = path.join(dir, 'a.log');
    writeFileSync(log, 'x\n');
    const r = await new ServerLog(log).waitForQuiet({ quietMs: 500, atRest: () => ({ ...idle, at: performance.now() }) });
    expect(r).toMatchObject({ quiet: true, rest: true, size: 2 });
    expect(r.waitedMs).toBeLessThan(400);
  });

  test('waits the quiet period when the server is never seen at rest (CPU spent between samples)', async () => {
    const log = path.join(dir, 'b.log');
    writeFileSync(log, 'x\n');
    let cpu = 0;
    const r = await new ServerLog(log).waitForQuiet({ quietMs: 60, atRest: () => ({ ...idle, cpuNs: ++cpu, at: performance.now() }) });
    expect(r).toMatchObject({ quiet: true, rest: false });
    expect(r.waitedMs).toBeGreaterThanOrEqual(60);
  });

  test('a write between two rest samples is not rest: the wait goes on and the write is in the size', async () => {
    const log = path.join(dir, 'c.log');
    writeFileSync(log, 'x\n');
    let n = 0;
    const r = await new ServerLog(log).waitForQuiet({
      quietMs: 500,
      atRest: () => {
        // The server "writes" right after the first sample, then rests.
        if (++n === 2) writeFileSync(log, 'traceback\n', { flag: 'a' });
        return { ...idle, at: performance.now() };
      },
    });
    expect(r.size).toBe('x\ntraceback\n'.length);
    expect(r.rest).toBe(true);
  });

  test('while the server is seen working, the quiet period does not end the wait; the timeout does', async () => {
    const log = path.join(dir, 'd.log');
    writeFileSync(log, 'x\n');
    const r = await new ServerLog(log).waitForQuiet({ quietMs: 20, timeoutMs: 150, atRest: () => ({ ...idle, asleep: false, busy: true, at: performance.now() }) });
    expect(r).toMatchObject({ quiet: false, rest: false });
    expect(r.waitedMs).toBeGreaterThanOrEqual(150);
  });

  test('without a way to see the server it is the quiet period, as before', async () => {
    const log = path.join(dir, 'e.log');
    writeFileSync(log, 'x\n');
    const r = await new ServerLog(log).waitForQuiet({ quietMs: 40, atRest: () => undefined });
    expect(r).toMatchObject({ quiet: true, rest: false });
    expect(r.waitedMs).toBeGreaterThanOrEqual(40);
  });
});

linux('a server that fails after it answered, while it works on', () => {
  /** One GET, answered; the log's size right after, and what a window opened then sees. */
  async function windowAfterAnswer(mode: 'rest' | 'quiet'): Promise<string> {
    const { pid, port, log } = await start('late-traceback', ['80']);
    const sl = new ServerLog(log);
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    const from = sl.size();
    const { size } = await sl.waitForQuiet({ quietMs: 25, timeoutMs: 2000, atRest: mode === 'rest' ? () => sampleRest(pid) : undefined });
    return sl.readRange(from, size).toString();
  }

  test('with rest: the window stays open while its event loop works (80 ms of CPU), and holds the traceback', async () => {
    expect(await windowAfterAnswer('rest')).toContain("KeyError: 'late'");
  });

  test('with the quiet period alone (--log-wait quiet) the same traceback lands after the window closed', async () => {
    expect(await windowAfterAnswer('quiet')).not.toContain("KeyError: 'late'");
  });
});
