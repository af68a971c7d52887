/**
 * Metrics before vs after traffic the suite sent, against what it knows it sent.
 *
 * FakeAI 0.3.2's /metrics holds rates over a sliding 60 s window, not counts; the exact counters
 * are elsewhere: /kv-cache/metrics (one cache lookup and one routed request per chat completion,
 * streamed or not), /metrics/by-model/{model} and /dynamo/metrics/json (per request), and the
 * stream counts in /metrics streaming_stats. Counters are compared exactly; rates get bounds that
 * follow from how they are computed, with no tolerance at all.
 */
import type { DynamoMetrics, KvCacheMetrics, MetricsJson, ModelStats } from './schemas';
import { problem, type Problem } from '../core/problems';

export const CHAT_ENDPOINT = '/v1/chat/completions';
/** metrics.py MetricsWindow.window_size: the span every /metrics rate is computed over, at most. */
export const RATE_WINDOW_S = 60;

export interface Counters {
  kvLookups: number;
  kvChatLookups: number;
  routerRequests: number;
  routerActive: number;
  dynamoTotal: number;
  completedStreams: number;
  activeStreams: number;
  perModel: Record<string, { requests: number; prompt: number; completion: number }>;
}

export interface CounterSources {
  kv: KvCacheMetrics;
  dynamo: DynamoMetrics;
  metrics: MetricsJson;
  /** Only models the server has seen; a missing model counts as zero. */
  byModel: Record<string, ModelStats | undefined>;
}

export function countersOf(s: CounterSources): Counters {
  const chat = s.kv.cache_performance.endpoint_stats[CHAT_ENDPOINT] ?? { hits: 0, misses: 0 };
  const workers = Object.values(s.kv.smart_router.workers);
  const perModel: Counters['perModel'] = {};
  for (const [model, m] of Object.entries(s.byModel)) {
    perModel[model] = m ? { requests: m.request_count, prompt: m.tokens.prompt, completion: m.tokens.completion } : { requests: 0, prompt: 0, completion: 0 };
  }
  return {
    kvLookups: s.kv.cache_performance.total_cache_hits + s.kv.cache_performance.total_cache_misses,
    kvChatLookups: chat.hits + chat.misses,
    routerRequests: workers.reduce((a, w) => a + w.total_requests, 0),
    routerActive: workers.reduce((a, w) => a + w.active_requests, 0),
    dynamoTotal: s.dynamo.summary.total_requests,
    completedStreams: s.metrics.streaming_stats.completed_streams,
    activeStreams: s.metrics.streaming_stats.active_streams,
    perModel,
  };
}

/** One completed chat completion the suite sent, with the usage the server reported for it. */
export interface SentCompletion {
  model: string;
  stream: boolean;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
}

/**
 * One counter's growth against what the suite sent, and how much of it the streams should have
 * added. Kept as data so a known-defect test can tell "the streams were not counted" from any other
 * mismatch without parsing problem text (stream-counting-defects.ts).
 */
export interface CounterGrowth {
  at: string;
  why: string;
  before: number;
  after: number;
  expected: number;
  /** The streams' share of `expected`. */
  fromStreams: number;
}

/** A problem from a counter that did not grow by exactly what was sent; `delta` is the same data, machine-readable. */
export interface CounterProblem extends Problem {
  delta: { expected: number; actual: number; fromStreams: number };
}

export function isCounterProblem(p: Problem): p is CounterProblem {
  return (p as Partial<CounterProblem>).delta !== undefined;
}

function growthProblems(growth: readonly CounterGrowth[]): CounterProblem[] {
  return growth
    .filter((g) => g.after - g.before !== g.expected)
    .map((g) => ({
      ...problem(g.at, `+${g.expected} (${g.why})`, `+${g.after - g.before} (${g.before} → ${g.after})`),
      delta: { expected: g.expected, actual: g.after - g.before, fromStreams: g.fromStreams },
    }));
}

function exact(at: string, expected: number, fromStreams: number, before: number, after: number, why: string): Problem[] {
  return growthProblems([{ at, why, before, after, expected, fromStreams }]);
}

/** Counters that count every chat completion, streamed or not: KV-cache lookups and routed requests. */
export function checkChatCounterDeltas(before: Counters, after: Counters, sent: readonly SentCompletion[]): Problem[] {
  const n = sent.length;
  const streams = sent.filter((s) => s.stream).length;
  const what = `${n} chat completions sent (${n - streams} plain, ${streams} streamed)`;
  const problems = [
    ...exact('/kv-cache/metrics total_cache_hits + total_cache_misses', n, streams, before.kvLookups, after.kvLookups, what),
    ...exact(`/kv-cache/metrics endpoint_stats[${CHAT_ENDPOINT}] hits + misses`, n, streams, before.kvChatLookups, after.kvChatLookups, what),
    ...exact('/kv-cache/metrics smart_router Σ workers.total_requests', n, streams, before.routerRequests, after.routerRequests, what),
  ];
  if (after.routerActive !== 0) problems.push(problem('/kv-cache/metrics smart_router Σ workers.active_requests', '0 once every request has completed', after.routerActive));
  return problems;
}

