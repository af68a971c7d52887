/**
 * zod schemas for what FakeAI sends back. Shapes only (types, required fields, enums, obvious
 * ranges); relations between fields (usage arithmetic, percentile order, deltas) live in
 * helpers/checks/, where a failure can say which relation broke.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();
/** JSON cannot carry NaN, but it can carry 1e999 (Infinity after parsing): refuse both. */
const num = z.number().finite();

export const UsageSchema = z
  .object({ prompt_tokens: count, completion_tokens: count, total_tokens: count })
  .passthrough();

export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'function_call'] as const;

export const ChatCompletionSchema = z
  .object({
    id: z.string().min(1),
    object: z.literal('chat.completion'),
    created: z.number().int().positive(),
    model: z.string().min(1),
    choices: z
      .array(
        z
          .object({
            index: count,
            message: z.object({ role: z.literal('assistant'), content: z.string().nullable() }).passthrough(),
            finish_reason: z.enum(FINISH_REASONS),
          })
          .passthrough(),
      )
      .min(1),
    usage: UsageSchema,
  })
  .passthrough();
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

export const ChatCompletionChunkSchema = z
  .object({
    id: z.string().min(1),
    object: z.literal('chat.completion.chunk'),
    created: z.number().int().positive(),
    model: z.string().min(1),
    choices: z.array(
      z
        .object({
          index: count,
          delta: z.object({ role: z.literal('assistant').nullish(), content: z.string().nullish() }).passthrough(),
          finish_reason: z.enum(FINISH_REASONS).nullable(),
        })
        .passthrough(),
    ),
    usage: UsageSchema.nullish(),
  })
  .passthrough();
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunkSchema>;

export const HealthSchema = z.object({ status: z.literal('healthy'), ready: z.literal(true), timestamp: z.string().min(1) }).passthrough();

/** An error body: OpenAI's {error: {message, type}} or FastAPI's validation {detail}. */
export const ErrorBodySchema = z.union([
  z.object({ error: z.object({ message: z.string().min(1), type: z.string().min(1) }).passthrough() }).passthrough(),
  z
    .object({
      detail: z.union([z.string().min(1), z.array(z.object({ msg: z.string().min(1), loc: z.array(z.union([z.string(), z.number()])) }).passthrough()).min(1)]),
    })
    .passthrough(),
]);

/** One sliding-window figure of /metrics: a rate and latency statistics in seconds. */
export const WindowStatsSchema = z.object({ rate: num, avg: num, min: num, max: num, p50: num, p90: num, p99: num });
const Percentiles = z.object({ avg: num, min: num, max: num, p50: num, p90: num, p99: num });
const EmptyObject = z.object({}).strict();

export const MetricsJsonSchema = z.object({
  requests: z.record(WindowStatsSchema),
  responses: z.record(WindowStatsSchema),
  tokens: z.record(WindowStatsSchema),
  errors: z.record(WindowStatsSchema),
  latency: z.record(WindowStatsSchema),
  streaming: z.record(WindowStatsSchema),
  streaming_stats: z.object({
    active_streams: count,
    completed_streams: count,
    failed_streams: count,
    ttft: z.union([EmptyObject, Percentiles]),
    tokens_per_second: z.union([EmptyObject, Percentiles]),
  }),
});
export type MetricsJson = z.infer<typeof MetricsJsonSchema>;

export const DetailedHealthSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  timestamp: num,
  uptime_seconds: num,
  metrics_summary: z.object({
    total_requests_per_second: num,
    total_errors_per_second: num,
    error_rate_percentage: num,
    average_latency_seconds: num,
    active_streams: count,
  }),
  endpoints: z.record(z.object({ requests_per_second: num, latency_p50_ms: num, latency_p99_ms: num })),
});
export type DetailedHealth = z.infer<typeof DetailedHealthSchema>;

export const KvCacheMetricsSchema = z.object({
  cache_performance: z
    .object({
      cache_hit_rate: num,
      token_reuse_rate: num,
      total_cache_hits: count,
      total_cache_misses: count,
      total_tokens_processed: count,
      cached_tokens_reused: count,
      average_prefix_length: num,
      endpoint_stats: z.record(z.object({ hits: count, misses: count })),
      speedup_stats: z.union([
        EmptyObject,
        z.object({ avg_baseline_ttft_ms: num, avg_actual_ttft_ms: num, avg_speedup_ratio: num, avg_cache_hit_ratio: num, total_speedup_records: count }),
      ]),
    })
    .passthrough(),
  smart_router: z
    .object({
      workers: z.record(z.object({ active_requests: count, total_requests: count, cached_blocks: count, tokens_processed: count })),
      radix_tree: z.object({ total_nodes: count, total_cached_blocks: count }),
    })
    .passthrough(),
});
export type KvCacheMetrics = z.infer<typeof KvCacheMetricsSchema>;

export const ModelStatsSchema = z
  .object({
    model: z.string(),
    request_count: count,
    tokens: z.object({ prompt: count, completion: count, total: count }),
    latency: z.object({ avg_ms: num, p50: num, p90: num, p95: num, p99: num }),
    errors: z.object({ count, rate_percent: num }),
    cost: z.object({ total_usd: num, per_request_usd: num }),
    endpoints: z.record(count),
    users: z.record(count),
    uptime_seconds: num,
    first_request: num.nullable(),
    last_request: num.nullable(),
  })
  .passthrough();
/** What /metrics/by-model/{model} says for a model it has never seen. */
export const UnknownModelStatsSchema = z.object({ model: z.string(), request_count: z.literal(0), error: z.string() });
export type ModelStats = z.infer<typeof ModelStatsSchema>;

const LatencyQuartet = z.object({ avg: num, p50: num, p90: num, p99: num });
export const DynamoMetricsSchema = z
  .object({
    summary: z.object({ total_requests: count, successful_requests: count, failed_requests: count, active_requests: count }),
    latency: z.record(LatencyQuartet),
    throughput: z.record(num),
    queue: z.object({ current_depth: count, max_depth: count, avg_depth: num }),
    cache: z.object({ hit_rate: num, avg_overlap_score: num, avg_blocks_matched: num, total_cached_tokens: count }).passthrough(),
    disaggregation: z.object({ prefill_ratio: num, decode_ratio: num }).passthrough(),
  })
  .passthrough();
export type DynamoMetrics = z.infer<typeof DynamoMetricsSchema>;
