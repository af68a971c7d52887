/**
 * Shape and bounds of FakeAI's JSON metrics: rates ≥ 0, p50 ≤ p90 ≤ p99, ratios and percentages in
 * range, no NaN (JSON cannot carry it: a body with NaN fails to parse and is reported as such),
 * latencies that make sense, and the arithmetic a document states about itself.
 */
import {
  DynamoMetricsSchema,
  KvCacheMetricsSchema,
  MetricsJsonSchema,
  ModelStatsSchema,
  UnknownModelStatsSchema,
  type MetricsJson,
} from './schemas';
import { parseWith, problem, type Problem } from '../core/problems';

export interface LatencyBounds {
  /** No latency the server reports may exceed this many seconds (see the caller for why). */
  maxLatencyS: number;
}

/** min ≤ p50 ≤ p90 ≤ p99 ≤ max, min ≤ avg ≤ max, all ≥ 0 and ≤ the bound. */
export function checkPercentiles(at: string, s: { avg: number; min: number; max: number; p50: number; p90: number; p99: number }, maxValue: number): Problem[] {
  const problems: Problem[] = [];
  if (!(s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max)) {
    problems.push(problem(at, 'min ≤ p50 ≤ p90 ≤ p99 ≤ max', `min ${s.min}, p50 ${s.p50}, p90 ${s.p90}, p99 ${s.p99}, max ${s.max}`));
  }
  if (!(s.min <= s.avg && s.avg <= s.max)) problems.push(problem(at, 'min ≤ avg ≤ max', `min ${s.min}, avg ${s.avg}, max ${s.max}`));
  if (s.min < 0) problems.push(problem(`${at}.min`, '≥ 0', s.min));
  if (s.max > maxValue) problems.push(problem(`${at}.max`, `≤ ${maxValue}`, s.max));
  return problems;
}

export function checkMetricsJson(doc: unknown, bounds: LatencyBounds): { value: MetricsJson | undefined; problems: Problem[] } {
  const { value, problems } = parseWith(MetricsJsonSchema, doc, 'body');
  if (!value) return { value, problems };
  for (const kind of ['requests', 'responses', 'tokens', 'errors', 'latency', 'streaming'] as const) {
    for (const [endpoint, w] of Object.entries(value[kind])) {
      const at = `${kind}.${endpoint}`;
      if (w.rate < 0) problems.push(problem(`${at}.rate`, '≥ 0', w.rate));
      problems.push(...checkPercentiles(at, w, bounds.maxLatencyS));
    }
  }
  const ss = value.streaming_stats;
  if ('p50' in ss.ttft) problems.push(...checkPercentiles('streaming_stats.ttft', ss.ttft as never, bounds.maxLatencyS));
  if ('p50' in ss.tokens_per_second) {
    const tps = ss.tokens_per_second as { min: number };
    if (tps.min < 0) problems.push(problem('streaming_stats.tokens_per_second.min', '≥ 0', tps.min));
    problems.push(...checkPercentiles('streaming_stats.tokens_per_second', ss.tokens_per_second as never, Number.POSITIVE_INFINITY));
  }
  return { value, problems };
}

/**
 * The two-decimal values a correct rounding of `x` may give. FakeAI rounds with Python's round(),
 * which breaks an exact tie to even (round(3.125, 2) == 3.12, kv_cache.py:394), Math.round breaks it
 * up (3.13): at an exact tie both are right; anywhere else there is one answer.
 */
function roundings2(x: number): number[] {
  const t = x * 100;
  if (Math.abs(t - Math.floor(t) - 0.5) < 1e-9) return [Math.floor(t) / 100, Math.ceil(t) / 100];
  return [Math.round(t) / 100];
}

export function checkKvCacheMetrics(doc: unknown): Problem[] {
  const { value, problems } = parseWith(KvCacheMetricsSchema, doc, 'body');
  if (!value) return problems;
  const c = value.cache_performance;
  const lookups = c.total_cache_hits + c.total_cache_misses;
  for (const [name, v] of [['cache_hit_rate', c.cache_hit_rate], ['token_reuse_rate', c.token_reuse_rate]] as const) {
    if (v < 0 || v > 100) problems.push(problem(`cache_performance.${name}`, 'a percentage in [0, 100]', v));
  }
  const hitRates = lookups > 0 ? roundings2((c.total_cache_hits / lookups) * 100) : [0];
  if (hitRates.every((r) => Math.abs(c.cache_hit_rate - r) > 0.005)) problems.push(problem('cache_performance.cache_hit_rate', `hits / (hits + misses) × 100 = ${hitRates.join(' or ')}`, c.cache_hit_rate));
  if (c.cached_tokens_reused > c.total_tokens_processed) {
    problems.push(problem('cache_performance.cached_tokens_reused', `≤ total_tokens_processed (${c.total_tokens_processed})`, c.cached_tokens_reused));
  }
  const sumHits = Object.values(c.endpoint_stats).reduce((a, e) => a + e.hits, 0);
  const sumMisses = Object.values(c.endpoint_stats).reduce((a, e) => a + e.misses, 0);
  if (sumHits !== c.total_cache_hits) problems.push(problem('cache_performance.endpoint_stats', `hits summing to total_cache_hits (${c.total_cache_hits})`, sumHits));
  if (sumMisses !== c.total_cache_misses) problems.push(problem('cache_performance.endpoint_stats', `misses summing to total_cache_misses (${c.total_cache_misses})`, sumMisses));
  if ('avg_cache_hit_ratio' in c.speedup_stats) {
    const s = c.speedup_stats as { avg_cache_hit_ratio: number; avg_speedup_ratio: number; avg_actual_ttft_ms: number; avg_baseline_ttft_ms: number };
    if (s.avg_cache_hit_ratio < 0 || s.avg_cache_hit_ratio > 100) problems.push(problem('speedup_stats.avg_cache_hit_ratio', 'a percentage in [0, 100]', s.avg_cache_hit_ratio));
    // A cache hit only ever shortens the simulated TTFT, so the average speedup cannot be below 1.
    if (s.avg_speedup_ratio < 1) problems.push(problem('speedup_stats.avg_speedup_ratio', '≥ 1', s.avg_speedup_ratio));
    if (s.avg_actual_ttft_ms < 0 || s.avg_actual_ttft_ms > s.avg_baseline_ttft_ms + 0.01) {
      problems.push(problem('speedup_stats.avg_actual_ttft_ms', `in [0, avg_baseline_ttft_ms (${s.avg_baseline_ttft_ms})]`, s.avg_actual_ttft_ms));
    }
  }
  return problems;
}

