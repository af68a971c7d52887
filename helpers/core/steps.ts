/**
 * Steps a test file's later tests build on (a snapshot, a created thread): each runs once, its
 * value or its failure is kept, and a test that needs a failed step stops before it sends anything,
 * saying which step it needed and why that step failed — instead of repeating the cause in its own
 * words, or sending `POST /v1/threads/undefined/messages`.
 *
 * The blocked test still fails (Jest cannot skip a test once it runs): its message starts with
 * "Blocked:" and names the step, and a 'blocked' record lets the reports list it under the step's
 * failure rather than as a failure of its own.
 */
import { readHarnessEnv } from './harness-env';
import { appendRecord } from './run-records';

/** A test that did not run its checks because a step it needs failed or never ran. */
export class StepBlocked extends Error {
  override name = 'StepBlocked';
  constructor(
    readonly step: string,
    readonly cause: string,
  ) {
    super(`Blocked: needs step "${step}", ${cause}`);
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; reason: string; test: string | null };

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 300) ?? msg;
}

function currentTest(): string | null {
  const e = (globalThis as { expect?: { getState?: () => { currentTestName?: string } } }).expect;
  return e?.getState?.().currentTestName ?? null;
}

export interface StepChain {
  /** Runs the step and keeps its outcome; a failure is rethrown, so the test that runs it fails with the real cause. */
  run<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** The step's value; throws StepBlocked when it failed or never ran. */
  need<T>(name: string): T;
}

/**
 * One chain per test file (or describe block). `onBlocked` is where a blocked test is recorded;
 * the default appends a 'blocked' record to the run dir.
 */
export function stepChain(onBlocked: (b: { test: string | null; step: string; cause: string }) => void = recordBlocked): StepChain {
  const outcomes = new Map<string, Outcome>();
  return {
    async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
      try {
        const value = await fn();
        outcomes.set(name, { ok: true, value });
        return value;
      } catch (e) {
        outcomes.set(name, { ok: false, reason: firstLine(e), test: currentTest() });
        throw e;
      }
    },
    need<T>(name: string): T {
      const o = outcomes.get(name);
      if (o?.ok) return o.value as T;
      const cause = o
        ? `which failed${o.test ? ` in "${o.test}"` : ''}: ${o.reason}`
        : 'which has not run (its test was filtered out, skipped, or comes later in the file)';
      const blocked = new StepBlocked(name, cause);
      onBlocked({ test: currentTest(), step: name, cause });
      throw blocked;
    },
  };
}

function recordBlocked(b: { test: string | null; step: string; cause: string }): void {
  try {
    appendRecord(readHarnessEnv().runDir, { kind: 'blocked', test: b.test ?? '(unknown test)', step: b.step, cause: b.cause });
  } catch {
    // Outside a harness run (a unit test) there is no run dir: the thrown StepBlocked says it all.
  }
}
