import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServerLog } from '../logs/server-log';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'server-log-'));
  file = path.join(dir, 'server.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('reading by byte offsets', () => {
  test('a missing file has size 0 and reads as empty', () => {
    const log = new ServerLog(file);
    expect(log.size()).toBe(0);
    expect(log.readRange(0).length).toBe(0);
    expect(log.tail(20)).toEqual([]);
  });

  test('readRange returns exactly the bytes asked for, clamped to the end', () => {
    writeFileSync(file, 'abcdef');
    const log = new ServerLog(file);
    expect(log.readRange(2, 4).toString()).toBe('cd');
    expect(log.readRange(4, 100).toString()).toBe('ef');
    expect(log.readRange(5, 2).length).toBe(0);
  });

  test('tail gives the last n lines after a start offset, without older lines', () => {
    writeFileSync(file, 'old 1\nold 2\n');
    const start = new ServerLog(file).size();
    appendFileSync(file, 'new 1\nnew 2\nnew 3\n');
    const log = new ServerLog(file);
    expect(log.tail(2, start)).toEqual(['new 2', 'new 3']);
    expect(log.tail(20, start)).toEqual(['new 1', 'new 2', 'new 3']);
  });
});

describe('waiting for the log to go quiet', () => {
  test('a file that does not grow is quiet after about quietMs', async () => {
    writeFileSync(file, 'x\n');
    const r = await new ServerLog(file).waitForQuiet({ quietMs: 30, timeoutMs: 10_000 });
    // quiet: true means the wait ended on silence, not at the 10 s timeout; no upper bound on
    // waitedMs, which a stalled machine could push past any figure we picked.
    expect(r).toMatchObject({ quiet: true, size: 2 });
    expect(r.waitedMs).toBeGreaterThanOrEqual(30);
  });

  test('it waits past a late write: quiet means quietMs after the LAST growth', async () => {
    writeFileSync(file, '');
    let writtenAt = Infinity;
    const late = setTimeout(() => {
      appendFileSync(file, 'late traceback\n');
      writtenAt = performance.now();
    }, 20);
    // quietMs far above the write's delay: a busy machine stalling this process must not let the
    // wait end before the write.
    const r = await new ServerLog(file).waitForQuiet({ quietMs: 200 });
    const endedAt = performance.now();
    clearTimeout(late);
    expect(r.size).toBe('late traceback\n'.length);
    // Measured from the write itself, not from a timer armed before the wait began (timers may
    // fire a fraction of a millisecond early relative to performance.now(): CI once saw 219.8).
    expect(endedAt - writtenAt).toBeGreaterThanOrEqual(200);
  });

  test('a file that keeps growing is reported as not quiet at the timeout', async () => {
    writeFileSync(file, '');
    // Another process writes, as the server does: a stall of this process cannot pause the writer.
    const writer = spawn(process.execPath, ['-e', `const fs = require('fs'); setInterval(() => fs.appendFileSync(${JSON.stringify(file)}, 'busy\\n'), 3)`]);
    try {
      const log = new ServerLog(file);
      while (log.size() === 0) await new Promise((r) => setTimeout(r, 5));
      // quietMs far above the writer's 3 ms: only a writer stalled that long would let the log go
      // quiet, which a loaded CI machine can do for 50 ms but hardly for 250.
      const r = await log.waitForQuiet({ quietMs: 250, timeoutMs: 600 });
      expect(r.quiet).toBe(false);
      expect(r.waitedMs).toBeGreaterThanOrEqual(600);
    } finally {
      writer.kill('SIGKILL');
      await new Promise((r) => writer.once('exit', r));
    }
  });
});
