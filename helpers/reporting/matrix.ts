/**
 * `npm run matrix`: several builds' e2e-report.json files → one table, as data and as text,
 * Markdown and HTML. Pure: scripts/matrix.ts runs the builds, this module compares them.
 *
 * A build that could not start (setup error: a wheel that does not import) is a column that says
 * why; a build whose report is missing altogether says that instead of crashing the matrix.
 */
import type { ReportModel } from './report-model';

/** The parts of a run report the matrix reads (older or partial reports may lack some). */
export type RunReport = Pick<ReportModel, 'verdict' | 'verdictLine' | 'exitCode' | 'totals' | 'tests' | 'defects' | 'servers' | 'harnessError' | 'timings'> &
  Partial<Pick<ReportModel, 'build' | 'fixed' | 'routeCoverage' | 'skips' | 'ledger'>>;

export interface BuildRun {
  /** What --fakeai was given. */
  spec: string;
  exitCode: number | null;
  report: RunReport | null;
  /** Why there is no report, when there is none. */
  note?: string;
  /** Where its reports are. */
  dir: string;
}

export type TestOutcomeLabel = 'passed' | 'failed' | 'skipped' | 'todo' | 'known defect' | 'FIXED' | '—';

export interface MatrixColumn {
  spec: string;
  version: string | null;
  /** PASS / FAIL / CANNOT START / NO REPORT */
  result: string;
  /** One line: counts, or why it could not start. */
  detail: string;
  passed: number | null;
  failed: number | null;
  skipped: number | null;
  knownDefects: number | null;
  fixed: number | null;
  bootMs: number | null;
  routesServed: number | null;
  wallMs: number | null;
  dir: string;
}

export interface MatrixModel {
  generatedAt: string;
  columns: MatrixColumn[];
  /** Between each build and the one before it (in column order) that served routes. */
  routeChanges: { from: string; to: string; added: string[]; removed: string[] }[];
  /** Per known defect id: its state on each build (column order). */
  defects: { id: string; summary: string; on: ('shows' | 'FIXED' | 'not seen' | '—')[] }[];
  /** Tests whose outcome is not the same on every build that ran tests. */
  differingTests: { test: string; file: string; outcomes: TestOutcomeLabel[] }[];
  /** 0: every build either passed or could not start (that is its result); 1: some build failed. */
  exitCode: 0 | 1;
}

function servedRoutes(r: RunReport | null): string[] | null {
  const rows = r?.routeCoverage?.rows;
  if (!rows) return null;
  return rows.filter((x) => x.kind === 'documented').map((x) => x.route).sort();
}

function column(b: BuildRun): MatrixColumn {
  const r = b.report;
  const base = { spec: b.spec, dir: b.dir, version: r?.build?.version ?? null };
  if (!r) {
    return { ...base, result: 'NO REPORT', detail: b.note ?? `exit ${b.exitCode}, no e2e-report.json`, passed: null, failed: null, skipped: null, knownDefects: null, fixed: null, bootMs: null, routesServed: null, wallMs: null };
  }
  const served = servedRoutes(r);
  const boot = r.servers.find((s) => s.name === 'default')?.bootToReadyMs ?? null;
  if (r.verdict === 'ERROR') {
    const first = (r.harnessError?.message ?? '').split('\n')[0];
    return { ...base, result: 'CANNOT START', detail: `${r.harnessError?.code ?? 'ERROR'}: ${first}`, passed: null, failed: null, skipped: null, knownDefects: null, fixed: null, bootMs: boot, routesServed: served?.length ?? null, wallMs: r.timings.wallMs };
  }
  const t = r.totals;
  return {
    ...base,
    result: r.verdict,
    detail: `${t.passed} passed, ${t.failed} failed, ${t.skippedTests} skipped, ${t.knownDefects} known defects${t.fixedDefects ? `, ${t.fixedDefects} FIXED` : ''}`,
    passed: t.passed,
    failed: t.failed,
    skipped: t.skippedTests,
    knownDefects: t.knownDefects,
    fixed: t.fixedDefects ?? 0,
    bootMs: boot,
    routesServed: served?.length ?? null,
    wallMs: r.timings.wallMs,
  };
}

