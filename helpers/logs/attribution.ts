/**
 * Who owns an exception in a server log. Each test's byte range of each log ("window") is written
 * to <runDir>/windows.ndjson by the test environment, with the findings the test reported; after the
 * servers stopped, globalTeardown calls findUnattributedExceptions() to scan every log once more,
 * now final, and fail the run for whatever no test reported: exceptions during setup, between
 * tests, at shutdown — and any a test's own scan could not see.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { judge, notHereText, type Origin } from './allowance-rules';
import type { AllowedException } from '../ledger/allowances';
import type { HarnessEnv, ServerInfo } from '../core/harness-env';
import { type Finding, formatFinding, scanLog } from './log-watcher';
import { appendRecord } from '../core/run-records';
import { ServerLog } from './server-log';
import { hangMessage, readHangMarker, silentFileOf } from '../server/hang-watch';

export const WINDOWS_FILE = 'windows.ndjson';

interface WindowBase {
  /** Pairs a start with its end: "<pid>-<n>". */
  id: string;
  test: string;
  file: string;
  server: string;
  startOffset: number;
}
export interface WindowStart extends WindowBase {
  type: 'start';
  startedAt: string;
}
export interface WindowEnd extends WindowBase {
  type: 'end';
  endOffset: number;
  /** startOffset of every finding the test recorded (allowed ones included). */
  findings: number[];
  endedAt: string;
  /** Time test_done spent on this window (quiet wait + read + scan): the watcher's cost per test. */
  closeMs: number;
  /** What ended its last wait: the server seen at rest (--log-wait rest) or the quiet period. */
  closedBy?: 'rest' | 'quiet';
}
export type WindowLine = WindowStart | WindowEnd;

/** A test's range of one server log; `endOffset` is absent when the test never finished. */
export interface TestWindow {
  id: string;
  test: string;
  file: string;
  server: string;
  startOffset: number;
  endOffset: number | undefined;
  findings: number[];
}

export function windowsPath(runDir: string): string {
  return path.join(runDir, WINDOWS_FILE);
}

export function appendWindow(runDir: string, line: WindowLine): void {
  appendFileSync(windowsPath(runDir), `${JSON.stringify(line)}\n`);
}

export function readWindows(runDir: string): TestWindow[] {
  const file = windowsPath(runDir);
  if (!existsSync(file)) return [];
  const byId = new Map<string, TestWindow>();
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    if (raw.trim() === '') continue;
    const l = JSON.parse(raw) as WindowLine;
    const w = byId.get(l.id) ?? { id: l.id, test: l.test, file: l.file, server: l.server, startOffset: l.startOffset, endOffset: undefined, findings: [] };
    if (l.type === 'end') {
      w.endOffset = l.endOffset;
      w.findings = l.findings;
    }
    byId.set(l.id, w);
  }
  return [...byId.values()];
}

/** The exit marker the lifecycle writes when a server exits unasked: JSON {code, signal, at}. */
export interface ExitMarker {
  code: number | null;
  signal: string | null;
  at?: string;
}

export function exitMarkerOf(server: Pick<ServerInfo, 'exitMarkerFile'>): ExitMarker | undefined {
  if (!server.exitMarkerFile || !existsSync(server.exitMarkerFile)) return undefined;
  try {
    return JSON.parse(readFileSync(server.exitMarkerFile, 'utf8')) as ExitMarker;
  } catch {
    // Caught mid-write: it exists, so the server is gone; the details are not known yet.
    return { code: null, signal: null };
  }
}

/** "server <name> exited (code=…, signal=…)" and the last 20 lines of its log. */
export function serverExitedMessage(server: ServerInfo): string {
  const m = exitMarkerOf(server) ?? { code: null, signal: null };
  const when = m.at ? ` at ${m.at}` : '';
  const tail = server.logFile ? new ServerLog(server.logFile).tail(20, server.logStart) : [];
  const log = server.logFile
    ? tail.length > 0
      ? `\nLast ${tail.length} lines of ${server.logFile}:\n${tail.map((l) => `  | ${l}`).join('\n')}`
      : `\nIts log ${server.logFile} is empty.`
    : '\nIts log is not watched.';
  return `server ${server.name} exited (code=${m.code}, signal=${m.signal})${when}; the remaining tests fail at once.${log}`;
}

/** Dead or hung: either way the server is gone and the remaining tests fail at once. */
export function serverGone(server: Pick<ServerInfo, 'exitMarkerFile' | 'hangMarkerFile'>): boolean {
  return exitMarkerOf(server) !== undefined || readHangMarker(server.hangMarkerFile) !== undefined;
}

/** The hang diagnosis when the server hung (it was killed after, so it also has an exit marker), else the exit. */
export function serverGoneMessage(server: ServerInfo): string {
  const hang = readHangMarker(server.hangMarkerFile);
  if (!hang) return serverExitedMessage(server);
  const tail = server.logFile ? new ServerLog(server.logFile).tail(20, server.logStart) : [];
  return hangMessage(server.name, hang, server.logFile, tail);
}

/**
 * For a test that failed while a server was silent: waits (bounded by the server's threshold plus
 * the time a dump takes) until the watch either calls it hung or hears from it again, so the
 * failing test is told about the hang instead of only its own timeout. Resolves at once when the
 * server is not silent.
 */
