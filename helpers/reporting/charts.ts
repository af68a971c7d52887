/**
 * Charts as pure functions: data in, a self-contained SVG string out. No DOM, no network, no
 * fonts to fetch, so the same code draws the e2e HTML report and the bench report, and unit tests
 * can check the markup without a browser.
 *
 * Stable API (the bench report depends on it): barChart, lineChart, histogram, boxPlot, escapeXml,
 * CHART_PALETTE. Every chart's root is `<svg class="chart chart-<kind>" data-points="N">`, and each
 * drawn datum carries class "datum" and a <title> tooltip. Non-finite values are rejected with a
 * RangeError rather than drawn as garbage.
 */
import { quantile } from '../core/stats';

export interface ChartOptions {
  title?: string;
  width?: number;
  height?: number;
  xLabel?: string;
  /** Unit appended to axis ticks and tooltips, e.g. "ms". */
  unit?: string;
  yLabel?: string;
}

export interface BarDatum {
  label: string;
  value: number;
  color?: string;
  /** Tooltip; defaults to "label: value unit". */
  tooltip?: string;
}

export interface LinePoint {
  x: number;
  y: number;
  tooltip?: string;
}

export interface LineSeries {
  name: string;
  points: LinePoint[];
  color?: string;
}

export interface BoxGroup {
  label: string;
  values: number[];
}

export const CHART_PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#db2777', '#65a30d'];

const PAD = { top: 28, right: 16, bottom: 44, left: 56 };

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function assertFinite(values: readonly number[], what: string): void {
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new RangeError(`${what}: every value must be a finite number, got ${bad}`);
}

/** 0-based "nice" upper bound and ticks (1, 2, 5 × 10^n steps). */
export function niceScale(max: number, tickCount = 5): { max: number; ticks: number[] } {
  if (!(max > 0)) return { max: 1, ticks: [0, 0.5, 1] };
  const rough = max / tickCount;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= rough) as number;
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { max: top, ticks };
}

function fmt(v: number, unit = ''): string {
  const abs = Math.abs(v);
  const s = abs >= 100 || Number.isInteger(v) ? v.toFixed(0) : abs >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit ? `${s} ${unit}` : s;
}

interface Frame {
  w: number;
  h: number;
  plotW: number;
  plotH: number;
}

function frame(opts: ChartOptions, dw: number, dh: number): Frame {
  const w = opts.width ?? dw;
  const h = opts.height ?? dh;
  return { w, h, plotW: w - PAD.left - PAD.right, plotH: h - PAD.top - PAD.bottom };
}

function open(kind: string, f: Frame, opts: ChartOptions, points: number): string {
  const label = escapeXml(opts.title ?? kind);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-${kind}" data-points="${points}" ` +
    `width="${f.w}" height="${f.h}" viewBox="0 0 ${f.w} ${f.h}" role="img" aria-label="${label}" ` +
    `font-family="system-ui, sans-serif" font-size="11">` +
    `<rect width="${f.w}" height="${f.h}" fill="#fff"/>` +
    (opts.title ? `<text x="${f.w / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600">${label}</text>` : '')
  );
}

function yAxis(f: Frame, ticks: number[], top: number, opts: ChartOptions): string {
  const parts = ticks.map((t) => {
    const y = PAD.top + f.plotH - (t / top) * f.plotH;
    return (
      `<line x1="${PAD.left}" x2="${PAD.left + f.plotW}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e7eb"/>` +
      `<text x="${PAD.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#374151">${escapeXml(fmt(t))}</text>`
    );
  });
  const yl = opts.yLabel ?? opts.unit;
  if (yl) {
    parts.push(`<text transform="translate(14 ${PAD.top + f.plotH / 2}) rotate(-90)" text-anchor="middle" fill="#374151">${escapeXml(yl)}</text>`);
  }
  parts.push(`<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + f.plotH}" stroke="#9ca3af"/>`);
  return parts.join('');
}

function xLabel(f: Frame, opts: ChartOptions): string {
  return opts.xLabel ? `<text x="${PAD.left + f.plotW / 2}" y="${f.h - 6}" text-anchor="middle" fill="#374151">${escapeXml(opts.xLabel)}</text>` : '';
}

