/**
 * Process-group facts from /proc. A server and anything it forked share the watchdog's group, so
 * "is anything left?" is a question about the group, not about one pid.
 *
 * Zombies do not count: in a container whose PID 1 does not reap, an orphan killed by us stays a
 * zombie forever, yet it runs nothing and holds no port.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** State letter and group id of a pid, or undefined when it is gone. */
export function processState(pid: number): { state: string; pgid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** True while the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const s = processState(pid);
  if (s) return s.state !== 'Z' && s.state !== 'X';
  if (process.platform === 'linux') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids in the group that still run. Without /proc, falls back to whether the group answers signal 0. */
export function liveGroupMembers(pgid: number): number[] {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = processState(Number(entry));
    if (s && s.pgid === pgid && s.state !== 'Z' && s.state !== 'X') live.push(Number(entry));
  }
  return live;
}

/** Sends `signal` to the whole group; false when no member was left to receive it. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
