/**
 * No Jest worker outlives its runner. Jest on the attribution fixture project (the real globalSetup,
 * test environment and globalTeardown) with two workers, each inside a test that never ends; the
 * runner is then SIGKILLed. The servers go with the launcher or watchdog (cleanup.test.ts); the
 * workers must go too, at once, not when their tests would have ended.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { runDirOf } from '../core/run-dir';
import { isAlive } from '../server/process-group';
import { FIXTURE_CONFIG, fixtureEnv } from '../__fixtures__/attribution/fixture-jest';
import { leftovers, newRunId, waitUntil } from '../__fixtures__/drivers/run-driver';

const STUB = path.join(PROJECT_ROOT, 'helpers', '__fixtures__', 'stub-servers', 'healthy');

describe('a runner SIGKILLed while its workers are inside tests', () => {
  test('takes its Jest workers with it, as well as its servers', async () => {
    const reportsRoot = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-orphans-'));
    const runDir = runDirOf(reportsRoot, 'r');
    // The marker every process of the run inherits (the leftover check of the lifecycle self-tests).
    const runId = newRunId();
    try {
      const env = fixtureEnv({ PYTHONPATH: STUB, E2E_REPORTS_DIR: reportsRoot, E2E_RUN_ID: 'r', E2E_KILL_GRACE_MS: '500', STUB_RUN_ID: runId });
      const runner = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--config', FIXTURE_CONFIG, '--maxWorkers', '2', 'orphan-'], { cwd: PROJECT_ROOT, env, stdio: 'ignore' });
      const holding = ['orphan-a', 'orphan-b'].map((n) => path.join(runDir, `holding-${n}`));
      await waitUntil(() => holding.every((f) => existsSync(f)), 60_000, 'both workers inside their tests');
      const workers = holding.map((f) => Number(readFileSync(f, 'utf8')));
      expect(workers[0]).not.toBe(workers[1]);
      expect(workers.every((pid) => isAlive(pid))).toBe(true);
      runner.kill('SIGKILL');
      // Within seconds, not the 120 s the tests would have lasted.
      await waitUntil(() => leftovers(runId).length === 0, 10_000, 'every process of the run gone');
      expect(workers.filter((pid) => isAlive(pid))).toEqual([]);
    } finally {
      for (const pid of leftovers(runId)) process.kill(pid, 'SIGKILL');
      rmSync(reportsRoot, { recursive: true, force: true });
    }
  }, 90_000);
});
