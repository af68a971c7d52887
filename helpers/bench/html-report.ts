/**
 * The self-contained HTML bench report: inline CSS and inline SVG from the e2e report's chart
 * functions (helpers/reporting/charts.ts), no scripts, nothing fetched. Pure: result in, HTML out.
 */
import { barChart, boxPlot, CHART_PALETTE, escapeXml, histogram, lineChart, type LineSeries } from '../reporting/charts';
import type { BenchResult } from './result';

const num = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? '—' : v.toFixed(d));

function section(title: string, body: string): string {
  return `<section><h2>${escapeXml(title)}</h2>${body}</section>`;
}

function htmlTable(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}

export function renderHtml(r: BenchResult): string {
  const parts: string[] = [];
  const m = r.machine;
  parts.push(`<p class="facts">${escapeXml(`FakeAI ${m.fakeai ?? '?'} · ${r.mode} run · ${r.startedAt} · ${(r.durationMs / 1000).toFixed(1)} s`)}<br>${escapeXml(`${m.cpuModel}, ${m.cores} cores, ${m.totalMemMiB} MiB · ${m.platform} ${m.kernel} · Node ${m.node} · Python ${m.python ?? '?'} · load avg ${m.loadAvgStart.toFixed(2)} → ${m.loadAvgEnd.toFixed(2)}`)}</p>`);

  if (r.findings.length) {
    parts.push(section(`Findings (${r.findings.length})`, `<ul class="findings">${r.findings.map((f) => `<li>${escapeXml(f)}</li>`).join('')}</ul>`));
  }

  // Latency distribution per model: one box per model and mode, then a histogram per cell.
  const cells = r.latency.filter((l) => l.totalSamplesMs.length > 0);
  const lat = [boxPlot(cells.map((l) => ({ label: `${l.model.split('/').pop()} ${l.mode}`, values: l.totalSamplesMs })), { title: 'Total latency per model and mode', unit: 'ms', width: 760 })];
  for (const l of cells) lat.push(histogram(l.totalSamplesMs, { title: `${l.model} · ${l.mode} (n=${l.totalSamplesMs.length})`, unit: 'ms', width: 370, height: 200 }));
  lat.push(htmlTable(['model', 'mode', 'n', 'p50', 'p90', 'p95', 'p99', 'max', 'TTFT p50', 'ITL p50'],
    r.latency.map((l) => [escapeXml(l.model), l.mode, String(l.total?.n ?? 0), num(l.total?.p50), num(l.total?.p90), num(l.total?.p95),
      `${num(l.total?.p99)}${l.total && !l.total.p99Reliable ? ' <span class="warn" title="fewer than 100 samples">*</span>' : ''}`, num(l.total?.max), num(l.ttft?.p50), num(l.itl?.p50, 2)])));
  parts.push(section('Latency', lat.join('\n')));

  if (r.fidelity) {
    // TTFT and ITL in separate charts: their scales differ tenfold.
    const timingBars = (metric: string) =>
      r.fidelity!.checks.filter((c) => c.metric === metric).flatMap((c) => [
        { label: `${c.configuredMs} exp`, value: c.expectedMs, color: CHART_PALETTE[0], tooltip: `${c.label}: expected ${c.expectedMs.toFixed(2)} ± ${c.toleranceMs.toFixed(2)} ms (configured + overhead)` },
        { label: `${c.configuredMs} got`, value: c.measured?.p50 ?? 0, color: c.verdict === 'mismatch' ? CHART_PALETTE[4] : CHART_PALETTE[1], tooltip: `${c.label}: measured median ${num(c.measured?.p50, 2)} ms (${c.verdict})` },
      ]);
    const bars = timingBars('ttft');
    const itlBars = timingBars('itl');
    const ns = r.fidelity.checks.filter((c) => c.metric === 'nonstream-delay');
    const nsBars = ns.flatMap((c) => [
      { label: c.label.replace('max_tokens=', '').replace(' temperature=', '/'), value: c.expectedMs, color: CHART_PALETTE[0], tooltip: `${c.label}: formula midpoint ${c.expectedMs.toFixed(0)} ms` },
      { label: 'got', value: c.measured?.p50 ?? 0, color: c.verdict === 'mismatch' ? CHART_PALETTE[4] : CHART_PALETTE[1] },
    ]);
    parts.push(section('Timing fidelity: configured vs measured', [
      bars.length ? barChart(bars, { title: 'TTFT: configured + overhead vs measured median', unit: 'ms', width: 370 }) : '',
      itlBars.length ? barChart(itlBars, { title: 'ITL: configured + overhead vs measured median', unit: 'ms', width: 370 }) : '',
      nsBars.length ? barChart(nsBars, { title: 'Non-streaming delay: formula midpoint vs measured median', unit: 'ms', width: 760 }) : '',
      htmlTable(['check', 'setting', 'configured', 'expected ± tol', 'measured p50', 'n', 'verdict'],
        r.fidelity.checks.map((c) => [c.metric, escapeXml(c.label), num(c.configuredMs), `${num(c.expectedMs)} ± ${num(c.toleranceMs)}`, num(c.measured?.p50, 2), String(c.measured?.n ?? 0), c.verdict === 'ok' ? '<span class="ok">ok</span>' : c.verdict === 'mismatch' ? '<span class="bad">mismatch</span>' : '<span class="warn">inconclusive</span>'])),
    ].join('\n')));
  }

  const L = r.load;
  const withLat = L.levels.filter((l) => l.latency);
  const loadCharts = [
    lineChart([{ name: 'req/s', points: L.levels.map((l) => ({ x: l.concurrency, y: l.rps, tooltip: `concurrency ${l.concurrency}: ${l.rps.toFixed(0)} req/s` })) }], { title: 'Throughput vs concurrency', xLabel: 'concurrency', unit: 'req/s', width: 370 }),
    lineChart([{ name: 'p95', points: withLat.map((l) => ({ x: l.concurrency, y: l.latency!.p95, tooltip: `concurrency ${l.concurrency}: p95 ${l.latency!.p95.toFixed(1)} ms (n=${l.latency!.n})` })) }], { title: 'p95 latency vs concurrency', xLabel: 'concurrency', unit: 'ms', width: 370 }),
    `<p>Knee: <b>${L.knee.concurrency ?? 'none'}</b> — ${escapeXml(L.knee.reason)}</p>`,
    htmlTable(['client (concurrency 1)', 'requests', 'errors', 'ms/request', 'overhead vs autocannon'],
      L.clients.map((c) => [c.client, String(c.requests), String(c.errors), c.msPerRequest.toFixed(3), c.client === 'autocannon' ? '—' : `${num(L.clientOverheadMs[c.client], 3)} ms`])),
  ];
  parts.push(section(`Load: ${L.endpoint}`, loadCharts.join('\n')));

  if (r.rssTimeline.length > 1 || r.memory) {
    const series: LineSeries[] = [];
    if (r.rssTimeline.length > 1) series.push({ name: 'RSS over time', points: r.rssTimeline.map((s) => ({ x: s.atMs / 1000, y: s.rssKiB / 1024, tooltip: `${(s.atMs / 1000).toFixed(1)} s: ${(s.rssKiB / 1024).toFixed(1)} MiB` })) });
    const mem = [series.length ? lineChart(series, { title: 'Server RSS over the run', xLabel: 'seconds', unit: 'MiB', width: 760 }) : ''];
    if (r.memory) {
      mem.push(lineChart(r.memory.series.map((s, i) => ({ name: `${s.prompts} prompts`, color: CHART_PALETTE[i], points: s.rounds.map((x) => ({ x: x.requests, y: x.rssKiB / 1024 })) })), { title: 'RSS after each round', xLabel: 'requests in the series', unit: 'MiB', width: 760 }));
      mem.push(htmlTable(['prompts', 'verdict', 'KiB per 1k requests', 'CPU ms per 1k requests', 'why'], r.memory.series.map((s) => [s.prompts, s.verdict.verdict === 'growing' ? '<span class="bad">growing</span>' : s.verdict.verdict, num(s.verdict.kibPer1kRequests, 0), num(s.cpuMsPer1kRequests, 0), escapeXml(s.verdict.reason)])));
    }
    parts.push(section('Server memory and CPU', mem.join('\n')));
  }

  if (r.harness) parts.push(section('Harness cost of one npm run e2e', htmlTable(['phase', 'value'], Object.entries(r.harness).map(([k, v]) => [escapeXml(k), escapeXml(String(typeof v === 'number' ? v.toFixed(0) : v))]))));
  if (r.comparison) {
    const c = r.comparison;
    parts.push(section(`Against baseline (${c.regressions} regression(s))`, htmlTable(['metric', 'baseline', 'now', 'verdict', 'why'],
      c.comparisons.map((x) => [escapeXml(x.key), num(x.baselineMedian, 2), num(x.currentMedian, 2), x.verdict === 'regression' ? `<span class="bad">regression</span>` : x.verdict, escapeXml(x.reason)]))));
  }
  if (r.notes.length) parts.push(section('Notes', `<ul>${r.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul>`));

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FakeAI bench ${escapeXml(r.startedAt)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111827;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #e5e7eb}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #e5e7eb;padding:3px 8px;text-align:right}
td:first-child,th:first-child,td:last-child{text-align:left}.facts{color:#4b5563}.ok{color:#16a34a}.bad{color:#dc2626;font-weight:600}
.warn{color:#d97706}.findings li{color:#991b1b}svg.chart{margin:6px 6px 6px 0;vertical-align:top}
</style></head><body>
<h1>FakeAI bench report</h1>
${parts.join('\n')}
</body></html>
`;
}
