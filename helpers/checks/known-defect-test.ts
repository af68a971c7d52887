/**
 * A known defect keeps its full, unweakened check, declared with Jest's `test.failing`: it shows as
 * an expected failure while FakeAI misbehaves and turns red the day FakeAI behaves (then: fix the
 * ledger entry, drop the wrapper). Each run of such a test appends a DefectRecord, so the report
 * lists it with its evidence.
 */
import { CheckFailure, expectNoProblems, formatProblems, type Problem } from '../core/problems';
import { readHarnessEnv } from '../core/harness-env';
import { appendRecord } from '../core/run-records';
import { loadConfig } from '../core/config';
import { defectTestName, knownDefect, type KnownDefect } from '../ledger/known-defects';
import { defectExpectation, ledgerStanding, PINNED_RELEASE, type LedgerStanding } from '../ledger/releases';

/**
 * For a known-defect test whose check can fail in more ways than the defect explains: only the
 * problems `isSymptom` accepts fail as the defect. Any other problem (a 500, a broken stream, a
 * wrong shape) means something else went wrong and throws a plain Error, which testKnownDefect
 * turns red. `tolerated` problems (another known defect showing in the same answer) are neither.
 */
export function expectDefectProblems(title: string, problems: readonly Problem[], isSymptom: (p: Problem) => boolean, tolerated: (p: Problem) => boolean = () => false): void {
  const other = problems.filter((p) => !isSymptom(p) && !tolerated(p));
  if (other.length > 0) throw new Error(`Not the defect — ${formatProblems(title, other)}`);
  expectNoProblems(title, problems.filter(isSymptom));
}

/**
 * For a known-defect test: what was seen must be either the defect's signature or the fixed
 * behaviour (e.g. a status of 500 or 404); anything else throws a plain Error, so the test turns
 * red instead of passing as the expected failure.
 */
export function expectDefectOrFix(seenIsDefectOrFix: boolean, seen: string): void {
  if (!seenIsDefectOrFix) throw new Error(`Not the defect — ${seen}: neither the defect's signature nor the fixed behaviour.`);
}

/**
 * Why a known-defect test's error is NOT its defect, or undefined when it is: a failed check
 * (expect(), expectNoProblems, expectConforms) or the defect's declared symptom. A typo (TypeError),
 * a refused connection, a timeout or a missing prerequisite must not pass as the expected failure.
 */
export function notTheDefect(d: KnownDefect, error: unknown): string | undefined {
  if (error instanceof CheckFailure) return undefined;
  // Jest's assertion errors (JestAssertionError, not exported) carry the matcher's result.
  if (error instanceof Error && 'matcherResult' in error) return undefined;
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  if (d.symptom && error instanceof Error && d.symptom.test(error.message)) return undefined;
  return text;
}

/** The ledger's standing for this run's build, read once per test file at collection time. */
function standingOfRun(): LedgerStanding {
  let build;
  try {
    build = readHarnessEnv().build;
  } catch {
    build = undefined; // outside a harness run: the pinned release, as before builds existed
  }
  return ledgerStanding(build);
}

/**
 * When one behaviour is a different defect on different releases (a streamed oversize prompt: a
 * broken stream on 0.3.2, an ordinary answer on 0.3.1), the id the ledger expects on this build:
 * the first of `ids` it has, else the first it cannot rule out, else the first.
 */
export function expectedDefectOf(ids: readonly string[], standing: LedgerStanding = standingOfRun()): string {
  const e = ids.map((id) => ({ id, e: defectExpectation(knownDefect(id), standing).expect }));
  return (e.find((x) => x.e === 'defect') ?? e.find((x) => x.e === 'unknown') ?? e[0]).id;
}

function strictRun(): boolean {
  try {
    return loadConfig().strict;
  } catch {
    return false;
  }
}

/**
 * Declares `name` as a known-defect test, judged by what the ledger (helpers/ledger/releases.ts)
 * says about this run's build:
 * - a release that has the defect: an expected failure (`test.failing`), strict as ever — red when
 *   it passes (fixed: update the ledger) and red when it fails for another reason;
 * - a release the ledger verified does not have it: an ordinary test of the same check;
 * - a build the ledger does not know (a checkout, a wheel, an unlisted release): the defect's
 *   symptom passes as "still there"; a pass is reported FIXED (a 'fixed' record, not a failure
 *   unless --strict); any other error is red, exactly as on a release.
 */
export function testKnownDefect(id: string, name: string, fn: () => Promise<void> | void, timeoutMs?: number, standing: LedgerStanding = standingOfRun()): void {
  const d = knownDefect(id);
  const expectation = defectExpectation(d, standing);
  if (expectation.expect === 'absent') {
    test(name, async () => {
      await fn();
    }, timeoutMs);
    return;
  }
  if (expectation.expect === 'unknown') {
    testOnUnknownBuild(d, name, fn, expectation.why, timeoutMs);
    return;
  }
  const full = defectTestName(d, name);
  let ran = false;
  let finished = false;
  let otherReason: string | undefined;
  test.failing(
    full,
    async () => {
      ran = true;
      appendRecord(readHarnessEnv().runDir, { kind: 'defect', id: d.id, test: full, summary: d.summary, evidence: expectation.evidence });
      try {
        await fn();
      } catch (e) {
        otherReason = notTheDefect(d, e);
        if (otherReason === undefined) throw e;
      } finally {
        finished = true;
      }
    },
    timeoutMs,
  );
  afterEach(() => {
    if (!ran) return; // another test of this describe block
    const unfinished = !finished;
    const reason = otherReason;
    ran = finished = false;
    otherReason = undefined;
    if (unfinished) throw new Error(`Known-defect test "${full}" did not finish within its timeout: a hang is not defect ${d.id}, so it cannot count as the expected failure.`);
    if (reason !== undefined) throw new Error(`Known-defect test "${full}" failed for a reason other than defect ${d.id} (${d.evidence}), so it does not count as the expected failure:\n${reason}`);
  });
}

function testOnUnknownBuild(d: KnownDefect, name: string, fn: () => Promise<void> | void, why: string, timeoutMs?: number): void {
  const full = defectTestName(d, name);
  test(
    full,
    async () => {
      const { runDir } = readHarnessEnv();
      try {
        await fn();
      } catch (e) {
        const other = notTheDefect(d, e);
        if (other !== undefined) throw new Error(`Known-defect test "${full}" failed for a reason other than defect ${d.id} (${d.evidence}) — on a build the ledger does not cover (${why}) that is still a failure:\n${other}`);
        // Still there: the same expected failure a release shows, recorded the same way.
        appendRecord(runDir, { kind: 'defect', id: d.id, test: full, summary: d.summary, evidence: d.evidence });
        return;
      }
      // A defect the pinned release already fixed (one of an older release) passing is no news.
      if (defectExpectation(d, { kind: 'release', version: PINNED_RELEASE }).expect === 'absent') return;
      const seen = `the full check of "${name}" passed`;
      appendRecord(runDir, { kind: 'fixed', id: d.id, test: full, summary: d.summary, evidence: d.evidence, seen });
      if (strictRun()) throw new Error(`FIXED: known defect ${d.id} (${d.evidence}) no longer reproduces on this build (${why}): ${seen}. --strict fails it; without --strict it is reported as fixed.`);
    },
    timeoutMs,
  );
}
