import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Finding, formatFinding, isAllowed, scanChunk, scanLog } from '../logs/log-watcher';

const LOGS = path.join(__dirname, '..', '__fixtures__', 'attribution', 'logs');
const log = (name: string) => readFileSync(path.join(LOGS, name));
const brief = (fs: Finding[]) => fs.map((f) => [f.kind, f.headline]);

describe('recognising exceptions in real FakeAI, uvicorn and CPython output', () => {
  test("finds FakeAI's 500s: an ERROR record with its chained traceback is one finding", () => {
    const fs = scanLog(log('fakeai-500-tracebacks.log'), { final: true });
    expect(fs.map((f) => f.kind)).toEqual(['error-record', 'error-record', 'error-record']);
    expect(fs[2].headline).toBe("fakeai.app ERROR: Request 1795834303-8007 failed: 'rate' [KeyError]");
    // The whole chain, from the record line to the final exception line, and nothing of the metrics block after it.
    expect(fs[0].text.split('\n')[0]).toMatch(/ - fakeai\.app - ERROR - Request 1795834303-7469 failed/);
    expect(fs[0].text).toContain('The above exception was the direct cause of the following exception:');
    expect(fs[0].text.split('\n').pop()).toMatch(/^RuntimeError: File at path .*dashboard\.html does not exist\.$/);
    expect(fs[2].text).not.toContain('SERVER METRICS');
  });

  test("finds uvicorn's ERROR record when the port is taken", () => {
    expect(brief(scanLog(log('fakeai-port-taken.log'), { final: true }))).toEqual([
      ['error-record', "uvicorn ERROR: [Errno 98] error while attempting to bind on address ('127.0.0.1', 18765): address already in use"],
    ]);
  });

  test('finds an ASGI exception, a logged exception, a dead thread, CRITICAL and ERROR records', () => {
    expect(brief(scanLog(log('uvicorn-asgi-thread-records.log'), { final: true }))).toEqual([
      ['asgi-exception', 'Exception in ASGI application: ValueError: stream broke after the headers'],
      ['error-record', 'fakeai.app ERROR: Request 123-4567 failed: while handling a missing key [RuntimeError]'],
      ['thread-exception', 'Exception in thread metrics-sampler: OSError: background worker failed'],
      ['critical-record', 'fakeai.metrics_aggregator CRITICAL: Aggregation loop stopped: state corrupted'],
      ['error-record', 'fakeai.metrics_aggregator ERROR: Error in aggregation loop: division by zero'],
    ]);
  });

  test('reads every traceback shape CPython 3.11 prints as one finding each', () => {
    const fs = scanLog(log('python-traceback-shapes.log'), { final: true });
    expect(brief(fs)).toEqual([
      ['traceback', 'IndexError: list index out of range'],
      ['traceback', 'ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions)'],
      ['traceback', 'pydantic_core._pydantic_core.ValidationError: 1 validation error for M'],
      ['traceback', 'Exception ignored in: <function D.__del__ at 0x7fc80c445260>: RuntimeError: in __del__'],
      ['error-record', 'asyncio ERROR: Task exception was never retrieved'],
    ]);
    expect(fs[0].text).toContain('During handling of the above exception, another exception occurred:');
    expect(fs[1].text).toContain("| KeyError: 'second'");
    // A multi-line exception message stays with its traceback.
    expect(fs[2].text).toContain('Field required [type=missing');
  });
});

describe('no false alarms', () => {
  test("FakeAI's start-up, banner, per-request lines and SERVER METRICS blocks are not findings", () => {
    expect(scanLog(log('fakeai-boot-and-traffic.log'), { final: true })).toEqual([]);
  });

  test('lines that merely contain "error" are not findings', () => {
    const text = log('harmless-lines.log').toString();
    // The fixture really does contain the traps it is meant to contain.
    for (const trap of ['Errors/sec', 'error_rate', '0 errors', '{"error":', 'UserWarning', 'level=ERROR', 'Traceback (most recent call last):']) {
      expect(text).toContain(trap);
    }
    expect(scanLog(text, { final: true })).toEqual([]);
  });

  test('WARNING and INFO records are not findings, even with an exception word in them', () => {
    const text = [
      '2026-11-28 02:51:42,005 - fakeai.app - WARNING - Exception handler fell back',
      'WARNING:  Invalid HTTP request received.',
      'INFO:     Exception in ASGI application is only quoted here',
    ].join('\n');
    expect(scanLog(text, { final: true })).toEqual([]);
  });
});