function empty(kind: string, f: Frame, opts: ChartOptions): string {
  return `${open(kind, f, opts, 0)}<text x="${f.w / 2}" y="${f.h / 2}" text-anchor="middle" fill="#6b7280">no data</text></svg>`;
}

/** One bar per datum, in the order given. */
export function barChart(data: readonly BarDatum[], opts: ChartOptions = {}): string {
  const f = frame(opts, Math.max(320, 60 + data.length * 28), 260);
  if (data.length === 0) return empty('bar', f, opts);
  assertFinite(data.map((d) => d.value), 'barChart');
  const { max, ticks } = niceScale(Math.max(...data.map((d) => d.value)));
  const slot = f.plotW / data.length;
  const barW = Math.max(2, slot * 0.7);
  const bars = data.map((d, i) => {
    const bh = (Math.max(0, d.value) / max) * f.plotH;
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const y = PAD.top + f.plotH - bh;
    const tip = escapeXml(d.tooltip ?? `${d.label}: ${fmt(d.value, opts.unit)}`);
    const color = d.color ?? CHART_PALETTE[0];
    const label =
      slot >= 24
        ? `<text x="${(x + barW / 2).toFixed(1)}" y="${PAD.top + f.plotH + 14}" text-anchor="middle" fill="#374151">${escapeXml(d.label.length > 14 ? `${d.label.slice(0, 13)}…` : d.label)}</text>`
        : '';
    return `<rect class="datum" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${bh.toFixed(1)}" fill="${color}"><title>${tip}</title></rect>${label}`;
  });
  return `${open('bar', f, opts, data.length)}${yAxis(f, ticks, max, opts)}${bars.join('')}${xLabel(f, opts)}</svg>`;
}

/** Lines over a shared numeric x axis, with a dot per point and a legend when there are several series. */
export function lineChart(series: readonly LineSeries[], opts: ChartOptions = {}): string {
  const f = frame(opts, 640, 280);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return empty('line', f, opts);
  assertFinite(all.flatMap((p) => [p.x, p.y]), 'lineChart');
  const xMin = Math.min(...all.map((p) => p.x));
  const xMax = Math.max(...all.map((p) => p.x));
  const { max, ticks } = niceScale(Math.max(...all.map((p) => p.y)));
  const sx = (x: number) => PAD.left + (xMax === xMin ? f.plotW / 2 : ((x - xMin) / (xMax - xMin)) * f.plotW);
  const sy = (y: number) => PAD.top + f.plotH - (Math.max(0, y) / max) * f.plotH;
  const body = series.map((s, i) => {
    const color = s.color ?? CHART_PALETTE[i % CHART_PALETTE.length];
    const pts = s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    const dots = s.points.map(
      (p) =>
        `<circle class="datum" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(p.tooltip ?? `${s.name} #${p.x}: ${fmt(p.y, opts.unit)}`)}</title></circle>`,
    );
    return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts}"/>${dots.join('')}`;
  });
  const xTicks = [xMin, xMax].filter((v, i, a) => a.indexOf(v) === i);
  const xt = xTicks.map((x) => `<text x="${sx(x).toFixed(1)}" y="${PAD.top + f.plotH + 14}" text-anchor="middle" fill="#374151">${escapeXml(fmt(x))}</text>`);
  const legend =
    series.length > 1
      ? series
          .map((s, i) => {
            const color = s.color ?? CHART_PALETTE[i % CHART_PALETTE.length];
            const x = PAD.left + i * 110;
            return `<rect x="${x}" y="${f.h - 14}" width="10" height="10" fill="${color}"/><text x="${x + 14}" y="${f.h - 5}">${escapeXml(s.name)}</text>`;
          })
          .join('')
      : xLabel(f, opts);
  return `${open('line', f, opts, all.length)}${yAxis(f, ticks, max, opts)}${body.join('')}${xt.join('')}${legend}</svg>`;
}