/**
 * A test's name without what varies by build: the known-defect suffix (it carries the evidence
 * line, which moves between releases) and a skip's reason (it names the version).
 */
export function testKey(name: string): string {
  return name.replace(/ \[known FakeAI defect [^\]]*\]$/, '').replace(/ — skipped: .*$/s, '');
}

function outcomeOf(r: RunReport, test: { name: string; status: string }): TestOutcomeLabel {
  if (r.fixed?.some((f) => f.test === test.name || test.name.endsWith(f.test))) return 'FIXED';
  if (test.status === 'passed' && r.defects.some((d) => test.name.endsWith(d.test))) return 'known defect';
  return test.status as TestOutcomeLabel;
}

export function buildMatrix(runs: readonly BuildRun[], now = new Date()): MatrixModel {
  const columns = runs.map(column);

  const routeChanges: MatrixModel['routeChanges'] = [];
  let prev: { spec: string; routes: string[] } | null = null;
  for (const b of runs) {
    const routes = servedRoutes(b.report);
    if (!routes) continue;
    if (prev) {
      const before = new Set(prev.routes);
      const after = new Set(routes);
      routeChanges.push({ from: prev.spec, to: b.spec, added: routes.filter((x) => !before.has(x)), removed: prev.routes.filter((x) => !after.has(x)) });
    }
    prev = { spec: b.spec, routes };
  }

  const ids = new Map<string, string>();
  for (const b of runs) for (const d of [...(b.report?.defects ?? []), ...(b.report?.fixed ?? [])]) if (!ids.has(d.id)) ids.set(d.id, d.summary);
  const defects = [...ids].sort(([a], [b]) => a.localeCompare(b)).map(([id, summary]) => ({
    id,
    summary,
    on: runs.map((b) => {
      const r = b.report;
      if (!r || r.verdict === 'ERROR') return '—' as const;
      if (r.fixed?.some((f) => f.id === id)) return 'FIXED' as const;
      return r.defects.some((d) => d.id === id) ? ('shows' as const) : ('not seen' as const);
    }),
  }));

  const ran = runs.filter((b) => b.report && b.report.verdict !== 'ERROR');
  const names = new Map<string, string>();
  for (const b of ran) for (const t of b.report!.tests) names.set(testKey(t.name), t.file);
  const differingTests: MatrixModel['differingTests'] = [];
  for (const [test, file] of names) {
    const outcomes = runs.map((b): TestOutcomeLabel => {
      const r = b.report;
      if (!r || r.verdict === 'ERROR') return '—';
      const t = r.tests.find((x) => testKey(x.name) === test);
      return t ? outcomeOf(r, t) : '—';
    });
    const seen = new Set(outcomes.filter((_, i) => runs[i].report && runs[i].report!.verdict !== 'ERROR'));
    if (seen.size > 1) differingTests.push({ test, file, outcomes });
  }
  differingTests.sort((a, b) => a.file.localeCompare(b.file) || a.test.localeCompare(b.test));

  return { generatedAt: now.toISOString(), columns, routeChanges, defects, differingTests, exitCode: columns.some((c) => c.result === 'FAIL' || c.result === 'NO REPORT') ? 1 : 0 };
}

const secs = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
const num = (n: number | null) => (n === null ? '—' : String(n));

/** The table rows, shared by the text, Markdown and HTML renderings. */
export function matrixRows(m: MatrixModel): string[][] {
  const c = m.columns;
  return [
    ['build', ...c.map((x) => x.spec)],
    ['version', ...c.map((x) => x.version ?? '—')],
    ['result', ...c.map((x) => x.result)],
    ['passed', ...c.map((x) => num(x.passed))],
    ['failed', ...c.map((x) => num(x.failed))],
    ['skipped', ...c.map((x) => num(x.skipped))],
    ['known defects', ...c.map((x) => num(x.knownDefects))],
    ['FIXED', ...c.map((x) => num(x.fixed))],
    ['boot to ready', ...c.map((x) => secs(x.bootMs))],
    ['routes served', ...c.map((x) => num(x.routesServed))],
    ['wall time', ...c.map((x) => secs(x.wallMs))],
  ];
}