/** Per model: request_count and token totals must grow by exactly what `sent` says. */
export function perModelGrowth(before: Counters, after: Counters, sent: readonly SentCompletion[]): CounterGrowth[] {
  const growth: CounterGrowth[] = [];
  const models = [...new Set(sent.map((s) => s.model))];
  const sum = (xs: readonly SentCompletion[], k: 'prompt_tokens' | 'completion_tokens') => xs.reduce((x, s) => x + s.usage![k], 0);
  for (const model of models) {
    const mine = sent.filter((s) => s.model === model);
    const streamed = mine.filter((s) => s.stream);
    const b = before.perModel[model] ?? { requests: 0, prompt: 0, completion: 0 };
    const a = after.perModel[model] ?? { requests: 0, prompt: 0, completion: 0 };
    const kinds = `${mine.length - streamed.length} plain + ${streamed.length} streamed`;
    growth.push({ at: `/metrics/by-model/${model} request_count`, why: `${kinds} sent`, before: b.requests, after: a.requests, expected: mine.length, fromStreams: streamed.length });
    if (mine.every((s) => s.usage)) {
      growth.push({ at: `/metrics/by-model/${model} tokens.prompt`, why: 'Σ usage.prompt_tokens of the responses', before: b.prompt, after: a.prompt, expected: sum(mine, 'prompt_tokens'), fromStreams: sum(streamed, 'prompt_tokens') });
      growth.push({ at: `/metrics/by-model/${model} tokens.completion`, why: 'Σ usage.completion_tokens of the responses', before: b.completion, after: a.completion, expected: sum(mine, 'completion_tokens'), fromStreams: sum(streamed, 'completion_tokens') });
    }
  }
  return growth;
}

export function checkPerModelDeltas(before: Counters, after: Counters, sent: readonly SentCompletion[]): Problem[] {
  return growthProblems(perModelGrowth(before, after, sent));
}

export function dynamoGrowth(before: Counters, after: Counters, sent: readonly SentCompletion[]): CounterGrowth {
  const streams = sent.filter((s) => s.stream).length;
  return { at: '/dynamo/metrics/json summary.total_requests', why: `${sent.length} chat completions sent`, before: before.dynamoTotal, after: after.dynamoTotal, expected: sent.length, fromStreams: streams };
}

export function checkDynamoDelta(before: Counters, after: Counters, sent: readonly SentCompletion[]): Problem[] {
  return growthProblems([dynamoGrowth(before, after, sent)]);
}

export function completedStreamsGrowth(before: Counters, after: Counters, sent: readonly SentCompletion[]): CounterGrowth {
  const streams = sent.filter((s) => s.stream).length;
  return { at: '/metrics streaming_stats.completed_streams', why: `${streams} streams completed`, before: before.completedStreams, after: after.completedStreams, expected: streams, fromStreams: streams };
}

export function checkStreamCountDeltas(before: Counters, after: Counters, sent: readonly SentCompletion[]): Problem[] {
  const problems: Problem[] = growthProblems([completedStreamsGrowth(before, after, sent)]);
  if (after.activeStreams !== 0) problems.push(problem('/metrics streaming_stats.active_streams', '0 once every stream has ended', after.activeStreams));
  return problems;
}

/**
 * Rates, bounded without tolerance: every rate is Σ samples / (now − oldest sample) with the oldest
 * sample at most RATE_WINDOW_S old, so K requests sent within the window give a rate ≥ K / 60 —
 * whatever else is in the window only adds. (An upper bound would need the window's full
 * contents, which other traffic can change; none is claimed.)
 */
export function checkRateLowerBounds(metrics: MetricsJson, sent: readonly SentCompletion[]): Problem[] {
  const problems: Problem[] = [];
  const k = sent.length;
  const tokens = sent.reduce((x, s) => x + (s.usage?.completion_tokens ?? 0), 0);
  const floor = (n: number) => n / RATE_WINDOW_S - 1e-9;
  const rate = (kind: 'requests' | 'responses' | 'tokens') => metrics[kind][CHAT_ENDPOINT]?.rate;
  for (const [kind, n, what] of [
    ['requests', k, `${k} requests`],
    ['responses', k, `${k} responses`],
    ['tokens', tokens, `${tokens} completion tokens (Σ usage)`],
  ] as const) {
    const r = rate(kind);
    if (r === undefined || r < floor(n)) problems.push(problem(`/metrics ${kind}[${CHAT_ENDPOINT}].rate`, `≥ ${what} / ${RATE_WINDOW_S} s = ${(n / RATE_WINDOW_S).toFixed(4)}/s`, r ?? 'absent'));
  }
  return problems;
}
