import { checkMetricsCsv, parseCsv } from '../checks/csv';
import { checkSameFigure, EXACT, metricsFigures, modelFigures, PRINTED_6DP, rateTolerance } from '../checks/cross-format';
import { checkKvCacheMetrics, checkMetricsJson, checkModelStats, checkDynamoMetrics } from '../checks/metrics-bounds';
import { checkChatCounterDeltas, checkDynamoDelta, checkPerModelDeltas, checkRateLowerBounds, checkStreamCountDeltas, type Counters, type SentCompletion } from '../checks/metrics-delta';
import { checkPrometheusBounds, parsePrometheus, sampleValue } from '../checks/prometheus';
import type { MetricsJson } from '../checks/schemas';

const at = (ps: { at: string }[]) => ps.map((p) => p.at);
const w = (over: Partial<Record<'rate' | 'avg' | 'min' | 'max' | 'p50' | 'p90' | 'p99', number>> = {}) => ({ rate: 1, avg: 0.02, min: 0.01, max: 0.05, p50: 0.02, p90: 0.04, p99: 0.05, ...over });
const metrics = (responses = w()): MetricsJson => ({
  requests: { '/v1/chat/completions': w({ avg: 0, min: 0, max: 0, p50: 0, p90: 0, p99: 0 }) },
  responses: { '/v1/chat/completions': responses },
  tokens: { '/v1/chat/completions': w({ rate: 20, avg: 0, min: 0, max: 0, p50: 0, p90: 0, p99: 0 }) },
  errors: {},
  latency: {},
  streaming: {},
  streaming_stats: { active_streams: 0, completed_streams: 0, failed_streams: 0, ttft: {}, tokens_per_second: {} },
});

describe('checkMetricsJson (bounds)', () => {
  test('passes ordered, non-negative, bounded figures', () => {
    expect(checkMetricsJson(metrics(), { maxLatencyS: 15 }).problems).toEqual([]);
  });
  test('fails a negative rate, p90 above p99, avg outside [min, max] and a latency above the bound', () => {
    expect(at(checkMetricsJson(metrics(w({ rate: -1 })), { maxLatencyS: 15 }).problems)).toEqual(['responses./v1/chat/completions.rate']);
    expect(at(checkMetricsJson(metrics(w({ p90: 0.06 })), { maxLatencyS: 15 }).problems)).toEqual(['responses./v1/chat/completions']);
    expect(at(checkMetricsJson(metrics(w({ avg: 0.5 })), { maxLatencyS: 15 }).problems)).toEqual(['responses./v1/chat/completions']);
    expect(at(checkMetricsJson(metrics(w({ max: 99, p99: 99 })), { maxLatencyS: 15 }).problems)).toEqual(['responses./v1/chat/completions.max']);
  });
  test('fails a missing section and a non-numeric (NaN-like) value', () => {
    const m = metrics() as unknown as Record<string, unknown>;
    delete m.streaming_stats;
    expect(at(checkMetricsJson(m, { maxLatencyS: 15 }).problems)).toEqual(['body.streaming_stats']);
    expect(at(checkMetricsJson(metrics(w({ p50: Number.NaN })), { maxLatencyS: 15 }).problems)).toEqual(['body.responses./v1/chat/completions.p50']);
  });
});

const kv = (hits = 1, misses = 3, rate = 25) => ({
  cache_performance: { cache_hit_rate: rate, token_reuse_rate: 10, total_cache_hits: hits, total_cache_misses: misses, total_tokens_processed: 40, cached_tokens_reused: 4, average_prefix_length: 4, endpoint_stats: { '/v1/chat/completions': { hits, misses } }, speedup_stats: {} },
  smart_router: { workers: { 'worker-0': { active_requests: 0, total_requests: 4, cached_blocks: 0, tokens_processed: 40 } }, radix_tree: { total_nodes: 1, total_cached_blocks: 0 } },
});

describe('checkKvCacheMetrics', () => {
  test('passes a self-consistent document', () => expect(checkKvCacheMetrics(kv())).toEqual([]));
  test('fails a hit rate that is not hits / lookups, and a rate above 100 %', () => {
    expect(at(checkKvCacheMetrics(kv(1, 3, 50)))).toEqual(['cache_performance.cache_hit_rate']);
    expect(at(checkKvCacheMetrics(kv(1, 0, 101)))).toEqual(['cache_performance.cache_hit_rate', 'cache_performance.cache_hit_rate']);
  });
  test('takes either rounding of an exact tie (1 hit in 32 lookups is 3.125 %: Python says 3.12), and nothing a cent further', () => {
    // Seen in a full run: FakeAI answered 3.12 and the check, rounding half up only, wanted 3.13.
    expect(checkKvCacheMetrics(kv(1, 31, 3.12))).toEqual([]);
    expect(checkKvCacheMetrics(kv(1, 31, 3.13))).toEqual([]);
    expect(at(checkKvCacheMetrics(kv(1, 31, 3.11)))).toEqual(['cache_performance.cache_hit_rate']);
    expect(at(checkKvCacheMetrics(kv(1, 31, 3.14)))).toEqual(['cache_performance.cache_hit_rate']);
    // Not a tie (1 in 3 = 33.333… %): one right answer.
    expect(checkKvCacheMetrics(kv(1, 2, 33.33))).toEqual([]);
    expect(at(checkKvCacheMetrics(kv(1, 2, 33.34)))).toEqual(['cache_performance.cache_hit_rate']);
  });
});

