/**
 * The e2e test environment: ties server-side exceptions to the test that caused them.
 *
 * jest-circus awaits handleTestEvent, and an Error pushed onto `test.errors` fails the test with
 * exactly that message. On test_start each server log's size is this test's window start; on
 * test_done we wait for the log to go quiet (a traceback can land ms after its response), scan the
 * window with the pure log watcher, and fail the test for every exception that is not allowed.
 * Windows and findings go to the run dir, where globalTeardown finds what no test owned.
 *
 * A server that died or hung (helpers/server/hang-watch.ts) fails the next tests at once: an error pushed at test_start makes circus skip
 * the beforeEach hooks and the test body (it runs neither when test.errors is non-empty).
 *
 * It also outlives each file in its worker, so what is the same for every file is loaded here once:
 * the compiled schema validators (helpers/api/shared-validators.ts).
 */
import path from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import { judge, notHereText, permittingPlace } from '../logs/allowance-rules';
import { appendWindow, awaitHangVerdict, serverGone, serverGoneMessage } from '../logs/attribution';
import { DEFAULT_LOG_QUIET_MS, loadConfig, type LogWait, PROJECT_ROOT } from '../core/config';
import { restProbeOf } from '../server/server-rest';
import { ALLOWED_EXCEPTIONS, ANYWHERE, type AllowedException, type AllowedPlace, allowanceProblems } from '../ledger/allowances';
import { type HarnessEnv, readHarnessEnv, type ServerInfo, serversOfSlot } from '../core/harness-env';
import { claimWorkerSlot } from '../core/worker-slot';
import { ExclusiveGate, ServerLeases } from '../core/exclusive';
import { allowedBy, type Finding, formatFinding, scanChunk } from '../logs/log-watcher';
import { appendRecord } from '../core/run-records';
import { ServerLog } from '../logs/server-log';
import { shareValidatorsWith } from '../api/shared-validators';

/** testEnvironmentOptions this environment reads (the self-test fixture project sets them). */
interface Options {
  logQuietMs?: number;
  logWait?: LogWait;
  /** Extra allowlist entries, the pattern as a string (JSON config cannot hold a RegExp). */
  allowedExceptions?: { pattern: string; flags?: string; defect: string; reason: string; provokedBy: AllowedPlace[] }[];
}

/** How long a window may stay open waiting for a traceback cut at its end to finish. */
const CUT_TIMEOUT_MS = 2000;
/**
 * How long a test that provokes an allowed exception on purpose keeps its window open for it. A
 * broken stream ends on the client before uvicorn logs its "Exception in ASGI application": on a
 * cold first run that traceback landed 37 ms after the quiet period, in the next test's window,
 * which it failed. Waiting for the expected finding (a condition, bounded) keeps it with its cause.
 */
const EXPECTED_TIMEOUT_MS = 1500;

interface OpenWindow {
  id: string;
  test: string;
  server: ServerInfo;
  log: ServerLog;
  startOffset: number;
  endOffset: number | undefined;
  /** Whether the server's exit marker already existed when the test started. */
  exitedBefore: boolean;
  /** What ended the wait before the last scan: the server seen at rest, or the quiet period. */
  closedBy?: 'rest' | 'quiet';
}

let windowSeq = 0;

/** Hooks outside any test that send traffic of their own (uploads, generations). */
const ALL_HOOKS = new Set<string>(['beforeAll', 'afterAll']);

/**
 * A Jest worker is a child process of its runner. Jest's workers never watch for the runner's
 * death: when it died (SIGKILL, or a SIGTERM that stopped the servers first) a worker in the middle
 * of a test went on with it, an orphan, for as long as the test took (one lingered ~40 s in a
 * killed soak run; a test that waits would keep it for good). Reparented means nobody is left to
 * report to: exit. A timer, not a 'disconnect' listener: that listener holds the IPC channel, so
 * at the end of every run Jest waited 0.5 s before it killed each worker. Once per worker process;
 * in band there is nothing to watch.
 */
const ORPHAN_CHECK_MS = 250;
let watchingRunner = false;
function exitWithRunner(): void {
  if (watchingRunner || typeof process.send !== 'function') return;
  watchingRunner = true;
  const runner = process.ppid;
  setInterval(() => {
    if (process.ppid !== runner) process.exit(0);
  }, ORPHAN_CHECK_MS).unref();
}

function fullName(test: Circus.TestEntry): string {
  const names: string[] = [test.name];
  for (let p: Circus.DescribeBlock | undefined = test.parent; p && p.parent; p = p.parent) names.unshift(p.name);
  return names.join(' ');
}

