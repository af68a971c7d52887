/**
 * One known-defect test per way it can end. The driver expects exactly the "expected:" tests to
 * pass (their defect showed) and every "red:" test to fail, each with the message it names.
 */
import { expectNoProblems, problem } from '../../core/problems';
import { HttpTransportError } from '../../core/http';
import { testKnownDefect } from '../../checks/known-defect-test';

describe('guard', () => {
  testKnownDefect('max-tokens-floor', 'expected: a failed expect()', () => {
    expect(12).toBeLessThanOrEqual(5);
  });

  testKnownDefect('max-tokens-floor', 'expected: a failed expectNoProblems', () => {
    expectNoProblems('usage', [problem('completion_tokens', '≤ 5', 12)]);
  });

  testKnownDefect('by-model-deadlock', 'expected: the declared symptom (no answer)', () => {
    throw new HttpTransportError('GET', 'http://127.0.0.1:1/metrics/by-model', 'no answer within 1000 ms (per-request timeout, --request-timeout)');
  });

  test('a plain test between defect tests is not affected', () => {
    expect(1).toBe(1);
  });

  testKnownDefect('max-tokens-floor', 'red: a typo (TypeError)', () => {
    const usage = undefined as unknown as { completion_tokens: number };
    expect(usage.completion_tokens).toBeLessThanOrEqual(5);
  });

  testKnownDefect('max-tokens-floor', 'red: a refused connection', () => {
    throw new HttpTransportError('POST', 'http://127.0.0.1:1/v1/chat/completions', 'ECONNREFUSED: connect ECONNREFUSED');
  });

  testKnownDefect('max-tokens-floor', 'red: a missing prerequisite (plain Error)', () => {
    throw new Error('the streamed phase did not run');
  });

  testKnownDefect(
    'max-tokens-floor',
    'red: a hang past the timeout',
    () => new Promise<void>((resolve) => setTimeout(resolve, 3000).unref()),
    300,
  );

  testKnownDefect('max-tokens-floor', 'red: the check passes (defect fixed)', () => {
    expect(5).toBeLessThanOrEqual(5);
  });
});
