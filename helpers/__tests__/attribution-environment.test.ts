/**
 * The e2e test environment driven directly with circus events (no child Jest): fast checks of what
 * it does to a test's errors and what it writes to the run dir. The whole-Jest view is in
 * attribution-fixture-project.test.ts.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Circus } from '@jest/types';
import { readWindows } from '../logs/attribution';
import { PROJECT_ROOT } from '../core/config';
import { HARNESS_ENV_VAR, type HarnessEnv } from '../core/harness-env';
import E2EEnvironment from '../jest/environment';
import { defectTestName, knownDefect } from '../ledger/known-defects';
import { readRecords, recordsOfKind } from '../core/run-records';

let runDir: string;
let logFile: string;
let exitMarkerFile: string;
const savedHarness = process.env[HARNESS_ENV_VAR];

function setHarness(servers: HarnessEnv['servers']): void {
  process.env[HARNESS_ENV_VAR] = JSON.stringify({ runDir, seed: 1, servers } satisfies HarnessEnv);
}

function makeEnv(options: Record<string, unknown> = {}): E2EEnvironment {
  const projectConfig = { testEnvironmentOptions: { logQuietMs: 10, ...options }, globals: {}, fakeTimers: {} };
  return new E2EEnvironment({ projectConfig, globalConfig: {} } as never, { testPath: path.join(runDir, 'x.test.ts'), console, docblockPragmas: {} } as never);
}

function makeTest(name: string): Circus.TestEntry {
  const root = { name: 'ROOT_DESCRIBE_BLOCK', parent: undefined } as unknown as Circus.DescribeBlock;
  const block = { name: 'area', parent: root } as unknown as Circus.DescribeBlock;
  return { name, parent: block, errors: [] } as unknown as Circus.TestEntry;
}

const event = (name: string, test: Circus.TestEntry) => ({ name, test }) as unknown as Circus.Event;
const messages = (t: Circus.TestEntry) => t.errors.map((e) => (e as Error).message);
const tracebackRecord = (tag: string) =>
  `2026-01-01 00:00:00,000 - fakeai.app - ERROR - Request 1 failed: ${tag}\nTraceback (most recent call last):\n  File "a.py", line 1, in f\nKeyError: '${tag}'\n`;

beforeEach(() => {
  runDir = mkdtempSync(path.join(os.tmpdir(), 'attribution-env-'));
  logFile = path.join(runDir, 'server.log');
  exitMarkerFile = path.join(runDir, 'server-default.exit.json');
  writeFileSync(logFile, 'INFO:     started\n');
  setHarness({ default: { name: 'default', baseUrl: 'http://127.0.0.1:1', spawned: true, logFile, logStart: 0, exitMarkerFile, settings: {} } });
});
afterEach(() => {
  if (savedHarness === undefined) delete process.env[HARNESS_ENV_VAR];
  else process.env[HARNESS_ENV_VAR] = savedHarness;
  rmSync(runDir, { recursive: true, force: true });
});

describe('a test with a quiet log', () => {
  test('passes untouched, and its window is written with start, end and no findings', async () => {
    const env = makeEnv();
    const t = makeTest('quiet');
    await env.handleTestEvent(event('test_start', t));
    await env.handleTestEvent(event('test_done', t));
    expect(t.errors).toEqual([]);
    expect(readWindows(runDir)).toEqual([expect.objectContaining({ test: 'area quiet', server: 'default', startOffset: 18, endOffset: 18, findings: [] })]);
  });
});

describe('a test during which the server logged an exception', () => {
  test('fails with the test name, the server and the whole traceback, and the finding is recorded', async () => {
    const env = makeEnv();
    const t = makeTest('guilty');
    await env.handleTestEvent(event('test_start', t));
    appendFileSync(logFile, tracebackRecord('boom'));
    await env.handleTestEvent(event('test_done', t));
    expect(messages(t)).toHaveLength(1);
    expect(messages(t)[0]).toMatch(/^FakeAI server "default" logged an exception during test "area guilty"/);
    expect(messages(t)[0]).toContain("  | KeyError: 'boom'");
    // No harness stack frame under the message.
    expect((t.errors[0] as Error).stack).toBe(messages(t)[0]);
    expect(recordsOfKind(readRecords(runDir), 'finding')).toEqual([expect.objectContaining({ tests: ['area guilty'], allowed: false })]);
    expect(readWindows(runDir)[0].findings).toEqual([18]);
  });

  test('an exception written after test_done began, within the quiet period, is still caught', async () => {
    const env = makeEnv({ logQuietMs: 100 });
    const t = makeTest('late but in time');
    await env.handleTestEvent(event('test_start', t));
    setTimeout(() => appendFileSync(logFile, tracebackRecord('late')), 20);
    await env.handleTestEvent(event('test_done', t));
    expect(messages(t).join('\n')).toContain("KeyError: 'late'");
  });

  describe('an exception an allowance covers', () => {
    const thisFile = () => path.relative(PROJECT_ROOT, path.join(runDir, 'x.test.ts'));
    // An allowance naming a file that does not exist is refused, so the test file must be there.
    beforeEach(() => writeFileSync(path.join(runDir, 'x.test.ts'), ''));
    const allowance = (provokedBy: { file: string; tests?: string[] }[]) => ({
      allowedExceptions: [{ pattern: "KeyError: 'on purpose'", defect: 'batches-service-missing', reason: 'test', provokedBy }],
    });
    async function provoke(env: E2EEnvironment, name: string): Promise<Circus.TestEntry> {
      const t = makeTest(name);
      await env.handleTestEvent(event('test_start', t));
      appendFileSync(logFile, tracebackRecord('on purpose'));
      await env.handleTestEvent(event('test_done', t));
      return t;
    }

    test('in a test the allowance names, in its file, passes and is recorded as allowed with its defect', async () => {
      const t = await provoke(makeEnv(allowance([{ file: thisFile(), tests: ['provokes'] }])), 'provokes');
      expect(t.errors).toEqual([]);
      expect(recordsOfKind(readRecords(runDir), 'finding')).toEqual([expect.objectContaining({ allowed: true, defect: 'batches-service-missing', file: thisFile() })]);
    });

    test("with no tests listed, only the file's tests of that defect may provoke it", async () => {
      const env = makeEnv(allowance([{ file: thisFile() }]));
      const defectTest = await provoke(env, defectTestName(knownDefect('batches-service-missing'), 'provokes'));
      expect(defectTest.errors).toEqual([]);
      const otherDefect = await provoke(env, defectTestName(knownDefect('files-unknown-id-500'), 'provokes'));
      expect(messages(otherDefect)[0]).toContain('allowed only in');
    });

    test('in another file it fails the test, saying where it is allowed and for which defect', async () => {
      const t = await provoke(makeEnv(allowance([{ file: 'e2e/health.test.ts' }])), 'provokes');
      expect(messages(t)).toHaveLength(1);
      expect(messages(t)[0]).toMatch(/^FakeAI server "default" logged an exception during test "area provokes"/);
      expect(messages(t)[0]).toContain(
        "It matches the allowance /KeyError: 'on purpose'/ for known defect batches-service-missing, which is allowed only in e2e/health.test.ts",
      );
      expect(recordsOfKind(readRecords(runDir), 'finding')).toEqual([expect.objectContaining({ allowed: false })]);
      expect(recordsOfKind(readRecords(runDir), 'finding')[0].defect).toBeUndefined();
    });

    test('in this file but another test than the named ones, it fails the test', async () => {
      const t = await provoke(makeEnv(allowance([{ file: thisFile(), tests: ['the provoker'] }])), 'a bystander');
      expect(messages(t)[0]).toContain(`which is allowed only in ${thisFile()} (tests whose name contains "the provoker")`);
    });

    /**
     * Runs `name` then "next", with the allowed traceback written `delayMs` after `name`'s test_done
     * began: past the quiet period, so without a wait for it, it falls in "next"'s window.
     */
    async function provokeLateThenNext(env: E2EEnvironment, name: string, delayMs: number): Promise<[Circus.TestEntry, Circus.TestEntry]> {
      const t = makeTest(name);
      const next = makeTest('next');
      await env.handleTestEvent(event('test_start', t));
      const write = new Promise<void>((resolve) => setTimeout(() => resolve(appendFileSync(logFile, tracebackRecord('on purpose'))), delayMs));
      await env.handleTestEvent(event('test_done', t));
      await env.handleTestEvent(event('test_start', next));
      await write;
      await env.handleTestEvent(event('test_done', next));
      return [t, next];
    }

    test('a test it names keeps its window open for the exception it provokes, so a late traceback is not blamed on the next test', async () => {
      const env = makeEnv(allowance([{ file: thisFile(), tests: ['the provoker'] }]));
      // 150 ms is far past the 10 ms quiet period: without the wait the traceback lands in "next".
      const [provoker, next] = await provokeLateThenNext(env, 'the provoker', 150);
      expect(messages(provoker)).toEqual([]);
      expect(messages(next)).toEqual([]);
      expect(recordsOfKind(readRecords(runDir), 'finding')).toEqual([expect.objectContaining({ tests: ['area the provoker'], allowed: true })]);
    });

    test('a test it does not name does not wait: the same late traceback lands in the next test and fails it', async () => {
      const env = makeEnv(allowance([{ file: thisFile(), tests: ['the provoker'] }]));
      const [bystander, next] = await provokeLateThenNext(env, 'a bystander', 150);
      expect(messages(bystander)).toEqual([]);
      expect(messages(next)).toHaveLength(1);
      expect(messages(next)[0]).toMatch(/^FakeAI server "default" logged an exception during test "area next"/);
    });

    test('a test it names stops waiting on its other servers\' windows once the exception shows on one', async () => {
      const otherLog = path.join(runDir, 'server-other.log');
      writeFileSync(otherLog, 'INFO:     started\n');
      setHarness({
        default: { name: 'default', baseUrl: 'http://127.0.0.1:1', spawned: true, logFile, logStart: 0, exitMarkerFile, settings: {} },
        other: { name: 'other', baseUrl: 'http://127.0.0.1:2', spawned: true, logFile: otherLog, logStart: 0, settings: {} },
      });
      const env = makeEnv(allowance([{ file: thisFile(), tests: ['the provoker'] }]));
      const t = makeTest('the provoker');
      await env.handleTestEvent(event('test_start', t));
      appendFileSync(logFile, tracebackRecord('on purpose'));
      const t0 = performance.now();
      await env.handleTestEvent(event('test_done', t));
      // The "other" server never logs it; its window closes with the one that did, not after 1.5 s.
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(messages(t)).toEqual([]);
    });

    test('a test it names whose exception never comes (a build without the defect) still closes, within the bound', async () => {
      const env = makeEnv(allowance([{ file: thisFile(), tests: ['the provoker'] }]));
      const t = makeTest('the provoker');
      await env.handleTestEvent(event('test_start', t));
      const t0 = performance.now();
      await env.handleTestEvent(event('test_done', t));
      expect(performance.now() - t0).toBeLessThan(2500 + 1000);
      expect(messages(t)).toEqual([]);
    });

    test('an allowance for an unknown defect id stops the environment before any test', () => {
      expect(() => makeEnv({ allowedExceptions: [{ pattern: 'x', defect: 'no-such-defect', reason: 'test', provokedBy: [{ file: 'e2e/health.test.ts' }] }] })).toThrow(
        /unknown known-defect id "no-such-defect"/,
      );
    });
  });

  test('overlapping tests each fail, each naming the other, and the finding is recorded once', async () => {
    const env = makeEnv();
    const a = makeTest('a');
    const b = makeTest('b');
    await env.handleTestEvent(event('test_start', a));
    await env.handleTestEvent(event('test_start', b));
    appendFileSync(logFile, tracebackRecord('shared'));
    await env.handleTestEvent(event('test_done', a));
    await env.handleTestEvent(event('test_done', b));
    expect(messages(a)[0]).toContain('any of them may have caused it: "area b"');
    expect(messages(b)[0]).toContain('any of them may have caused it: "area a"');
    expect(recordsOfKind(readRecords(runDir), 'finding')).toHaveLength(1);
  });
});

