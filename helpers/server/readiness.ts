/**
 * Ready means GET /health answers `"ready": true` — the body, not just a 200 — polled at most
 * `intervalMs` apart and raced against the server's exit, under one deadline.
 *
 * Not wait-on: it checks the status code only, so against `200 {"ready": false}` it returns early
 * (measured in shared/HARNESS_FACTS.md), and it cannot watch a process. A log line is no readiness
 * either: FakeAI prints its ready lines even when the port is taken, then exits 1.
 */
import { type FSWatcher, watch } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface ProcessExit {
  code: number | null;
  signal: string | null;
}

export interface ReadinessOptions {
  /** Base URL of the server, without a trailing slash. */
  baseUrl: string;
  timeoutMs: number;
  /** Resolves when the server process exits; absent for a server the harness did not start. */
  exited?: Promise<ProcessExit>;
  intervalMs?: number;
  /**
   * A file the server writes as it starts (its log): when it grows, the next probe goes at once
   * instead of at the end of the interval. FakeAI logs its last start-up lines just before it
   * listens, so readiness is seen within a probe of it rather than up to an interval later.
   */
  wakeOnGrowth?: string;
}

export type Readiness =
  | { ready: true; elapsedMs: number; polls: number }
  | { ready: false; reason: 'exited'; exit: ProcessExit; elapsedMs: number; polls: number }
  | { ready: false; reason: 'timeout'; lastAnswer: string; elapsedMs: number; polls: number };

/** One probe: what /health said, in words for messages, and whether it said ready. */
export function probeHealth(baseUrl: string, timeoutMs: number): Promise<{ ready: boolean; answer: string }> {
  return new Promise((resolve) => {
    // agent: false — no keep-alive socket may outlive the probe and hold Jest open.
    const client = baseUrl.startsWith('https:') ? https : http; // a reused server may sit behind TLS
    const req = client.get(`${baseUrl}/health`, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ ready: res.statusCode === 200 && isReadyBody(body), answer: `HTTP ${res.statusCode} ${body.slice(0, 200)}` });
      });
      res.on('error', (e) => resolve({ ready: false, answer: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ready: false, answer: e.code ?? e.message }));
  });
}

/** The /health body counts only if it is JSON with `ready` exactly true. */
export function isReadyBody(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === 'object' && parsed !== null && (parsed as { ready?: unknown }).ready === true;
  } catch {
    return false;
  }
}

export async function waitUntilReady(opts: ReadinessOptions): Promise<Readiness> {
  const interval = opts.intervalMs ?? 50;
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  let exit: ProcessExit | undefined;
  let wake: (() => void) | undefined;
  opts.exited?.then((e) => {
    exit = e;
    wake?.();
  });
  let grew = false;
  const watcher = watchGrowth(opts.wakeOnGrowth, () => {
    grew = true;
    wake?.();
  });
  let polls = 0;
  let lastAnswer = 'no answer yet';
  try {
    for (;;) {
      grew = false;
      if (exit) return { ready: false, reason: 'exited', exit, elapsedMs: Date.now() - started, polls };
      const pollStart = Date.now();
      if (pollStart >= deadline) return { ready: false, reason: 'timeout', lastAnswer, elapsedMs: pollStart - started, polls };
      polls += 1;
      const probe = await probeHealth(opts.baseUrl, Math.max(50, Math.min(2000, deadline - pollStart)));
      if (probe.ready) return { ready: true, elapsedMs: Date.now() - started, polls };
      lastAnswer = probe.answer;
      // Sleep out the rest of the interval, but wake at once if the process exits or its log grows.
      const rest = Math.min(interval - (Date.now() - pollStart), deadline - Date.now());
      if (rest > 0 && !exit && !grew) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, rest);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  } finally {
    watcher?.close();
  }
}

/** fs.watch on a file, or nothing when it cannot be watched (the interval alone then). */
function watchGrowth(file: string | undefined, onChange: () => void): FSWatcher | undefined {
  if (!file) return undefined;
  try {
    const w = watch(file, { persistent: false }, onChange);
    w.on('error', () => w.close());
    return w;
  } catch {
    return undefined;
  }
}
