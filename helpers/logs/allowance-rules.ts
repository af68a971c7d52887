/**
 * Allowed server exceptions, scoped to the tests that provoke them on purpose.
 *
 * An allowance (ALLOWED_EXCEPTIONS, helpers/ledger/allowances.ts) belongs to one known defect and names the
 * test files — and within them the tests — that provoke it. The same exception anywhere else fails
 * as any other, so an unrelated test that starts hitting the defect is not hidden by it.
 * This module holds the rules; the test environment and globalTeardown apply them.
 */
import { ANYWHERE, type AllowedException, type AllowedPlace } from '../ledger/allowances';
import { defectTestName, knownDefect, KNOWN_DEFECTS } from '../ledger/known-defects';
import { defectExpectation, type LedgerStanding } from '../ledger/releases';
import { allowedBy, type Finding } from './log-watcher';
import type { FindingRecord } from '../core/run-records';

/** Where a finding may have come from: a test (full name) in a file, or only a file (a hook). */
export interface Origin {
  file: string;
  /** Absent when only the file is known (between two of its tests). */
  test?: string;
}


/** The tail every known-defect test of `defect` carries in its name (see defectTestName). */
function defectNameTail(defect: string): string {
  return defectTestName(knownDefect(defect), '');
}

function placePermits(p: AllowedPlace, defect: string, origin: Origin): boolean {
  if (p.file === ANYWHERE) return true;
  if (p.file !== origin.file) return false;
  // Only the file is known (a hook or a late write between its tests): the file is all we can check.
  if (origin.test === undefined) return true;
  return p.tests ? p.tests.some((t) => origin.test!.includes(t)) : origin.test.endsWith(defectNameTail(defect));
}

/** The place of `a` that lets `origin` provoke its exception, if any. */
export function permittingPlace(a: AllowedException, origin: Origin): AllowedPlace | undefined {
  return a.provokedBy.find((p) => placePermits(p, a.defect, origin));
}

/** "e2e/a.test.ts (its defect-tagged tests)", "e2e/b.test.ts (tests named … "x" …)", joined. */
export function placesText(a: AllowedException): string {
  return a.provokedBy
    .map((p) => (p.file === ANYWHERE ? 'anywhere (a race in a server thread that no test provokes)' : p.tests ? `${p.file} (tests whose name contains ${p.tests.map((t) => JSON.stringify(t)).join(' or ')})` : `${p.file} (its "[known FakeAI defect ${a.defect}, …]" tests)`))
    .join(', ');
}

export interface Judgement {
  /** The allowance that excuses the finding, and where it was provoked. */
  excusedBy?: { allowance: AllowedException; origin: Origin };
  /** Allowances whose pattern matches but which do not cover any of the origins. */
  elsewhere: AllowedException[];
}

/**
 * Whether a finding is excused. `origins` are everything that may have caused it (concurrent
 * tests of one file all do); one permitted origin is enough, as the others only ran alongside.
 */
export function judge(f: Finding, allowed: readonly AllowedException[], origins: readonly Origin[]): Judgement {
  const matching = allowed.filter((a) => allowedBy(f, [a]) !== undefined);
  for (const a of matching) {
    // A server-thread race may also land outside every test (no origin at all).
    const origin = origins.find((o) => permittingPlace(a, o) !== undefined) ?? (a.provokedBy.some((p) => p.file === ANYWHERE) ? { file: ANYWHERE } : undefined);
    if (origin) return { excusedBy: { allowance: a, origin }, elsewhere: [] };
  }
  return { elsewhere: matching };
}

/** The sentence a failure gets when its exception is allowed, but not where it happened. */
export function notHereText(elsewhere: readonly AllowedException[]): string {
  return elsewhere
    .map((a) => `It matches the allowance /${a.pattern.source}/ for known defect ${a.defect}, which is allowed only in ${placesText(a)}; it appeared elsewhere, so it fails as any exception.`)
    .join('\n');
}

