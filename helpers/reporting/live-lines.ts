/**
 * The lines printed while the suite runs, in the old script's format users liked:
 *   [ 7/20] STREAM | claude-3-opus ... OK 0.231s  48 tokens
 * Pure formatters: a record (or test result) and a palette in, one string out.
 */
import type { DefectRecord, EndpointRecord, FindingRecord, RequestRecord, RunRecord, SkipRecord } from '../core/run-records';
import type { Palette } from './colours';

export const RULE_WIDTH = 80;

export function secs(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(3)}s`;
}

export function header(title: string, p: Palette, detail = ''): string {
  const text = ` ${title} ${detail ? `${p.dim(detail)} ` : ''}`;
  const visible = ` ${title} ${detail ? `${detail} ` : ''}`.length;
  return `\n${p.bold(p.cyan(`──${text}${'─'.repeat(Math.max(3, RULE_WIDTH - 2 - visible))}`))}`;
}

export function requestLine(r: RequestRecord, p: Palette, verbose = false): string {
  const w = String(r.of).length;
  const seq = `[${String(r.seq).padStart(w)}/${r.of}]`;
  const kind = r.stream ? 'STREAM' : r.model ? 'NORMAL' : r.method.toUpperCase().padEnd(6);
  const target = r.model ?? r.path;
  const outcome = r.ok ? p.green('OK') : p.red(`FAIL${r.status !== null ? ` ${r.status}` : ''}`);
  const parts = [`${seq} ${kind} | ${target} ... ${outcome} ${secs(r.durationMs)}`];
  if (r.tokens !== null) parts.push(` ${r.tokens} tokens`);
  if (verbose && r.stream && r.ttftMs !== null) parts.push(` ttft ${secs(r.ttftMs)}`);
  if (verbose && r.id) parts.push(p.dim(` ${r.id}`));
  if (!r.ok && r.error) parts.push(` ${p.red(r.error)}`);
  return `  ${parts.join(' ')}`;
}

export function endpointLine(e: EndpointRecord, p: Palette): string {
  const name = e.path.padEnd(30);
  if (e.skipReason) return `  ${name} ... ${p.yellow('SKIPPED')} ${e.skipReason}`;
  const status = e.status === null ? 'no answer' : String(e.status);
  // Served is not OK: a route that exists and answers 500 is an error.
  const ok = e.status !== null && e.status >= 200 && e.status < 400;
  const outcome = !e.served ? p.red('NOT SERVED') : ok ? p.green('OK') : p.yellow('ERROR');
  return `  ${name} ... ${outcome} ${status} ${secs(e.durationMs)}`;
}

/** Tests often carry the reason in their name ("GET /metrics/slo — skipped: not served by …") and record it too. */
function nameCarries(test: string, reason: string): boolean {
  return reason.trim() !== '' && test.includes(reason.trim());
}

/** A skipped test or check with its reason, said once. */
export function skipText(test: string, reason: string): string {
  return nameCarries(test, reason) ? test : `${test}: ${reason}`;
}

export function skipLine(s: SkipRecord, p: Palette): string {
  // Such a name says "skipped" as well; the yellow ○ marks the skip either way.
  return nameCarries(s.test, s.reason) ? `  ${p.yellow('○')} ${s.test}` : `  ${p.yellow('○ skipped')} ${s.test}: ${s.reason}`;
}

export function defectLine(d: DefectRecord, p: Palette): string {
  return `  ${p.yellow(`◆ known defect ${d.id}`)}: ${d.summary}`;
}

export function findingLine(f: FindingRecord, p: Palette): string {
  const where = f.tests.length > 0 ? `during ${f.tests.join(', ')}` : 'outside any test';
  const mark = f.allowed ? p.yellow(`! expected exception${f.defect ? ` (known defect ${f.defect})` : ''}`) : p.red('✗ server exception');
  return `  ${mark} (${f.server}, ${where}): ${f.headline}`;
}

/** The live line for any record, or null for kinds shown only in the summary. */
export function recordLine(r: RunRecord, p: Palette, verbose = false): string | null {
  switch (r.kind) {
    case 'request':
      return requestLine(r, p, verbose);
    case 'endpoint':
      return endpointLine(r, p);
    case 'skip':
      return skipLine(r, p);
    case 'defect':
      return defectLine(r, p);
    case 'finding':
      return findingLine(r, p);
    default:
      return null;
  }
}

export function testLine(status: string, name: string, durationMs: number | null | undefined, p: Palette): string {
  const t = durationMs ? p.dim(` (${durationMs} ms)`) : '';
  if (status === 'passed') return `  ${p.green('✓')} ${name}${t}`;
  if (status === 'failed') return `  ${p.red('✗')} ${name}${t}`;
  if (status === 'todo') return `  ${p.yellow('✎ todo')} ${name}`;
  return `  ${p.yellow('○')} ${name} ${p.dim('(skipped)')}`;
}
