/**
 * How much each phase measures. `quick` keeps the whole run under ~60 s on a 2-core machine (CI);
 * `full` under ~10 min. Every phase is bounded by a count AND a time.
 */
import type { FidelityPlan } from './fidelity-scenario';
import type { LatencyPlan } from './latency-scenario';
import type { LoadPlan } from './load-scenario';
import type { MemoryPlan } from './memory-scenario';

export interface BenchPlan {
  latency: LatencyPlan;
  fidelity: FidelityPlan;
  load: LoadPlan;
  memory: MemoryPlan;
  rssSampleMs: number;
}

const NONSTREAM_POINTS = [
  { maxTokens: 16, temperature: 0.2 },
  { maxTokens: 100, temperature: 0.7 },
  { maxTokens: 300, temperature: 1.5 },
];

export const PLANS: Record<'quick' | 'full', BenchPlan> = {
  quick: {
    // 100 per cell: the smallest count with a p99 worth printing bare.
    latency: { perCell: 100, concurrency: 4, maxTokens: 16, deadlineMs: 7_000, timeoutMs: 15_000 },
    fidelity: { streamsPerServer: 40, concurrency: 4, maxTokens: 12, nonStreamPerPoint: 10, nonStreamPoints: NONSTREAM_POINTS, deadlineMs: 8_000, timeoutMs: 15_000 },
    load: { levels: [1, 8, 32, 64], requestsPerLevel: 300, secondsPerLevel: 3, clientCompareRounds: 3, clientCompareSeconds: 0.7, timeoutMs: 15_000 },
    memory: { rounds: 5, requestsPerRound: 150, concurrency: 8, timeoutMs: 15_000 },
    rssSampleMs: 250,
  },
  full: {
    latency: { perCell: 1000, concurrency: 4, maxTokens: 16, deadlineMs: 30_000, timeoutMs: 30_000 },
    fidelity: { streamsPerServer: 200, concurrency: 4, maxTokens: 24, nonStreamPerPoint: 15, nonStreamPoints: NONSTREAM_POINTS, deadlineMs: 60_000, timeoutMs: 30_000 },
    load: { levels: [1, 8, 32, 64], requestsPerLevel: 4000, secondsPerLevel: 20, clientCompareRounds: 5, clientCompareSeconds: 3, timeoutMs: 30_000 },
    memory: { rounds: 8, requestsPerRound: 1000, concurrency: 8, timeoutMs: 30_000 },
    rssSampleMs: 1000,
  },
};