const modelStats = (over: Record<string, unknown> = {}) => ({
  model: 'gpt-4', request_count: 2, tokens: { prompt: 4, completion: 10, total: 14 }, latency: { avg_ms: 5, p50: 4, p90: 6, p95: 6, p99: 6 },
  errors: { count: 0, rate_percent: 0 }, cost: { total_usd: 0.002, per_request_usd: 0.001 }, endpoints: { '/v1/chat/completions': 2 }, users: {},
  uptime_seconds: 1.5, first_request: 100, last_request: 101.5, ...over,
});

describe('checkModelStats / checkDynamoMetrics', () => {
  test('passes consistent per-model stats and fails each broken relation', () => {
    expect(checkModelStats(modelStats(), 'gpt-4')).toEqual([]);
    expect(at(checkModelStats(modelStats({ tokens: { prompt: 4, completion: 10, total: 15 } }), 'gpt-4'))).toEqual(['tokens.total']);
    expect(at(checkModelStats(modelStats({ endpoints: { '/v1/chat/completions': 1 } }), 'gpt-4'))).toEqual(['endpoints']);
    expect(at(checkModelStats(modelStats({ cost: { total_usd: 0.002, per_request_usd: 0.002 } }), 'gpt-4'))).toEqual(['cost.per_request_usd']);
    expect(at(checkModelStats({ model: 'gpt-4', request_count: 0, error: 'Model not found' }, 'gpt-4'))).toEqual(['body']);
  });
  test('dynamo: passes a consistent summary and fails a hit rate out of [0, 100], ratios out of [0, 1] and unordered percentiles', () => {
    const d = (over: Record<string, unknown> = {}) => ({
      summary: { total_requests: 2, successful_requests: 2, failed_requests: 0, active_requests: 0 },
      latency: { ttft: { avg: 3, p50: 3, p90: 4, p99: 4 } }, throughput: { requests_per_second: 1 },
      queue: { current_depth: 0, max_depth: 0, avg_depth: 0 }, cache: { hit_rate: 0.5, avg_overlap_score: 0, avg_blocks_matched: 0, total_cached_tokens: 0 },
      disaggregation: { prefill_ratio: 0, decode_ratio: 0 }, ...over,
    });
    expect(checkDynamoMetrics(d(), { maxLatencyS: 15 })).toEqual([]);
    const cache = (hitRate: number) => ({ cache: { hit_rate: hitRate, avg_overlap_score: 0, avg_blocks_matched: 0, total_cached_tokens: 0 } });
    // hit_rate is FakeAI's percentage (25 = one hit in four requests); prefill/decode are fractions.
    expect(checkDynamoMetrics(d(cache(25)), { maxLatencyS: 15 })).toEqual([]);
    expect(checkDynamoMetrics(d(cache(100)), { maxLatencyS: 15 })).toEqual([]);
    expect(at(checkDynamoMetrics(d(cache(100.5)), { maxLatencyS: 15 }))).toEqual(['cache.hit_rate']);
    expect(at(checkDynamoMetrics(d(cache(-1)), { maxLatencyS: 15 }))).toEqual(['cache.hit_rate']);
    expect(at(checkDynamoMetrics(d({ disaggregation: { prefill_ratio: 1.5, decode_ratio: 0 } }), { maxLatencyS: 15 }))).toEqual(['disaggregation.prefill_ratio']);
    expect(at(checkDynamoMetrics(d({ latency: { ttft: { avg: 3, p50: 5, p90: 4, p99: 4 } } }), { maxLatencyS: 15 }))).toEqual(['latency.ttft']);
  });
});

