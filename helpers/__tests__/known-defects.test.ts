/**
 * testKnownDefect may only "fail as expected" because of its defect. notTheDefect is fed every kind
 * of error; the fixture project helpers/__fixtures__/known-defect-guard/ runs the real wrapper in a
 * child Jest and shows a typo, a network error, a missing prerequisite, a hang and a fixed defect
 * all turn red, while failed checks and a declared symptom stay expected failures.
 */
import { CheckFailure, expectNoProblems, problem } from '../core/problems';
import { HttpTransportError } from '../core/http';
import { type KnownDefect, knownDefect } from '../ledger/known-defects';
import { expectDefectOrFix, expectDefectProblems, notTheDefect } from '../checks/known-defect-test';
import { useKnownDefectFixtureRun } from '../__fixtures__/known-defect-fixture-run';

const plain: KnownDefect = { id: 'plain', summary: 's', evidence: 'fakeai/x.py:1' };
const thrown = (fn: () => void): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('fn did not throw');
};

describe('notTheDefect: which errors count as the defect', () => {
  test('a failed expect(), expectNoProblems or CheckFailure counts as the defect', () => {
    expect(notTheDefect(plain, thrown(() => expect(12).toBeLessThanOrEqual(5)))).toBeUndefined();
    expect(notTheDefect(plain, thrown(() => expectNoProblems('usage', [problem('x', '≤ 5', 12)])))).toBeUndefined();
    expect(notTheDefect(plain, new CheckFailure('contract'))).toBeUndefined();
  });

  test('a TypeError, a plain Error, a transport error or a thrown string does not, and the reason quotes it', () => {
    expect(notTheDefect(plain, thrown(() => (undefined as unknown as { a: number }).a))).toMatch(/^TypeError: Cannot read properties of undefined/);
    expect(notTheDefect(plain, new Error('the streamed phase did not run'))).toMatch(/the streamed phase did not run/);
    expect(notTheDefect(plain, new HttpTransportError('GET', 'http://127.0.0.1:1/x', 'ECONNREFUSED: refused'))).toMatch(/got no HTTP response: ECONNREFUSED/);
    expect(notTheDefect(plain, 'boom')).toBe('boom');
  });

  test("a defect's declared symptom counts, only for that defect and only when the message matches", () => {
    const deadlock = knownDefect('by-model-deadlock');
    const noAnswer = new HttpTransportError('GET', 'http://127.0.0.1:1/metrics/by-model', 'no answer within 1000 ms (per-request timeout, --request-timeout)');
    expect(notTheDefect(deadlock, noAnswer)).toBeUndefined();
    expect(notTheDefect(plain, noAnswer)).toMatch(/got no HTTP response: no answer within/);
    expect(notTheDefect(deadlock, new HttpTransportError('GET', 'http://127.0.0.1:1/metrics/by-model', 'ECONNREFUSED: refused'))).toMatch(/ECONNREFUSED/);
  });
});

describe('testKnownDefect in a real Jest run', () => {
  const { outcome, ranCount } = useKnownDefectFixtureRun('known-defect-guard');

  test('failed checks and a declared symptom are expected failures; a plain test beside them passes', () => {
    for (const name of ['expected: a failed expect()', 'expected: a failed expectNoProblems', 'expected: the declared symptom']) expect([name, outcome(name).status]).toEqual([name, 'passed']);
    expect(outcome('a plain test between').status).toBe('passed');
  });

  test('a typo, a refused connection or a missing prerequisite turns the test red, quoting the real error', () => {
    expect(outcome('red: a typo').status).toBe('failed');
    expect(outcome('red: a typo').message).toMatch(/reason other than defect max-tokens-floor[\s\S]*TypeError: Cannot read properties of undefined/);
    expect(outcome('red: a refused connection').message).toMatch(/reason other than defect[\s\S]*ECONNREFUSED/);
    expect(outcome('red: a missing prerequisite').message).toMatch(/reason other than defect[\s\S]*the streamed phase did not run/);
    for (const name of ['red: a refused connection', 'red: a missing prerequisite']) expect(outcome(name).status).toBe('failed');
  });

  test('a hang past the timeout turns the test red as a hang, not as the defect', () => {
    expect(outcome('red: a hang').status).toBe('failed');
    expect(outcome('red: a hang').message).toMatch(/did not finish within its timeout: a hang is not defect max-tokens-floor/);
  });

  test('a defect test whose check passes is red (the defect is fixed: drop the wrapper)', () => {
    expect(outcome('red: the check passes').status).toBe('failed');
    expect(outcome('red: the check passes').message).toMatch(/Failing test passed even though it was supposed to fail/);
  });

  test('every fixture test ran', () => {
    expect(ranCount()).toBe(9);
  });
});

describe('expectDefectProblems: only the symptom fails as the defect', () => {
  const symptom = problem('body.usage.completion_tokens', '≤ max_tokens (5)', 10);
  const other = problem('status', '200', '500 (body: Internal Server Error)');
  const tolerated = problem('choices[0].finish_reason', '"length"', 'stop');
  const isSymptom = (p: { at: string }) => p.at === 'body.usage.completion_tokens';
  const isTolerated = (p: { at: string }) => p.at.endsWith('finish_reason');

  test('the symptom alone, or with a tolerated problem, fails as a check (the defect)', () => {
    for (const problems of [[symptom], [symptom, tolerated]]) {
      const e = thrown(() => expectDefectProblems('usage', problems, isSymptom, isTolerated));
      expect(e).toBeInstanceOf(CheckFailure);
      expect(notTheDefect(plain, e)).toBeUndefined();
    }
  });

  test('any other problem is not the defect, even next to the symptom, and is named', () => {
    const e = thrown(() => expectDefectProblems('usage', [symptom, other], isSymptom, isTolerated));
    expect(e).not.toBeInstanceOf(CheckFailure);
    expect(notTheDefect(plain, e)).toMatch(/Not the defect — usage: 1 problem\n {2}- status: expected 200, got 500/);
  });

  test('no symptom (the defect is fixed) passes, even when a tolerated problem remains', () => {
    expect(() => expectDefectProblems('usage', [], isSymptom)).not.toThrow();
    expect(() => expectDefectProblems('usage', [tolerated], isSymptom, isTolerated)).not.toThrow();
  });
});

describe('expectDefectOrFix: what was seen must be the defect or its fix', () => {
  test('the signature or the fix passes through to the check', () => {
    expect(() => expectDefectOrFix(true, 'status 500')).not.toThrow();
  });

  test('anything else is not the defect: a plain Error that testKnownDefect turns red, naming what was seen', () => {
    const e = thrown(() => expectDefectOrFix(false, 'status 422'));
    expect(notTheDefect(plain, e)).toMatch(/Not the defect — status 422/);
  });
});