/** /metrics/by-model/{model}: a model it has seen, with self-consistent totals. */
export function checkModelStats(doc: unknown, model: string): Problem[] {
  if (UnknownModelStatsSchema.safeParse(doc).success) return [problem('body', `stats for "${model}"`, doc)];
  const { value, problems } = parseWith(ModelStatsSchema, doc, 'body');
  if (!value) return problems;
  if (value.model !== model) problems.push(problem('body.model', `"${model}"`, value.model));
  const t = value.tokens;
  if (t.total !== t.prompt + t.completion) problems.push(problem('tokens.total', `prompt + completion = ${t.prompt + t.completion}`, t.total));
  const l = value.latency;
  if (!(0 <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p95 && l.p95 <= l.p99)) problems.push(problem('latency', '0 ≤ p50 ≤ p90 ≤ p95 ≤ p99', l));
  if (l.avg_ms < 0) problems.push(problem('latency.avg_ms', '≥ 0', l.avg_ms));
  if (value.errors.count > value.request_count) problems.push(problem('errors.count', `≤ request_count (${value.request_count})`, value.errors.count));
  const rate = value.request_count > 0 ? (value.errors.count / value.request_count) * 100 : 0;
  if (Math.abs(value.errors.rate_percent - rate) > 1e-9) problems.push(problem('errors.rate_percent', `count / request_count × 100 = ${rate}`, value.errors.rate_percent));
  if (value.cost.total_usd < 0) problems.push(problem('cost.total_usd', '≥ 0', value.cost.total_usd));
  const perRequest = value.request_count > 0 ? value.cost.total_usd / value.request_count : 0;
  if (Math.abs(value.cost.per_request_usd - perRequest) > 1e-12) problems.push(problem('cost.per_request_usd', `total_usd / request_count = ${perRequest}`, value.cost.per_request_usd));
  const byEndpoint = Object.values(value.endpoints).reduce((a, b) => a + b, 0);
  if (byEndpoint !== value.request_count) problems.push(problem('endpoints', `counts summing to request_count (${value.request_count})`, byEndpoint));
  if (value.first_request !== null && value.last_request !== null) {
    if (value.first_request > value.last_request) problems.push(problem('first_request', `≤ last_request (${value.last_request})`, value.first_request));
    const up = value.last_request - value.first_request;
    if (Math.abs(value.uptime_seconds - up) > 1e-6) problems.push(problem('uptime_seconds', `last_request − first_request = ${up}`, value.uptime_seconds));
  }
  return problems;
}

export function checkDynamoMetrics(doc: unknown, bounds: LatencyBounds): Problem[] {
  const { value, problems } = parseWith(DynamoMetricsSchema, doc, 'body');
  if (!value) return problems;
  const s = value.summary;
  if (s.successful_requests + s.failed_requests > s.total_requests) {
    problems.push(problem('summary', `successful + failed ≤ total_requests (${s.total_requests})`, s.successful_requests + s.failed_requests));
  }
  for (const [name, l] of Object.entries(value.latency)) {
    if (!(0 <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99)) problems.push(problem(`latency.${name}`, '0 ≤ p50 ≤ p90 ≤ p99', l));
    if (l.avg < 0) problems.push(problem(`latency.${name}.avg`, '≥ 0', l.avg));
    if (l.p99 > bounds.maxLatencyS * 1000) problems.push(problem(`latency.${name}.p99`, `≤ ${bounds.maxLatencyS * 1000} ms`, l.p99));
  }
  for (const [name, v] of Object.entries(value.throughput)) if (v < 0) problems.push(problem(`throughput.${name}`, '≥ 0', v));
  // A percentage by design, unlike the ratios below: fakeai/dynamo_metrics.py:420 computes
  // `(hits / len(recent)) * 100`, its Prometheus twin fakeai_dynamo_kv_cache_hit_rate prints the same
  // number, and FakeAI names every hit *rate* a percentage (kv_cache.py:317, :361) and every *ratio* a fraction.
  if (value.cache.hit_rate < 0 || value.cache.hit_rate > 100) problems.push(problem('cache.hit_rate', 'a percentage in [0, 100]', value.cache.hit_rate));
  const d = value.disaggregation;
  for (const [name, v] of [['prefill_ratio', d.prefill_ratio], ['decode_ratio', d.decode_ratio]] as const) {
    if (v < 0 || v > 1) problems.push(problem(`disaggregation.${name}`, 'a ratio in [0, 1]', v));
  }
  if (value.queue.max_depth < value.queue.current_depth) problems.push(problem('queue.max_depth', `≥ current_depth (${value.queue.current_depth})`, value.queue.max_depth));
  return problems;
}
