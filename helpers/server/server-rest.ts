/**
 * Whether a FakeAI server has finished everything it was doing: read from Linux's per-thread
 * scheduler facts in /proc, without asking the server anything (a request would be traffic of its
 * own, counted in its metrics and written to its log).
 *
 * Why: a test's log window used to stay open for a fixed quiet period after the test, in case the
 * server was still writing a traceback its last request caused (a stream failing after its last
 * chunk). That is a guess twice over: too long on an idle machine (25 ms × every test), too short
 * on a busy one, where the server may not even have been scheduled yet (docs/log-attribution.md
 * measured 66–77 ms at p99). A server at rest is a fact instead: uvicorn runs FakeAI's requests on
 * one asyncio loop in the main thread, which blocks in epoll_wait only when no callback is ready,
 * and Python's logging writes a traceback with a write(2) that has completed before the thread
 * goes back to sleep. So when, twice in a row a millisecond or more apart, the main thread sleeps
 * in epoll_wait, every other thread sleeps too, none of them used any CPU in between and the
 * process has no children, nothing the finished requests started is still running, and what it
 * logged for them is in the file. What a server schedules for later (a timer, a background task
 * after a sleep) is not covered, as it was not by the quiet period: it is blamed on whatever runs
 * when it lands (docs/log-attribution.md).
 *
 * Anything that cannot be read this way (not Linux, a server that is gone or not ours, a kernel
 * that hides wchan, a server whose main thread does not wait in epoll) is "cannot tell", and the
 * caller falls back to the quiet period alone.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import type { LogWait } from '../core/config';
import type { ServerInfo } from '../core/harness-env';

export interface RestSample {
  /** performance.now() when read. */
  at: number;
  /** CPU time of all the process's threads so far (schedstat, ns). */
  cpuNs: number;
  /** How many times its threads were put on a CPU so far (schedstat). */
  slices: number;
  /** Every thread asleep, the main one in epoll_wait, and no child process. */
  asleep: boolean;
  /** The main thread (the event loop) running or waiting for a CPU: it has work in hand. */
  busy: boolean;
}

/** The kernel function a thread blocked in epoll_wait(2) waits in: do_epoll_wait, ep_poll on older kernels. */
const EPOLL_WAIT = /epoll|ep_poll/;

/** The state letter of a /proc/<pid>/task/<tid>/stat line (after the parenthesised name). */
function stateOf(stat: string): string {
  const close = stat.lastIndexOf(')');
  return stat.slice(close + 2, close + 3);
}

// /proc files are small and generated on read: one open, one read into a reused buffer, one close
// (readFileSync's stat and growing reads cost ~3× as much, and a window polls every millisecond).
const buf = Buffer.alloc(4096);
function readProc(file: string): string {
  const fd = openSync(file, 'r');
  try {
    return buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** One read of the process's threads; undefined when it cannot be told (see the module comment). */
export function sampleRest(pid: number, now: () => number = () => performance.now()): RestSample | undefined {
  const base = `/proc/${pid}/task`;
  try {
    const tids = readdirSync(base);
    // The main thread's kernel wait channel names the call it sleeps in ("0" when the kernel hides it).
    // A child process (a worker, a reloader) would run a loop of its own that this one does not see.
    let asleep = EPOLL_WAIT.test(readProc(`${base}/${pid}/wchan`)) && readProc(`${base}/${pid}/children`).trim() === '';
    let cpuNs = 0;
    let slices = 0;
    let busy = false;
    for (const tid of tids) {
      // Runnable but not yet running spends no CPU: only the state tells it apart from asleep.
      const state = stateOf(readProc(`${base}/${tid}/stat`));
      if (state !== 'S') asleep = false;
      if (tid === String(pid) && (state === 'R' || state === 'D')) busy = true;
      // Time on CPU and the number of times it was put on one: a thread that woke, ran and slept
      // again between two samples changes both.
      const [ns, , count] = readProc(`${base}/${tid}/schedstat`).split(' ');
      cpuNs += Number(ns);
      slices += Number(count);
    }
    return { at: now(), cpuNs, slices, asleep, busy };
  } catch {
    return undefined;
  }
}

/** How far apart the two samples that show rest must be: long enough for a woken thread to run. */
export const REST_GAP_MS = 1;

/** Both asleep, with no CPU spent and no thread scheduled between them (however far apart). */
export function restedBetween(first: RestSample | undefined, second: RestSample | undefined): boolean {
  return first !== undefined && second !== undefined && first.asleep && second.asleep && first.cpuNs === second.cpuNs && first.slices === second.slices;
}

/**
 * Two samples that together show the server at rest: rested between them, at least REST_GAP_MS
 * apart. (The log's size must also not have changed between them: the caller's.)
 */
export function showsRest(first: RestSample | undefined, second: RestSample | undefined): boolean {
  return restedBetween(first, second) && second!.at - first!.at >= REST_GAP_MS;
}

/** Whether this platform can tell rest at all (a process of our own, read the same way). */
export function canTellRest(): boolean {
  return sampleRest(process.pid) !== undefined;
}

/**
 * How a log window sees this server at rest, or nothing: --log-wait quiet, a server the run did not
 * start (its pid is not ours to read), or a platform without /proc.
 */
export function restProbeOf(server: Pick<ServerInfo, 'spawned' | 'pid'>, wait: LogWait): (() => RestSample | undefined) | undefined {
  if (wait !== 'rest' || !server.spawned || server.pid === undefined) return undefined;
  const pid = server.pid;
  return () => sampleRest(pid);
}
