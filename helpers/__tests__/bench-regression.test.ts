import { compareMetric, compareRuns, MetricSamples } from '../bench/regression';

const lat = (repeats: number[], absFloor = 0.5): MetricSamples => ({ key: 'latency.p50Ms', direction: 'lower-is-better', absFloor, repeats });
const tput = (repeats: number[]): MetricSamples => ({ key: 'load.c8.rps', direction: 'higher-is-better', absFloor: 1, repeats });

describe('baseline comparison rule', () => {
  it('flags a latency shift far beyond the repeat-to-repeat noise', () => {
    const c = compareMetric(lat([10.0, 10.2, 9.9, 10.1, 10.0]), lat([13.0, 13.1, 12.9, 13.2, 13.0]));
    expect(c.verdict).toBe('regression');
    expect(c.delta).toBeCloseTo(3.0, 5);
  });

  it('does not flag the same shift when the repeats scatter more than it', () => {
    const c = compareMetric(lat([8, 10, 12, 9, 11]), lat([11, 15, 9, 14, 12]));
    expect(c.verdict).toBe('same');
    expect(c.threshold!).toBeGreaterThan(c.delta!);
  });

  it('does not flag a change that is beyond the noise but below 10 % on a very quiet metric', () => {
    const c = compareMetric(lat([100, 100, 100, 100]), lat([105, 105, 105, 105]));
    expect(c.noise).toBe(0);
    expect(c.verdict).toBe('same');
  });

  it('does not flag sub-floor changes on tiny values', () => {
    const c = compareMetric(lat([0.2, 0.2, 0.2]), lat([0.5, 0.5, 0.5]));
    expect(c.verdict).toBe('same');
  });

  it('is not moved by one wild repeat on either side', () => {
    const c = compareMetric(lat([10, 10.1, 9.9, 10, 60]), lat([10, 10.1, 9.9, 10.2, 10]));
    expect(c.verdict).toBe('same');
  });

  it('treats a throughput drop as a regression and a rise as an improvement', () => {
    expect(compareMetric(tput([1000, 1010, 990]), tput([700, 705, 695])).verdict).toBe('regression');
    expect(compareMetric(tput([700, 705, 695]), tput([1000, 1010, 990])).verdict).toBe('improvement');
  });

  it('says "insufficient data" instead of judging fewer than three repeats', () => {
    const c = compareMetric(lat([10, 10]), lat([50, 50, 50]));
    expect(c.verdict).toBe('insufficient-data');
    expect(c.reason).toMatch(/baseline 2/);
  });
});

describe('comparing whole runs', () => {
  it('counts regressions and lists metrics present on one side only', () => {
    const base = [lat([10, 10, 10]), { ...tput([100, 100, 100]), key: 'gone' }];
    const cur = [lat([20, 20, 20]), { ...tput([100, 100, 100]), key: 'new' }];
    const r = compareRuns(base, cur);
    expect(r.regressions).toBe(1);
    expect(r.onlyInBaseline).toEqual(['gone']);
    expect(r.onlyInCurrent).toEqual(['new']);
  });
});
