/**
 * The bench's HTTP client: node:http with a keep-alive agent and performance.now() timestamps taken
 * as bytes arrive. Plain node:http rather than fetch so the figures contain as little client as
 * possible; how much the e2e suite's own client (core/http: no keep-alive, a body decoded and
 * observed) adds on top is measured separately.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';

export interface TimedResponse {
  status: number;
  /** Request written → last byte received. */
  totalMs: number;
  bytes: number;
  error?: string;
}

export interface TimedStream extends TimedResponse {
  /** Request written → first SSE event of any kind (FakeAI sends a role-only chunk first). */
  firstEventMs: number | null;
  /** Request written → first event carrying generated text: the user-visible time to first token. */
  ttftMs: number | null;
  /** Gaps between consecutive text-carrying events: the measured inter-token latency. */
  gapsMs: number[];
  textEvents: number;
  sawDone: boolean;
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

interface Target {
  baseUrl: string;
  agent: http.Agent;
  timeoutMs: number;
}

function send(target: Target, path: string, body: unknown, onData: (chunk: Buffer, at: number) => void): Promise<{ status: number; start: number; end: number; bytes: number; error?: string }> {
  const url = new URL(path, target.baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    let start = performance.now();
    let bytes = 0;
    let status = 0;
    const finish = (error?: string) => resolve({ status, start, end: performance.now(), bytes, error });
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: target.agent, timeout: target.timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        status = res.statusCode ?? 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          onData(chunk, performance.now());
        });
        res.on('end', () => finish());
        res.on('error', (e) => finish(e.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${target.timeoutMs} ms`)));
    req.on('error', (e) => finish(e.message));
    // The clock starts when the request is handed to the socket, not when we built it.
    start = performance.now();
    req.end(payload);
  });
}

export async function timedPost(target: Target, path: string, body: unknown): Promise<TimedResponse> {
  const r = await send(target, path, body, () => {});
  return { status: r.status, totalMs: r.end - r.start, bytes: r.bytes, error: r.error };
}

/** True when an SSE data payload carries generated text (chat content/reasoning or completions text). */
export function carriesText(data: string): boolean {
  if (data === '[DONE]') return false;
  try {
    const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: unknown; reasoning_content?: unknown }; text?: unknown }> };
    return (chunk.choices ?? []).some((c) => isText(c.delta?.content) || isText(c.delta?.reasoning_content) || isText(c.text));
  } catch {
    return false;
  }
}

const isText = (v: unknown) => typeof v === 'string' && v.length > 0;

export async function timedStream(target: Target, path: string, body: unknown): Promise<TimedStream> {
  let t0 = 0;
  let firstEvent: number | null = null;
  let lastText: number | null = null;
  let firstText: number | null = null;
  const gaps: number[] = [];
  let textEvents = 0;
  let sawDone = false;
  let arrival = 0;
  const parser = createParser({
    onEvent(ev) {
      if (firstEvent === null) firstEvent = arrival;
      if (ev.data === '[DONE]') {
        sawDone = true;
        return;
      }
      if (!carriesText(ev.data)) return;
      textEvents++;
      if (firstText === null) firstText = arrival;
      if (lastText !== null) gaps.push(arrival - lastText);
      lastText = arrival;
    },
  });
  const r = await send(target, path, body, (chunk, at) => {
    arrival = at;
    parser.feed(chunk.toString('utf8'));
  });
  t0 = r.start;
  return {
    status: r.status,
    totalMs: r.end - t0,
    bytes: r.bytes,
    error: r.error,
    firstEventMs: firstEvent === null ? null : firstEvent - t0,
    ttftMs: firstText === null ? null : firstText - t0,
    gapsMs: gaps,
    textEvents,
    sawDone,
  };
}

/**
 * Runs `task` `count` times with at most `concurrency` in flight, stopping early once `deadlineMs`
 * has passed (requests already in flight finish). Bounded by count AND time, as the issue asks.
 */
export async function runBounded<T>(count: number, concurrency: number, deadlineMs: number, task: (i: number) => Promise<T>): Promise<{ results: T[]; wallMs: number; stoppedByTime: boolean }> {
  const results: T[] = [];
  let next = 0;
  let stoppedByTime = false;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      if (next >= count) return;
      if (performance.now() - t0 > deadlineMs) {
        stoppedByTime = true;
        return;
      }
      const i = next++;
      results.push(await task(i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { results, wallMs: performance.now() - t0, stoppedByTime };
}
