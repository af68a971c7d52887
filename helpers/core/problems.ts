/**
 * What every check returns: a list of problems, empty when all is well. Each problem says where,
 * what was expected and what came back, so a failure message needs no debugger.
 */
import type { ZodError, ZodTypeAny } from 'zod';

export interface Problem {
  /** Where: "choices[0].finish_reason", "event 3", "/metrics requests./v1/chat/completions.p90". */
  at: string;
  expected: string;
  actual: string;
}

export function problem(at: string, expected: string, actual: unknown): Problem {
  return { at, expected, actual: typeof actual === 'string' ? actual : show(actual) };
}

/** A short, exact rendering of a value for messages (strings quoted, long values cut). */
export function show(value: unknown, max = 160): string {
  let s: string;
  if (value === undefined) s = 'undefined';
  else if (typeof value === 'number' && !Number.isFinite(value)) s = String(value);
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

export function formatProblems(title: string, problems: readonly Problem[]): string {
  if (problems.length === 0) return `${title}: no problems`;
  const lines = problems.map((p) => `  - ${p.at}: expected ${p.expected}, got ${p.actual}`);
  return `${title}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${lines.join('\n')}`;
}

/** Turns zod issues into problems, each naming the path, the rule and the offending value. */
export function zodProblems(prefix: string, error: ZodError, input: unknown): Problem[] {
  return error.issues.map((issue) => {
    const at = [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))].join('').replace(/^\./, '') || prefix;
    let actual: unknown = input;
    for (const key of issue.path) actual = (actual as Record<string | number, unknown> | undefined)?.[key];
    return problem(at, issue.message, actual);
  });
}

/** Parses with a schema; returns the value (or undefined) and the problems. */
export function parseWith<S extends ZodTypeAny>(schema: S, input: unknown, prefix: string): { value: S['_output'] | undefined; problems: Problem[] } {
  const r = schema.safeParse(input);
  return r.success ? { value: r.data, problems: [] } : { value: undefined, problems: zodProblems(prefix, r.error, input) };
}

/**
 * A failed check, as opposed to a crash, a network error or a timeout: testKnownDefect counts only
 * these (and Jest's own assertion errors) as a known defect failing as expected.
 */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

/**
 * For tests: fails with every problem listed. Problems are data (checks stay pure); this is the
 * one place they become an assertion.
 */
export function expectNoProblems(title: string, problems: readonly Problem[]): void {
  if (problems.length > 0) throw new CheckFailure(formatProblems(title, problems));
}
