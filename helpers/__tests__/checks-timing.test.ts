import { checkNonStreamDelay, checkStreamTiming, contentArrivals, streamTimings, type StreamTimings } from '../checks/timing';
import type { StreamEvent } from '../core/sse';

const at = (ps: Array<{ at: string }>) => ps.map((p) => p.at);

describe('checkNonStreamDelay (FakeAI formula: 0.01·max_tokens·f(temperature) + uniform(0.2, 1.0) s)', () => {
  const low = (samplesMs: number[]) => ({ maxTokens: 16, temperature: 0.2, samplesMs });
  const high = (samplesMs: number[]) => ({ maxTokens: 300, temperature: 1.5, samplesMs });

  test('passes latencies a server honouring the formula gives (difference of midpoints 4420 ms)', () => {
    // low: 80 ms + 0.2..1.0 s; high: 4500 ms + 0.2..1.0 s; medians 680 / 5100.
    expect(checkNonStreamDelay(low([400, 680, 1000]), high([4800, 5100, 5400]), 250)).toEqual([]);
    // The medians' random parts at opposite ends of their range: still within 800 + 250.
    expect(checkNonStreamDelay(low([1050, 1070, 1080]), high([4710, 4730, 4800]), 250)).toEqual([]);
  });

  test('fails what FakeAI 0.3.2 does: no wait at all, the same latency at both points', () => {
    const ps = checkNonStreamDelay(low([9, 10, 12]), high([11, 13, 14]), 250);
    expect(at(ps)).toEqual([
      '(max_tokens 16, temperature 0.2) median latency',
      '(max_tokens 300, temperature 1.5) median latency',
      'median (max_tokens 300, temperature 1.5) − median (max_tokens 16, temperature 0.2)',
    ]);
    expect(ps[2].expected).toContain('4420 ± 1050 ms');
  });

  test('fails a server that waits, but not by the formula (a fixed delay at both points)', () => {
    expect(at(checkNonStreamDelay(low([600, 700, 800]), high([600, 700, 800]), 250))).toEqual([
      '(max_tokens 300, temperature 1.5) median latency',
      'median (max_tokens 300, temperature 1.5) − median (max_tokens 16, temperature 0.2)',
    ]);
  });

  test('fails when a point has no successful response to time', () => {
    expect(at(checkNonStreamDelay(low([]), high([5000]), 250))).toEqual(['(max_tokens 16, temperature 0.2)']);
  });
});

const ev = (atMs: number, content: string | null): StreamEvent => ({
  index: 0,
  atMs,
  data: '',
  eventType: null,
  done: false,
  json: { choices: [{ delta: content === null ? { role: 'assistant' } : { content } }] },
  parseError: null,
});

describe('contentArrivals / streamTimings', () => {
  test('times only events that carry text: the role chunk and the finish chunk are not tokens', () => {
    const s = { events: [ev(5, null), ev(205, 'Hi'), ev(225, ' there'), ev(246, ''), { ...ev(247, null), done: true, json: undefined }] };
    expect(contentArrivals(s)).toEqual([205, 225]);
    expect(streamTimings([s, { events: [ev(1, null), ev(210, 'a'), ev(231, 'b'), ev(250, 'c')] }])).toEqual({ ttftMs: [205, 210], itlMs: [20, 21, 19] });
  });
});

describe('checkStreamTiming (TTFT 200 ms, ITL 20 ms, ±10 %, judged against the zero-delay server)', () => {
  const settings = { ttftMs: 200, itlMs: 20, variancePercent: 10, floorMs: 2 };
  const zero: StreamTimings = { ttftMs: [10, 11, 12, 12, 13, 14, 15, 16], itlMs: [0, 0, 0.1, 0.2, 0.1, 0, 0.3, 0.2] };
  const good: StreamTimings = { ttftMs: [198, 205, 210, 212, 214, 216, 220, 226], itlMs: [18.5, 19.5, 20.2, 20.8, 21, 21.4, 19.9, 20.6] };

  test('passes streams that waited the settings plus the overhead', () => {
    expect(checkStreamTiming(settings, good, zero)).toEqual([]);
  });

  test('fails a server that ignores the TTFT setting: first tokens come before the shortest possible wait', () => {
    const ps = checkStreamTiming(settings, { ...good, ttftMs: [12, 13, 14, 15, 16, 17, 18, 19] }, zero);
    expect(at(ps)).toEqual(['TTFT of every stream', 'TTFT median (configured 200 ms)']);
  });

  test('fails one stream that got its first token early (a KV-cache shortcut), even when the median is right', () => {
    expect(at(checkStreamTiming(settings, { ...good, ttftMs: [...good.ttftMs.slice(1), 60] }, zero))).toEqual(['TTFT of every stream']);
  });

  test('fails a server that waits too long (seconds read as ms would be far beyond the tolerance)', () => {
    expect(at(checkStreamTiming(settings, { ...good, ttftMs: good.ttftMs.map((t) => t + 60) }, zero))).toEqual(['TTFT median (configured 200 ms)']);
  });

  test('fails a server that ignores the ITL setting (tokens back to back)', () => {
    expect(at(checkStreamTiming(settings, { ...good, itlMs: [0, 0.1, 0, 0.2, 0.1, 0, 0, 0.3] }, zero))).toEqual(['ITL median (configured 20 ms)']);
  });

  test('fails when the overhead scatters as much as the setting: "inconclusive" is never a pass', () => {
    const noisy: StreamTimings = { ttftMs: [10, 12, 14, 15, 300, 320, 330, 340], itlMs: zero.itlMs };
    const ps = checkStreamTiming(settings, good, noisy);
    expect(at(ps)).toEqual(['TTFT median (configured 200 ms)']);
    expect(ps[0].actual).toMatch(/^inconclusive/);
  });

  test('fails when either server produced no samples', () => {
    expect(at(checkStreamTiming(settings, { ttftMs: [], itlMs: [] }, zero))).toEqual(['TTFT samples', 'ITL samples']);
  });
});
