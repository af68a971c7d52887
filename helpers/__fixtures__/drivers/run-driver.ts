/**
 * Test-side helpers for the lifecycle self-tests: run a driver (or a fixture Jest project) in a
 * child process, read its JSON events, and find any process a run left behind.
 *
 * Leftovers are found by a marker, not by pids: each run puts a unique STUB_RUN_ID in the
 * environment, servers inherit it (serverEnvironment passes non-E2E variables through), and so do
 * the watchdog and anything the server forks. Once the runner is gone, any live process carrying
 * the marker is a leak, whatever its pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { isAlive } from '../../server/process-group';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const STUBS = path.join(ROOT, 'helpers', '__fixtures__', 'stub-servers');
const DRIVER = path.join(__dirname, 'start-server.ts');
export const MULTI_DRIVER = path.join(__dirname, 'start-servers.ts');
const JEST_PROJECT = path.join(__dirname, 'jest-project', 'jest.config.js');
const VENV_PYTHON = path.join(ROOT, '.venv', 'bin', 'python');

/** An interpreter for the stubs: the venv's when present (a real binary, no shim to start). */
export const STUB_PYTHON = existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3';

export function newRunId(): string {
  return `lc-${randomUUID()}`;
}

/** Environment for a run against `stub`: minimal, marked, bytecode-free (no __pycache__ in fixtures). */
export function stubEnv(stub: string, runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    PYTHONPATH: path.join(STUBS, stub),
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    STUB_RUN_ID: runId,
    ...extra,
  };
}

export interface DriverEvent {
  event: string;
  t: number;
  [k: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DriverRun {
  child: ChildProcess;
  events: DriverEvent[];
  /** Resolves with the first event named `name`; rejects if the driver exits first or time runs out. */
  next(name: string, timeoutMs?: number): Promise<DriverEvent>;
  done: Promise<Exit & { stderr: string }>;
}

/** Runs start-server.ts (or another driver here) in one node process (node --import tsx: no wrapper process to outlive). */
export function runDriver(spec: Record<string, unknown>, env: Record<string, string>, driver = DRIVER): DriverRun {
  const child = spawn(process.execPath, ['--import', 'tsx', driver, JSON.stringify(spec)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: DriverEvent[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    buffered += c.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) events.push(JSON.parse(l) as DriverEvent);
    waiters.forEach((w) => w());
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Exit & { stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      resolve({ code, signal, stderr });
      waiters.forEach((w) => w());
    }),
  );
  let exited = false;
  void done.then(() => (exited = true));
  const next = (name: string, timeoutMs = 15_000) =>
    new Promise<DriverEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find((e) => e.event === name);
        if (found) finish(() => resolve(found));
        else if (exited) finish(() => reject(new Error(`driver exited before "${name}"; events: ${JSON.stringify(events)}; stderr: ${stderr}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no "${name}" event within ${timeoutMs} ms; events: ${JSON.stringify(events)}`))), timeoutMs);
      const finish = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });
  return { child, events, next, done };
}

/** Runs the fixture Jest project (the real globalSetup/globalTeardown) on the tests matching `patterns`. */
export function runJestFixture(patterns: string | string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Exit & { stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--config', JEST_PROJECT, '--runInBand', '--ci', ...[patterns].flat()], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Exit & { stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Live (non-zombie) processes whose environment carries the run's marker. */
export function leftovers(runId: string): number[] {
  const needle = `STUB_RUN_ID=${runId}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(needle) && isAlive(Number(entry))) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Polls `predicate` every `intervalMs`; resolves with the time it took, rejects after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string, intervalMs = 20): Promise<number> {
  const t0 = Date.now();
  while (!(await predicate())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return Date.now() - t0;
}

/**
 * Whether a new listener can bind `port` on 127.0.0.1 right now — the proof that no process of
 * ours still holds the server's socket (a leftover invisible to the marker would still show here).
 */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(e)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The port a stub announced in its log ("Uvicorn running on http://127.0.0.1:PORT"), like FakeAI does. */
export function announcedPort(logFile: string): number {
  const port = Number(/Uvicorn running on http:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1]);
  if (!(port > 0)) throw new Error(`no "Uvicorn running on" line with a port in ${logFile}`);
  return port;
}

/** Polled: the last process may still be closing its socket when the marker check passes. */
export function untilPortFree(port: number, timeoutMs = 3000): Promise<number> {
  return waitUntil(() => portIsFree(port), timeoutMs, `port ${port} can be bound again on 127.0.0.1`);
}
