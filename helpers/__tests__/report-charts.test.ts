import { barChart, boxPlot, escapeXml, histogram, lineChart, niceScale } from '../reporting/charts';
import { quantile, summarize } from '../core/stats';

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe('chart functions', () => {
  it('draw one bar per datum, tallest bar for the largest value', () => {
    const svg = barChart([
      { label: 'gpt-4', value: 10 },
      { label: 'claude-3-opus', value: 40 },
    ]);
    expect(svg).toMatch(/^<svg [^>]*class="chart chart-bar" data-points="2"/);
    const heights = [...svg.matchAll(/class="datum"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(2);
    expect(heights[1]).toBeGreaterThan(heights[0] * 3.5);
  });

  it('draw a dot per point and a legend per series in a line chart', () => {
    const svg = lineChart([
      { name: 'a', points: [{ x: 1, y: 5 }, { x: 2, y: 7 }] },
      { name: 'b', points: [{ x: 1, y: 3 }] },
    ]);
    expect(count(svg, /<circle class="datum"/g)).toBe(3);
    expect(count(svg, /<polyline/g)).toBe(2);
    expect(svg).toContain('>b</text>');
  });

  it('bin every value of a histogram exactly once', () => {
    const values = [1, 2, 2, 3, 3, 3, 10];
    const svg = histogram(values, { bins: 3 });
    const tallies = [...svg.matchAll(/<title>[^<]*: (\d+)<\/title>/g)].map((m) => Number(m[1]));
    expect(tallies.reduce((a, b) => a + b, 0)).toBe(values.length);
  });

  it('draw one box per non-empty group', () => {
    const svg = boxPlot([{ label: 'x', values: [1, 2, 3] }, { label: 'empty', values: [] }, { label: 'y', values: [4] }]);
    expect(count(svg, /<g class="datum"/g)).toBe(2);
  });

  it('say "no data" instead of drawing nothing', () => {
    for (const svg of [barChart([]), lineChart([]), histogram([]), boxPlot([])]) {
      expect(svg).toContain('no data');
      expect(svg).toContain('data-points="0"');
    }
  });

  it('reject non-finite values instead of drawing NaN coordinates', () => {
    expect(() => barChart([{ label: 'x', value: NaN }])).toThrow(RangeError);
    expect(() => lineChart([{ name: 's', points: [{ x: 1, y: Infinity }] }])).toThrow(RangeError);
    expect(() => histogram([1, NaN])).toThrow(RangeError);
    expect(() => boxPlot([{ label: 'g', values: [NaN] }])).toThrow(/boxPlot "g"/);
  });

  it('escape labels so a model name cannot inject markup', () => {
    const svg = barChart([{ label: '<script>alert(1)</script>', value: 1 }]);
    expect(svg).not.toContain('<script>');
    expect(escapeXml(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&#39;');
  });

  it('choose round axis bounds that cover the data', () => {
    expect(niceScale(87)).toEqual({ max: 100, ticks: [0, 20, 40, 60, 80, 100] });
    expect(niceScale(0.31).max).toBeGreaterThanOrEqual(0.31);
  });
});

describe('statistics', () => {
  it('interpolate percentiles between ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([...Array(20).keys()].map((i) => i + 1), 0.95)).toBeCloseTo(19.05);
    expect(quantile([], 0.5)).toBeNull();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('summarize ignores non-finite samples and reports nulls when there is nothing', () => {
    expect(summarize([3, NaN, 1, 2])).toMatchObject({ count: 3, min: 1, median: 2, max: 3 });
    expect(summarize([])).toEqual({ count: 0, min: null, median: null, p95: null, max: null, mean: null });
  });
});
