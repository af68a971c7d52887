/**
 * Feeds every exchange the suite already makes (core/exchange-observers.ts) to the OpenAI
 * conformance check and records the verdict as an 'openai' run record; the gate
 * (openai-conformance-report.ts, run by globalTeardown) and the reports judge the records.
 *
 * Nothing is loaded until the first exchange on an /v1 path: a test file that only reads metrics
 * pays nothing. Recording never throws into the test: a failure to check is itself recorded.
 */
import type { ExchangeObserver } from '../core/exchange-observers';
import { appendRecord } from '../core/run-records';
import { type ConformanceCheck, OpenAiConformance } from './openai-conformance';
import { OpenAiSpec, type OpenAiSpecInfo } from './openai-spec';

function currentTest(): string | null {
  const e = (globalThis as { expect?: { getState?: () => { currentTestName?: string } } }).expect;
  return e?.getState?.().currentTestName ?? null;
}

export function openAiObserver(runDir: string, info: OpenAiSpecInfo): ExchangeObserver {
  let conformance: OpenAiConformance | undefined;
  const get = () => (conformance ??= new OpenAiConformance(new OpenAiSpec(info)));
  const record = (driver: string, path: string, status: number | null, part: 'response' | 'stream', check: () => ConformanceCheck) => {
    if (!path.startsWith('/v1/')) return;
    let c: ConformanceCheck;
    try {
      c = check();
    } catch (e) {
      // A broken cache or schema must show up, not pass: it becomes a deviation of its own.
      c = { route: 'ERROR', judged: true, reason: null, deviations: [{ part, route: path, pointer: '', rule: 'check', message: `the check itself failed: ${(e as Error).message}`, example: '' }] };
    }
    if (c.route === null) return;
    appendRecord(runDir, { kind: 'openai', route: c.route, path: path.split('?')[0], driver, status, part, judged: c.judged, reason: c.reason, events: c.events ?? null, deviations: c.deviations, test: currentTest() });
  };
  return {
    exchange(e) {
      if (e.body === undefined) return;
      record(e.driver, e.path, e.status, 'response', () => get().checkExchange(e.method, e.path, e.status, e.contentType, e.body, e.sent));
    },
    stream(s) {
      record('sse', s.path, s.status, 'stream', () => get().checkStream(s.method, s.path, s.status, s.events, s.sent));
    },
  };
}
