/**
 * `kill -9 <npm pid>` during `npm run e2e`: npm dies without telling its children, so the runner
 * (node, under npm's `sh -c`) would carry on with nobody reading its output until the run ends.
 * Node has no parent-death signal, so the runner watches the processes that launched it — from its
 * parent up to npm — and stops itself (SIGTERM to its own pid, which stops the servers the usual
 * way) when one of them is gone.
 *
 * Only the chain up to npm is watched, and only when npm started the run: a launcher that exits on
 * purpose (`setsid`, a daemonising wrapper) must not stop a run started by hand.
 */
import { readFileSync } from 'node:fs';
import { isAlive } from './process-group';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** argv joined by spaces ('' when unreadable). */
  cmdline: string;
}

/** A process's parent and command line, from /proc; undefined when it is gone or not Linux. */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      // A process of another user: the pid chain is still right.
    }
    return { pid, ppid, cmdline };
  } catch {
    return undefined;
  }
}

/** The processes above `pid`, parent first, at most `depth` of them, stopping below pid 1. */
export function ancestors(pid: number = process.pid, depth = 4): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  let info = processInfo(pid);
  while (info && out.length < depth && info.ppid > 1) {
    const parent = processInfo(info.ppid);
    if (!parent) break;
    out.push(parent);
    info = parent;
  }
  return out;
}

/** npm's own process: its command line runs npm-cli.js, or the `npm` binary itself. */
export function isNpm(p: ProcessInfo): boolean {
  return /(^|[\s/])npm(-cli\.js)?(\s|$)/.test(p.cmdline);
}

/**
 * The pids to watch: from the parent up to and including npm, when npm is among the first few
 * ancestors; none otherwise (started by hand, or by a tool we know nothing about).
 */
export function launcherChain(chain: readonly ProcessInfo[]): number[] {
  const npmAt = chain.findIndex(isNpm);
  return npmAt < 0 ? [] : chain.slice(0, npmAt + 1).map((p) => p.pid);
}

/**
 * Calls `onGone(pid)` once, when any of `pids` has died (a reparented process means its parent
 * died, but the parent is in the list, so liveness alone is enough). Polls: Node offers no event
 * for another process's death. The timer is unref'd so it never keeps the runner alive; the
 * returned function stops the watch.
 */
export function watchLaunchers(pids: readonly number[], onGone: (pid: number) => void, intervalMs = 250): () => void {
  if (pids.length === 0) return () => undefined;
  const timer = setInterval(() => {
    const gone = pids.find((p) => !isAlive(p));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
