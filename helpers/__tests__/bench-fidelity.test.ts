import { judgeNonStreamDelay, judgeNonStreamDelta, judgeTiming, nonStreamDelayRangeMs } from '../checks/fidelity';

const overhead = { p50: 1.0, p90: 1.4 };
const around = (center: number, halfWidth: number, n = 200) =>
  Array.from({ length: n }, (_, i) => center - halfWidth + (2 * halfWidth * i) / (n - 1));

describe('TTFT/ITL fidelity', () => {
  it('accepts a median at configured + overhead with the documented ±10 % jitter', () => {
    const c = judgeTiming({ metric: 'ttft', label: 'ttft 50', configuredMs: 50, variancePercent: 10, overhead, floorMs: 1, samples: around(51, 5) });
    expect(c.verdict).toBe('ok');
    expect(c.expectedMs).toBe(51);
    expect(c.toleranceMs).toBeCloseTo(5 + 1, 10);
  });

  it('rejects a server that ignores the setting (median at the zero-delay overhead)', () => {
    const c = judgeTiming({ metric: 'ttft', label: 'ttft 200', configuredMs: 200, variancePercent: 10, overhead, floorMs: 1, samples: around(1.2, 0.3) });
    expect(c.verdict).toBe('mismatch');
    expect(c.detail).toMatch(/median 1\.20 ms vs expected 201\.00/);
  });

  it('rejects a server that waits twice as long as configured', () => {
    expect(judgeTiming({ metric: 'itl', label: 'itl 20', configuredMs: 20, variancePercent: 10, overhead, floorMs: 1, samples: around(41, 4) }).verdict).toBe('mismatch');
  });

  it('widens the tolerance by the measured client scatter', () => {
    const noisy = { p50: 2, p90: 7 };
    const c = judgeTiming({ metric: 'itl', label: 'itl 20', configuredMs: 20, variancePercent: 10, overhead: noisy, floorMs: 1, samples: around(30, 1) });
    expect(c.toleranceMs).toBeCloseTo(2 + 10, 10);
    expect(c.verdict).toBe('ok');
  });

  it('calls a check inconclusive, not ok, when the client scatter is as wide as the setting', () => {
    const busy = { p50: 30, p90: 120 };
    const ignored = judgeTiming({ metric: 'ttft', label: 'ttft 50', configuredMs: 50, variancePercent: 10, overhead: busy, floorMs: 1, samples: around(30, 5) });
    expect(ignored.verdict).toBe('inconclusive');
    expect(ignored.detail).toMatch(/would pass too/);
  });

  it('fails with "no samples" rather than passing on nothing', () => {
    expect(judgeTiming({ metric: 'ttft', label: 'x', configuredMs: 50, variancePercent: 10, overhead, floorMs: 1, samples: [] }).verdict).toBe('mismatch');
  });
});

describe("FakeAI's non-streaming delay formula", () => {
  it('is 0.01·max_tokens·f(temperature) + uniform(0.2, 1.0) seconds', () => {
    expect(nonStreamDelayRangeMs(100, 0.2)).toEqual({ min: 700, max: 1500 });
    expect(nonStreamDelayRangeMs(100, 0.7)).toEqual({ min: 1200, max: 2000 });
    expect(nonStreamDelayRangeMs(100, 1.0)).toEqual({ min: 1700, max: 2500 });
  });

  it('accepts latencies spread over the formula range and rejects ones far below it', () => {
    const inRange = judgeNonStreamDelay({ maxTokens: 10, temperature: 0.2, overhead, floorMs: 2, samples: around(651, 390) });
    expect(inRange.verdict).toBe('ok');
    const tooFast = judgeNonStreamDelay({ maxTokens: 10, temperature: 0.2, overhead, floorMs: 2, samples: around(4, 1) });
    expect(tooFast.verdict).toBe('mismatch');
    expect(tooFast.detail).toMatch(/formula says 250–1050 ms/);
  });
});

describe('non-streaming delay as a difference between points measured together', () => {
  const ref = { maxTokens: 16, temperature: 0.2 };
  const big = { maxTokens: 300, temperature: 1.5 };

  it('accepts medians that differ as the formula says, even when congestion shifts both', () => {
    const c = judgeNonStreamDelta({ point: { ...big, samples: around(5100 + 300, 390, 20) }, reference: { ...ref, samples: around(680 + 300, 390, 20) }, floorMs: 50 });
    expect(c.verdict).toBe('ok');
  });

  it('rejects equal medians, which an absolute check passes on a busy machine', () => {
    const busy = around(300, 20, 20);
    expect(judgeNonStreamDelay({ ...ref, overhead, floorMs: 50, samples: busy }).verdict).toBe('ok');
    const c = judgeNonStreamDelta({ point: { ...big, samples: busy }, reference: { ...ref, samples: busy }, floorMs: 50 });
    expect(c.verdict).toBe('mismatch');
    expect(c.detail).toMatch(/median difference 0\.0 ms; formula says 4420/);
  });
});
