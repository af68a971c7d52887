import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendWindow, describePlace, fileOwning, findUnattributedExceptions, readWindows, serverExitedMessage, type TestWindow } from '../logs/attribution';
import type { AllowedException } from '../ledger/allowances';
import type { HarnessEnv } from '../core/harness-env';
import { readRecords, recordsOfKind } from '../core/run-records';

let runDir: string;
let logFile: string;

beforeEach(() => {
  runDir = mkdtempSync(path.join(os.tmpdir(), 'attribution-'));
  logFile = path.join(runDir, 'server.log');
});
afterEach(() => rmSync(runDir, { recursive: true, force: true }));

const harness = (extra: Partial<HarnessEnv['servers'][string]> = {}): HarnessEnv => ({
  runDir,
  seed: 1,
  servers: { default: { name: 'default', baseUrl: 'http://127.0.0.1:1', spawned: true, logFile, logStart: 0, settings: {}, ...extra } },
});

const record = (msg: string) => `2026-01-01 00:00:00,000 - fakeai.app - ERROR - ${msg}\n`;

/** Appends `text` to the log inside a window for `test`, the way the environment would. */
function inTest(test: string, text: string, reported: boolean): void {
  const start = Buffer.byteLength(readLog());
  appendFileSync(logFile, text);
  const end = start + Buffer.byteLength(text);
  const base = { id: test, test, file: 'e2e/x.test.ts', server: 'default', startOffset: start };
  appendWindow(runDir, { ...base, type: 'start', startedAt: '' });
  appendWindow(runDir, { ...base, type: 'end', endOffset: end, findings: reported ? [start] : [], endedAt: '', closeMs: 0 });
}
const readLog = () => {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return '';
  }
};

describe('test windows', () => {
  test('a start and its end pair into one window; a start without an end stays open', () => {
    appendWindow(runDir, { type: 'start', id: 'a', test: 'A', file: 'f', server: 'default', startOffset: 0, startedAt: '' });
    appendWindow(runDir, { type: 'end', id: 'a', test: 'A', file: 'f', server: 'default', startOffset: 0, endOffset: 10, findings: [3], endedAt: '', closeMs: 0 });
    appendWindow(runDir, { type: 'start', id: 'b', test: 'B', file: 'f', server: 'default', startOffset: 10, startedAt: '' });
    expect(readWindows(runDir)).toEqual([
      { id: 'a', test: 'A', file: 'f', server: 'default', startOffset: 0, endOffset: 10, findings: [3] },
      { id: 'b', test: 'B', file: 'f', server: 'default', startOffset: 10, endOffset: undefined, findings: [] },
    ]);
  });

  const w = (test: string, startOffset: number, endOffset: number | undefined): TestWindow => ({ id: test, test, file: 'f', server: 'default', startOffset, endOffset, findings: [] });

  test.each([
    [5, /^before the first test \("A"\)/],
    [15, /^between tests, after "A" and before "B"/],
    [35, /^after the last test \("B"\) finished/],
    [25, /^during "B" \(f\), which did not report it/],
  ])('an offset of %i is described relative to the tests around it', (offset, expected) => {
    expect(describePlace([w('A', 10, 12), w('B', 20, 30)], offset)).toMatch(expected);
  });

  test('with no windows at all it says no test was running', () => {
    expect(describePlace([], 0)).toMatch(/no test was running/);
  });

  const fw = (file: string, test: string, startOffset: number, endOffset: number | undefined): TestWindow => ({ ...w(test, startOffset, endOffset), file });
  test('an offset between two tests of one file belongs to that file', () => {
    expect(fileOwning([fw('a', 'A1', 10, 12), fw('a', 'A2', 20, 30), fw('b', 'B1', 40, 50)], 15)).toBe('a');
  });

  test.each([
    [5, 'before the first test'],
    [35, "between file a's last test and file b's first (a's afterAll or b's beforeAll)"],
    [55, 'after the last test'],
  ])('an offset of %i (%s) belongs to no provable file', (offset) => {
    expect(fileOwning([fw('a', 'A1', 10, 12), fw('a', 'A2', 20, 30), fw('b', 'B1', 40, 50)], offset)).toBeUndefined();
  });

  test('a gap inside a file whose span another file reaches into (tests run in parallel workers) belongs to no file', () => {
    expect(fileOwning([fw('a', 'A1', 10, 12), fw('b', 'B1', 13, 14), fw('a', 'A2', 20, 30)], 16)).toBeUndefined();
  });
});

