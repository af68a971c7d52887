/**
 * The pre-importing launcher (launcher.py) from the runner's side: one per interpreter and server
 * environment (FAKEAI_* aside) in a process, started on first use, asked to fork each server.
 *
 * Servers of one run differ only in FAKEAI_* settings, which FakeAI reads when its own modules are
 * imported, after the fork. Anything else in the environment (PYTHONPATH, PYTHONHASHSEED, a
 * library's own variable) may be read by a preloaded module or by the interpreter at start-up, so a
 * server whose environment differs there gets a launcher of its own.
 *
 * The registry lives on globalThis: scripts/e2e.ts and Jest's globalSetup run in one process but
 * may load this module twice (two transpilers), and must share the launcher.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { isAlive } from './process-group';
import type { ProcessExit } from './readiness';

export type { LaunchMode } from '../core/config';

const LAUNCHER = path.join(__dirname, 'launcher.py');
const STACK_DUMP_DIR = path.join(__dirname, 'stack-dump');
export const DEFAULT_PRELOAD_CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'fakeai-e2e-preload');

/** What the per-server preflight asked, answered once by the launcher. */
export interface InterpreterFacts {
  found: boolean;
  version: string | null;
  pil: boolean;
}

/**
 * FakeAI's own modules in the preload: the packages (e.g. fakeai.models) and how many modules they
 * made, or why none is preloaded (the build's probe found one reading FAKEAI_*, starting a thread…).
 */
export type OwnPreload = { packages: string[]; modules: number } | { packages: []; modules: 0; reason: string };

export type LauncherState =
  | { usable: true; modules: number; source: 'cached' | 'probed'; facts: InterpreterFacts; own: OwnPreload }
  | { usable: false; reason: string; facts?: InterpreterFacts };

export interface ServerRequest {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  log: string;
}

export interface ForkedServer {
  /** The server's pid (its own group's id); -1 when the launcher died before forking it. */
  pid: Promise<number>;
  exit: Promise<ProcessExit>;
}

export interface Launcher {
  pid: number | undefined;
  /** Ends its stdin, so it exits (taking down any group still running), and waits for that. */
  close(): Promise<void>;
  state: Promise<LauncherState>;
  fork(request: ServerRequest): ForkedServer;
}

interface Pending {
  gotPid: (pid: number) => void;
  gotExit: (exit: ProcessExit) => void;
  pid?: number;
}

const REGISTRY_KEY = '__FAKEAI_E2E_LAUNCHERS__';
function registry(): Map<string, Launcher> {
  const g = globalThis as Record<string, unknown>;
  return ((g[REGISTRY_KEY] as Map<string, Launcher> | undefined) ??= new Map());
}

/** The part of a server's environment a launcher must share with it: everything but FAKEAI_*. */
export function launcherEnvironment(serverEnv: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(serverEnv)) if (!k.toUpperCase().startsWith('FAKEAI_')) out[k] = v;
  return out;
}

export function launcherKey(python: string, serverEnv: Record<string, string>, killGraceMs: number): string {
  const env = launcherEnvironment(serverEnv);
  return JSON.stringify([python, killGraceMs, Object.keys(env).sort().map((k) => [k, env[k]])]);
}

/**
 * Ends every launcher this process started and waits for each to exit: a runner that dies of a
 * signal right after stopping its servers must leave no launcher behind, not even for the moment
 * its pipe takes to close.
 */
export async function closeLaunchers(): Promise<void> {
  const all = [...registry().values()];
  registry().clear();
  await Promise.all(all.map((l) => l.close()));
}

/** The launcher for this interpreter and environment, started on first use. */
export function launcherFor(python: string, serverEnv: Record<string, string>, killGraceMs: number, cacheDir = DEFAULT_PRELOAD_CACHE): Launcher {
  const key = launcherKey(python, serverEnv, killGraceMs);
  let launcher = registry().get(key);
  if (!launcher) {
    launcher = startLauncher(python, launcherEnvironment(serverEnv), killGraceMs, cacheDir);
    registry().set(key, launcher);
  }
  return launcher;
}

/**
 * Starts the launcher for `python` now, so its preload (~0.7 s of one core) runs while Jest starts
 * (~0.6 s of the other) instead of after it; globalSetup, in the same process, then finds it by
 * the same key. `env` must be what serverEnvironment() will give the servers (only its non-FAKEAI_*
 * part counts). Measured 2026-12-06 06:10 UTC on a quiet machine, alternated: the seed subset 5.69
 * s against 6.04 s (median of 3), the full run 13.4 s against 13.8 s. Earlier, at load 3.5–5, it
 * measured slower (docs/performance.md): with other work on both cores the two starts compete.
 */
export function startLauncherEarly(python: string, env: Record<string, string>, killGraceMs: number): void {
  launcherFor(python, env, killGraceMs);
}

/** The launcher starts like a watchdog-spawned server: stack-dump/ first, so its sitecustomize runs. */
export function withStackDump(env: Record<string, string>): Record<string, string> {
  const rest = (env.PYTHONPATH ?? '').split(path.delimiter).filter(Boolean);
  return { ...env, PYTHONPATH: [STACK_DUMP_DIR, ...rest].join(path.delimiter) };
}

