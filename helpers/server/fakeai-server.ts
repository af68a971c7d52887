/**
 * Starts and stops one FakeAI server. The only file that knows FakeAI's command line.
 *
 * Two ways to launch, one contract (pid, exited, stop(), the exit marker, readiness, the same
 * HarnessErrors). `spawn`: the server runs under helpers/server/watchdog.py, in the watchdog's
 * process group. `preload` (the default): helpers/server/launcher.py, which imported FakeAI's
 * third-party modules once, forks it into a process group of its own (see docs/server-lifecycle.md
 * for what is and is not the same as `python -m fakeai server`). Either way the runner stops it by
 * signalling the group, and if the runner dies (even by SIGKILL) the watchdog or launcher sees its
 * stdin pipe close and takes the group down. stdout and stderr share one O_APPEND log file, so
 * their order is kept and test workers can read it while the server writes.
 *
 * When the launcher cannot be used (it cannot start, or a preloaded module started a thread) the
 * server is spawned instead, and `launchFallback` says why.
 *
 * Loads execa and get-port (ESM-only) lazily: fine in globalSetup and tsx scripts, never in tests.
 */
import { appendFileSync, closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ErrorFacts, harnessError } from '../core/errors';
import type { LaunchMode } from '../core/config';
import { type InterpreterFacts, launcherFor, type OwnPreload } from './launcher';
import { liveGroupMembers, signalGroup } from './process-group';
import { type ProcessExit, waitUntilReady } from './readiness';

export const HOST = '127.0.0.1';
const WATCHDOG = path.join(__dirname, 'watchdog.py');

export interface StartOptions {
  name: string;
  python: string;
  /** The server's whole environment, from serverEnvironment(profile). */
  env: Record<string, string>;
  /** Fixed port; when absent a free one is picked. */
  port?: number;
  logFile: string;
  /** Written as JSON {code, signal, at} when the server exits without being asked to. */
  exitMarkerFile?: string;
  startupTimeoutMs: number;
  killGraceMs: number;
  /** How to start it; default preload, falling back to spawn when the launcher cannot be used. */
  launch?: LaunchMode;
  /** Where the launcher caches each build's preload list (default node_modules/.cache/). */
  preloadCacheDir?: string;
}

export interface StoppedFakeAI {
  exitCode: number | null;
  signal: string | null;
  killedWithSigkill: boolean;
  stopMs: number;
}

export interface StartedFakeAI {
  name: string;
  baseUrl: string;
  port: number;
  /** The server process itself (the watchdog's child, or the launcher's). */
  pid: number;
  /** The process group: the watchdog's pid (spawn), or the server's own (preload). */
  groupId: number;
  /** How it was started; preload asked for but spawn used when launchFallback is set. */
  launch: LaunchMode;
  /** Why the launcher could not be used, when it could not. */
  launchFallback?: string;
  /** Forked: which of FakeAI's own modules the launcher had preloaded, or why none. */
  ownPreload?: OwnPreload;
  logFile: string;
  /** Size of logFile before this server wrote to it. */
  logStart: number;
  command: string[];
  bootToReadyMs: number;
  fakeaiVersion?: string;
  exited: Promise<ProcessExit>;
  /** killGraceMs overrides the start option's grace (0: SIGKILL right after SIGTERM); the first call decides. */
  stop(options?: { killGraceMs?: number }): Promise<StoppedFakeAI>;
}

/** Asks the interpreter, in one cheap call, whether fakeai (and the pillow it needs) can be found. */
const PREFLIGHT = `
import json, sys, importlib.util as u
spec = u.find_spec('fakeai')
out = {'found': spec is not None, 'version': None, 'pil': True}
if spec is not None:
    try:
        from importlib.metadata import distribution
        d = distribution('fakeai')
        # A stub package earlier on sys.path shadows the installed one: report a version only for the real thing.
        if str(d.locate_file('fakeai/__init__.py')) == spec.origin:
            out['version'] = d.version
            out['pil'] = u.find_spec('PIL') is not None
    except Exception:
        pass
print(json.dumps(out))
`;

