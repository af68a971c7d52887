/**
 * `kill -9` of npm stops the run: the runner notices its launcher is gone and stops its servers.
 * The pure parts (which processes are the launcher chain) by table; the watch against a real
 * process; and the whole thing against `npm run e2e` itself, stuck waiting for a stub server that
 * never becomes ready, so the run cannot end by itself while the test watches.
 */
import { spawn } from 'node:child_process';
import { runDirOf } from '../core/run-dir';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { ancestors, isNpm, launcherChain, watchLaunchers, type ProcessInfo } from '../server/launcher-watch';
import { isAlive } from '../server/process-group';
import { leftovers, newRunId, STUB_PYTHON, stubEnv, waitUntil } from '../__fixtures__/drivers/run-driver';

const p = (pid: number, cmdline: string): ProcessInfo => ({ pid, ppid: pid - 1, cmdline });

describe('which processes launched the runner', () => {
  test.each([
    ['npm run e2e -- --quiet', true],
    ['node /usr/lib/node_modules/npm/bin/npm-cli.js run e2e', true],
    ['/usr/bin/npm run e2e', true],
    ['node -r ./scripts/register.js scripts/e2e.ts', false],
    ['sh -c node -r ./scripts/register.js scripts/e2e.ts', false],
    ['npx jest', false],
    ['/home/npmuser/bin/tool run', false],
  ])('"%s" is npm: %s', (cmdline, expected) => {
    expect(isNpm(p(10, cmdline))).toBe(expected);
  });

  test('under npm, the chain runs from the parent up to and including npm, and stops there', () => {
    const chain = [p(30, 'sh -c node scripts/e2e.ts'), p(20, 'npm run e2e'), p(10, 'bash .ci/run')];
    expect(launcherChain(chain)).toEqual([30, 20]);
  });

  test('started by hand (no npm above it), nothing is watched', () => {
    expect(launcherChain([p(30, 'bash'), p(20, 'sshd: user@pts/0')])).toEqual([]);
  });

  test('ancestors() starts at the real parent', () => {
    const chain = ancestors();
    expect(chain.length).toBeGreaterThan(0);
    expect(chain[0].pid).toBe(process.ppid);
  });
});

describe('watching the launchers', () => {
  test('reports the one that died, once, while the others live on', async () => {
    const live = spawn('sleep', ['30'], { stdio: 'ignore' });
    const doomed = spawn('sleep', ['30'], { stdio: 'ignore' });
    const calls: number[] = [];
    const gone = new Promise<number>((resolve) => {
      watchLaunchers([live.pid!, doomed.pid!], (pid) => {
        calls.push(pid);
        resolve(pid);
      }, 20);
    });
    try {
      doomed.kill('SIGKILL');
      expect(await gone).toBe(doomed.pid);
      expect(isAlive(live.pid!)).toBe(true);
      // The watch stopped itself: no second call however long we look.
      await waitUntil(() => calls.length === 1, 1000, 'one call');
    } finally {
      live.kill('SIGKILL');
    }
  });

  test('an empty chain watches nothing and the stop function is harmless', () => {
    const stop = watchLaunchers([], () => {
      throw new Error('must not be called');
    });
    expect(stop).not.toThrow();
  });
});

describe('kill -9 of npm during `npm run e2e`', () => {
  // npm, the runner, the watchdog and a python stub on two busy cores.
  jest.setTimeout(60_000);

  test('stops the runner and its server long before the run could have ended by itself', async () => {
    const runId = newRunId();
    const reportsDir = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-npm-kill-'));
    // The stub never turns ready: without the watch, the runner would wait out this whole timeout.
    const STARTUP_TIMEOUT_S = 50;
    const env = stubEnv('never_ready', runId, { E2E_PYTHON: STUB_PYTHON, E2E_REPORTS_DIR: reportsDir, E2E_RUN_ID: runId, E2E_STARTUP_TIMEOUT: String(STARTUP_TIMEOUT_S), E2E_COLOR: '0' });
    const npm = spawn('npm', ['run', '--silent', 'e2e', '--', '--', 'e2e/health.test.ts'], { cwd: PROJECT_ROOT, env, stdio: 'ignore' });
    const serverLog = path.join(runDirOf(reportsDir, runId), 'server.log');
    try {
      // The stub is up and answering "not ready": the runner is inside its readiness wait.
      await waitUntil(() => existsSync(serverLog) && /Uvicorn running on/.test(readFileSync(serverLog, 'utf8')), 30_000, 'the stub server is listening');
      const before = leftovers(runId);
      expect(before.length).toBeGreaterThanOrEqual(4); // npm, sh, the runner, the watchdog, the stub
      npm.kill('SIGKILL');
      // Bounded well below the startup timeout: the run was stopped, not waited out.
      await waitUntil(() => leftovers(runId).length === 0, (STARTUP_TIMEOUT_S * 1000) / 2, 'every process of the run is gone');
    } finally {
      for (const pid of leftovers(runId)) process.kill(pid, 'SIGKILL');
    }
  });
});