describe('tests that do not run', () => {
  test('a skipped test closes its window empty, so later findings do not name it', async () => {
    const env = makeEnv();
    const skipped = makeTest('skipped');
    await env.handleTestEvent(event('test_start', skipped));
    await env.handleTestEvent(event('test_skip', skipped));
    const t = makeTest('runs');
    await env.handleTestEvent(event('test_start', t));
    appendFileSync(logFile, tracebackRecord('x'));
    await env.handleTestEvent(event('test_done', t));
    expect(messages(t)[0]).not.toContain('skipped');
    expect(readWindows(runDir).find((w) => w.test === 'area skipped')).toMatchObject({ startOffset: 18, endOffset: 18 });
  });
});

describe('a server that exited', () => {
  test('fails the next test at test_start, before its body could run', async () => {
    writeFileSync(exitMarkerFile, JSON.stringify({ code: 3, signal: null }));
    const env = makeEnv();
    const t = makeTest('next');
    await env.handleTestEvent(event('test_start', t));
    expect(messages(t)).toEqual([expect.stringMatching(/^server default exited \(code=3, signal=null\)/)]);
  });

  test('replaces the errors of the test during which it died with that one message', async () => {
    const env = makeEnv();
    const t = makeTest('during');
    await env.handleTestEvent(event('test_start', t));
    t.errors.push(new Error('connect ECONNREFUSED 127.0.0.1:1'));
    writeFileSync(exitMarkerFile, JSON.stringify({ code: null, signal: 'SIGKILL' }));
    await env.handleTestEvent(event('test_done', t));
    expect(messages(t)).toEqual([expect.stringMatching(/^server default exited \(code=null, signal=SIGKILL\)/)]);
  });
});

describe('without the harness', () => {
  test('a reused server without a log file is not watched: no window, no finding', async () => {
    setHarness({ default: { name: 'default', baseUrl: 'http://127.0.0.1:1', spawned: false, logStart: 0, settings: {} } });
    const env = makeEnv();
    const t = makeTest('unwatched');
    await env.handleTestEvent(event('test_start', t));
    appendFileSync(logFile, tracebackRecord('unseen'));
    await env.handleTestEvent(event('test_done', t));
    expect(t.errors).toEqual([]);
    expect(readWindows(runDir)).toEqual([]);
  });

  test('tests run without globalSetup are left alone', async () => {
    delete process.env[HARNESS_ENV_VAR];
    const env = makeEnv();
    const t = makeTest('bare');
    await env.handleTestEvent(event('test_start', t));
    await env.handleTestEvent(event('test_done', t));
    expect(t.errors).toEqual([]);
  });
});
