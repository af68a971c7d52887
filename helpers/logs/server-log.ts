/**
 * A server's log file, read by byte offsets. The server appends to it (O_APPEND, stdout and stderr
 * in one file) while tests read ranges of it, possibly from another process: every read goes to
 * the file, nothing is cached.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { DEFAULT_LOG_QUIET_MS } from '../core/config';

/**
 * A traceback can land a few ms AFTER the response that caused it (a stream failing after its last
 * chunk, a background thread), so a test's log range is read only once the file stopped growing
 * for quietMs. The default lives in config.ts (E2E_LOG_QUIET_MS); the measurement behind it is in
 * docs/log-attribution.md.
 */
export const DEFAULT_QUIET_MS = DEFAULT_LOG_QUIET_MS;
export const DEFAULT_POLL_MS = 2;

export interface QuietOptions {
  /** How long the file must stay the same size. */
  quietMs?: number;
  /** Give up (and say so) after this long even if it keeps growing. */
  timeoutMs?: number;
  /** How often to stat the file. */
  pollMs?: number;
}

export interface QuietResult {
  /** Size when it went quiet (or at the timeout). */
  size: number;
  quiet: boolean;
  waitedMs: number;
}

export class ServerLog {
  constructor(readonly file: string) {}

  /** Current size in bytes; 0 when the file does not exist (yet). */
  size(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  /** Bytes [from, to) as a Buffer (to defaults to the current end); offsets past the end are clamped. */
  readRange(from: number, to?: number): Buffer {
    const end = Math.min(to ?? this.size(), this.size());
    const start = Math.max(0, Math.min(from, end));
    if (end <= start) return Buffer.alloc(0);
    const buf = Buffer.alloc(end - start);
    const fd = openSync(this.file, 'r');
    try {
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return got === buf.length ? buf : buf.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }

  /** The last n lines from byte `from` on (a reused server's older lines are not ours to show). */
  tail(n: number, from = 0): string[] {
    if (n <= 0) return [];
    const text = this.readRange(from).toString('utf8').replace(/\s+$/, '');
    if (text === '') return [];
    return text.split('\n').slice(-n);
  }

  /**
   * Resolves once the file has not grown for quietMs: an awaited condition, not a sleep. The clock
   * starts at the call, because the lag that matters is after the caller's last response, which
   * came before the call.
   */
  async waitForQuiet(opts: QuietOptions = {}): Promise<QuietResult> {
    const quietMs = opts.quietMs ?? DEFAULT_QUIET_MS;
    const timeoutMs = opts.timeoutMs ?? 2000;
    const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    const t0 = performance.now();
    let size = await this.statSize();
    let changedAt = t0;
    for (;;) {
      const now = performance.now();
      if (now - changedAt >= quietMs) return { size, quiet: true, waitedMs: now - t0 };
      if (now - t0 >= timeoutMs) return { size, quiet: false, waitedMs: now - t0 };
      const wait = Math.min(pollMs, quietMs - (now - changedAt));
      await new Promise((r) => setTimeout(r, Math.max(1, wait)));
      const s = await this.statSize();
      if (s !== size) {
        size = s;
        changedAt = performance.now();
      }
    }
  }

  /**
   * Synchronous on purpose: a local stat takes microseconds, while the promise form costs ~10× the
   * CPU (a thread-pool round trip); with a poll every 2 ms per watched log per test, that was about
   * a second of a full run's worker CPU. The wait between polls stays asynchronous.
   */
  private async statSize(): Promise<number> {
    return this.size();
  }
}