function startLauncher(python: string, env: Record<string, string>, killGraceMs: number, cacheDir: string): Launcher {
  // Detached: a group of its own, so Ctrl-C in the terminal reaches the runner, which stops the
  // servers itself; the launcher ends on its stdin's EOF.
  const child = spawn(python, [LAUNCHER, String(killGraceMs), cacheDir], {
    env: withStackDump(env),
    detached: true,
    stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
  });
  const servers = new Map<string, Pending>();
  let nextId = 1;
  let live = 0;
  let stderrTail = '';
  let settleState!: (s: LauncherState) => void;
  const state = new Promise<LauncherState>((r) => (settleState = r));
  let settled = false;
  const settle = (s: LauncherState) => {
    if (settled) return;
    settled = true;
    settleState(s);
    if (live === 0) setRef(false);
  };
  let facts: InterpreterFacts | undefined;
  let own: OwnPreload = { packages: [], modules: 0, reason: 'the launcher did not say (a launcher.py without the own-module preload)' };
  let gone = false;

  // Referenced only while the preload runs or a server it forked runs: a runner that is done must
  // be free to exit, and its exit (the pipe's EOF) is what ends the launcher. A runner awaiting the
  // preload has nothing else keeping it alive, and would end silently mid-setup.
  const status = child.stdio[3] as NodeJS.ReadableStream & { ref?(): void; unref?(): void };
  const setRef = (on: boolean) => {
    for (const h of [child, child.stdin, child.stderr, status] as { ref?(): void; unref?(): void }[]) (on ? h?.ref : h?.unref)?.call(h);
  };

  child.on('error', (e) => {
    gone = true;
    settle({ usable: false, reason: `the launcher could not be started: ${e.message}` });
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  child.stdin?.on('error', () => undefined);

  let buffered = '';
  status.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, ...rest] = line.trim().split(' ');
      if (kind === 'facts') facts = JSON.parse(rest.join(' ')) as InterpreterFacts;
      else if (kind === 'own') own = parseOwn(rest);
      else if (kind === 'ready') settle({ usable: true, modules: Number(rest[0]), source: rest[1] as 'cached' | 'probed', facts: facts!, own });
      else if (kind === 'unusable') settle({ usable: false, reason: rest.join(' '), facts });
      else if (kind === 'pid') {
        const s = servers.get(rest[0]);
        if (s) {
          s.pid = Number(rest[1]);
          s.gotPid(s.pid);
        }
      } else if (kind === 'exit') {
        const s = servers.get(rest[0]);
        if (!s) continue;
        servers.delete(rest[0]);
        const [code, signal] = rest.slice(1);
        s.gotExit({ code: code === '-' ? null : Number(code), signal: signal === '-' ? null : (signal ?? null) });
        if (--live === 0 && settled) setRef(false);
      }
    }
  });
  status.on('error', () => undefined);

  child.on('exit', (code, signal) => {
    gone = true;
    const tail = stderrTail.trim().split('\n').pop();
    settle({ usable: false, reason: `the launcher exited (code=${code} signal=${signal})${tail ? `: ${tail}` : ''}`, facts });
    // Servers it had forked and not reported on: their own exit can no longer be told, only seen.
    for (const [id, s] of servers) {
      servers.delete(id);
      s.gotPid(-1);
      void untilGone(s.pid).then(() => s.gotExit({ code: null, signal: null }));
    }
    setRef(false);
  });

  const ended = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
  return {
    pid: child.pid,
    state,
    close: async () => {
      // Referenced while we wait: an unreferenced exit would let the runner end mid-teardown.
      if (!gone) {
        setRef(true);
        child.stdin?.end();
      }
      if (child.pid !== undefined) await ended;
    },
    fork(request: ServerRequest): ForkedServer {
      let gotPid!: (pid: number) => void;
      let gotExit!: (exit: ProcessExit) => void;
      const pid = new Promise<number>((r) => (gotPid = r));
      const exit = new Promise<ProcessExit>((r) => (gotExit = r));
      if (gone) {
        gotPid(-1);
        gotExit({ code: null, signal: null });
        return { pid, exit };
      }
      const id = String(nextId++);
      servers.set(id, { gotPid, gotExit });
      if (live++ === 0) setRef(true);
      child.stdin!.write(`${JSON.stringify({ name: id, ...request })}\n`);
      return { pid, exit };
    },
  };
}

/** `own N PACKAGES` or `own - REASON` (launcher.py's status line), without its first word. */
export function parseOwn(rest: string[]): OwnPreload {
  if (rest[0] === '-') return { packages: [], modules: 0, reason: rest.slice(1).join(' ') };
  return { packages: (rest[1] ?? '').split(',').filter(Boolean), modules: Number(rest[0]) };
}

async function untilGone(pid: number | undefined): Promise<void> {
  while (pid !== undefined && pid > 0 && isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}
