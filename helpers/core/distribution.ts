/**
 * Descriptive statistics for benchmark samples. Pure functions over arrays of numbers, so every
 * figure the bench prints can be checked against fixed data in helpers/__tests__/bench-stats.test.ts.
 */
import { quantile } from './stats';

/** Below this many samples a p99 is just "one of the slowest few": we still compute it but say so. */
export const MIN_SAMPLES_FOR_P99 = 100;

export interface Distribution {
  /** Number of samples every figure below was computed from. */
  n: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  /** False when n < MIN_SAMPLES_FOR_P99: the p99 is then printed with a warning, never bare. */
  p99Reliable: boolean;
}

function checkFinite(samples: readonly number[]): void {
  for (const s of samples) {
    if (!Number.isFinite(s)) throw new RangeError(`sample is not a finite number: ${s}`);
  }
}

/**
 * Percentile (0..100) by linear interpolation between closest ranks, NumPy's default: the e2e
 * report's quantile(), so both reports give the same figure for the same samples.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of an empty sample');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  checkFinite(samples);
  return quantile(samples, p / 100) as number;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Median absolute deviation: a spread measure one outlier cannot inflate. */
export function mad(samples: readonly number[]): number {
  const m = median(samples);
  return median(samples.map((s) => Math.abs(s - m)));
}

/** MAD scaled to estimate a standard deviation for normally distributed data (× 1.4826). */
export function robustSigma(samples: readonly number[]): number {
  return 1.4826 * mad(samples);
}

/** Returns undefined for an empty sample: "no data" must not look like "0 ms". */
export function describe(samples: readonly number[]): Distribution | undefined {
  if (samples.length === 0) return undefined;
  checkFinite(samples);
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    p50: quantile(s, 0.5) as number,
    p90: quantile(s, 0.9) as number,
    p95: quantile(s, 0.95) as number,
    p99: quantile(s, 0.99) as number,
    max: s[s.length - 1],
    p99Reliable: s.length >= MIN_SAMPLES_FOR_P99,
  };
}

/** "p99 12.3 ms" or "p99 12.3 ms (n=40 < 100: unreliable)": the caveat travels with the number. */
export function formatP99(d: Distribution, unit = 'ms', digits = 1): string {
  const v = `p99 ${d.p99.toFixed(digits)} ${unit}`;
  return d.p99Reliable ? v : `${v} (n=${d.n} < ${MIN_SAMPLES_FOR_P99}: unreliable)`;
}

/** Least-squares line through (x, y) points; used for trends the leak verdict reports. */
export function linearFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number; r2: number } {
  if (xs.length !== ys.length || xs.length < 2) throw new RangeError('linearFit needs two or more (x, y) pairs');
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  if (sxx === 0) throw new RangeError('linearFit needs at least two distinct x values');
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/**
 * Theil–Sen slope: the median of the slopes between every pair of points. Unlike least squares, a
 * single jump (a one-off allocation, an arena being mapped) moves it little, so a flat series with
 * one step is not mistaken for steady growth.
 */
export function theilSenSlope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length < 2) throw new RangeError('theilSenSlope needs two or more (x, y) pairs');
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      if (xs[j] !== xs[i]) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
    }
  }
  if (slopes.length === 0) throw new RangeError('theilSenSlope needs at least two distinct x values');
  return median(slopes);
}

/**
 * Kendall's tau between position and value: +1 when every later point is higher than every earlier
 * one, about 0 for noise. Measures how consistently a series rises, independent of how much.
 */
export function kendallTau(ys: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < ys.length; i++) {
    for (let j = i + 1; j < ys.length; j++) {
      if (ys[j] > ys[i]) concordant++;
      else if (ys[j] < ys[i]) discordant++;
    }
  }
  const pairs = (ys.length * (ys.length - 1)) / 2;
  return pairs === 0 ? 0 : (concordant - discordant) / pairs;
}
