/**
 * e2e-report.html: one self-contained file (inline CSS, inline SVG from charts.ts, a few lines of
 * inline JS, no external URL), so it opens from a CI artifact download without network access.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { barChart, boxPlot, escapeXml as esc, histogram } from './charts';
import { endpointRows, statusText } from './endpoint-table';
import { secs } from './live-lines';
import type { ReportModel } from './report-model';
import { fakeaiVersionLabel } from '../server/server-version';
import { openAiConformanceHtml } from './openai-conformance-view';

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#111827;background:#f9fafb}
header{padding:16px 24px;color:#fff}header.PASS{background:#15803d}header.FAIL,header.ERROR{background:#b91c1c}
header h1{margin:0;font-size:20px}main{padding:8px 24px 32px;max-width:1200px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin:14px 0}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #f3f4f6;vertical-align:top}
th{background:#f3f4f6}.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#15803d}.bad{color:#b91c1c}.warn{color:#b45309}.muted{color:#6b7280}
.cards{display:flex;gap:10px;flex-wrap:wrap}.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:8px 14px;min-width:90px}
.card b{display:block;font-size:20px}.charts{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}
pre{white-space:pre-wrap;background:#f3f4f6;padding:8px;border-radius:4px;font-size:12px;max-height:320px;overflow:auto}
input{padding:4px 8px;margin-bottom:6px;width:280px}`;

// Filters the request table as the user types; the page works without it.
const JS = `
document.getElementById('req-filter')?.addEventListener('input', function (e) {
  var q = e.target.value.toLowerCase();
  document.querySelectorAll('#requests tbody tr').forEach(function (tr) {
    tr.style.display = tr.textContent.toLowerCase().indexOf(q) === -1 ? 'none' : '';
  });
});`;

function table(head: string[], rows: string[][], id = ''): string {
  if (rows.length === 0) return '<p class="muted">none</p>';
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  return `<table${id ? ` id="${id}"` : ''}><thead><tr>${th}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}

const td = (s: string | number | null, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${esc(s === null ? '-' : String(s))}</td>`;
const tdNum = (s: string | number | null) => td(s, 'num');

function requestCharts(m: ReportModel): string {
  const items = m.requests.items;
  if (items.length === 0) return '<p class="muted">No requests were recorded in this run, so there is nothing to chart.</p>';
  const latency = barChart(
    items.map((r) => ({
      label: String(r.seq),
      value: r.durationMs,
      color: !r.ok ? '#dc2626' : r.stream ? '#9333ea' : '#2563eb',
      tooltip: `${r.batch} [${r.seq}/${r.of}] ${r.stream ? 'STREAM' : r.method} ${r.model ?? r.path}: ${r.durationMs.toFixed(1)} ms${r.ok ? '' : ' FAILED'}`,
    })),
    { title: 'Latency per request (purple: stream, blue: normal, red: failed)', unit: 'ms', xLabel: 'request, in completion order', width: Math.max(480, Math.min(1100, 80 + items.length * 14)) },
  );
  const groups = m.requests.byModel
    .map((g) => ({ label: g.model, values: items.filter((r) => (r.model ?? `${r.method} ${r.path}`) === g.model && r.stream && r.ttftMs !== null).map((r) => r.ttftMs as number) }))
    .filter((g) => g.values.length > 0);
  const ttft = boxPlot(groups, { title: 'Time to first token per model', unit: 'ms' });
  const hist = histogram(items.map((r) => r.durationMs), { title: 'Latency distribution', unit: 'ms' });
  return `<div class="charts"><div id="chart-latency">${latency}</div><div id="chart-ttft">${ttft}</div><div id="chart-histogram">${hist}</div></div>`;
}

const KIND_LABEL = { documented: '', websocket: 'WebSocket (not in /openapi.json)', undocumented: 'not in /openapi.json' } as const;

/** Every served route with its outcome when coverage was evaluated; otherwise the routes called. */
function routeSection(m: ReportModel): string {
  const r = m.apiRoutes;
  const c = m.routeCoverage;
  const ws = r.websocket > 0 ? ` + ${r.websocket} WebSocket` : '';
  const calls = `${r.calls} exchanges over ${r.exercised} documented${ws} routes · ${r.violations} contract violations`;
  const head = ['route', 'kind', 'exercised', 'calls', 'statuses', 'contract violations', 'drivers', 'reason'];
  const undocumented = r.byRoute
    .filter((x) => x.kind === 'undocumented')
    .map((x) => [td(`${x.method} ${x.path}`), td(KIND_LABEL.undocumented, 'warn'), td('called'), tdNum(x.calls), td(x.statuses.join(', ')), tdNum(x.violations), td(x.drivers.join(', ')), td(null)]);
  if (!c) {
    const rows = r.byRoute
      .filter((x) => x.kind !== 'undocumented')
      .map((x) => [td(`${x.method} ${x.route}`), td(KIND_LABEL[x.kind]), td('yes', 'ok'), tdNum(x.calls), td(x.statuses.join(', ')), tdNum(x.violations), td(x.drivers.join(', ')), td(null)]);
    return `<p>${calls} · coverage not evaluated (no API test ran)</p>${table(head, [...rows, ...undocumented], 'routes')}`;
  }
  const selection = c.selection ? ' (only selected tests ran)' : '';
  const summary = `<p class="${c.ok || c.selection ? '' : 'warn'}"><b>${c.exercised}/${c.counted}</b> served routes exercised (${c.percent.toFixed(1)} %, floor ${c.floor} %)${selection} · ${c.excluded} excluded with a reason · ${calls}</p>`;
  const stale = c.staleExclusions.length ? `<p class="warn">Stale exclusions (not served): ${esc(c.staleExclusions.join(', '))}</p>` : '';
  const rows = c.rows.map((x) => [
    td(x.route),
    td(KIND_LABEL[x.kind]),
    x.exercised ? td('yes', 'ok') : x.excluded ? td('excluded', 'warn') : td('NO', 'bad'),
    tdNum(x.requests),
    td(x.statuses.join(', ')),
    tdNum(x.violations),
    td(x.drivers.join(', ')),
    td(x.reason),
  ]);
  return `${summary}${stale}${table(head, [...rows, ...undocumented], 'routes')}`;
}

