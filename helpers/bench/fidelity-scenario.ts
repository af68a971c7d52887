/**
 * Timing fidelity against servers started with different FAKEAI_GENERATION__* settings. The server
 * configured with ttft 0 / itl 0 supplies the overhead (what the path costs without any sleep);
 * every other server's TTFT and ITL medians are judged against configured + overhead.
 */
import { type FidelityCheck, judgeNonStreamDelay, judgeNonStreamDelta, judgeTiming, overheadOf } from '../checks/fidelity';
import { type Distribution, describe, median } from '../core/distribution';
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

type StreamSamples = { ttft: number[]; itl: number[]; errors: number };

/**
 * Streams to every timing server in lock-step rounds: each round sends `concurrency` streams to each
 * server at once and waits for all. The zero-delay server's overhead is thereby measured under the
 * same machine load as the delayed servers' timings, instead of minutes earlier or later — on a
 * shared machine, load drifting between phases was the biggest error in the comparison.
 */
async function measureStreamsInterleaved(servers: readonly TimingServer[], plan: FidelityPlan): Promise<StreamSamples[]> {
  const agents = servers.map(() => keepAliveAgent(plan.concurrency));
  const out: StreamSamples[] = servers.map(() => ({ ttft: [], itl: [], errors: 0 }));
  const t0 = Date.now();
  try {
    for (let sent = 0; sent < plan.streamsPerServer && Date.now() - t0 < plan.deadlineMs; sent += plan.concurrency) {
      const batch = Math.min(plan.concurrency, plan.streamsPerServer - sent);
      await Promise.all(
        servers.flatMap((s, i) =>
          Array.from({ length: batch }, async () => {
            const r = await timedStream({ baseUrl: s.baseUrl, agent: agents[i], timeoutMs: plan.timeoutMs }, CHAT_PATH, chatBody({ model: BENCH_MODELS[0], stream: true, maxTokens: plan.maxTokens }));
            if (r.status !== 200 || r.error || !r.sawDone) {
              out[i].errors++;
              return;
            }
            if (r.ttftMs !== null) out[i].ttft.push(r.ttftMs);
            out[i].itl.push(...r.gapsMs);
          }),
        ),
      );
    }
  } finally {
    for (const a of agents) a.destroy();
  }
  return out;
}

export async function runFidelity(servers: readonly TimingServer[], nonStreamUrl: string, plan: FidelityPlan, progress: (m: string) => void): Promise<{ result: FidelityResult; metrics: MetricSamples[] }> {
  const zero = servers.find((s) => s.ttftMs === 0 && s.itlMs === 0);
  if (!zero) throw new Error('timing fidelity needs a server with ttft 0 and itl 0 to measure the overhead');
  progress(`fidelity streams on ${servers.map((s) => `ttft=${s.ttftMs}/itl=${s.itlMs}`).join(', ')}`);
  const samples = await measureStreamsInterleaved(servers, plan);
  const measuredRaw = servers.map((server, i) => ({ server, ...samples[i] }));
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