describe('parsePrometheus / checkPrometheusBounds', () => {
  const good = ['# HELP a_total A', '# TYPE a_total counter', 'a_total{model="gpt-4",type="prompt"} 3', '# TYPE lat summary', 'lat{quantile="0.5"} 0.1', 'lat{quantile="0.9"} 0.2', 'lat_sum 1.5', ''].join('\n');
  test('parses samples, labels and types from valid exposition', () => {
    const p = parsePrometheus(good);
    expect(p.problems).toEqual([]);
    expect(sampleValue(p, 'a_total', { model: 'gpt-4', type: 'prompt' })).toBe(3);
    expect(checkPrometheusBounds(p)).toEqual([]);
  });
  test('fails a malformed line, a sample without TYPE, a duplicate series and a bad value', () => {
    expect(at(parsePrometheus('# TYPE a gauge\na{x="1" 2\n').problems)).toEqual(['line 2']);
    expect(parsePrometheus('b 1\n').problems[0].expected).toMatch(/TYPE line for b/);
    expect(at(parsePrometheus('# TYPE a gauge\na 1\na 2\n').problems)).toEqual(['line 3']);
    expect(at(parsePrometheus('# TYPE a gauge\na one\n').problems)).toEqual(['line 2']);
  });
  test('bounds: fails a negative counter, NaN, and quantiles out of order', () => {
    expect(checkPrometheusBounds(parsePrometheus('# TYPE a_total counter\na_total -1\n'))).toHaveLength(1);
    expect(checkPrometheusBounds(parsePrometheus('# TYPE g gauge\ng NaN\n'))).toHaveLength(1);
    expect(checkPrometheusBounds(parsePrometheus('# TYPE l summary\nl{quantile="0.5"} 2\nl{quantile="0.9"} 1\n'))).toHaveLength(1);
  });
});

describe('parseCsv / checkMetricsCsv', () => {
  const header = 'metric_type,endpoint,rate,avg_latency,min_latency,max_latency,p50_latency,p90_latency,p99_latency';
  test('parses quoted fields and CRLF rows', () => {
    expect(parseCsv('a,"b,c","d""e"\r\n1,2,3\r\n').rows).toEqual([['a', 'b,c', 'd"e'], ['1', '2', '3']]);
  });
  test('passes FakeAI-shaped rows', () => {
    expect(checkMetricsCsv(`${header}\r\nresponses,/v1/chat/completions,7.8,0.015,0.01,0.02,0.015,0.019,0.02\r\n`).problems).toEqual([]);
  });
  test('fails a wrong header, a short row, a non-number, a negative rate and unordered latencies', () => {
    expect(at(checkMetricsCsv('type,endpoint\r\n').problems)).toEqual(['header']);
    expect(at(checkMetricsCsv(`${header}\r\nrequests,/x,1\r\n`).problems)).toEqual(['row 2']);
    expect(at(checkMetricsCsv(`${header}\r\nrequests,/x,abc,0,0,0,0,0,0\r\n`).problems)).toEqual(['row 2.rate']);
    expect(at(checkMetricsCsv(`${header}\r\nrequests,/x,-1,0,0,0,0,0,0\r\n`).problems)).toEqual(['row 2.rate']);
    expect(at(checkMetricsCsv(`${header}\r\nresponses,/x,1,0.1,0.1,0.2,0.3,0.1,0.2\r\n`).problems)).toEqual(['row 2']);
  });
});

const counters = (over: Partial<Counters> = {}): Counters => ({
  kvLookups: 10, kvChatLookups: 10, routerRequests: 10, routerActive: 0, dynamoTotal: 5, completedStreams: 0, activeStreams: 0,
  perModel: { 'gpt-4': { requests: 1, prompt: 2, completion: 9 } }, ...over,
});
const sent: SentCompletion[] = [
  { model: 'gpt-4', stream: false, usage: { prompt_tokens: 3, completion_tokens: 8 } },
  { model: 'gpt-4', stream: true, usage: { prompt_tokens: 3, completion_tokens: 7 } },
];

describe('metrics deltas', () => {
  test('counters: exact growth passes; one short, one extra, or a request left active fails', () => {
    const after = counters({ kvLookups: 12, kvChatLookups: 12, routerRequests: 12 });
    expect(checkChatCounterDeltas(counters(), after, sent)).toEqual([]);
    expect(at(checkChatCounterDeltas(counters(), { ...after, kvLookups: 11 }, sent))).toEqual(['/kv-cache/metrics total_cache_hits + total_cache_misses']);
    expect(at(checkChatCounterDeltas(counters(), { ...after, routerRequests: 13 }, sent))).toEqual(['/kv-cache/metrics smart_router Σ workers.total_requests']);
    expect(at(checkChatCounterDeltas(counters(), { ...after, routerActive: 1 }, sent))).toEqual(['/kv-cache/metrics smart_router Σ workers.active_requests']);
  });
  test('per model: requests and token sums must match exactly, streams included', () => {
    const after = counters({ perModel: { 'gpt-4': { requests: 3, prompt: 8, completion: 24 } } });
    expect(checkPerModelDeltas(counters(), after, sent)).toEqual([]);
    const streamsIgnored = counters({ perModel: { 'gpt-4': { requests: 2, prompt: 5, completion: 17 } } });
    const p = checkPerModelDeltas(counters(), streamsIgnored, sent);
    expect(at(p)).toEqual(['/metrics/by-model/gpt-4 request_count', '/metrics/by-model/gpt-4 tokens.prompt', '/metrics/by-model/gpt-4 tokens.completion']);
    expect(p[0].expected).toContain('1 plain + 1 streamed');
    expect(p[0].actual).toBe('+1 (1 → 2)');
  });
  test('dynamo and stream counts: exact', () => {
    expect(checkDynamoDelta(counters(), counters({ dynamoTotal: 7 }), sent)).toEqual([]);
    expect(checkDynamoDelta(counters(), counters({ dynamoTotal: 6 }), sent)).toHaveLength(1);
    expect(checkStreamCountDeltas(counters(), counters({ completedStreams: 1 }), sent)).toEqual([]);
    expect(checkStreamCountDeltas(counters(), counters(), sent)).toHaveLength(1);
  });
  test('rates: at least sent / 60 s, else a problem naming the floor', () => {
    expect(checkRateLowerBounds(metrics(), sent)).toEqual([]);
    const slow = metrics(w({ rate: 0.01 }));
    const p = checkRateLowerBounds(slow, sent);
    expect(at(p)).toEqual(['/metrics responses[/v1/chat/completions].rate']);
    expect(p[0].expected).toContain('2 responses / 60 s');
  });
});

