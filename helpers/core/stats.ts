/**
 * Small descriptive statistics shared by the summary, the reports and the charts. Percentiles use
 * linear interpolation between closest ranks (the same definition as numpy's default), so a p95 of
 * 20 samples is not just "the 19th value".
 */

export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be within [0, 1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface Summary {
  count: number;
  min: number | null;
  median: number | null;
  p95: number | null;
  max: number | null;
  mean: number | null;
}

export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { count: 0, min: null, median: null, p95: null, max: null, mean: null };
  return {
    count: finite.length,
    min: Math.min(...finite),
    median: quantile(finite, 0.5),
    p95: quantile(finite, 0.95),
    max: Math.max(...finite),
    mean: finite.reduce((a, b) => a + b, 0) / finite.length,
  };
}
