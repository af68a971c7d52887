import { leakVerdict, RssRound } from '../bench/leak';

/** Rounds of 1,000 requests; rss(i) gives KiB after round i. */
const rounds = (count: number, rss: (i: number) => number): RssRound[] =>
  Array.from({ length: count }, (_, i) => ({ requests: (i + 1) * 1000, rssKiB: rss(i) }));

// Deterministic "noise": a fixed pseudo-random wobble of ±200 KiB.
const wobble = (i: number) => [120, -200, 40, 180, -90, -160, 60, 200, -30, -110][i % 10];

describe('leak verdict from the RSS trend', () => {
  it('flags steady growth of 500 KiB per 1,000 requests under noise', () => {
    const v = leakVerdict(rounds(8, (i) => 80_000 + 500 * i + wobble(i)));
    expect(v.verdict).toBe('growing');
    expect(v.kibPer1kRequests!).toBeGreaterThan(300);
  });

  it('does not flag a flat series with noise', () => {
    expect(leakVerdict(rounds(8, (i) => 80_000 + wobble(i))).verdict).toBe('stable');
  });

  it('does not flag warm-up: a big first-round jump, then flat', () => {
    const v = leakVerdict(rounds(6, (i) => (i === 0 ? 60_000 : 90_000 + wobble(i))));
    expect(v.verdict).toBe('stable');
  });

  it('does not flag a single late step that a before/after pair would call growth', () => {
    const series = rounds(8, (i) => (i < 6 ? 80_000 : 84_000) + wobble(i) / 10);
    expect(series[series.length - 1].rssKiB - series[1].rssKiB).toBeGreaterThan(3000);
    expect(leakVerdict(series).verdict).toBe('stable');
  });

  it('does not flag a consistent but negligible creep', () => {
    expect(leakVerdict(rounds(8, (i) => 80_000 + 10 * i)).verdict).toBe('stable');
  });

  it('refuses to judge from too few rounds', () => {
    const v = leakVerdict(rounds(4, (i) => 80_000 + 5000 * i));
    expect(v.verdict).toBe('insufficient-data');
    expect(v.reason).toMatch(/have 3/);
  });
});
