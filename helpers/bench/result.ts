/**
 * The bench result file: one JSON document per run (schema documented in docs/benchmarks.md, "Result file").
 * `version` changes whenever a field changes meaning; --baseline refuses a file of another version
 * instead of comparing apples with pears.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import type { FidelityResult } from './fidelity-scenario';
import type { HarnessCost } from './harness-cost';
import type { LatencyResult } from './latency-scenario';
import type { LoadResult } from './load-scenario';
import type { MemoryResult } from './memory-scenario';
import type { ProcSample } from './proc-stats';
import type { Comparison, MetricSamples } from './regression';

export const RESULT_SCHEMA = 'fakeai-e2e/bench';
export const RESULT_VERSION = 1;

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  totalMemMiB: number;
  platform: string;
  kernel: string;
  node: string;
  python: string | null;
  fakeai: string | null;
  /** 1-minute load average at start and end: how busy the machine was while we measured. */
  loadAvgStart: number;
  loadAvgEnd: number;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  version: typeof RESULT_VERSION;
  startedAt: string;
  durationMs: number;
  mode: 'quick' | 'full';
  machine: MachineFacts;
  target: { spawned: boolean; baseUrl: string; bootToReadyMs: number | null };
  latency: LatencyResult[];
  fidelity: FidelityResult | null;
  load: LoadResult;
  memory: MemoryResult | null;
  /** RSS/CPU of the main server sampled during the whole run. */
  rssTimeline: ProcSample[];
  harness: HarnessCost | null;
  /** Repeat samples per metric: what --baseline compares. */
  metrics: MetricSamples[];
  comparison: { baselineFile: string; baselineStartedAt: string; regressions: number; comparisons: Comparison[]; onlyInBaseline: string[]; onlyInCurrent: string[] } | null;
  /** Everything a reader should look at: fidelity mismatches, errors, leaks, regressions. */
  findings: string[];
  notes: string[];
}

export function machineFacts(python: string | null, fakeai: string | null, loadAvgStart: number): MachineFacts {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    python,
    fakeai,
    loadAvgStart,
    loadAvgEnd: os.loadavg()[0],
  };
}

const BaselineSchema = z
  .object({
    schema: z.literal(RESULT_SCHEMA),
    version: z.number(),
    startedAt: z.string(),
    metrics: z.array(z.object({ key: z.string(), direction: z.enum(['lower-is-better', 'higher-is-better']), absFloor: z.number(), repeats: z.array(z.number()) })),
  })
  .passthrough();

export function readBaseline(file: string): { startedAt: string; metrics: MetricSamples[]; loadAvg: number | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`--baseline ${file}: cannot read it as JSON (${(e as Error).message})`);
  }
  const parsed = BaselineSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`--baseline ${file}: not a bench result (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  }
  if (parsed.data.version !== RESULT_VERSION) {
    throw new Error(`--baseline ${file}: result version ${parsed.data.version}, this bench writes version ${RESULT_VERSION}; re-run the baseline with this version`);
  }
  const machine = (parsed.data as { machine?: { loadAvgStart?: unknown } }).machine;
  const loadAvg = typeof machine?.loadAvgStart === 'number' ? machine.loadAvgStart : null;
  return { startedAt: parsed.data.startedAt, metrics: parsed.data.metrics, loadAvg };
}