type Interpreter =
  | { ok: true; version: string | undefined }
  | { ok: false; code: 'PYTHON_NOT_FOUND' | 'FAKEAI_NOT_INSTALLED'; detail: string };

function fromFacts(facts: InterpreterFacts): Interpreter {
  if (!facts.found) return { ok: false, code: 'FAKEAI_NOT_INSTALLED', detail: 'the module "fakeai" cannot be found' };
  if (!facts.pil) {
    return { ok: false, code: 'FAKEAI_NOT_INSTALLED', detail: `fakeai ${facts.version} is installed but pillow (PIL), which it imports at start-up, is not` };
  }
  return { ok: true, version: facts.version ?? undefined };
}

// The answer depends on the interpreter and the path it searches, not on the server: ask once.
const preflights = new Map<string, Promise<Interpreter>>();
function checkInterpreterOnce(opts: StartOptions): Promise<Interpreter> {
  const key = JSON.stringify([opts.python, opts.env.PYTHONPATH ?? '', opts.env.PYTHONHOME ?? '']);
  let answer = preflights.get(key);
  if (!answer) {
    answer = checkInterpreter(opts);
    preflights.set(key, answer);
  }
  return answer;
}

async function checkInterpreter(opts: StartOptions): Promise<Interpreter> {
  const { execa } = await import('execa');
  const r = await execa(opts.python, ['-c', PREFLIGHT], { env: opts.env, extendEnv: false, reject: false, timeout: 30_000 });
  if (r.failed && r.exitCode === undefined) return { ok: false, code: 'PYTHON_NOT_FOUND', detail: r.originalMessage || r.shortMessage || 'it could not be started' };
  let out: { found: boolean; version: string | null; pil: boolean };
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    return { ok: false, code: 'PYTHON_NOT_FOUND', detail: `it did not run as Python: ${(r.stderr || r.stdout).slice(0, 300)}` };
  }
  return fromFacts(out);
}

/** Throws the interpreter's problem, if it has one, with whatever else is known by then. */
function throwIfBad(interpreter: Interpreter, facts: ErrorFacts): void {
  if (!interpreter.ok) throw harnessError(interpreter.code, { ...facts, detail: interpreter.detail });
}

