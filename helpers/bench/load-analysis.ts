/**
 * Reading a concurrency sweep: per-level figures and the knee, the level where latency starts to
 * grow. Below the knee more concurrency buys throughput at the same latency; past it the server is
 * saturated and extra requests only queue (Little's law: latency ≈ concurrency / throughput).
 */
import { Distribution, describe } from '../core/distribution';

export interface LoadLevel {
  concurrency: number;
  requests: number;
  errors: number;
  wallMs: number;
  /** Completed requests (errors included) per second of wall time. */
  rps: number;
  errorRate: number;
  latency: Distribution | undefined;
  /** True when the time bound, not the request count, ended the level. */
  stoppedByTime: boolean;
}

export function summarizeLevel(concurrency: number, latenciesMs: readonly number[], errors: number, wallMs: number, stoppedByTime: boolean): LoadLevel {
  const requests = latenciesMs.length + errors;
  return {
    concurrency,
    requests,
    errors,
    wallMs,
    rps: wallMs > 0 ? (requests * 1000) / wallMs : 0,
    errorRate: requests > 0 ? errors / requests : 0,
    latency: describe(latenciesMs),
    stoppedByTime,
  };
}

/** A level counts as the knee when its median latency is this much above the lowest level's… */
export const KNEE_FACTOR = 1.5;
/** …and at least this many milliseconds above it (sub-millisecond wobbles are not a knee). */
export const KNEE_MIN_MS = 1;

export function findKnee(levels: readonly LoadLevel[]): { concurrency: number | null; reason: string } {
  const measured = [...levels].filter((l) => l.latency).sort((a, b) => a.concurrency - b.concurrency);
  if (measured.length < 2) return { concurrency: null, reason: 'needs two or more levels with successful requests' };
  const base = measured[0].latency!.p50;
  for (const l of measured.slice(1)) {
    const p50 = l.latency!.p50;
    if (p50 >= base * KNEE_FACTOR && p50 - base >= KNEE_MIN_MS) {
      return {
        concurrency: l.concurrency,
        reason: `p50 ${p50.toFixed(1)} ms at concurrency ${l.concurrency} vs ${base.toFixed(1)} ms at ${measured[0].concurrency} (≥ ${KNEE_FACTOR}×)`,
      };
    }
  }
  const last = measured[measured.length - 1];
  return { concurrency: null, reason: `p50 stayed within ${KNEE_FACTOR}× of ${base.toFixed(1)} ms up to concurrency ${last.concurrency}` };
}
