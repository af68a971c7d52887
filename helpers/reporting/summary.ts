/**
 * The final report in the terminal: ReportModel → text. Sections in the order people scan them:
 * tests, requests, metrics endpoints, server-log exceptions, server facts, run facts, verdict.
 */
import type { Palette } from './colours';
import { endpointRowLine, endpointRows } from './endpoint-table';
import { RULE_WIDTH, secs, skipText } from './live-lines';
import type { ReportModel } from './report-model';
import { fakeaiVersionLabel } from '../server/server-version';
import { renderOpenAiConformance } from './openai-conformance-view';

function section(title: string, p: Palette): string[] {
  return ['', p.bold(title)];
}

function kv(key: string, value: string | number): string {
  return `  ${`${key}:`.padEnd(16)}${value}`;
}

export interface SummaryOptions {
  /** List every served route, not only the ones nobody exercised. */
  verbose?: boolean;
}

export function renderSummary(m: ReportModel, p: Palette, options: SummaryOptions = {}): string {
  const out: string[] = ['', '='.repeat(RULE_WIDTH), 'FINAL TEST REPORT'.padStart((RULE_WIDTH + 17) / 2), '='.repeat(RULE_WIDTH)];

  if (m.harnessError) {
    out.push(...section(`Setup error (${m.harnessError.code})`, p), ...m.harnessError.message.split('\n').map((l) => `  ${l}`));
  }

  // With no tests run, the per-test sections would only say "none": show the error and the run facts.
  if (m.verdict !== 'ERROR') renderResults(m, p, options.verbose ?? false, out);
  renderFacts(m, p, out);
  const colour = m.verdict === 'PASS' ? p.green : p.red;
  out.push('', p.bold(colour(m.verdictLine)));
  // The plain count line CI systems read ("N passed, N failed" alone on a line); the verdict above
  // is for people. Known defects are tests that passed as expected failures.
  if (m.verdict !== 'ERROR') out.push(`e2e: ${m.totals.passed} passed, ${m.totals.failed} failed, ${m.totals.skippedTests} skipped`);
  out.push('');
  return out.join('\n');
}

function renderResults(m: ReportModel, p: Palette, verbose: boolean, out: string[]): void {
  const t = m.totals;
  out.push(...section('Test Summary', p));
  out.push(kv('Total tests', t.tests));
  out.push(kv('Passed', t.passed > 0 ? p.green(String(t.passed)) : '0'));
  out.push(kv('Failed', t.failed > 0 ? p.red(String(t.failed)) : '0'));
  if (t.fileErrors > 0) out.push(kv('File errors', p.red(String(t.fileErrors))));
  out.push(kv('Skipped', `${t.skippedTests} test${t.skippedTests === 1 ? '' : 's'}, ${t.skippedChecks} check${t.skippedChecks === 1 ? '' : 's'}`));
  for (const s of m.skips) out.push(`    ${p.yellow('○')} ${skipText(s.test, s.reason)}`);
  if (t.todo > 0) out.push(kv('Todo', t.todo));
  out.push(kv('Known defects', t.knownDefects));
  const seen = new Map<string, { summary: string; tests: number }>();
  for (const d of m.defects) seen.set(d.id, { summary: d.summary, tests: (seen.get(d.id)?.tests ?? 0) + 1 });
  for (const [id, d] of seen) out.push(`    ${p.yellow('◆')} ${id}${d.tests > 1 ? ` (${d.tests} tests)` : ''}: ${d.summary}`);
  renderFixed(m, p, out);
  if (m.blocked.length > 0) {
    out.push(kv('Blocked', `${m.blocked.length} test${m.blocked.length === 1 ? '' : 's'} stopped before their checks: a step they need failed`));
    for (const b of m.blocked) out.push(`    ${p.red('⊘')} ${b.test} ${p.dim(`— needs "${b.step}", ${b.cause}`)}`);
  }
  const ran = t.passed + t.failed;
  if (ran > 0) out.push(kv('Pass rate', `${((t.passed / ran) * 100).toFixed(1)}%`));
  for (const test of m.tests.filter((x) => x.status === 'failed')) out.push(`    ${p.red('✗')} ${test.name} ${p.dim(`(${test.file})`)}`);
  for (const f of m.files.filter((x) => x.error)) out.push(`    ${p.red('✗')} ${f.file} could not run`);

  const rq = m.requests.summary;
  out.push(...section('Request Summary', p));
  if (rq.total === 0) {
    out.push('  no requests recorded');
  } else {
    out.push(kv('Total requests', rq.total));
    out.push(kv('Successful', `${rq.ok} (${((rq.ok / rq.total) * 100).toFixed(1)}%)`));
    out.push(kv('Failed', rq.failed > 0 ? p.red(String(rq.failed)) : '0'));
    const l = rq.latencyMs;
    out.push(kv('Latency', `min ${secs(l.min)}  median ${secs(l.median)}  p95 ${secs(l.p95)}  max ${secs(l.max)}`));
    out.push(kv('TTFT (streams)', rq.ttftMs.count > 0 ? `median ${secs(rq.ttftMs.median)} over ${rq.ttftMs.count} stream${rq.ttftMs.count === 1 ? '' : 's'}` : 'no streams recorded'));
    out.push(kv('Tokens', rq.tokens));
  }

  renderExplorations(m, p, out);

  out.push(...section('Metrics Endpoints', p));
  if (m.metricsEndpoints.length === 0) out.push('  none probed');
  for (const row of endpointRows(m.metricsEndpoints)) out.push(endpointRowLine(row, p));

  renderRoutes(m, p, verbose, out);
  out.push(...renderOpenAiConformance(m.openaiConformance, p));

  out.push(...section('Server Log Exceptions', p));
  if (m.exceptions.length === 0) out.push(`  ${p.green('none')}`);
  // Unexpected ones in full; expected ones (provoked on purpose) one line per test.
  for (const f of m.exceptions.filter((x) => !x.allowed)) {
    const where = f.tests.length > 0 ? `during: ${f.tests.join(', ')}` : 'outside any test';
    out.push(`  ${p.red('✗')} ${f.headline}`, `      ${p.dim(`${f.server}, ${where}`)}`);
  }
  const expected = new Map<string, { n: number; defect: string | undefined; where: string }>();
  for (const f of m.exceptions.filter((x) => x.allowed)) {
    const where = f.tests.length > 0 ? f.tests.join(', ') : `outside any test, in ${f.file ?? 'an unknown file'}`;
    const key = `${f.defect}\0${where}`;
    const seen = expected.get(key);
    if (seen) seen.n++;
    else expected.set(key, { n: 1, defect: f.defect, where });
  }
  for (const { n, defect, where } of expected.values()) {
    const of = defect ? ` (known defect ${defect})` : '';
    out.push(`  ${p.yellow(`! ${n} expected${of}`)} ${p.dim(`during: ${where}`)}`);
  }
  if (m.teardownError) out.push(`  ${p.red('✗ after the tests (globalTeardown):')}`, ...m.teardownError.split('\n').map((l) => `    ${l}`));
}

