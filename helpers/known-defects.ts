/**
 * Where FakeAI itself is wrong. A known defect keeps its full, unweakened check, declared with
 * Jest's `test.failing`: it shows as an expected failure while FakeAI misbehaves and turns red the
 * day FakeAI behaves (then: fix the entry, drop the wrapper). Each run of such a test appends a
 * DefectRecord, so the report lists it with its evidence.
 *
 * Evidence is `fakeai/<file>.py:<line>` in the installed fakeai 0.3.2; `evidenceText` is a piece of
 * that line, which helpers/__tests__/checks-known-defects.test.ts verifies against the installed source.
 * Other areas add their entries to KNOWN_DEFECTS; ids are kebab-case and unique.
 */
import { readHarnessEnv } from './harness-env';
import { appendRecord } from './run-records';

export interface KnownDefect {
  id: string;
  summary: string;
  evidence: string;
  /** A piece of the evidence line, checked against the installed source by the unit tests. */
  evidenceText?: string;
}

export const KNOWN_DEFECTS: KnownDefect[] = [
  {
    id: 'by-model-deadlock',
    summary: 'GET /metrics/by-model (and /metrics/ranking) deadlocks the whole server once any model has been used: get_all_models_stats holds a non-reentrant lock and calls get_model_stats, which takes it again, on the event loop.',
    evidence: 'fakeai/model_metrics.py:380',
    evidenceText: 'with self._data_lock:',
  },
  {
    id: 'max-tokens-floor',
    summary: 'max_tokens below 10 is ignored: the completion budget is max(10, max_tokens), so usage.completion_tokens exceeds max_tokens.',
    evidence: 'fakeai/fakeai_service.py:1818',
    evidenceText: 'remaining_budget = max(10, effective_max_tokens - reasoning_tokens)',
  },
  {
    id: 'stream-finish-reason-always-stop',
    summary: 'Streams always end with finish_reason "stop", even when the completion was cut at max_tokens (the non-streaming path says "length").',
    evidence: 'fakeai/fakeai_service.py:2457',
    evidenceText: 'finish_reason="stop"',
  },
  {
    id: 'stream-context-length-breaks-stream',
    summary: 'An oversize prompt with stream: true gets 200 and an empty, broken stream (no [DONE]) plus a server traceback: the context-length check raises inside the stream generator, after the headers went out.',
    evidence: 'fakeai/fakeai_service.py:2080',
    evidenceText: 'raise ContextLengthExceededError(error_message, error_dict)',
  },
  {
    id: 'empty-messages-accepted',
    summary: 'messages: [] is accepted with 200 and a made-up answer instead of a 400: the request model has no minimum length for messages.',
    evidence: 'fakeai/models/chat.py:185',
    evidenceText: 'messages: list[Message] = Field(',
  },
  {
    id: 'by-model-ignores-streams',
    summary: 'Per-model metrics (/metrics/by-model/*) count only non-streaming chat completions: the streaming branch returns before model_metrics_tracker.track_request.',
    evidence: 'fakeai/app.py:540',
    evidenceText: 'if request.stream:',
  },
  {
    id: 'dynamo-ignores-streams',
    summary: '/dynamo/metrics/json summary.total_requests counts only non-streaming chat completions: the streaming path never calls dynamo_metrics.start_request.',
    evidence: 'fakeai/fakeai_service.py:2005',
    evidenceText: 'async def create_chat_completion_stream(',
  },
  {
    id: 'streaming-stats-never-count',
    summary: '/metrics streaming_stats (completed_streams, ttft, tokens_per_second) never move: chat streams never call metrics_tracker.start_stream/complete_stream.',
    evidence: 'fakeai/fakeai_service.py:2005',
    evidenceText: 'async def create_chat_completion_stream(',
  },
  {
    // Also in helpers/api-known-defects.ts (API areas), until that list moves here.
    id: 'metrics-prometheus-keyerror',
    summary: "GET /metrics/prometheus answers 500 once any response latency is in the 60 s window: the latency summary reads stats['rate'] from get_latency_stats(), which has no 'rate' (KeyError).",
    evidence: 'fakeai/metrics.py:517',
    evidenceText: 'stats["avg"] * stats["rate"]',
  },
  {
    id: 'detailed-health-uptime-zero',
    summary: '/health/detailed uptime_seconds is always about 0 (even negative): it is computed from a /health request window that is never tracked, falling back to time.time() − time.time().',
    evidence: 'fakeai/metrics.py:730',
    evidenceText: '"uptime_seconds": time.time()',
  },
];

export function knownDefect(id: string): KnownDefect {
  const d = KNOWN_DEFECTS.find((k) => k.id === id);
  if (!d) throw new Error(`Unknown known-defect id "${id}" (have: ${KNOWN_DEFECTS.map((k) => k.id).join(', ')}).`);
  return d;
}

/** The test name a defect test gets: the behaviour, then the defect id and evidence (the summary travels in the DefectRecord). */
export function defectTestName(d: KnownDefect, name: string): string {
  return `${name} [known FakeAI defect ${d.id}, ${d.evidence}]`;
}

/**
 * Declares `name` as a known-defect test: the body holds the full check and is expected to fail.
 * A DefectRecord goes to the run dir when it runs.
 */
export function testKnownDefect(id: string, name: string, fn: () => Promise<void> | void, timeoutMs?: number): void {
  const d = knownDefect(id);
  const full = defectTestName(d, name);
  test.failing(
    full,
    async () => {
      appendRecord(readHarnessEnv().runDir, { kind: 'defect', id: d.id, test: full, summary: d.summary, evidence: d.evidence });
      await fn();
    },
    timeoutMs,
  );
}
