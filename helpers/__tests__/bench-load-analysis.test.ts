import { findKnee, summarizeLevel } from '../bench/load-analysis';

const level = (c: number, p50: number) => summarizeLevel(c, Array.from({ length: 50 }, () => p50), 0, 1000, false);

describe('concurrency sweep', () => {
  it('computes throughput and error rate from what completed', () => {
    const l = summarizeLevel(8, [10, 12, 14], 1, 500, true);
    expect(l).toMatchObject({ requests: 4, errors: 1, rps: 8, errorRate: 0.25, stoppedByTime: true });
    expect(l.latency!.n).toBe(3);
  });

  it('finds the first level whose median latency is 1.5× the lowest level', () => {
    expect(findKnee([level(1, 4), level(8, 4.5), level(32, 9), level(64, 20)]).concurrency).toBe(32);
  });

  it('reports no knee while latency stays flat', () => {
    const k = findKnee([level(1, 4), level(8, 4.4), level(32, 5)]);
    expect(k.concurrency).toBeNull();
    expect(k.reason).toMatch(/stayed within/);
  });

  it('ignores a 1.5× growth that is below one millisecond', () => {
    expect(findKnee([level(1, 0.4), level(8, 0.9)]).concurrency).toBeNull();
  });

  it('cannot name a knee from a single level or from levels where everything failed', () => {
    expect(findKnee([level(1, 4)]).concurrency).toBeNull();
    expect(findKnee([level(1, 4), summarizeLevel(8, [], 10, 100, false)]).concurrency).toBeNull();
  });
});