/** An allowance's place that no tolerated finding of this run came from. */
export interface StalePlace {
  allowance: AllowedException;
  place: AllowedPlace;
}

/** Places of each allowance that excused nothing in `findings` (a run's finding records). */
export function stalePlaces(allowed: readonly AllowedException[], findings: readonly FindingRecord[]): StalePlace[] {
  const used = new Set(findings.filter((f) => f.allowed && f.defect && f.file).map((f) => `${f.defect}\0${f.file}`));
  // A race no test provokes may rightly not happen in a run: never stale.
  return allowed.flatMap((a) => a.provokedBy.filter((p) => p.file !== ANYWHERE && !used.has(`${a.defect}\0${p.file}`)).map((place) => ({ allowance: a, place })));
}

/**
 * Stale places split by what the ledger expects of this build: an allowance whose defect this
 * release has is stale for real (fatal); one whose defect the release does not have, or a build
 * the ledger does not cover, simply never met its exception — reported, not fatal.
 */
export function splitStale(stale: readonly StalePlace[], standing: LedgerStanding): { fatal: StalePlace[]; notOnThisBuild: (StalePlace & { why: string })[] } {
  const fatal: StalePlace[] = [];
  const notOnThisBuild: (StalePlace & { why: string })[] = [];
  for (const s of stale) {
    const d = KNOWN_DEFECTS.find((k) => k.id === s.allowance.defect);
    const e = d ? defectExpectation(d, standing) : { expect: 'defect' as const };
    if (e.expect === 'defect') fatal.push(s);
    else notOnThisBuild.push({ ...s, why: e.expect === 'absent' ? `the ledger says fakeai ${standing.kind === 'release' ? standing.version : ''} does not have ${s.allowance.defect}` : e.why });
  }
  return { fatal, notOnThisBuild };
}

export function staleText(stale: readonly StalePlace[]): string {
  const lines = stale.map(({ allowance: a, place: p }) => `- /${a.pattern.source}/ (known defect ${a.defect}) in ${p.file}`);
  return [
    `${stale.length} allowed exception${stale.length === 1 ? ' was' : 's were'} never seen where allowed during this full run:`,
    ...lines,
    'On the pinned FakeAI each is provoked on every full run: either FakeAI no longer has the defect (its known-defect test says so too)',
    'or the test stopped provoking it. Remove or narrow the entry in ALLOWED_EXCEPTIONS (helpers/ledger/allowances.ts), so it cannot hide a new exception there.',
  ].join('\n');
}

/** The parts of Jest's global and project config that narrow a run to some files or tests. */
export interface SuiteSelection {
  testNamePattern?: string | null;
  testPathPatterns?: { isSet?: () => boolean };
  nonFlagArgs?: string[];
  onlyChanged?: boolean;
  changedSince?: string;
  lastCommit?: boolean;
  findRelatedTests?: boolean;
  onlyFailures?: boolean;
  filter?: string | null;
  shard?: unknown;
}

/**
 * Whether every e2e test was selected: then, and only then, an allowance that matched nothing is
 * stale. A narrowed run (a path, -t, --onlyFailures, a shard, …) may simply not have run the test
 * that provokes it, and failing that run would punish the user for choosing tests.
 * `ignorePatterns` is the project's testPathIgnorePatterns, compared with the configured ones.
 */
export function wholeSuiteSelected(g: SuiteSelection | undefined, ignorePatterns: readonly string[] | undefined, configuredIgnore: readonly string[]): boolean {
  if (!g) return false;
  if (g.testNamePattern) return false;
  if (g.testPathPatterns?.isSet?.() || (g.nonFlagArgs ?? []).length > 0) return false;
  if (g.onlyChanged || g.changedSince || g.lastCommit || g.findRelatedTests || g.onlyFailures || g.filter || g.shard) return false;
  const ignore = ignorePatterns ?? [];
  return ignore.length === configuredIgnore.length && ignore.every((p, i) => p === configuredIgnore[i]);
}
