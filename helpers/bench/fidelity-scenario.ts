/**
 * Timing fidelity against servers started with different FAKEAI_GENERATION__* settings. The server
 * configured with ttft 0 / itl 0 supplies the overhead (what the path costs without any sleep);
 * every other server's TTFT and ITL medians are judged against configured + overhead.
 */
import { type FidelityCheck, judgeNonStreamDelay, judgeNonStreamDelta, judgeTiming, overheadOf } from './fidelity';
import { type Distribution, describe, median } from './stats';
import type { MetricSamples } from './regression';
import { keepAliveAgent, runBounded, timedPost, timedStream } from './timed-http';
import { BENCH_MODELS, CHAT_PATH, chatBody, sliceStat } from './workload';

export const JITTER_PERCENT = 10;
/** asyncio timers and the event loop on a shared 2-core machine: below this nothing is meaningful. */
export const TIMING_FLOOR_MS = 2;
/** The formula's own range is 800 ms wide; this only absorbs scheduling hiccups. */
export const NONSTREAM_FLOOR_MS = 50;

export interface TimingServer {
  ttftMs: number;
  itlMs: number;
  baseUrl: string;
}

export interface FidelityPlan {
  streamsPerServer: number;
  concurrency: number;
  maxTokens: number;
  nonStreamPerPoint: number;
  nonStreamPoints: Array<{ maxTokens: number; temperature: number }>;
  deadlineMs: number;
  timeoutMs: number;
}

export interface FidelityResult {
  measured: Array<{ ttftMs: number; itlMs: number; ttft: Distribution | undefined; itl: Distribution | undefined; errors: number }>;
  checks: FidelityCheck[];
  findings: string[];
}

async function measureStreams(server: TimingServer, plan: FidelityPlan) {
  const agent = keepAliveAgent(plan.concurrency);
  try {
    const { results } = await runBounded(plan.streamsPerServer, plan.concurrency, plan.deadlineMs, () =>
      timedStream({ baseUrl: server.baseUrl, agent, timeoutMs: plan.timeoutMs }, CHAT_PATH, chatBody({ model: BENCH_MODELS[0], stream: true, maxTokens: plan.maxTokens })),
    );
    const good = results.filter((r) => r.status === 200 && !r.error && r.sawDone);
    return {
      ttft: good.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs])),
      itl: good.flatMap((r) => r.gapsMs),
      errors: results.length - good.length,
    };
  } finally {
    agent.destroy();
  }
}

export async function runFidelity(servers: readonly TimingServer[], nonStreamUrl: string, plan: FidelityPlan, progress: (m: string) => void): Promise<{ result: FidelityResult; metrics: MetricSamples[] }> {
  const zero = servers.find((s) => s.ttftMs === 0 && s.itlMs === 0);
  if (!zero) throw new Error('timing fidelity needs a server with ttft 0 and itl 0 to measure the overhead');
  const measuredRaw = [];
  for (const s of servers) {
    progress(`fidelity ttft=${s.ttftMs} itl=${s.itlMs}`);
    measuredRaw.push({ server: s, ...(await measureStreams(s, plan)) });
  }
  const zeroRaw = measuredRaw.find((m) => m.server === zero)!;
  const ttftOverhead = overheadOf(describe(zeroRaw.ttft));
  const itlOverhead = overheadOf(describe(zeroRaw.itl));
  const checks: FidelityCheck[] = [];
  const metrics: MetricSamples[] = [];
  for (const m of measuredRaw) {
    const tag = `ttft=${m.server.ttftMs} itl=${m.server.itlMs}`;
    metrics.push({ key: `fidelity.${tag}.ttftP50Ms`, direction: 'lower-is-better', absFloor: 1, repeats: sliceStat(m.ttft, 5, median) });
    if (m.server === zero) continue;
    checks.push(judgeTiming({ metric: 'ttft', label: tag, configuredMs: m.server.ttftMs, variancePercent: JITTER_PERCENT, overhead: ttftOverhead, floorMs: TIMING_FLOOR_MS, samples: m.ttft }));
    checks.push(judgeTiming({ metric: 'itl', label: tag, configuredMs: m.server.itlMs, variancePercent: JITTER_PERCENT, overhead: itlOverhead, floorMs: TIMING_FLOOR_MS, samples: m.itl }));
  }

  // Non-streaming: all points concurrently — if the formula's delay were applied, each request
  // would take up to a few seconds, and in parallel that costs one delay, not the sum.
  progress('fidelity non-streaming delay');
  const agent = keepAliveAgent(plan.nonStreamPerPoint * plan.nonStreamPoints.length);
  try {
    const perPoint = await Promise.all(
      plan.nonStreamPoints.map(async (p) => {
        const { results } = await runBounded(plan.nonStreamPerPoint, plan.nonStreamPerPoint, plan.deadlineMs, () =>
          timedPost({ baseUrl: nonStreamUrl, agent, timeoutMs: plan.timeoutMs }, CHAT_PATH, chatBody({ model: BENCH_MODELS[0], stream: false, maxTokens: p.maxTokens, temperature: p.temperature })),
        );
        return { p, samples: results.filter((r) => r.status === 200 && !r.error).map((r) => r.totalMs) };
      }),
    );
    for (const { p, samples } of perPoint) {
      checks.push(judgeNonStreamDelay({ maxTokens: p.maxTokens, temperature: p.temperature, overhead: { p50: 0, p90: 0 }, floorMs: NONSTREAM_FLOOR_MS, samples }));
    }
    const [ref, ...others] = perPoint;
    for (const o of others) {
      checks.push(judgeNonStreamDelta({ point: { ...o.p, samples: o.samples }, reference: { ...ref.p, samples: ref.samples }, floorMs: NONSTREAM_FLOOR_MS }));
    }
  } finally {
    agent.destroy();
  }

  const findings = checks.filter((c) => c.verdict === 'mismatch').map((c) => `timing fidelity: ${c.metric} ${c.label}: ${c.detail}`);
  return {
    result: {
      measured: measuredRaw.map((m) => ({ ttftMs: m.server.ttftMs, itlMs: m.server.itlMs, ttft: describe(m.ttft), itl: describe(m.itl), errors: m.errors })),
      checks,
      findings,
    },
    metrics,
  };
}