/** An Error whose printed form is just the message: a harness stack frame would only be noise. */
function plainError(message: string): Error {
  const e = new Error(message);
  e.stack = message;
  return e;
}

export default class E2EEnvironment extends NodeEnvironment {
  private readonly file: string;
  private readonly quietMs: number;
  private readonly logWait: LogWait;
  private readonly allowed: readonly AllowedException[];
  private harness: HarnessEnv | null | undefined;
  private slot: number | undefined;
  /** `@e2e-exclusive` in the file's docblock: no other worker runs a test while this file runs. */
  private readonly exclusive: boolean;
  private gate: ExclusiveGate | undefined;
  private leases: ServerLeases | undefined;
  /** Every window of this file, finished or not: concurrent tests overlap here. */
  private readonly windows: OpenWindow[] = [];
  private readonly byTest = new Map<Circus.TestEntry, OpenWindow[]>();
  /** server:offset of findings already recorded, so overlapping windows record each only once. */
  private readonly recorded = new Set<string>();

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    // Compiled validators once per worker, not once per test file (helpers/api/shared-validators.ts).
    shareValidatorsWith(this.global);
    this.file = path.relative(PROJECT_ROOT, context.testPath);
    this.exclusive = context.docblockPragmas['e2e-exclusive'] !== undefined;
    const opts = (config.projectConfig.testEnvironmentOptions ?? {}) as Options;
    let quiet = DEFAULT_LOG_QUIET_MS;
    let wait: LogWait = 'rest';
    try {
      ({ logQuietMs: quiet, logWait: wait } = loadConfig());
    } catch {
      // globalSetup already refused an invalid configuration; keep the defaults here.
    }
    this.quietMs = opts.logQuietMs ?? quiet;
    this.logWait = opts.logWait ?? wait;
    const extra = (opts.allowedExceptions ?? []).map((a) => ({ ...a, pattern: new RegExp(a.pattern, a.flags) }));
    this.allowed = [...ALLOWED_EXCEPTIONS, ...extra];
    // loadConfig checked ALLOWED_EXCEPTIONS at setup; the options' entries are checked only here.
    const problems = allowanceProblems(extra, PROJECT_ROOT);
    if (problems.length > 0) throw new Error(`Invalid allowedExceptions in testEnvironmentOptions:\n${problems.map((l) => `  ${l}`).join('\n')}`);
  }

  /** The handoff from globalSetup, or null when the tests run without it (nothing to watch then). */
  private harnessEnv(): HarnessEnv | null {
    if (this.harness === undefined) {
      try {
        this.harness = readHarnessEnv();
      } catch {
        this.harness = null;
      }
    }
    return this.harness;
  }

  /**
   * The logs this file's tests are watched in: its worker's own servers, and the run-wide ones this
   * file uses. Never another worker's: a test running there at the same time is not ours to blame.
   */
  private watched(harness: HarnessEnv): Record<string, ServerInfo> {
    this.slot ??= claimWorkerSlot(harness.runDir, harness.slots ?? 1, process.env.JEST_WORKER_ID);
    return serversOfSlot(harness, this.slot, this.file);
  }

  /** Only when files run at once: with one slot there is nobody to wait for. */
  /** Inside the gate while this file loads (setup → run_start). */
  private loading = false;

  private gateOf(): ExclusiveGate | undefined {
    const harness = this.harnessEnv();
    if (!harness || (harness.slots ?? 1) <= 1) return undefined;
    this.slot ??= claimWorkerSlot(harness.runDir, harness.slots ?? 1, process.env.JEST_WORKER_ID);
    this.gate ??= new ExclusiveGate(harness.runDir, this.slot);
    return this.gate;
  }

  override async setup(): Promise<void> {
    exitWithRunner();
    await super.setup();
    const harness = this.harnessEnv();
    if (harness && (harness.slots ?? 1) > 1) {
      // Run-wide servers this file shares with other files: one file at a time talks to each.
      const shared = Object.values(harness.servers).filter((s) => s.slot === undefined && (s.usedBy ?? []).length > 1 && s.usedBy!.includes(this.file));
      if (shared.length > 0) {
        this.leases = new ServerLeases(harness.runDir, shared.map((s) => s.name));
        await this.leases.acquire();
      }
    }
    if (this.exclusive) await this.gateOf()?.acquire();
    // Loading a test file is CPU too (compiling its modules): an exclusive file's timings must not
    // pay for it. Busy from here until the file is loaded (circus's run_start), so a file does not
    // start loading while an exclusive one runs, and an exclusive one waits for loads under way.
    else if (await this.gateOf()?.enter().then(() => true)) this.loading = true;
  }

  override async teardown(): Promise<void> {
    // A file that failed to load never reaches run_start.
    if (this.loading) {
      this.loading = false;
      this.gate?.leave();
    }
    this.gate?.release();
    this.leases?.release();
    await super.teardown();
  }

  async handleTestEvent(event: Circus.Event): Promise<void> {
    if (event.name === 'run_start' && this.loading) {
      this.loading = false;
      this.gate?.leave();
    }
    // Waiting at the gate comes before the window opens: it is not the test's time.
    if (event.name === 'test_start' || (event.name === 'hook_start' && ALL_HOOKS.has(event.hook.type))) await this.gateOf()?.enter();
    if (event.name === 'test_start') this.onTestStart(event.test);
    else if (event.name === 'test_done') await this.onTestDone(event.test);
    // circus sends test_start before it decides to skip, and then no test_done: close the window
    // empty, or it would look like a test running forever.
    else if (event.name === 'test_skip' || event.name === 'test_todo') this.onTestNotRun(event.test);
    if (event.name === 'test_done' || event.name === 'test_skip' || event.name === 'test_todo') this.gate?.leave();
    if ((event.name === 'hook_success' || event.name === 'hook_failure') && ALL_HOOKS.has(event.hook.type)) this.gate?.leave();
  }

  private onTestNotRun(test: Circus.TestEntry): void {
    const harness = this.harnessEnv();
    const opened = this.byTest.get(test);
    if (!harness || !opened) return;
    this.byTest.delete(test);
    for (const w of opened) {
      w.endOffset = w.startOffset;
      this.windows.splice(this.windows.indexOf(w), 1);
      appendWindow(harness.runDir, {
        type: 'end', id: w.id, test: w.test, file: this.file, server: w.server.name,
        startOffset: w.startOffset, endOffset: w.startOffset, findings: [], endedAt: new Date().toISOString(), closeMs: 0,
      });
    }
    // The "server exited" error test_start may have pushed is not this test's: it does not run.
    // The next test that runs reports the exit.
    test.errors.length = 0;
  }

  private onTestStart(test: Circus.TestEntry): void {
    const harness = this.harnessEnv();
    if (!harness) return;
    const name = fullName(test);
    const opened: OpenWindow[] = [];
    for (const server of Object.values(this.watched(harness))) {
      const exitedBefore = serverGone(server);
      if (exitedBefore) test.errors.push(plainError(serverGoneMessage(server)));
      // Without a log file (a reused server without --server-log) there is nothing to watch.
      if (!server.logFile) continue;
      const log = new ServerLog(server.logFile);
      const w: OpenWindow = { id: `${process.pid}-${++windowSeq}`, test: name, server, log, startOffset: log.size(), endOffset: undefined, exitedBefore };
      appendWindow(harness.runDir, { type: 'start', id: w.id, test: name, file: this.file, server: server.name, startOffset: w.startOffset, startedAt: new Date().toISOString() });
      opened.push(w);
    }
    this.windows.push(...opened);
    this.byTest.set(test, opened);
  }

  private async onTestDone(test: Circus.TestEntry): Promise<void> {
    const harness = this.harnessEnv();
    const opened = this.byTest.get(test);
    if (!harness || !opened) return;
    this.byTest.delete(test);
    // A test that failed (its own timeout, most likely) while a server was silent: hear the hang
    // watch's verdict first, so the test says the server hung rather than only that it timed out.
    if (test.errors.length > 0) await Promise.all(opened.map((w) => awaitHangVerdict(w.server)));
    const t0 = performance.now();
    const origin = { file: this.file, test: fullName(test) };
    const expected = this.allowed.filter((a) => {
      // A server-thread race is allowed everywhere but provoked by no test: nothing to wait for.
      const place = permittingPlace(a, origin);
      return place !== undefined && place.file !== ANYWHERE;
    });
    // One test, several servers: once the expected exception shows in any of its windows, the
    // other servers' windows (which would never hold it) stop waiting for it.
    const shared = { expectedSeen: false };
    const perServer = await Promise.all(opened.map((w) => this.closeWindow(w, expected, shared)));
    const closeMs = Math.round((performance.now() - t0) * 100) / 100;
    const exitMessages: string[] = [];
    const findingErrors: Error[] = [];
    for (const [i, w] of opened.entries()) {
      const findings = perServer[i];
      for (const f of findings) {
        const err = this.recordFinding(harness, w, f);
        if (err) findingErrors.push(err);
      }
      appendWindow(harness.runDir, {
        type: 'end', id: w.id, test: w.test, file: this.file, server: w.server.name,
        startOffset: w.startOffset, endOffset: w.endOffset!, findings: findings.map((f) => f.startOffset), endedAt: new Date().toISOString(), closeMs, closedBy: w.closedBy,
      });
      if (!w.exitedBefore && serverGone(w.server)) exitMessages.push(serverGoneMessage(w.server));
    }
    // A server that died during the test: its own errors (refused connections) are noise next to that.
    if (exitMessages.length > 0) test.errors.splice(0, test.errors.length, ...exitMessages.map(plainError));
    test.errors.push(...findingErrors);
  }

  /**
   * Waits for quiet, scans the window, and waits more while a traceback is cut at its end or, for a
   * test that provokes an allowed exception on purpose (`expected`), until one shows (bounded: a
   * build without the defect simply never writes it).
   */
  private async closeWindow(w: OpenWindow, expected: readonly AllowedException[] = [], shared = { expectedSeen: false }): Promise<Finding[]> {
    const start = performance.now();
    const deadline = start + CUT_TIMEOUT_MS;
    const expectedDeadline = start + EXPECTED_TIMEOUT_MS;
    let quiet = this.quietMs;
    const atRest = restProbeOf(w.server, this.logWait);
    let awaitingExpected = false;
    for (;;) {
      // A log that never goes still (concurrent tests, a chatty server) must not cost a second per
      // test: after 8 quiet periods read what is there; a construct cut at the end is waited for below.
      // A server at rest ends the wait at once, except while an exception provoked on purpose is
      // awaited: what is late there is the exception itself, and a rested server says nothing of it.
      const { size, rest } = await w.log.waitForQuiet({ quietMs: quiet, timeoutMs: quiet * 8, atRest: awaitingExpected ? undefined : atRest });
      w.closedBy = rest ? 'rest' : 'quiet';
      const lastTry = performance.now() >= deadline;
      const { findings, resumeOffset } = scanChunk(w.log.readRange(w.startOffset, size), { baseOffset: w.startOffset, final: lastTry });
      if (findings.some((f) => allowedBy(f, expected) !== undefined)) shared.expectedSeen = true;
      awaitingExpected = expected.length > 0 && performance.now() < expectedDeadline && !shared.expectedSeen;
      if ((resumeOffset >= size && !awaitingExpected) || lastTry) {
        w.endOffset = Math.max(size, ...findings.map((f) => f.endOffset));
        return findings;
      }
      quiet = Math.min(quiet * 2, 200);
    }
  }

  /** Records a finding once; returns the Error that fails this test, unless it is allowed. */
  private recordFinding(harness: HarnessEnv, w: OpenWindow, f: Finding): Error | undefined {
    const others = this.windows.filter(
      (o) => o !== w && o.server.name === w.server.name && o.startOffset <= f.startOffset && (o.endOffset === undefined || f.startOffset < o.endOffset),
    );
    const tests = [w.test, ...others.map((o) => o.test)];
    // Any test whose window holds it may have caused it: one that is allowed to is enough.
    const { excusedBy, elsewhere } = judge(f, this.allowed, tests.map((test) => ({ file: this.file, test })));
    const key = `${w.server.name}:${f.startOffset}`;
    if (!this.recorded.has(key)) {
      this.recorded.add(key);
      const excuse = excusedBy ? { defect: excusedBy.allowance.defect, file: this.file } : {};
      appendRecord(harness.runDir, { kind: 'finding', server: w.server.name, tests, headline: f.headline, text: f.text, allowed: excusedBy !== undefined, ...excuse });
    }
    if (excusedBy) return undefined;
    const also =
      others.length > 0
        ? `\nOther tests were running at the same time, so any of them may have caused it: ${others.map((o) => `"${o.test}"`).join(', ')}.`
        : '';
    return plainError(
      `FakeAI server "${w.server.name}" logged an exception during test "${w.test}" (${this.file}): ${f.headline}${also}\n\n` +
        `${formatFinding(f, { server: w.server.name, logFile: w.server.logFile })}\n\n` +
        (elsewhere.length > 0
          ? notHereText(elsewhere)
          : 'If the test provokes it on purpose (a known defect), allow it for this test in ALLOWED_EXCEPTIONS (helpers/ledger/allowances.ts).'),
    );
  }
}
