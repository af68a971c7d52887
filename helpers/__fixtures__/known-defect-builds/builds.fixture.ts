/**
 * The same known-defect checks judged on three standings: a build the ledger does not cover, the
 * pinned release (which has max-tokens-floor), and 0.3.1 (which the ledger says has no
 * stream-context-length-breaks-stream). "run:" tests take the standing from the harness handoff,
 * as the suite's tests do; the driver runs this file with and without --strict.
 */
import { testKnownDefect } from '../../checks/known-defect-test';
import type { LedgerStanding } from '../../ledger/releases';

const unknown: LedgerStanding = { kind: 'unknown', why: 'fakeai 0.3.3.dev0 installed from a source checkout, not from PyPI' };
const pinned: LedgerStanding = { kind: 'release', version: '0.3.2' };
const v031: LedgerStanding = { kind: 'release', version: '0.3.1' };
const passes = () => expect(5).toBeLessThanOrEqual(5);
const showsDefect = () => expect(12).toBeLessThanOrEqual(5);
const typo = () => {
  const usage = undefined as unknown as { completion_tokens: number };
  expect(usage.completion_tokens).toBeLessThanOrEqual(5);
};

describe('builds', () => {
  testKnownDefect('max-tokens-floor', 'unknown fixed: the check passes', passes, undefined, unknown);
  testKnownDefect('max-tokens-floor', 'unknown still: the defect shows', showsDefect, undefined, unknown);
  testKnownDefect('max-tokens-floor', 'unknown other: a typo', typo, undefined, unknown);
  testKnownDefect('max-tokens-floor', 'release fixed: the check passes', passes, undefined, pinned);
  testKnownDefect('max-tokens-floor', 'release still: the defect shows', showsDefect, undefined, pinned);
  testKnownDefect('stream-context-length-breaks-stream', 'absent ok: the check passes', passes, undefined, v031);
  testKnownDefect('stream-context-length-breaks-stream', 'absent broken: the defect shows', showsDefect, undefined, v031);
  testKnownDefect('context-length-not-checked', 'unknown old fix: the check passes', passes, undefined, unknown);
  testKnownDefect('max-tokens-floor', 'run: the check passes', passes);
});
