/**
 * The metrics-endpoints table: one row per endpoint, however often tests probed it (the JSON keeps
 * every probe). A probe that got an error status is not "OK" just because the route exists.
 */
import type { EndpointRecord } from '../core/run-records';
import type { Palette } from './colours';
import { secs } from './live-lines';
import { summarize } from '../core/stats';

export type EndpointOutcome = 'ok' | 'error' | 'not-served' | 'skipped';

export interface EndpointRow {
  path: string;
  outcome: EndpointOutcome;
  served: boolean;
  probes: number;
  /** Distinct statuses in the order they were first seen; null stands for "no answer". */
  statuses: (number | null)[];
  /** Response time: median over the probes that got an answer, and the range. */
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  skipReason: string | null;
}

const answeredOk = (e: EndpointRecord) => e.status !== null && e.status >= 200 && e.status < 400;

function outcomeOf(probes: EndpointRecord[]): EndpointOutcome {
  if (probes.every((e) => e.skipReason)) return 'skipped';
  const checked = probes.filter((e) => !e.skipReason);
  if (checked.some((e) => !e.served)) return 'not-served';
  return checked.every(answeredOk) ? 'ok' : 'error';
}

export function endpointRows(records: readonly EndpointRecord[]): EndpointRow[] {
  const groups = new Map<string, EndpointRecord[]>();
  for (const e of records) groups.set(e.path, [...(groups.get(e.path) ?? []), e]);
  return [...groups.entries()].map(([path, probes]) => {
    const times = summarize(probes.map((e) => e.durationMs).filter((d): d is number => d !== null));
    return {
      path,
      outcome: outcomeOf(probes),
      served: probes.some((e) => e.served),
      probes: probes.length,
      statuses: [...new Set(probes.map((e) => e.status))],
      medianMs: times.median,
      minMs: times.min,
      maxMs: times.max,
      skipReason: probes.find((e) => e.skipReason)?.skipReason ?? null,
    };
  });
}

export function statusText(row: EndpointRow): string {
  return row.statuses.map((s) => (s === null ? 'no answer' : String(s))).join('/');
}

/** "0.023s" for one probe; "0.023s median of 3 (0.007–0.046s)" for several. */
export function timeText(row: EndpointRow): string {
  if (row.medianMs === null) return '-';
  if (row.probes === 1 || row.minMs === row.maxMs) return secs(row.medianMs);
  return `${secs(row.medianMs)} median of ${row.probes} (${secs(row.minMs).slice(0, -1)}–${secs(row.maxMs)})`;
}

export function endpointRowLine(row: EndpointRow, p: Palette): string {
  const name = row.path.padEnd(30);
  if (row.outcome === 'skipped') return `  ${name} ... ${p.yellow('SKIPPED')} ${row.skipReason}`;
  const word = { ok: p.green('OK'), error: p.yellow('ERROR'), 'not-served': p.red('NOT SERVED') }[row.outcome];
  return `  ${name} ... ${word} ${statusText(row)} ${timeText(row)}`;
}