describe('feeding it bad data: each recogniser fires', () => {
  test.each([
    ['a bare traceback', 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: bad\n', 'traceback', 'ValueError: bad'],
    ['an ERROR record', '2026-01-01 00:00:00,000 - fakeai.app - ERROR - it broke\n', 'error-record', 'fakeai.app ERROR: it broke'],
    ['a CRITICAL record', '2026-01-01 00:00:00,000 - fakeai.x - CRITICAL - it is on fire\n', 'critical-record', 'fakeai.x CRITICAL: it is on fire'],
    ['a uvicorn CRITICAL', 'CRITICAL: gone\n', 'critical-record', 'uvicorn CRITICAL: gone'],
    ['a thread', 'Exception in thread T-1:\nTraceback (most recent call last):\n  File "x.py", line 1, in run\nOSError: nope\n', 'thread-exception', 'Exception in thread T-1: OSError: nope'],
    ['an ASGI exception', 'ERROR:    Exception in ASGI application\nTraceback (most recent call last):\n  File "x.py", line 1, in app\nKeyError: 1\n', 'asgi-exception', 'Exception in ASGI application: KeyError: 1'],
  ])('%s', (_what, text, kind, headline) => {
    expect(brief(scanLog(text, { final: true }))).toEqual([[kind, headline]]);
  });

  test('a traceback between ordinary lines is found with exactly its own lines', () => {
    const tb = 'Traceback (most recent call last):\n  File "x.py", line 1, in f\n    f()\nRuntimeError: once';
    const text = `INFO:     before\n${tb}\n2026-01-01 00:00:00,000 - fakeai.app - INFO - after\n`;
    const [f] = scanLog(text, { final: true });
    expect(f.text).toBe(tb);
  });
});

describe('byte offsets', () => {
  test('offsets are bytes, absolute from baseOffset, and slice exactly the finding', () => {
    const before = 'INFO:     héllo wörld — ünïcode\n';
    const record = '2026-01-01 00:00:00,000 - fakeai.app - ERROR - naïve failure\n';
    const buf = Buffer.from(before + record + 'INFO:     after\n');
    const [f] = scanLog(buf, { baseOffset: 1000, final: true });
    expect(f.startOffset).toBe(1000 + Buffer.byteLength(before));
    expect(f.endOffset).toBe(f.startOffset + Buffer.byteLength(record));
    expect(buf.subarray(f.startOffset - 1000, f.endOffset - 1000).toString()).toBe(record);
  });
});

describe('reading a log in chunks', () => {
  const tb = 'Traceback (most recent call last):\n  File "x.py", line 1, in f\n    f()\nRuntimeError: late\n';

  test('a traceback cut before its exception line is left for the next read', () => {
    const head = 'INFO:     ok\n';
    const cut = tb.slice(0, tb.indexOf('RuntimeError'));
    const r = scanChunk(head + cut, { baseOffset: 50 });
    expect(r.findings).toEqual([]);
    expect(r.resumeOffset).toBe(50 + head.length);
  });

  test('the same cut traceback is reported as incomplete once the log is final', () => {
    const cut = tb.slice(0, tb.indexOf('RuntimeError'));
    const [f] = scanLog(cut, { final: true });
    expect(f).toMatchObject({ kind: 'traceback', incomplete: true });
  });

  test('a half-written last line is not read until it ends', () => {
    const r = scanChunk('INFO:     ok\n2026-01-01 00:00:00,000 - fakeai.app - ERR');
    expect(r.findings).toEqual([]);
    expect(r.resumeOffset).toBe('INFO:     ok\n'.length);
  });

  test('a chain marker at the end waits for the traceback that follows it', () => {
    const text = `${tb}\nDuring handling of the above exception, another exception occurred:\n\n`;
    expect(scanChunk(text).findings).toEqual([]);
    expect(scanChunk(text).resumeOffset).toBe(0);
  });

  test('an ASGI error line whose traceback has not arrived yet is left for the next read', () => {
    expect(scanChunk('ERROR:    Exception in ASGI application\n').findings).toEqual([]);
  });

  test('reading in two parts at any line finds what one read finds', () => {
    const whole = log('uvicorn-asgi-thread-records.log');
    const expected = brief(scanLog(whole, { final: true }));
    const lineEnds: number[] = [];
    for (let i = whole.indexOf(0x0a); i !== -1; i = whole.indexOf(0x0a, i + 1)) lineEnds.push(i + 1);
    const text = whole.toString();
    // Documented limit: a cut right after a complete-looking line that a later part continues (an
    // exception line before its chain marker, an ERROR line before the traceback logger.exception
    // adds) yields two findings instead of one. logging writes a record with its traceback in one
    // write, so a reader only meets such a cut if the writer stalls longer than the quiet period.
    const continuedLater = (cut: number) =>
      /^\s*(The above exception|During handling|Traceback \(most recent call last\):)/.test(text.slice(cut));
    for (const cut of lineEnds) {
      if (continuedLater(cut)) continue;
      const first = scanChunk(whole.subarray(0, cut));
      const rest = scanChunk(whole.subarray(first.resumeOffset), { baseOffset: first.resumeOffset, final: true });
      expect(brief([...first.findings, ...rest.findings])).toEqual(expected);
    }
  });
});

describe('allowlist', () => {
  const [f] = scanLog('2026-01-01 00:00:00,000 - fakeai.app - ERROR - Request 1 failed: provoked on purpose\n', { final: true });

  test('a finding matching an allowed pattern is allowed', () => {
    expect(isAllowed(f, [{ pattern: /provoked on purpose/, reason: 'test' }])).toBe(true);
  });

  test('a finding matching no pattern is not allowed', () => {
    expect(isAllowed(f, [{ pattern: /something else/, reason: 'test' }])).toBe(false);
    expect(isAllowed(f, [])).toBe(false);
  });

  test('a /g pattern matches every time (no lastIndex carried between calls)', () => {
    const allowed = [{ pattern: /provoked/g, reason: 'test' }];
    expect([isAllowed(f, allowed), isAllowed(f, allowed), isAllowed(f, allowed)]).toEqual([true, true, true]);
  });
});

describe('formatting a finding for a failure message', () => {
  test('names the kind, headline, server, file and byte range, then the full text', () => {
    const [f] = scanLog('x\nTraceback (most recent call last):\n  File "a.py", line 1\nValueError: v\n', { final: true });
    const text = formatFinding(f, { server: 'default', logFile: 'reports/server.log' });
    expect(text.split('\n')).toEqual([
      '[traceback] ValueError: v',
      '  (server "default", reports/server.log bytes 2-73)',
      '  | Traceback (most recent call last):',
      '  |   File "a.py", line 1',
      '  | ValueError: v',
    ]);
  });
});
