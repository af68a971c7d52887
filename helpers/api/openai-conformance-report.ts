/**
 * The run's verdict on OpenAI conformance, from the 'openai' records (openai-observer.ts), the
 * route mapping and the ledger of known deviations (helpers/ledger/openai-deviations.ts):
 * per mapped route the exchanges seen, how many conformed, and each deviation grouped with a count.
 *
 * The gate: a deviation the ledger does not list fails the run; a listed one that did not occur is
 * reported, and fails a whole-suite run of the pinned FakeAI build (the ledger is about that
 * build: a deviation that went away there means the entry is stale or the test stopped looking).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { HarnessEnv } from '../core/harness-env';
import { ledgerStanding, PINNED_RELEASE } from '../ledger/releases';
import path from 'node:path';
import { type OpenAiRecord, recordsOfKind, type RunRecord } from '../core/run-records';
import { type KnownDeviation, OPENAI_DEVIATIONS } from '../ledger/openai-deviations';
import { type Deviation, deviationKey } from './openai-conformance';
import { mapRoutes, routesOf } from './openai-routes';
import { OPENAI_SPEC_PIN, OpenAiSpec, openAiSpecInfo } from './openai-spec';
import { sdkMajors } from './openai-sdks';

const LEDGER_FILE = 'helpers/ledger/openai-deviations.ts';

export interface GroupedDeviation extends Deviation {
  /** Exchanges (responses or streams) it occurred in. */
  count: number;
  /** The ledger id, or null for a new deviation. */
  known: string | null;
  /** The first test that saw it. */
  test: string | null;
}

export interface ConformanceRow {
  /** OpenAI's route. */
  route: string;
  /** FakeAI's route it maps from, when the FakeAI document was at hand; null also for a route FakeAI does not serve (a 405 probe). */
  fakeai: string | null;
  /** Exchanges on the route, judged or not. */
  exchanges: number;
  judged: number;
  /** Judged exchanges without a deviation. */
  conforming: number;
  deviations: GroupedDeviation[];
  /** Why some exchanges were not judged, e.g. "status 404 has no schema in OpenAI's document". */
  notJudged: string[];
}

export interface OpenAiConformanceReport {
  spec: { version: string; syncedAt: string | null; hash: string | null; source: string };
  rows: ConformanceRow[];
  /** FakeAI routes OpenAI does not define: listed, never judged. */
  fakeaiOnly: string[];
  headline: { mappedRoutes: number; judgedRoutes: number; conformingRoutes: number; percent: number | null };
  newDeviations: GroupedDeviation[];
  /** Ledger entries that did not occur in this run. */
  notSeen: KnownDeviation[];
  /** Whether not-seen entries fail this run (whole suite on the pinned build). */
  strict: boolean;
  problems: string[];
  /** Set when the build is not the pinned release: not-seen entries may be FIXED there. */
  buildNote?: string | null;
  /** Which majors of the official openai SDK drove exchanges in this run, and why one did not. */
  sdk?: { major: number; version: string | null; ran: boolean; reason: string | null }[];
}

export function matchesKnown(d: Pick<Deviation, 'part' | 'route' | 'pointer' | 'rule'>, k: KnownDeviation): boolean {
  return k.part === d.part && k.route === d.route && k.pointer === d.pointer && k.rule === d.rule;
}

export interface EvaluateInput {
  records: readonly OpenAiRecord[];
  /** FakeAI's and OpenAI's route lists, for the mapping; absent when no API test saved FakeAI's document. */
  fakeaiRoutes?: readonly { method: string; path: string }[];
  openaiRoutes?: readonly { method: string; path: string }[];
  spec: OpenAiConformanceReport['spec'];
  ledger?: readonly KnownDeviation[];
  strict: boolean;
}

