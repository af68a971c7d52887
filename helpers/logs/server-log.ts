/**
 * A server's log file, read by byte offsets. The server appends to it (O_APPEND, stdout and stderr
 * in one file) while tests read ranges of it, possibly from another process: every read goes to
 * the file, nothing is cached.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { DEFAULT_LOG_QUIET_MS } from '../core/config';
import { type RestSample, REST_GAP_MS, restedBetween, showsRest } from '../server/server-rest';

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
  /**
   * Reads whether the server writing the file is at rest (helpers/server/server-rest.ts): when two
   * reads a millisecond or more apart show it, with the file unchanged between them, nothing it is
   * still doing can add to the file, and the wait ends without the rest of the quiet period. While
   * its event loop is seen working, the quiet period does not end the wait (timeoutMs still does).
   */
  atRest?: () => RestSample | undefined;
}

export interface QuietResult {
  /** Size when it went quiet (or at the timeout). */
  size: number;
  quiet: boolean;
  waitedMs: number;
  /** The wait ended because the server was seen at rest, not because the quiet period passed. */
  rest: boolean;
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
   * Resolves once the file has not grown for quietMs, or once its server is seen at rest (atRest):
   * an awaited condition, not a sleep. The clock starts at the call, because the lag that matters
   * is after the caller's last response, which came before the call.
   */
  async waitForQuiet(opts: QuietOptions = {}): Promise<QuietResult> {
    const quietMs = opts.quietMs ?? DEFAULT_QUIET_MS;
    const timeoutMs = opts.timeoutMs ?? 2000;
    const pollMs = opts.atRest ? Math.min(opts.pollMs ?? DEFAULT_POLL_MS, REST_GAP_MS) : (opts.pollMs ?? DEFAULT_POLL_MS);
    const t0 = performance.now();
    let size = await this.statSize();
    let changedAt = t0;
    // The oldest rest sample that may still pair with a later one to show rest, and the newest.
    let sample = opts.atRest?.();
    let latest = sample;
    for (;;) {
      const now = performance.now();
      // The quiet period is a guess at how late a write can come; a server seen still working (its
      // event loop running, or runnable on a busy machine) is a fact that it can come later still.
      if (now - changedAt >= quietMs && !latest?.busy) return { size, quiet: true, waitedMs: now - t0, rest: false };
      if (now - t0 >= timeoutMs) return { size, quiet: false, waitedMs: now - t0, rest: false };
      const wait = Math.min(pollMs, Math.max(0, quietMs - (now - changedAt)));
      await new Promise((r) => setTimeout(r, Math.max(1, wait)));
      // Sampled before the size: a write that lands after this sample shows in the size read next.
      const next = opts.atRest?.();
      latest = next;
      const s = await this.statSize();
      if (s !== size) {
        size = s;
        changedAt = performance.now();
        sample = next;
        continue;
      }
      if (showsRest(sample, next)) return { size, quiet: true, waitedMs: performance.now() - t0, rest: true };
      // A pair must be REST_GAP_MS apart: keep the older sample until then, if it still holds.
      if (!restedBetween(sample, next)) sample = next;
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
