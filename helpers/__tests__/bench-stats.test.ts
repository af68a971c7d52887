import { describe as describeDist, formatP99, kendallTau, linearFit, mad, median, percentile, robustSigma, theilSenSlope } from '../core/distribution';

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('percentiles', () => {
  it('interpolates between closest ranks like NumPy', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile(oneToHundred, 90)).toBeCloseTo(90.1, 10);
    expect(percentile(oneToHundred, 99)).toBeCloseTo(99.01, 10);
    expect(percentile([7], 99)).toBe(7);
  });

  it('does not depend on the order of the samples', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
  });

  it('refuses empty samples, non-finite samples and out-of-range percentiles', () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1, NaN], 50)).toThrow(/finite/);
    expect(() => percentile([1, Infinity], 50)).toThrow(/finite/);
    expect(() => percentile([1, 2], 101)).toThrow(/0\.\.100/);
  });

  it('reports the sample count with every distribution and no distribution for no data', () => {
    const d = describeDist(oneToHundred)!;
    expect(d).toMatchObject({ n: 100, min: 1, max: 100, p50: 50.5, mean: 50.5, p99Reliable: true });
    expect(d.p95).toBeCloseTo(95.05, 10);
    expect(describeDist([])).toBeUndefined();
  });
});

describe('p99 from too few samples', () => {
  it('marks a p99 from fewer than 100 samples as unreliable and says so when printed', () => {
    const d = describeDist(oneToHundred.slice(0, 99))!;
    expect(d.p99Reliable).toBe(false);
    expect(formatP99(d)).toMatch(/n=99 < 100: unreliable/);
  });

  it('prints a p99 from 100 samples without a caveat', () => {
    expect(formatP99(describeDist(oneToHundred)!)).toBe('p99 99.0 ms');
  });
});

describe('robust spread', () => {
  it('is not inflated by a single outlier', () => {
    expect(mad([10, 11, 12, 13, 14])).toBe(1);
    expect(mad([10, 11, 12, 13, 1000])).toBe(1);
    expect(robustSigma([10, 11, 12, 13, 1000])).toBeCloseTo(1.4826, 4);
    expect(median([10, 11, 12, 13, 1000])).toBe(12);
  });
});

describe('trends', () => {
  it('fits a straight line exactly', () => {
    const fit = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit.slope).toBeCloseTo(2, 10);
    expect(fit.intercept).toBeCloseTo(1, 10);
    expect(fit.r2).toBeCloseTo(1, 10);
  });

  it('Theil–Sen ignores a single step that least squares follows', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6];
    const ys = [100, 100, 100, 100, 100, 100, 300];
    expect(theilSenSlope(xs, ys)).toBe(0);
    expect(linearFit(xs, ys).slope).toBeGreaterThan(10);
  });

  it("Kendall's tau is 1 for a rising series, -1 for a falling one and near 0 for a zigzag", () => {
    expect(kendallTau([1, 2, 3, 4])).toBe(1);
    expect(kendallTau([4, 3, 2, 1])).toBe(-1);
    expect(Math.abs(kendallTau([1, 3, 1, 3, 1, 3]))).toBeLessThan(0.3);
  });

  it('refuses fits without two distinct x values', () => {
    expect(() => linearFit([1], [1])).toThrow();
    expect(() => linearFit([1, 1], [1, 2])).toThrow(/distinct/);
    expect(() => theilSenSlope([2, 2], [1, 2])).toThrow(/distinct/);
  });
});
