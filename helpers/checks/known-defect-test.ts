/**
 * A known defect keeps its full, unweakened check, declared with Jest's `test.failing`: it shows as
 * an expected failure while FakeAI misbehaves and turns red the day FakeAI behaves (then: fix the
 * ledger entry, drop the wrapper). Each run of such a test appends a DefectRecord, so the report
 * lists it with its evidence.
 */
import { CheckFailure, expectNoProblems, formatProblems, type Problem } from '../core/problems';
import { readHarnessEnv } from '../core/harness-env';
import { appendRecord } from '../core/run-records';
import { defectTestName, knownDefect, type KnownDefect } from '../ledger/known-defects';

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

/**
 * Declares `name` as a known-defect test: the body holds the full check and is expected to fail.
 * A DefectRecord goes to the run dir when it runs.
 *
 * Only the defect may make it fail as expected: an error that is not a failed check (see
 * notTheDefect), or a body that never finishes (Jest's timeout), turns the test red through an
 * afterEach hook, whose failures `test.failing` does not invert, with the real error in the message.
 */
export function testKnownDefect(id: string, name: string, fn: () => Promise<void> | void, timeoutMs?: number): void {
  const d = knownDefect(id);
  const full = defectTestName(d, name);
  let ran = false;
  let finished = false;
  let otherReason: string | undefined;
  test.failing(
    full,
    async () => {
      ran = true;
      appendRecord(readHarnessEnv().runDir, { kind: 'defect', id: d.id, test: full, summary: d.summary, evidence: d.evidence });
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