/** One line per property run; a failure adds its reproducer and the command that replays it. */
function renderExplorations(m: ReportModel, p: Palette, out: string[]): void {
  if (m.explorations.length === 0) return;
  out.push(...section('Exploration', p));
  for (const e of m.explorations) {
    const known = Object.entries(e.knownDefects).map(([d, n]) => `${d} ×${n}`).join(', ');
    const mark = e.failure ? p.red('✗') : p.green('✓');
    out.push(`  ${mark} ${e.cases} cases in ${secs(e.durationMs)} (budget ${secs(e.budgetMs)}, seed ${e.seed}): ${e.test}`);
    if (known) out.push(`      ${p.dim(`known defects met: ${known}`)}`);
    for (const [view, why] of Object.entries(e.viewsDown)) out.push(`      ${p.dim(`${view} not read after it went down (${why})`)}`);
    if (e.failure) out.push(`      reproduce: ${e.failure.curl.length > 300 ? `${e.failure.curl.slice(0, 300)}…` : e.failure.curl}`, `      replay:    ${e.failure.replay}`);
  }
}

function renderRoutes(m: ReportModel, p: Palette, verbose: boolean, out: string[]): void {
  const r = m.apiRoutes;
  const c = m.routeCoverage;
  if (r.calls === 0 && !c) return;
  out.push(...section('API Routes', p));
  if (c) {
    const share = `${c.exercised}/${c.counted} served routes exercised (${c.percent.toFixed(1)} %, floor ${c.floor} %)`;
    out.push(kv('Coverage', c.ok ? share : c.selection ? `${share} ${p.dim('(a selection of tests)')}` : `${share} ${p.yellow('below the floor')}`));
    out.push(kv('Served', `${c.rows.length - c.websocket} in /openapi.json + ${plural(c.websocket, 'WebSocket route')}, ${c.excluded} excluded with a reason`));
  }
  const ws = r.websocket > 0 ? ` + ${plural(r.websocket, 'WebSocket route')}` : '';
  out.push(kv('Exchanges', `${r.calls} over ${plural(r.exercised, 'documented route')}${ws}`));
  out.push(kv('Violations', r.violations > 0 ? p.yellow(String(r.violations)) : '0'));
  if (r.undocumented > 0) out.push(kv('Undocumented', `${plural(r.undocumented, 'path')} not in /openapi.json`));
  if (!c) return;
  // The routes nobody exercised, with why (after a selection of tests only when asked for: most
  // are then unexercised by design); every route with --verbose.
  const unexercised = c.rows.filter((row) => !row.exercised && !row.excluded).length;
  const quietMissing = c.selection && !verbose && unexercised > 0;
  if (quietMissing) out.push(`    ${p.dim(`only selected tests ran: --verbose lists the ${plural(unexercised, 'route')} they did not exercise`)}`);
  for (const row of c.rows) {
    if (row.exercised && !verbose) continue;
    if (quietMissing && !row.excluded) continue;
    const tag = row.kind === 'websocket' ? p.dim(' (WebSocket)') : '';
    if (row.exercised) {
      const detail = `${plural(row.requests, 'call')}, status ${row.statuses.join('/') || '-'}${row.violations > 0 ? `, ${plural(row.violations, 'violation')}` : ''}${row.drivers.length ? ` (${row.drivers.join(', ')})` : ''}`;
      out.push(`    ${p.green('✓')} ${row.route}${tag}  ${p.dim(detail)}`);
    } else if (row.excluded) {
      out.push(`    ${p.yellow('○ excluded')} ${row.route}${tag}: ${row.reason}`);
    } else {
      out.push(`    ${p.red('✗ NOT exercised')} ${row.route}${tag}: ${row.reason}`);
    }
  }
  for (const s of c.staleExclusions) out.push(`    ${p.yellow('! stale exclusion')} ${s}: not served by this server; delete it from helpers/ledger/route-exclusions.ts`);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Known defects a build no longer shows: the best news of the day, in a section of its own. */
function renderFixed(m: ReportModel, p: Palette, out: string[]): void {
  if (m.fixed.length === 0) return;
  out.push(...section(`Fixed known defects (${m.totals.fixedDefects})`, p));
  const byId = new Map<string, typeof m.fixed>();
  for (const f of m.fixed) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  for (const [id, fs] of byId) {
    out.push(`  ${p.green('★')} FIXED ${id}: ${fs[0].summary}`);
    out.push(`      was at ${fs[0].evidence}; now ${fs.map((f) => f.seen).join('; ')}`);
  }
  out.push(p.dim('  On a build the ledger does not cover these are news, not failures (--strict fails them). Once released, record the fix in helpers/ledger/releases.ts.'));
}

export function buildLines(m: ReportModel): string[] {
  const b = m.build;
  if (!b) return ['  no build facts'];
  const lines = [kv('FakeAI', b.version ?? '(no version metadata)')];
  if (b.archive) lines.push(kv('Archive', b.archive));
  else if (b.origin) lines.push(kv('From', b.origin));
  else if (b.fromIndex) lines.push(kv('From', 'a package index (PyPI)'));
  if (b.commit) lines.push(kv('Commit', b.commit));
  lines.push(kv('Installed by', b.installedBy));
  lines.push(kv('Ledger', m.ledger.note));
  return lines;
}

function renderFacts(m: ReportModel, p: Palette, out: string[]): void {
  out.push(...section('Build', p), ...buildLines(m));
  if (m.allowancesUnused.length > 0) {
    out.push(kv('Allowances', `${m.allowancesUnused.length} never met on this build (not a failure here):`));
    for (const a of m.allowancesUnused) out.push(`    ${p.dim('-')} /${a.pattern}/ (known defect ${a.defect}) in ${a.file}: ${a.why}`);
  }
  out.push(...section('Server', p));
  if (m.servers.length === 0) out.push('  no server facts (setup did not finish)');
  for (const s of m.servers) {
    const boot = s.bootToReadyMs !== null ? `boot-to-ready ${secs(s.bootToReadyMs)}${s.launch ? ` (${s.launch})` : ''}` : s.spawned ? '' : 'reused (not started by the suite)';
    out.push(`  ${s.name.padEnd(8)} FakeAI ${fakeaiVersionLabel(s)}  ${s.baseUrl}  port ${s.port ?? '?'}${s.pid ? `  pid ${s.pid}` : ''}  ${boot}`);
    if (s.command) out.push(`           ${p.dim(s.command)}`);
  }

  out.push(...section('Run', p));
  out.push(kv('Wall time', secs(m.timings.wallMs)));
  if (m.seed !== null) out.push(kv('Seed', `${m.seed} (replay with --seed ${m.seed})`));
  const a = m.artifacts;
  out.push(kv('Reports', [a.json, a.junit, a.html, a.serverLog].filter(Boolean).join('\n                  ')));
}