async function choosePort(opts: StartOptions): Promise<number> {
  const { default: getPort } = await import('get-port');
  if (opts.port === undefined) return getPort({ host: HOST });
  // get-port hands back another port when the one asked for is taken.
  const got = await getPort({ host: HOST, port: opts.port });
  if (got !== opts.port) throw harnessError('PORT_IN_USE', { server: opts.name, python: opts.python, port: opts.port });
  return opts.port;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** A started server process, before readiness: what the two launch modes have in common. */
interface Launched {
  pid: number;
  groupId: number;
  exited: Promise<ProcessExit>;
  /** Called once the server has exited: releases what the runner held open for it. */
  release(): void;
}

export async function startFakeAI(opts: StartOptions): Promise<StartedFakeAI> {
  // Boot-to-ready counts from here: a preloaded server's share of the launcher's preload included.
  const startedAt = Date.now();
  let launch: LaunchMode = opts.launch ?? 'preload';
  let launchFallback: string | undefined;
  let checked: Promise<Interpreter>;
  const launcher = launch === 'preload' ? launcherFor(opts.python, opts.env, opts.killGraceMs, opts.preloadCacheDir) : undefined;
  const state = launcher ? await launcher.state : undefined;
  if (state?.usable) {
    checked = Promise.resolve(fromFacts(state.facts));
  } else {
    if (state) launchFallback = state.reason;
    launch = 'spawn';
    // The interpreter check runs beside the boot, not before it: it only decides which error to
    // raise if the server never comes up, so it need not cost the happy path its ~50 ms.
    checked = checkInterpreterOnce(opts);
  }
  const port = await choosePort(opts);
  const command = [opts.python, '-m', 'fakeai', 'server', '--host', HOST, '--port', String(port)];
  const baseUrl = `http://${HOST}:${port}`;
  const logStart = fileSize(opts.logFile);
  const launched =
    launch === 'preload'
      ? await forkFromLauncher(launcher!, command, opts)
      : await spawnUnderWatchdog(command, opts, checked);

  const { pid, groupId, exited } = launched;
  let stopping = false;
  void exited.then((exit) => {
    launched.release();
    if (stopping) return;
    // Unasked-for exit: say so in the log, and leave a marker the test environment checks.
    const line = `[fakeai-e2e] server ${opts.name} exited code=${exit.code} signal=${exit.signal}`;
    appendFileSync(opts.logFile, `\n${line}\n`);
    if (opts.exitMarkerFile) {
      writeFileSync(opts.exitMarkerFile, JSON.stringify({ ...exit, at: new Date().toISOString() }));
    }
  });

  let stopped: Promise<StoppedFakeAI> | undefined;
  const stop = (options?: { killGraceMs?: number }): Promise<StoppedFakeAI> => {
    stopped ??= stopGroup(groupId, exited, options?.killGraceMs ?? opts.killGraceMs, () => {
      stopping = true;
    });
    return stopped;
  };

  const readiness = await waitUntilReady({ baseUrl, timeoutMs: opts.startupTimeoutMs, exited, wakeOnGrowth: opts.logFile });
  const bootToReadyMs = Date.now() - startedAt;
  const facts = { server: opts.name, python: opts.python, command, logFile: opts.logFile, logStart, port };
  if (!readiness.ready) {
    if (readiness.reason === 'exited') {
      await stop(); // a forked child may still hold the group
      throwIfBad(await checked, facts); // a missing fakeai or pillow explains the exit better than its code
      const log = readFileSync(opts.logFile).subarray(logStart).toString('utf8');
      const code = /address already in use/i.test(log) ? 'PORT_IN_USE' : 'EXITED_AT_BOOT';
      throw harnessError(code, { ...facts, exit: readiness.exit });
    }
    await stop();
    throw harnessError('NEVER_READY', { ...facts, timeoutMs: opts.startupTimeoutMs });
  }

  const interpreter = await checked;
  const fakeaiVersion = interpreter.ok ? interpreter.version : undefined;
  return {
    name: opts.name,
    baseUrl,
    port,
    pid,
    groupId,
    launch,
    ...(launchFallback !== undefined ? { launchFallback } : {}),
    ...(state?.usable ? { ownPreload: state.own } : {}),
    logFile: opts.logFile,
    logStart,
    command,
    bootToReadyMs,
    fakeaiVersion,
    exited,
    stop,
  };
}

/** The launcher forks the server; it opens the log itself, O_APPEND, and leads its own group. */
async function forkFromLauncher(launcher: NonNullable<ReturnType<typeof launcherFor>>, command: string[], opts: StartOptions): Promise<Launched> {
  // sys.argv as `python -m fakeai` has it before runpy puts the module's path in place of argv[0].
  const forked = launcher.fork({ argv: command.slice(2), env: opts.env, cwd: process.cwd(), log: opts.logFile });
  const pid = await forked.pid;
  if (pid < 0) {
    throw harnessError('EXITED_AT_BOOT', { server: opts.name, python: opts.python, command, logFile: opts.logFile, exit: await forked.exit, detail: 'the launcher died before forking the server' });
  }
  return { pid, groupId: pid, exited: forked.exit, release: () => undefined };
}

async function spawnUnderWatchdog(command: string[], opts: StartOptions, checked: Promise<Interpreter>): Promise<Launched> {
  const { execa } = await import('execa');
  const logFd = openSync(opts.logFile, 'a');
  const child = execa(opts.python, [WATCHDOG, String(opts.killGraceMs), '--', ...command], {
    env: opts.env,
    extendEnv: false,
    detached: true,
    // stdin: the pipe whose EOF tells the watchdog the runner is gone; fd 3: the server's pid.
    stdio: ['pipe', logFd as never, logFd as never, 'pipe'],
    buffer: false,
    reject: false,
  });
  const groupId = child.pid;
  if (groupId === undefined) {
    closeSync(logFd);
    await child;
    throwIfBad(await checked, { server: opts.name, python: opts.python });
    throw harnessError('PYTHON_NOT_FOUND', { server: opts.name, python: opts.python, detail: 'the process did not start' });
  }
  const watchdogExit: Promise<ProcessExit> = child.then(
    (r) => ({ code: r.exitCode ?? null, signal: r.signal ?? null }),
    () => ({ code: null, signal: null }),
  );
  // The server's own exit, reported by the watchdog at once (it may outlive the server while a
  // forked child lingers); the watchdog's exit stands in if the report never comes.
  const status = readWatchdogStatus(child.stdio[3] as NodeJS.ReadableStream | null, watchdogExit);
  const exited = Promise.race([status.exit, watchdogExit]);
  const pid = await status.pid;
  return { pid, groupId, exited, release: () => closeSync(logFd) };
}

/** Reads the watchdog's status lines on fd 3: "pid N", then "exit CODE SIGNAL" ("-" = none). */
function readWatchdogStatus(
  stream: NodeJS.ReadableStream | null,
  watchdogExit: Promise<ProcessExit>,
): { pid: Promise<number>; exit: Promise<ProcessExit> } {
  let gotPid!: (pid: number) => void;
  let gotExit!: (exit: ProcessExit) => void;
  const pid = new Promise<number>((r) => (gotPid = r));
  const exit = new Promise<ProcessExit>((r) => (gotExit = r));
  void watchdogExit.then(() => gotPid(-1)); // no-op when the pid came first
  if (!stream) return { pid, exit };
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, a, b] = line.trim().split(' ');
      if (kind === 'pid') gotPid(Number(a));
      if (kind === 'exit') gotExit({ code: a === '-' ? null : Number(a), signal: b === '-' ? null : (b ?? null) });
    }
  });
  stream.on('error', () => undefined);
  return { pid, exit };
}

