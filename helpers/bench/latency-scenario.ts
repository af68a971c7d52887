/** Latency per model and mode against one server: total latency, and for streams TTFT and ITL. */
import { type Distribution, describe, median } from '../core/distribution';
import type { MetricSamples } from './regression';
import { keepAliveAgent, runBounded, timedPost, timedStream } from './timed-http';
import { BENCH_MODELS, CHAT_PATH, chatBody, sliceStat } from './workload';

export interface LatencyResult {
  model: string;
  mode: 'nonstream' | 'stream';
  requests: number;
  errors: number;
  firstError?: string;
  total: Distribution | undefined;
  ttft?: Distribution;
  itl?: Distribution;
  /** Raw totals, kept for the HTML distribution chart. */
  totalSamplesMs: number[];
}

export interface LatencyPlan {
  perCell: number;
  concurrency: number;
  maxTokens: number;
  deadlineMs: number;
  timeoutMs: number;
}

export async function runLatency(baseUrl: string, plan: LatencyPlan, progress: (msg: string) => void): Promise<{ results: LatencyResult[]; metrics: MetricSamples[] }> {
  const agent = keepAliveAgent(plan.concurrency);
  const target = { baseUrl, agent, timeoutMs: plan.timeoutMs };
  const results: LatencyResult[] = [];
  const metrics: MetricSamples[] = [];
  try {
    for (const model of BENCH_MODELS) {
      for (const mode of ['nonstream', 'stream'] as const) {
        progress(`latency ${model} ${mode}`);
        const stream = mode === 'stream';
        const { results: rs } = await runBounded(plan.perCell, plan.concurrency, plan.deadlineMs, () =>
          stream
            ? timedStream(target, CHAT_PATH, chatBody({ model, stream, maxTokens: plan.maxTokens }))
            : timedPost(target, CHAT_PATH, chatBody({ model, stream, maxTokens: plan.maxTokens })),
        );
        const good = rs.filter((r) => r.status === 200 && !r.error && (!('sawDone' in r) || r.sawDone));
        const bad = rs.filter((r) => !good.includes(r));
        const totals = good.map((r) => r.totalMs);
        const res: LatencyResult = {
          model, mode, requests: rs.length, errors: bad.length, total: describe(totals), totalSamplesMs: totals,
          ...(bad[0] ? { firstError: bad[0].error ?? `HTTP ${bad[0].status}${'sawDone' in bad[0] ? ' or no [DONE]' : ''}` } : {}),
        };
        if (stream) {
          const streams = good as Awaited<ReturnType<typeof timedStream>>[];
          res.ttft = describe(streams.flatMap((s) => (s.ttftMs === null ? [] : [s.ttftMs])));
          res.itl = describe(streams.flatMap((s) => s.gapsMs));
        }
        results.push(res);
        metrics.push({ key: `latency.${model}.${mode}.p50Ms`, direction: 'lower-is-better', absFloor: 0.5, repeats: sliceStat(totals, 5, median) });
      }
    }
  } finally {
    agent.destroy();
  }
  return { results, metrics };
}