export function renderHtml(m: ReportModel): string {
  const t = m.totals;
  const rq = m.requests.summary;
  const cards = [
    ['tests', t.tests],
    ['passed', t.passed],
    ['failed', t.failed],
    ['skipped', t.skippedTests + t.skippedChecks],
    ['known defects', t.knownDefects],
    ...(t.fixedDefects > 0 ? [['known defects FIXED', t.fixedDefects]] : []),
    ['unexpected exceptions', t.unexpectedExceptions],
    ['requests', rq.total],
    ['wall time', secs(m.timings.wallMs)],
  ]
    .map(([k, v]) => `<div class="card"><b>${esc(String(v))}</b>${esc(String(k))}</div>`)
    .join('');

  const tests = table(
    ['capability', 'test', 'status', 'ms', 'detail'],
    m.tests.map((x) => [
      td(x.capability),
      td(x.name),
      td(x.status, x.status === 'passed' ? 'ok' : x.status === 'failed' ? 'bad' : 'warn'),
      tdNum(x.durationMs),
      `<td>${x.failureMessages.length ? `<details><summary>failure</summary><pre>${esc(x.failureMessages.join('\n'))}</pre></details>` : esc(x.skipReason ?? '')}</td>`,
    ]),
  );
  const l = rq.latencyMs;
  const reqSummary = `<p>${rq.ok}/${rq.total} successful · latency min ${secs(l.min)}, median ${secs(l.median)}, p95 ${secs(l.p95)}, max ${secs(l.max)} · TTFT median ${secs(rq.ttftMs.median)} · ${rq.tokens} tokens</p>`;
  const byModel = table(
    ['model / path', 'requests', 'streams', 'median latency', 'median TTFT', 'tokens'],
    m.requests.byModel.map((g) => [td(g.model), tdNum(g.requests), tdNum(g.streams), tdNum(secs(g.latencyMedianMs)), tdNum(secs(g.ttftMedianMs)), tdNum(g.tokens)]),
  );
  const requests = table(
    ['#', 'batch', 'kind', 'model / path', 'status', 'latency', 'TTFT', 'tokens', 'test'],
    m.requests.items.map((r) => [
      tdNum(`${r.seq}/${r.of}`),
      td(r.batch),
      td(r.stream ? 'STREAM' : r.method),
      td(r.model ?? r.path),
      td(r.ok ? `OK ${r.status ?? ''}` : `FAIL ${r.status ?? ''} ${r.error ?? ''}`, r.ok ? 'ok' : 'bad'),
      tdNum(secs(r.durationMs)),
      tdNum(r.ttftMs === null ? null : secs(r.ttftMs)),
      tdNum(r.tokens),
      td(r.test),
    ]),
    'requests',
  );
  const outcomeClass = { ok: 'ok', error: 'warn', 'not-served': 'bad', skipped: 'warn' } as const;
  const endpoints = table(
    ['endpoint', 'served', 'status', 'probes', 'response time (median)', 'range', 'note'],
    endpointRows(m.metricsEndpoints).map((e) => [
      td(e.path),
      td(e.served ? 'yes' : 'no', e.served ? 'ok' : 'bad'),
      td(statusText(e), outcomeClass[e.outcome]),
      tdNum(e.probes),
      tdNum(secs(e.medianMs)),
      tdNum(e.probes > 1 && e.minMs !== null ? `${secs(e.minMs)}–${secs(e.maxMs)}` : null),
      td(e.skipReason),
    ]),
    'endpoints',
  );
  const skips = table(['test', 'reason', 'source'], m.skips.map((s) => [td(s.test), td(s.reason), td(s.source)]));
  const defects = table(['id', 'test', 'summary', 'evidence'], m.defects.map((d) => [td(d.id), td(d.test), td(d.summary), `<td><pre>${esc(d.evidence)}</pre></td>`]));
  const exceptions = table(
    ['server', 'during', 'exception', 'allowed'],
    m.exceptions.map((f) => [
      td(f.server),
      td(f.tests.length ? f.tests.join(', ') : 'outside any test'),
      `<td><details><summary>${esc(f.headline)}</summary><pre>${esc(f.text)}</pre></details></td>`,
      td(f.allowed ? `expected${f.defect ? ` (known defect ${f.defect})` : ''}` : 'no', f.allowed ? 'warn' : 'bad'),
    ]),
  );
  const servers = table(
    ['name', 'FakeAI', 'url', 'pid', 'boot to ready', 'command'],
    m.servers.map((s) => [td(s.name), td(fakeaiVersionLabel(s)), td(s.baseUrl), tdNum(s.pid), tdNum(secs(s.bootToReadyMs)), td(s.command)]),
  );
  const b = m.build;
  const build = `<section id="build"><h2>Build</h2>${
    b
      ? table(['FakeAI', 'from', 'commit', 'installed by', 'ledger'], [[td(b.version ?? '(no version metadata)'), td(b.archive ?? b.origin ?? (b.fromIndex ? 'a package index (PyPI)' : '')), td(b.commit ?? ''), td(b.installedBy), td(m.ledger.note)]])
      : '<p>no build facts</p>'
  }${m.allowancesUnused.length ? `<p>Allowed exceptions never met on this build (not a failure here):</p>${table(['defect', 'pattern', 'file', 'why'], m.allowancesUnused.map((a) => [td(a.defect), td(a.pattern), td(a.file), td(a.why)]))}` : ''}</section>`;
  const fixed = m.fixed.length
    ? `<section id="fixed"><h2 class="ok">Fixed known defects</h2><p>Known defects that no longer reproduce on this build, which the ledger does not cover: news, not failures (--strict fails them).</p>${table(['id', 'test', 'summary', 'was at', 'seen now'], m.fixed.map((f) => [td(f.id), td(f.test), td(f.summary), `<td><pre>${esc(f.evidence)}</pre></td>`, td(f.seen, 'ok')]))}</section>`
    : '';
  const blocked = m.blocked.length
    ? `<section id="blocked"><h2>Blocked by a failed step</h2>${table(['test', 'needs step', 'cause'], m.blocked.map((x) => [td(x.test), td(x.step), td(x.cause, 'bad')]))}</section>`
    : '';
  const setup = m.harnessError ? `<section><h2 class="bad">Setup error (${esc(m.harnessError.code)})</h2><pre>${esc(m.harnessError.message)}</pre></section>` : '';
  const teardown = m.teardownError ? `<section><h2 class="bad">Teardown error</h2><pre>${esc(m.teardownError)}</pre></section>` : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fakeai-e2e ${esc(m.verdict)}: ${esc(m.verdictLine)}</title><style>${CSS}</style></head>
<body><header class="${m.verdict}"><h1 id="verdict">${esc(m.verdictLine)}</h1>
<div>generated ${esc(m.generatedAt)} · seed ${esc(String(m.seed ?? '-'))} · schema v${m.schemaVersion}</div></header><main>
<div class="cards">${cards}</div>${setup}${teardown}${build}${fixed}${blocked}
<section><h2>Requests</h2>${reqSummary}${requestCharts(m)}${byModel}</section>
<section><h2>Tests</h2>${tests}</section>
<section><h2>Skipped, with reasons</h2>${skips}</section>
<section><h2>Known defects</h2>${defects}</section>
<section><h2>Metrics endpoints</h2>${endpoints}</section>
<section id="route-coverage"><h2>API route coverage</h2>${routeSection(m)}</section>
<section id="openai-conformance-section"><h2>OpenAI conformance</h2>${openAiConformanceHtml(m.openaiConformance)}</section>
<section><h2>Exceptions in the server log</h2>${exceptions}</section>
<section><h2>Servers</h2>${servers}</section>
<section><h2>All requests</h2><input id="req-filter" placeholder="filter requests…">${requests}</section>
</main><script type="application/json" id="report-data">${JSON.stringify(m).replace(/</g, '\\u003c')}</script><script>${JS}</script></body></html>
`;
}

export function writeHtmlReport(model: ReportModel, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderHtml(model));
}