describe('cross-format figures', () => {
  test('exact counts must be equal; a missing figure is a problem', () => {
    expect(checkSameFigure('n', [{ source: 'a', value: 3 }, { source: 'b', value: 3 }], EXACT)).toEqual([]);
    expect(checkSameFigure('n', [{ source: 'a', value: 3 }, { source: 'b', value: 4 }], EXACT)).toHaveLength(1);
    expect(checkSameFigure('n', [{ source: 'a', value: 3 }, { source: 'b', value: undefined }], EXACT)[0].actual).toMatch(/missing from b/);
  });
  test('6-decimal printing is tolerated, a real difference is not', () => {
    expect(checkSameFigure('p50', [{ source: 'json', value: 0.0159773826 }, { source: 'prom', value: 0.015977 }], PRINTED_6DP)).toEqual([]);
    expect(checkSameFigure('p50', [{ source: 'json', value: 0.0159773826 }, { source: 'prom', value: 0.016977 }], PRINTED_6DP)).toHaveLength(1);
  });
  test('rate tolerance follows fetch span over window age, and says so', () => {
    const tol = rateTolerance(10, 1000);
    expect(tol.relative).toBeCloseTo(0.01);
    expect(checkSameFigure('r', [{ source: 'a', value: 10 }, { source: 'b', value: 9.95 }], tol)).toEqual([]);
    const p = checkSameFigure('r', [{ source: 'a', value: 10 }, { source: 'b', value: 9.5 }], tol);
    expect(p[0].expected).toMatch(/recomputed per request/);
  });
  test('metricsFigures pairs JSON with the matching Prometheus sample and CSV row', () => {
    const prom = parsePrometheus('# TYPE fakeai_requests_per_second gauge\nfakeai_requests_per_second{endpoint="/v1/chat/completions"} 1.000000\n');
    const sets = metricsFigures(metrics(), prom, []);
    const req = sets.find((s) => s.name === 'requests rate /v1/chat/completions')!;
    expect(req.figures.map((f) => f.value)).toEqual([1, 1, undefined]);
  });
});

describe('modelFigures', () => {
  test('pairs per-model JSON counts with the by-model Prometheus samples; a mismatch or a missing sample fails', () => {
    const prom = parsePrometheus(
      ['# TYPE fakeai_model_requests_total counter', 'fakeai_model_requests_total{model="gpt-4"} 2', '# TYPE fakeai_model_tokens_total counter',
        'fakeai_model_tokens_total{model="gpt-4",type="prompt"} 4', 'fakeai_model_tokens_total{model="gpt-4",type="completion"} 9',
        '# TYPE fakeai_model_latency_milliseconds summary', 'fakeai_model_latency_milliseconds_count{model="gpt-4"} 2', ''].join('\n'),
    );
    const check = (stats: { request_count: number; tokens: { prompt: number; completion: number } }) =>
      modelFigures('gpt-4', stats, prom).flatMap((s) => checkSameFigure(s.name, s.figures, EXACT));
    expect(check({ request_count: 2, tokens: { prompt: 4, completion: 9 } })).toEqual([]);
    expect(at(check({ request_count: 3, tokens: { prompt: 4, completion: 9 } }))).toEqual(['gpt-4 requests', 'gpt-4 latency count']);
    expect(modelFigures('gpt-3.5-turbo', { request_count: 1, tokens: { prompt: 1, completion: 1 } }, prom).flatMap((s) => checkSameFigure(s.name, s.figures, EXACT))).toHaveLength(4);
  });
});