export async function awaitHangVerdict(server: Pick<ServerInfo, 'hangMarkerFile' | 'hangAfterMs'>): Promise<void> {
  if (!server.hangMarkerFile || server.hangAfterMs === undefined) return;
  const silent = silentFileOf(server.hangMarkerFile);
  const deadline = Date.now() + server.hangAfterMs + 4000;
  while (existsSync(silent) && !existsSync(server.hangMarkerFile) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function windowContains(w: Pick<TestWindow, 'startOffset' | 'endOffset'>, offset: number): boolean {
  return w.startOffset <= offset && (w.endOffset === undefined || offset < w.endOffset);
}

/** Where in the run an offset falls, relative to the test windows around it, in words. */
export function describePlace(windows: readonly TestWindow[], offset: number): string {
  const inside = windows.filter((w) => windowContains(w, offset));
  if (inside.length > 0) {
    const names = inside.map((w) => `"${w.test}" (${w.file})`).join(', ');
    return `during ${names}, which did not report it (the test did not finish, or saw only part of the log)`;
  }
  if (windows.length === 0) return 'while no test was running (no test recorded a window in this log)';
  const sorted = [...windows].sort((a, b) => a.startOffset - b.startOffset);
  const before = sorted.filter((w) => w.endOffset !== undefined && w.endOffset <= offset).pop();
  const after = sorted.find((w) => w.startOffset > offset);
  if (!before) return `before the first test ("${after?.test}") — during start-up or a beforeAll`;
  if (!after) return `after the last test ("${before.test}") finished — in an afterAll, during teardown or at shutdown`;
  return `between tests, after "${before.test}" and before "${after.test}" (a hook, or a late write from the test before)`;
}

/**
 * The file that provably wrote `offset` of a log although no test's window holds it: the offset
 * lies between the first and last window of one file, and no other file's windows reach into that
 * span. Then only that file was running (a beforeEach/afterEach hook, or a late write from one of
 * its tests). Anywhere else — before the first test, between two files, after the last — the log
 * cannot tell one file's afterAll from the next file's beforeAll, or either from start-up and
 * shutdown, so the answer is undefined.
 */
export function fileOwning(windows: readonly TestWindow[], offset: number): string | undefined {
  const spans = new Map<string, { from: number; to: number }>();
  for (const w of windows) {
    const end = w.endOffset ?? Number.POSITIVE_INFINITY;
    const s = spans.get(w.file);
    spans.set(w.file, s ? { from: Math.min(s.from, w.startOffset), to: Math.max(s.to, end) } : { from: w.startOffset, to: end });
  }
  const holding = [...spans].filter(([, s]) => s.from <= offset && offset < s.to);
  if (holding.length !== 1) return undefined;
  const [file, span] = holding[0];
  const overlapped = [...spans].some(([other, s]) => other !== file && s.from < span.to && span.from < s.to);
  return overlapped ? undefined : file;
}

/**
 * Who may have written a finding no test reported. Inside a window: that window's test (it did not
 * finish, or saw only part of the log). Otherwise, only a file fileOwning() can prove — an
 * allowance naming that file excuses it, as which of its tests (or hooks) wrote it is not known.
 * Nothing else is excused: an exception at start-up, at shutdown or between files belongs to no
 * test, and an allowance is for the tests that provoke it.
 */
function originsOf(windows: readonly TestWindow[], offset: number): Origin[] {
  const inside = windows.filter((w) => windowContains(w, offset));
  if (inside.length > 0) return inside.map((w) => ({ file: w.file, test: w.test }));
  const file = fileOwning(windows, offset);
  return file ? [{ file }] : [];
}

/**
 * Scans each server log from logStart to its end, drops what the tests already reported, records
 * the rest (tests: [] when no test was running) and returns one readable message, or undefined.
 * Call it after the servers stopped: the logs are final then.
 */
export async function findUnattributedExceptions(harness: HarnessEnv, allowed: readonly AllowedException[]): Promise<string | undefined> {
  const windows = readWindows(harness.runDir);
  const problems: string[] = [];
  for (const info of Object.values(harness.servers)) {
    if (!info.logFile || !existsSync(info.logFile)) continue;
    const log = new ServerLog(info.logFile);
    const end = log.size();
    if (end <= info.logStart) continue;
    const mine = windows.filter((w) => w.server === info.name);
    const reported = new Set(mine.flatMap((w) => w.findings));
    const findings: Finding[] = scanLog(log.readRange(info.logStart, end), { baseOffset: info.logStart, final: true });
    for (const f of findings) {
      if (reported.has(f.startOffset)) continue;
      const { excusedBy, elsewhere } = judge(f, allowed, originsOf(mine, f.startOffset));
      appendRecord(harness.runDir, {
        kind: 'finding',
        server: info.name,
        tests: mine.filter((w) => windowContains(w, f.startOffset)).map((w) => w.test),
        headline: f.headline,
        text: f.text,
        allowed: excusedBy !== undefined,
        ...(excusedBy ? { defect: excusedBy.allowance.defect, file: excusedBy.origin.file } : {}),
      });
      if (excusedBy) continue;
      const notHere = elsewhere.length > 0 ? `\n${notHereText(elsewhere)}` : '';
      problems.push(`${describePlace(mine, f.startOffset)}:\n${formatFinding(f, { server: info.name, logFile: info.logFile })}${notHere}`);
    }
  }
  if (problems.length === 0) return undefined;
  const n = problems.length;
  const head = `FakeAI logged ${n} exception${n === 1 ? '' : 's'} that no test owned:`;
  const tail =
    'An allowance in ALLOWED_EXCEPTIONS (helpers/ledger/allowances.ts) excuses an exception only inside the tests it names (or between two tests of a file it names); ' +
    'one a hook or start-up provokes on purpose belongs in a test.';
  return [head, ...problems.map((p, i) => `${i + 1}. ${p}`), tail].join('\n\n');
}