/** Distribution of values in equal-width bins from min to max. */
export function histogram(values: readonly number[], opts: ChartOptions & { bins?: number } = {}): string {
  const f = frame(opts, 480, 260);
  if (values.length === 0) return empty('histogram', f, opts);
  assertFinite(values, 'histogram');
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const bins = opts.bins ?? Math.max(1, Math.min(30, Math.ceil(Math.sqrt(values.length))));
  const width = hi === lo ? 1 : (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))] += 1;
  const { max, ticks } = niceScale(Math.max(...counts));
  const bw = f.plotW / bins;
  const bars = counts.map((c, i) => {
    const bh = (c / max) * f.plotH;
    const from = lo + i * width;
    const tip = escapeXml(`${fmt(from, opts.unit)} – ${fmt(from + width, opts.unit)}: ${c}`);
    return `<rect class="datum" x="${(PAD.left + i * bw + 1).toFixed(1)}" y="${(PAD.top + f.plotH - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="${CHART_PALETTE[0]}"><title>${tip}</title></rect>`;
  });
  const xt = [
    `<text x="${PAD.left}" y="${PAD.top + f.plotH + 14}" text-anchor="start" fill="#374151">${escapeXml(fmt(lo, opts.unit))}</text>`,
    `<text x="${PAD.left + f.plotW}" y="${PAD.top + f.plotH + 14}" text-anchor="end" fill="#374151">${escapeXml(fmt(hi === lo ? lo + 1 : hi, opts.unit))}</text>`,
  ];
  const o = { ...opts, yLabel: opts.yLabel ?? 'count' };
  return `${open('histogram', f, opts, values.length)}${yAxis(f, ticks, max, o)}${bars.join('')}${xt.join('')}${xLabel(f, opts)}</svg>`;
}

/** One box (quartiles, median line, min–max whiskers) per group. */
export function boxPlot(groups: readonly BoxGroup[], opts: ChartOptions = {}): string {
  const nonEmpty = groups.filter((g) => g.values.length > 0);
  const f = frame(opts, Math.max(320, 80 + nonEmpty.length * 110), 280);
  if (nonEmpty.length === 0) return empty('box', f, opts);
  for (const g of nonEmpty) assertFinite(g.values, `boxPlot "${g.label}"`);
  const { max, ticks } = niceScale(Math.max(...nonEmpty.flatMap((g) => g.values)));
  const sy = (y: number) => PAD.top + f.plotH - (Math.max(0, y) / max) * f.plotH;
  const slot = f.plotW / nonEmpty.length;
  const boxes = nonEmpty.map((g, i) => {
    const [mn, q1, md, q3, mx] = [0, 0.25, 0.5, 0.75, 1].map((q) => quantile(g.values, q) as number);
    const cx = PAD.left + slot * i + slot / 2;
    const bw = Math.min(40, slot * 0.6);
    const color = CHART_PALETTE[i % CHART_PALETTE.length];
    const tip = escapeXml(`${g.label}: n=${g.values.length} min ${fmt(mn, opts.unit)}, median ${fmt(md, opts.unit)}, max ${fmt(mx, opts.unit)}`);
    return (
      `<g class="datum"><title>${tip}</title>` +
      `<line x1="${cx}" x2="${cx}" y1="${sy(mx).toFixed(1)}" y2="${sy(mn).toFixed(1)}" stroke="#374151"/>` +
      `<rect x="${(cx - bw / 2).toFixed(1)}" y="${sy(q3).toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.max(1, sy(q1) - sy(q3)).toFixed(1)}" fill="${color}" fill-opacity="0.35" stroke="${color}"/>` +
      `<line x1="${(cx - bw / 2).toFixed(1)}" x2="${(cx + bw / 2).toFixed(1)}" y1="${sy(md).toFixed(1)}" y2="${sy(md).toFixed(1)}" stroke="${color}" stroke-width="2"/></g>` +
      `<text x="${cx}" y="${PAD.top + f.plotH + 14}" text-anchor="middle" fill="#374151">${escapeXml(g.label.length > 18 ? `${g.label.slice(0, 17)}…` : g.label)}</text>`
    );
  });
  return `${open('box', f, opts, nonEmpty.length)}${yAxis(f, ticks, max, opts)}${boxes.join('')}${xLabel(f, opts)}</svg>`;
}
