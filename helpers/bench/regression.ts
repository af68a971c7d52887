/**
 * Baseline comparison: is a metric worse than in an earlier run by more than the noise?
 *
 * THE RULE. Each compared metric is measured in R repeats (R ≥ 3 on both sides; one repeat = one
 * batch yielding, e.g., its p50 latency). With b = the baseline repeats and c = the current ones:
 *
 *   delta  = median(c) − median(b)                      (signed so that "worse" is positive)
 *   noise  = sqrt(σ(b)² + σ(c)²),  σ = 1.4826 × MAD    (robust spread of ONE repeat, each side)
 *   flag a regression when ALL of
 *     1. delta > NOISE_FACTOR × noise              — beyond what repeat-to-repeat scatter explains
 *     2. delta > MIN_RELATIVE × |median(b)|         — big enough to matter to a user
 *     3. delta > absFloor (per metric, e.g. 0.5 ms) — above timer and scheduler granularity
 *   and say "insufficient data" (never "regression") when either side has fewer than 3 repeats.
 *
 * WHY. Medians, not means: one repeat hit by another process on a 2-core shared machine must not
 * move the verdict. MAD, not standard deviation, for the same reason. We deliberately do NOT divide
 * the spread by √R (the textbook standard error of a median): repeats on a shared machine are not
 * independent — noise comes in bursts lasting several repeats — so the standard error would be
 * optimistic and flag every busy afternoon. Using one repeat's spread is conservative: it flags a
 * shift only when the medians differ by more than a typical single repeat wanders (×3). Condition 2
 * stops a very quiet metric (σ ≈ 0) from flagging a 1 % change nobody would care about; condition 3
 * does the same for sub-millisecond values where a clock tick is most of the figure.
 */
import { median, robustSigma } from '../core/distribution';

export const NOISE_FACTOR = 3;
export const MIN_RELATIVE = 0.1;
export const MIN_REPEATS = 3;

export type Direction = 'lower-is-better' | 'higher-is-better';

export interface MetricSamples {
  /** Stable identifier across runs, e.g. "latency.chat.nonstream.p50Ms". */
  key: string;
  direction: Direction;
  /** Changes smaller than this (in the metric's unit) are never flagged. */
  absFloor: number;
  repeats: number[];
}

export interface Comparison {
  key: string;
  verdict: 'regression' | 'improvement' | 'same' | 'insufficient-data';
  baselineMedian: number | null;
  currentMedian: number | null;
  /** Signed change, positive = worse. */
  delta: number | null;
  noise: number | null;
  /** The threshold the worse-direction delta had to beat (max of the three conditions). */
  threshold: number | null;
  reason: string;
}

export function compareMetric(baseline: MetricSamples, current: MetricSamples): Comparison {
  const key = current.key;
  if (baseline.repeats.length < MIN_REPEATS || current.repeats.length < MIN_REPEATS) {
    return {
      key, verdict: 'insufficient-data', baselineMedian: null, currentMedian: null, delta: null, noise: null, threshold: null,
      reason: `needs ≥${MIN_REPEATS} repeats on both sides (baseline ${baseline.repeats.length}, current ${current.repeats.length})`,
    };
  }
  const mb = median(baseline.repeats);
  const mc = median(current.repeats);
  const sign = current.direction === 'lower-is-better' ? 1 : -1;
  const delta = sign * (mc - mb);
  const noise = Math.sqrt(robustSigma(baseline.repeats) ** 2 + robustSigma(current.repeats) ** 2);
  const threshold = Math.max(NOISE_FACTOR * noise, MIN_RELATIVE * Math.abs(mb), current.absFloor);
  const base = { key, baselineMedian: mb, currentMedian: mc, delta, noise, threshold };
  if (delta > threshold) {
    return { ...base, verdict: 'regression', reason: `worse by ${fmt(delta)} > threshold ${fmt(threshold)} (noise ${fmt(noise)})` };
  }
  if (-delta > threshold) {
    return { ...base, verdict: 'improvement', reason: `better by ${fmt(-delta)} > threshold ${fmt(threshold)}` };
  }
  return { ...base, verdict: 'same', reason: `change ${fmt(delta)} within threshold ${fmt(threshold)}` };
}

/** Compares every metric present in both runs; metrics only on one side are listed, not judged. */
export function compareRuns(
  baseline: readonly MetricSamples[],
  current: readonly MetricSamples[],
): { comparisons: Comparison[]; onlyInBaseline: string[]; onlyInCurrent: string[]; regressions: number } {
  const byKey = new Map(baseline.map((m) => [m.key, m]));
  const comparisons: Comparison[] = [];
  const onlyInCurrent: string[] = [];
  for (const c of current) {
    const b = byKey.get(c.key);
    if (b) comparisons.push(compareMetric(b, c));
    else onlyInCurrent.push(c.key);
  }
  const currentKeys = new Set(current.map((m) => m.key));
  const onlyInBaseline = baseline.map((m) => m.key).filter((k) => !currentKeys.has(k));
  return { comparisons, onlyInBaseline, onlyInCurrent, regressions: comparisons.filter((c) => c.verdict === 'regression').length };
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}