/**
 * SIGTERM to the whole group (not SIGINT: Python would log a KeyboardInterrupt traceback), then
 * SIGKILL once killGraceMs passes with any member still alive — a forked grandchild included.
 */
async function stopGroup(
  groupId: number,
  exited: Promise<ProcessExit>,
  killGraceMs: number,
  markStopping: () => void,
): Promise<StoppedFakeAI> {
  const t0 = Date.now();
  let exit: ProcessExit | undefined;
  void exited.then((e) => {
    exit = e;
  });
  await Promise.resolve();
  if (!exit) markStopping();
  signalGroup(groupId, 'SIGTERM');
  let killedWithSigkill = false;
  const gone = () => exit !== undefined && liveGroupMembers(groupId).length === 0;
  while (!gone()) {
    if (Date.now() - t0 >= killGraceMs) {
      killedWithSigkill = signalGroup(groupId, 'SIGKILL');
      break;
    }
    await pause(20);
  }
  const finalExit = await exited;
  // After SIGKILL, give the kernel a moment to remove the processes before we report "stopped".
  const killDeadline = Date.now() + 1000;
  while (liveGroupMembers(groupId).length > 0 && Date.now() < killDeadline) await pause(10);
  return { exitCode: finalExit.code, signal: finalExit.signal, killedWithSigkill, stopMs: Date.now() - t0 };
}

// Every pause is awaited to the end, so no timer outlives stop(); that is what keeps Jest from
// reporting "did not exit one second after the test run".
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