describe('exceptions no test owned', () => {
  test('an exception between tests fails the run, named by the tests around it, and is recorded with no tests', async () => {
    inTest('first', 'INFO:     fine\n', false);
    appendFileSync(logFile, record('between the tests'));
    inTest('second', 'INFO:     fine\n', false);
    const message = await findUnattributedExceptions(harness(), []);
    expect(message).toMatch(/^FakeAI logged 1 exception that no test owned:/);
    expect(message).toContain('between tests, after "first" and before "second"');
    expect(message).toContain('ERROR - between the tests');
    const findings = recordsOfKind(readRecords(runDir), 'finding');
    expect(findings).toEqual([expect.objectContaining({ server: 'default', tests: [], allowed: false, headline: 'fakeai.app ERROR: between the tests' })]);
  });

  test('exceptions at start-up and at shutdown are found too', async () => {
    appendFileSync(logFile, record('at start-up'));
    inTest('only', 'INFO:     fine\n', false);
    appendFileSync(logFile, 'Traceback (most recent call last):\n  File "x.py", line 1, in stop\nKeyboardInterrupt\n');
    const message = (await findUnattributedExceptions(harness(), []))!;
    expect(message).toMatch(/FakeAI logged 2 exceptions/);
    expect(message).toMatch(/1\. before the first test \("only"\)[^]*at start-up/);
    expect(message).toMatch(/2\. after the last test \("only"\) finished[^]*KeyboardInterrupt/);
  });

  test('an exception a test already reported is not reported again', async () => {
    inTest('guilty', record('during the test'), true);
    expect(await findUnattributedExceptions(harness(), [])).toBeUndefined();
    expect(recordsOfKind(readRecords(runDir), 'finding')).toEqual([]);
  });

  test('an exception inside a window that the test did not report is reported, naming the test', async () => {
    inTest('unfinished', record('seen by nobody'), false);
    const message = await findUnattributedExceptions(harness(), []);
    expect(message).toContain('during "unfinished" (e2e/x.test.ts), which did not report it');
    expect(recordsOfKind(readRecords(runDir), 'finding')[0].tests).toEqual(['unfinished']);
  });

  describe('allowances (helpers/logs/allowance-rules.ts) at teardown', () => {
    const allowance = (provokedBy: AllowedException['provokedBy']): AllowedException[] => [
      { pattern: /provoked on purpose/, defect: 'batches-service-missing', reason: 'test', provokedBy },
    ];
    const inX = allowance([{ file: 'e2e/x.test.ts', tests: ['unfinished'] }]);

    test('inside the window of a test that did not report it, the test is known: an allowance naming it excuses it, with its defect', async () => {
      inTest('unfinished', record('provoked on purpose'), false);
      expect(await findUnattributedExceptions(harness(), inX)).toBeUndefined();
      expect(recordsOfKind(readRecords(runDir), 'finding')).toEqual([expect.objectContaining({ allowed: true, defect: 'batches-service-missing', file: 'e2e/x.test.ts' })]);
    });

    test('between two tests of one file, the file is known: an allowance naming that file excuses it', async () => {
      inTest('first', 'INFO:     fine\n', false);
      appendFileSync(logFile, record('provoked on purpose'));
      inTest('second', 'INFO:     fine\n', false);
      expect(await findUnattributedExceptions(harness(), inX)).toBeUndefined();
    });

    test('before any test (start-up or a beforeAll), no file is known: it fails the run and says where it is allowed', async () => {
      appendFileSync(logFile, record('provoked on purpose'));
      inTest('unfinished', 'INFO:     fine\n', false);
      const message = await findUnattributedExceptions(harness(), inX);
      expect(message).toMatch(/^FakeAI logged 1 exception that no test owned:/);
      expect(message).toContain('known defect batches-service-missing, which is allowed only in e2e/x.test.ts');
      expect(recordsOfKind(readRecords(runDir), 'finding')).toEqual([expect.objectContaining({ allowed: false })]);
    });

    test('in the window of a test the allowance does not name, it fails the run', async () => {
      inTest('someone else', record('provoked on purpose'), false);
      expect(await findUnattributedExceptions(harness(), inX)).toContain('which is allowed only in e2e/x.test.ts');
    });
  });

  test('lines before logStart (a reused server’s history) are not ours', async () => {
    appendFileSync(logFile, record('yesterday'));
    const logStart = Buffer.byteLength(readLog());
    appendFileSync(logFile, 'INFO:     today\n');
    expect(await findUnattributedExceptions(harness({ logStart }), [])).toBeUndefined();
  });

  test('a server whose log is not watched is skipped, and nothing is recorded about it', async () => {
    appendFileSync(logFile, record('unwatched'));
    expect(await findUnattributedExceptions(harness({ logFile: undefined }), [])).toBeUndefined();
    expect(readRecords(runDir)).toEqual([]);
  });
});

describe('a server that exited', () => {
  test('the message gives code, signal and the last 20 lines of its own part of the log', () => {
    writeFileSync(logFile, 'older run\n');
    const logStart = Buffer.byteLength(readLog());
    appendFileSync(logFile, Array.from({ length: 25 }, (_, i) => `line ${i + 1}\n`).join(''));
    const exitMarkerFile = path.join(runDir, 'server-default.exit.json');
    writeFileSync(exitMarkerFile, JSON.stringify({ code: 7, signal: null, at: '2026-01-01T00:00:00.000Z' }));
    const msg = serverExitedMessage(harness({ logStart, exitMarkerFile }).servers.default);
    expect(msg.split('\n')[0]).toBe('server default exited (code=7, signal=null) at 2026-01-01T00:00:00.000Z; the remaining tests fail at once.');
    expect(msg).toContain('Last 20 lines of');
    expect(msg).toContain('  | line 6\n');
    expect(msg).not.toContain('line 5\n');
    expect(msg).not.toContain('older run');
  });
});