export function evaluateConformance(input: EvaluateInput): OpenAiConformanceReport {
  const ledger = input.ledger ?? OPENAI_DEVIATIONS;
  const mapping = input.fakeaiRoutes && input.openaiRoutes ? mapRoutes(input.fakeaiRoutes, input.openaiRoutes) : [];
  const rows = new Map<string, ConformanceRow>();
  const row = (route: string, fakeai: string | null) => {
    let r = rows.get(route);
    if (!r) rows.set(route, (r = { route, fakeai, exchanges: 0, judged: 0, conforming: 0, deviations: [], notJudged: [] }));
    return r;
  };
  for (const m of mapping) if (m.openai) row(m.openai, m.fakeai);
  const groups = new Map<string, GroupedDeviation>();
  for (const rec of input.records) {
    const r = row(rec.route, null);
    r.exchanges++;
    if (!rec.judged) {
      if (rec.reason && !r.notJudged.includes(rec.reason)) r.notJudged.push(rec.reason);
      continue;
    }
    r.judged++;
    if (rec.deviations.length === 0) r.conforming++;
    // One exchange counts once per deviation, however many array items repeat it.
    const keys = new Set<string>();
    for (const d of rec.deviations) {
      const key = deviationKey(d);
      if (keys.has(key)) continue;
      keys.add(key);
      const g = groups.get(key);
      if (g) g.count++;
      else {
        const known = ledger.find((k) => matchesKnown(d, k))?.id ?? null;
        const grouped: GroupedDeviation = { ...d, count: 1, known, test: rec.test };
        groups.set(key, grouped);
        r.deviations.push(grouped);
      }
    }
  }
  const allRows = [...rows.values()].sort((a, b) => a.route.localeCompare(b.route));
  const judgedRows = allRows.filter((r) => r.judged > 0);
  const conformingRoutes = judgedRows.filter((r) => r.deviations.length === 0).length;
  const all = [...groups.values()];
  const newDeviations = all.filter((g) => g.known === null);
  const notSeen = ledger.filter((k) => !all.some((g) => matchesKnown(g, k)));
  const problems: string[] = [];
  if (newDeviations.length > 0) {
    problems.push(
      `OpenAI conformance: ${newDeviations.length} deviation${newDeviations.length === 1 ? '' : 's'} from OpenAI's API document that ${LEDGER_FILE} does not list:\n` +
        newDeviations.map((d) => `  ${d.route}  ${d.part} ${d.pointer || '(body)'}: ${d.message} (example ${d.example}) [rule ${d.rule}] — ${d.count}×, first in "${d.test ?? 'no test'}"`).join('\n') +
        `\nEither FakeAI changed (add the entry with a summary) or the suite now sends something new; a request deviation means the suite's own request is one OpenAI would refuse: fix the request.`,
    );
  }
  if (input.strict && notSeen.length > 0) {
    problems.push(
      `OpenAI conformance: ${notSeen.length} known deviation${notSeen.length === 1 ? '' : 's'} did not occur on the pinned build in a whole-suite run — remove ${notSeen.length === 1 ? 'it' : 'them'} from ${LEDGER_FILE} (or find the test that stopped sending the request):\n` +
        notSeen.map((k) => `  ${k.id}: ${k.route} ${k.part} ${k.pointer || '(body)'} [rule ${k.rule}]`).join('\n'),
    );
  }
  return {
    spec: input.spec,
    rows: allRows,
    fakeaiOnly: mapping.filter((m) => m.openai === null).map((m) => m.fakeai),
    headline: { mappedRoutes: mapping.length > 0 ? mapping.filter((m) => m.openai !== null).length : allRows.length, judgedRoutes: judgedRows.length, conformingRoutes, percent: judgedRows.length === 0 ? null : (100 * conformingRoutes) / judgedRows.length },
    newDeviations,
    notSeen,
    strict: input.strict,
    problems,
  };
}

/**
 * How the run's build stands to the ledger, which describes the pinned release: `strict` (a listed
 * deviation that did not occur fails a whole-suite run) only there; elsewhere a listed deviation
 * that did not occur is reported as possibly FIXED on that build (helpers/ledger/releases.ts).
 */
export function conformanceStanding(harness: Pick<HarnessEnv, 'build'> | null | undefined): { pinned: boolean; note: string | null } {
  const standing = ledgerStanding(harness?.build);
  if (standing.kind === 'release' && standing.version === PINNED_RELEASE) return { pinned: true, note: null };
  const why = standing.kind === 'release' ? `release ${standing.version}` : `an unknown build (${standing.why})`;
  return { pinned: false, note: `the deviation ledger describes FakeAI ${PINNED_RELEASE}; this run judged ${why}, so a listed deviation that did not occur may be FIXED here` };
}

/**
 * Reads a run directory: the 'openai' records, FakeAI's document (saved by the API driver) for the
 * mapping, and OpenAI's from the spec cache. Undefined when the run had no OpenAI spec (outside
 * `npm run e2e`) or judged nothing and saved no FakeAI document.
 */
export function openAiConformanceOf(runDir: string, records: readonly RunRecord[], strict: boolean, info = openAiSpecInfo(process.env, runDir), buildNote: string | null = null): OpenAiConformanceReport | undefined {
  if (!info) return undefined;
  const openai = recordsOfKind([...records], 'openai');
  const docFile = path.join(runDir, 'openapi.json');
  const fakeaiDoc = existsSync(docFile) ? (JSON.parse(readFileSync(docFile, 'utf8')) as { paths: Record<string, Record<string, unknown>> }) : undefined;
  if (openai.length === 0 && !fakeaiDoc) return undefined;
  const spec = new OpenAiSpec(info);
  const drivers = new Set(recordsOfKind([...records], 'route').map((r) => r.driver));
  const sdk = sdkMajors().map((m) => ({
    major: m.major,
    version: m.version,
    ran: drivers.has(m.driver),
    reason: m.reason ?? (drivers.has(m.driver) ? null : 'no SDK test ran in this selection'),
  }));
  const report = evaluateConformance({
    records: openai,
    fakeaiRoutes: fakeaiDoc ? routesOf(fakeaiDoc) : undefined,
    openaiRoutes: routesOf(spec.index),
    spec: { version: info.version, syncedAt: info.syncedAt, hash: info.hash, source: OPENAI_SPEC_PIN },
    strict,
  });
  return { ...report, sdk, buildNote };
}
