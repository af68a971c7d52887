/**
 * Memory and CPU of one process, read from Linux /proc by PID. The parsers are pure (text in,
 * numbers out) so they are unit-tested on fixed /proc text; the readers are one line each.
 *
 * Measure the FakeAI process itself, never the watchdog that launched it: StartedFakeAI.pid is the
 * server (the watchdog is groupId), and the launcher's RSS would stay flat whatever the server does.
 */
import { readFileSync } from 'node:fs';

export interface ProcSample {
  /** Milliseconds since the bench started. */
  atMs: number;
  rssKiB: number;
  /** User + system CPU time consumed so far, milliseconds. */
  cpuMs: number;
}

/** VmRSS from /proc/<pid>/status, in KiB. */
export function parseStatusRssKiB(statusText: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  if (!m) throw new Error('no VmRSS line in /proc/<pid>/status (a zombie or a kernel thread?)');
  return Number(m[1]);
}

/**
 * utime + stime from /proc/<pid>/stat, in clock ticks. The command name (field 2) may contain spaces
 * and parentheses, so fields are counted from the LAST ')' — fields 14 and 15 overall.
 */
export function parseStatCpuTicks(statText: string): number {
  const close = statText.lastIndexOf(')');
  if (close < 0) throw new Error('malformed /proc/<pid>/stat: no ")" after the command name');
  const rest = statText.slice(close + 2).trim().split(/\s+/); // rest[0] is field 3 (state)
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('malformed /proc/<pid>/stat: utime/stime not numbers');
  return utime + stime;
}

/** USER_HZ is 100 on every mainstream Linux build; `getconf CLK_TCK` would say otherwise. */
export const CLOCK_TICKS_PER_SECOND = 100;

export function readProc(pid: number, atMs: number): ProcSample {
  const rssKiB = parseStatusRssKiB(readFileSync(`/proc/${pid}/status`, 'utf8'));
  const ticks = parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { atMs, rssKiB, cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
}

/** Samples a process every `intervalMs` until stopped; a vanished process ends sampling quietly. */
export function startSampler(pid: number, intervalMs: number, t0: number): { samples: ProcSample[]; sampleNow(): ProcSample | undefined; stop(): void } {
  const samples: ProcSample[] = [];
  const sampleNow = () => {
    try {
      const s = readProc(pid, Date.now() - t0);
      samples.push(s);
      return s;
    } catch {
      clearInterval(timer);
      return undefined;
    }
  };
  const timer = setInterval(sampleNow, intervalMs);
  timer.unref();
  sampleNow();
  return { samples, sampleNow, stop: () => clearInterval(timer) };
}
