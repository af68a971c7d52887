/**
 * The lifecycle's pure parts: what counts as ready, what counts as a harness error, what the
 * error paragraphs say, and how process groups are read — each fed bad data too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../core/config';
import { profilesForRun, type RunSelection } from '../jest/global-setup';
import { deadlockedAsExpected } from '../jest/global-teardown';
import { harnessError, HarnessError, isHarnessError, logTail } from '../core/errors';
import { isAlive, liveGroupMembers, processState } from '../server/process-group';
import { isReadyBody, waitUntilReady } from '../server/readiness';
import { useLocalHttpServer } from '../__fixtures__/local-http-server';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-units-'));

describe('what counts as ready', () => {
  test('a JSON body with ready exactly true is ready', () => {
    expect(isReadyBody('{"status":"healthy","ready":true}')).toBe(true);
  });

  test.each([
    ['ready false', '{"status":"starting","ready":false}'],
    ['ready as a string', '{"ready":"true"}'],
    ['no ready field', '{"status":"healthy"}'],
    ['not JSON', 'OK'],
    ['JSON null', 'null'],
    ['empty', ''],
  ])('%s is not ready', (_what, body) => {
    expect(isReadyBody(body)).toBe(false);
  });
});

describe('waiting for readiness', () => {
  let readyAfter = Infinity;
  const started = Date.now();
  const local = useLocalHttpServer((_req, res) => {
    const ready = Date.now() - started >= readyAfter;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ready }));
  });

  test('200 with ready: false until the deadline is a timeout, with the last answer kept', async () => {
    readyAfter = Infinity;
    const r = await waitUntilReady({ baseUrl: local.baseUrl, timeoutMs: 1000 });
    expect(r).toMatchObject({ ready: false, reason: 'timeout' });
    expect(r.ready === false && r.reason === 'timeout' && r.lastAnswer).toContain('"ready":false');
    // Polled 50 ms apart makes ~20 polls in 1 s; 5 leaves a loaded machine 200 ms a poll, and is
    // still more than a 250 ms poller (wait-on's default) could make.
    expect(r.polls).toBeGreaterThanOrEqual(5);
  });

  test('turns ready as soon as the body says so', async () => {
    readyAfter = Date.now() - started + 150;
    const r = await waitUntilReady({ baseUrl: local.baseUrl, timeoutMs: 5000 });
    expect(r.ready).toBe(true);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(100);
    // Returned on the first ready answer, not at the 5 s deadline; 1 s of slack for a loaded machine.
    expect(r.elapsedMs).toBeLessThan(150 + 1000);
  });

  test('a write to the server\'s log sends the next probe at once instead of at the end of the interval', async () => {
    readyAfter = Date.now() - started + 100;
    const log = path.join(mkdtempSync(path.join(os.tmpdir(), 'ready-wake-')), 'server.log');
    writeFileSync(log, '');
    // FakeAI's "Application startup complete." comes just before it listens.
    setTimeout(() => writeFileSync(log, 'INFO:     Application startup complete.\n', { flag: 'a' }), 200);
    const r = await waitUntilReady({ baseUrl: local.baseUrl, timeoutMs: 20_000, intervalMs: 10_000, wakeOnGrowth: log });
    expect(r).toMatchObject({ ready: true, polls: 2 });
    // Without the wake the second probe would go at 10 s.
    expect(r.elapsedMs).toBeLessThan(5000);
  });

  test('an exit before ready wins at once, not at the deadline', async () => {
    readyAfter = Infinity;
    const exited = new Promise<{ code: number; signal: null }>((r) => setTimeout(() => r({ code: 3, signal: null }), 100));
    const r = await waitUntilReady({ baseUrl: local.baseUrl, timeoutMs: 10_000, exited });
    expect(r).toMatchObject({ ready: false, reason: 'exited', exit: { code: 3 } });
    // The exit (at 100 ms) ended the wait, not the 10 s deadline: a loaded machine has ~2.9 s spare.
    expect(r.elapsedMs).toBeLessThan(3000);
  });

  test('nothing listening is a timeout naming the connection error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await waitUntilReady({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200 });
    expect(r.ready === false && r.reason === 'timeout' && r.lastAnswer).toBe('ECONNREFUSED');
  });
});

describe('harness errors', () => {
  test('every HarnessError and config.ts ConfigError is recognised by its code', () => {
    expect(isHarnessError(new HarnessError('NEVER_READY', 'x'))).toBe(true);
    expect(isHarnessError(new ConfigError('bad flag'))).toBe(true);
  });

  test('an error rethrown from another module registry is still recognised (duck-typed code)', () => {
    const foreign = Object.assign(new Error('Jest: Got error running globalSetup - x, reason: y'), { code: 'EXITED_AT_BOOT' });
    expect(isHarnessError(foreign)).toBe(true);
  });

  test.each([
    ['a plain Error', new Error('boom')],
    ['an OS error code', Object.assign(new Error('x'), { code: 'ENOENT' })],
    ['a non-error with a code', { code: 'NEVER_READY', message: 'x' }],
    ['undefined', undefined],
  ])('%s is not a harness error', (_what, e) => {
    expect(isHarnessError(e)).toBe(false);
  });

  test('a paragraph says what happened, shows the last 20 log lines from logStart, and what to do', () => {
    const logFile = path.join(tmp, 'boot.log');
    const old = 'line from an earlier run\n';
    writeFileSync(logFile, old + Array.from({ length: 25 }, (_, i) => `boot line ${i + 1}`).join('\n'));
    const e = harnessError('EXITED_AT_BOOT', { server: 'auth', python: 'py', command: ['py', '-m', 'fakeai'], logFile, logStart: old.length, exit: { code: 3, signal: null } });
    expect(e.code).toBe('EXITED_AT_BOOT');
    expect(e.message).toMatch(/^FakeAI server "auth" exited with code 3 before it became ready \(py -m fakeai\)\./);
    expect(e.message).toContain('  | boot line 25');
    expect(e.message).toContain('  | boot line 6\n');
    expect(e.message).not.toContain('boot line 5\n');
    expect(e.message).not.toContain('earlier run');
    expect(e.message).toMatch(/What to do: .+/);
  });

  test('a missing log is said plainly rather than shown as an empty tail', () => {
    expect(logTail(path.join(tmp, 'absent.log'))).toBe('');
    const e = harnessError('NEVER_READY', { server: 'default', python: 'py', timeoutMs: 45_000, logFile: path.join(tmp, 'empty.log') });
    expect(e.message).toContain('within 45 s');
    expect(e.message).toContain('--timeout / E2E_STARTUP_TIMEOUT');
  });

  test('a signal death is worded as a kill, not as an exit code', () => {
    const e = harnessError('SERVER_DIED', { server: 'default', python: 'py', exit: { code: null, signal: 'SIGKILL' } });
    expect(e.message).toContain('was killed by SIGKILL while the tests were running');
  });
});

describe('process groups', () => {
  test('this process is alive and found in its own group', () => {
    expect(isAlive(process.pid)).toBe(true);
    const own = processState(process.pid);
    expect(own?.state).not.toBe('Z');
    expect(liveGroupMembers(own!.pgid)).toContain(process.pid);
  });

  test('a pid that does not exist is neither alive nor in any group', () => {
    const unused = 2 ** 22 + 12345; // above Linux's default pid_max
    expect(processState(unused)).toBeUndefined();
    expect(isAlive(unused)).toBe(false);
    expect(liveGroupMembers(unused)).toEqual([]);
  });
});

describe('which profiles a run starts', () => {
  // The real class Jest hands to globalSetup, so a change in its shape shows up here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TestPathPatterns } = require('@jest/pattern') as { TestPathPatterns: new (p: string[]) => RunSelection['testPathPatterns'] };
  const root = '/project';
  const profiles = [
    { name: 'default', description: '', env: {} },
    { name: 'auth', description: '', env: {}, usedBy: ['e2e/auth.test.ts'] },
    { name: 'isolated', description: '', env: {}, usedBy: ['e2e/metrics-by-model.test.ts'] },
  ];
  const names = (patterns: string[] | undefined) =>
    profilesForRun(profiles, patterns ? { rootDir: root, testPathPatterns: new TestPathPatterns(patterns) } : undefined, root).map((p) => p.name);

  test('with no test path pattern every profile starts', () => {
    expect(names(undefined)).toEqual(['default', 'auth', 'isolated']);
    expect(names([])).toEqual(['default', 'auth', 'isolated']);
  });

  test('a pattern selecting only other files starts only the profiles without usedBy', () => {
    expect(names(['e2e/health'])).toEqual(['default']);
  });

  test('a pattern selecting a usedBy file starts that profile', () => {
    expect(names(['auth'])).toEqual(['default', 'auth']);
    expect(names(['health', 'by-model'])).toEqual(['default', 'isolated']);
    expect(names(['e2e'])).toEqual(['default', 'auth', 'isolated']);
  });

  test('a selection object of an unknown shape starts everything rather than guess', () => {
    expect(profilesForRun(profiles, { testPathPatterns: {} }, root).map((p) => p.name)).toEqual(['default', 'auth', 'isolated']);
  });

  // What Jest hands globalSetup as its second argument: <rootDir> already replaced.
  const ignoring = (...testPathIgnorePatterns: string[]) => ({ rootDir: root, cwd: root, testPathIgnorePatterns });
  const withProject = (patterns: string[], project: ReturnType<typeof ignoring>, extra: Partial<RunSelection> = {}) =>
    profilesForRun(profiles, { rootDir: root, testPathPatterns: new TestPathPatterns(patterns), nonFlagArgs: patterns, ...extra }, root, project).map((p) => p.name);

  test('a usedBy file dropped by testPathIgnorePatterns does not start its profile, with or without path patterns', () => {
    expect(withProject([], ignoring('/node_modules/', 'by-model'))).toEqual(['default', 'auth']);
    expect(withProject(['e2e'], ignoring('auth\\.test'))).toEqual(['default', 'isolated']);
    expect(withProject(['auth'], ignoring('/project/e2e/'))).toEqual(['default']);
  });

  test('ignore patterns that match no usedBy file leave the selection alone', () => {
    expect(withProject([], ignoring('/node_modules/'))).toEqual(['default', 'auth', 'isolated']);
    expect(withProject(['auth'], ignoring('timing-fidelity'))).toEqual(['default', 'auth']);
  });

  test('--runTestsByPath selects exact paths (relative to cwd), not patterns', () => {
    const byPath = { runTestsByPath: true };
    expect(withProject(['e2e/auth.test.ts'], ignoring(), byPath)).toEqual(['default', 'auth']);
    // As a pattern "e2e/auth" would select auth.test.ts; as a path it names no file.
    expect(withProject(['e2e/auth'], ignoring(), byPath)).toEqual(['default']);
    expect(withProject(['/project/e2e/metrics-by-model.test.ts'], ignoring(), byPath)).toEqual(['default', 'isolated']);
  });

  test.each([
    ['--onlyChanged', { onlyChanged: true }],
    ['--changedSince', { changedSince: 'main' }],
    ['--lastCommit', { lastCommit: true }],
    ['--findRelatedTests', { findRelatedTests: true }],
    ['--filter', { filter: '/project/filter.js' }],
  ])('%s cannot be resolved cheaply, so every profile not ignored starts', (_flag, extra) => {
    // The arguments of --findRelatedTests are source files: read as test path patterns they would select nothing.
    expect(withProject(['helpers/core/config.ts'], ignoring(), extra)).toEqual(['default', 'auth', 'isolated']);
    expect(withProject(['helpers/core/config.ts'], ignoring('auth'), extra)).toEqual(['default', 'isolated']);
  });
});

describe('which servers teardown kills without the grace', () => {
  const answering = useLocalHttpServer((_req, res) => res.end('{"status":"healthy","ready":true}'));
  // Accepts the connection and never answers: what a deadlocked event loop looks like from outside.
  const deadlocked = useLocalHttpServer(() => undefined);
  const profiles = [
    { name: 'default', hangExpected: undefined },
    { name: 'isolated', hangExpected: 'by-model-deadlock' },
  ];

  test('a server whose profile expects a deadlock and that does not answer /health is killed at once', async () => {
    const infos = { isolated: { name: 'isolated', profile: 'isolated', baseUrl: deadlocked.baseUrl } };
    expect([...(await deadlockedAsExpected(['isolated'], infos, profiles, 100))]).toEqual(['isolated']);
  });

  test('one whose profile expects a deadlock but that answers (the defect fixed) stops gracefully', async () => {
    const infos = { isolated: { name: 'isolated', profile: 'isolated', baseUrl: answering.baseUrl } };
    expect(await deadlockedAsExpected(['isolated'], infos, profiles, 100)).toEqual(new Set());
  });

  test('a silent server whose profile expects no deadlock keeps its grace (its shutdown may still log an exception)', async () => {
    const infos = { 'default-w2': { name: 'default-w2', profile: 'default', baseUrl: deadlocked.baseUrl } };
    expect(await deadlockedAsExpected(['default-w2'], infos, profiles, 100)).toEqual(new Set());
  });
});