function routeChangeLines(m: MatrixModel): string[] {
  return m.routeChanges.map((r) => `${r.from} → ${r.to}: ${r.added.length} added${r.added.length ? ` (${r.added.join(', ')})` : ''}, ${r.removed.length} removed${r.removed.length ? ` (${r.removed.join(', ')})` : ''}`);
}

export function renderMatrixText(m: MatrixModel): string {
  const rows = matrixRows(m);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const out = ['', `FakeAI build matrix (${m.generatedAt})`, ''];
  for (const r of rows) out.push(`  ${r.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`);
  for (const c of m.columns.filter((x) => x.result !== 'PASS')) out.push('', `  ${c.spec}: ${c.result} — ${c.detail}`);
  out.push('', 'Routes between consecutive builds');
  out.push(...(m.routeChanges.length ? routeChangeLines(m).map((l) => `  ${l}`) : ['  (fewer than two builds served routes)']));
  out.push('', `Known defects per build (${m.columns.map((c) => c.spec).join(' | ')})`);
  for (const d of m.defects) out.push(`  ${d.id.padEnd(38)} ${d.on.join(' | ')}`);
  out.push('', `Tests whose outcome differs (${m.differingTests.length})`);
  for (const t of m.differingTests) out.push(`  ${t.outcomes.join(' | ').padEnd(40)} ${t.test} (${t.file})`);
  out.push('', m.exitCode === 0 ? '✓ MATRIX: every build passed or could not start (its column says why)' : '✗ MATRIX: a build failed its tests', '');
  return out.join('\n');
}

export function renderMatrixMarkdown(m: MatrixModel): string {
  const rows = matrixRows(m);
  const line = (r: string[]) => `| ${r.map((x) => x.replace(/\|/g, '\\|')).join(' | ')} |`;
  const out = [line(rows[0]), line(rows[0].map(() => '---')), ...rows.slice(1).map(line), ''];
  for (const c of m.columns.filter((x) => x.result !== 'PASS')) out.push(`- **${c.spec}**: ${c.result} — ${c.detail}`);
  out.push('', ...routeChangeLines(m).map((l) => `- routes ${l}`), '');
  out.push(line(['known defect', ...m.columns.map((c) => c.spec)]), line(['---', ...m.columns.map(() => '---')]), ...m.defects.map((d) => line([d.id, ...d.on])), '');
  out.push(line(['test whose outcome differs', ...m.columns.map((c) => c.spec)]), line(['---', ...m.columns.map(() => '---')]), ...m.differingTests.map((t) => line([t.test, ...t.outcomes])), '');
  return out.join('\n');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderMatrixHtml(m: MatrixModel): string {
  const table = (rows: string[][]) => `<table><thead><tr>${rows[0].map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.slice(1).map((r) => `<tr>${r.map((c) => `<td class="${/^(FAIL|CANNOT START|NO REPORT|failed)$/.test(c) ? 'bad' : /^(PASS|FIXED)$/.test(c) ? 'ok' : ''}">${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const specs = m.columns.map((c) => c.spec);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>FakeAI build matrix</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}.bad{background:#fdd}.ok{background:#dfd}</style></head><body>
<h1>FakeAI build matrix</h1><p>generated ${esc(m.generatedAt)} · ${m.exitCode === 0 ? 'every build passed or could not start' : 'a build failed its tests'}</p>
${table(matrixRows(m))}
<ul>${m.columns.filter((c) => c.result !== 'PASS').map((c) => `<li><b>${esc(c.spec)}</b>: ${esc(c.result)} — ${esc(c.detail)} (reports: ${esc(c.dir)})</li>`).join('')}</ul>
<h2>Routes between consecutive builds</h2><ul>${routeChangeLines(m).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
<h2>Known defects per build</h2>${table([['known defect', ...specs], ...m.defects.map((d) => [d.id, ...d.on])])}
<h2>Tests whose outcome differs</h2>${table([['test', 'file', ...specs], ...m.differingTests.map((t) => [t.test, t.file, ...t.outcomes])])}
<script type="application/json" id="matrix-data">${JSON.stringify(m).replace(/</g, '\\u003c')}</script></body></html>
`;
}
