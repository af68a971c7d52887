/** The readable tables `npm run bench` ends with. Pure: result in, text out. */
import type { BenchResult } from './result';
import { type Distribution, MIN_SAMPLES_FOR_P99 } from '../core/distribution';

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (v: number | undefined | null, d = 1) => (v === undefined || v === null ? '—' : v.toFixed(d));
/** p99 with a star when it rests on fewer than 100 samples; the footnote explains the star. */
const p99 = (d: Distribution | undefined) => (d ? `${d.p99.toFixed(1)}${d.p99Reliable ? '' : '*'}` : '—');

export function renderText(r: BenchResult, paint: (s: string, tone: 'bad' | 'good' | 'dim') => string): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`FakeAI ${m.fakeai ?? '?'} bench (${r.mode}) — ${r.startedAt}, ${(r.durationMs / 1000).toFixed(1)} s`);
  out.push(paint(`${m.cpuModel}, ${m.cores} cores, ${m.totalMemMiB} MiB; Node ${m.node}, Python ${m.python ?? '?'}; load avg ${m.loadAvgStart.toFixed(2)} → ${m.loadAvgEnd.toFixed(2)}`, 'dim'));

  out.push('', 'Latency (ms) per model and mode');
  out.push(table(['model', 'mode', 'n', 'err', 'p50', 'p90', 'p95', 'p99', 'max', 'TTFT p50', 'TTFT p99', 'ITL p50', 'ITL p99'],
    r.latency.map((l) => [l.model, l.mode, String(l.total?.n ?? 0), String(l.errors), ms(l.total?.p50), ms(l.total?.p90), ms(l.total?.p95), p99(l.total), ms(l.total?.max),
      ms(l.ttft?.p50), p99(l.ttft), ms(l.itl?.p50, 2), p99(l.itl)])));
  const starred = r.latency.some((l) => [l.total, l.ttft, l.itl].some((d) => d && !d.p99Reliable));
  if (starred) out.push(paint(`* p99 from fewer than ${MIN_SAMPLES_FOR_P99} samples: unreliable, shown for completeness.`, 'dim'));

  if (r.fidelity) {
    out.push('', 'Timing fidelity (configured vs measured median, ms)');
    out.push(table(['check', 'setting', 'configured', 'expected', '± tol', 'measured p50', 'n', 'verdict'],
      r.fidelity.checks.map((c) => [c.metric, c.label, ms(c.configuredMs), ms(c.expectedMs), ms(c.toleranceMs), ms(c.measured?.p50, 2), String(c.measured?.n ?? 0), c.verdict === 'ok' ? paint('ok', 'good') : c.verdict === 'mismatch' ? paint('MISMATCH', 'bad') : paint('inconclusive', 'dim')])));
  }

  const L = r.load;
  out.push('', `Load: ${L.endpoint}`);
  out.push(table(['concurrency', 'requests', 'errors', 'req/s', 'p50', 'p95', 'p99', 'stopped by'],
    L.levels.map((l) => [String(l.concurrency), String(l.requests), String(l.errors), l.rps.toFixed(0), ms(l.latency?.p50), ms(l.latency?.p95), p99(l.latency), l.stoppedByTime ? 'time' : 'count'])));
  out.push(`knee: ${L.knee.concurrency ?? 'none'} — ${L.knee.reason}`);
  out.push(table(['client (concurrency 1)', 'requests', 'errors', 'ms/request', 'overhead vs autocannon'],
    L.clients.map((c) => [c.client, String(c.requests), String(c.errors), c.msPerRequest.toFixed(3),
      c.client === 'autocannon' ? '—' : `${ms(L.clientOverheadMs[c.client], 3)} ms`])));

  if (r.memory) {
    out.push('', `Server memory and CPU (pid ${r.memory.pid}), rounds of mixed streaming/non-streaming chat`);
    out.push(table(['prompts', 'rounds', 'requests', 'RSS first→last MiB', 'KiB/1k req', 'tau', 'verdict', 'CPU ms/1k req'],
      r.memory.series.map((s) => {
        const a = s.rounds[0];
        const b = s.rounds[s.rounds.length - 1];
        return [s.prompts, String(s.rounds.length), String(b?.requests ?? 0), a && b ? `${(a.rssKiB / 1024).toFixed(1)}→${(b.rssKiB / 1024).toFixed(1)}` : '—',
          ms(s.verdict.kibPer1kRequests, 0), ms(s.verdict.tau, 2), s.verdict.verdict === 'growing' ? paint('GROWING', 'bad') : s.verdict.verdict, ms(s.cpuMsPer1kRequests, 0)];
      })));
    out.push(paint('verdict: Theil–Sen slope of RSS over rounds after one warm-up round; growing = > 64 KiB/1k requests with tau ≥ 0.6', 'dim'));
  }

  if (r.harness) {
    out.push('', 'Harness cost of one npm run e2e (ms)');
    out.push(table(['phase', 'ms'], Object.entries(r.harness).map(([k, v]) => [k, typeof v === 'number' ? v.toFixed(0) : String(v)])));
  }

  if (r.comparison) {
    const c = r.comparison;
    out.push('', `Against baseline ${c.baselineFile} (${c.baselineStartedAt}): ${c.regressions ? paint(`${c.regressions} regression(s)`, 'bad') : paint('no regression', 'good')}`);
    const shown = c.comparisons.filter((x) => x.verdict !== 'same');
    if (shown.length) out.push(table(['metric', 'baseline', 'now', 'verdict', 'why'], shown.map((x) => [x.key, ms(x.baselineMedian, 2), ms(x.currentMedian, 2), x.verdict, x.reason])));
    if (c.onlyInBaseline.length) out.push(paint(`not measured this time: ${c.onlyInBaseline.join(', ')}`, 'dim'));
  }

  out.push('', r.findings.length ? paint(`Findings (${r.findings.length}):`, 'bad') : paint('Findings: none', 'good'));
  for (const f of r.findings) out.push(`  - ${f}`);
  for (const n of r.notes) out.push(paint(`note: ${n}`, 'dim'));
  return out.join('\n');
}
