/**
 * Runs the attribution fixture Jest project in a child process, as a user's `npm run e2e` would run
 * Jest, and hands back its output with each failed test's block by title. Shared by the in-band and
 * the concurrent-files attribution self-tests.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../core/config';

export const FIXTURE_CONFIG = path.join(PROJECT_ROOT, 'helpers', '__fixtures__', 'attribution', 'jest.config.js');

/** This process's environment without the suite's own E2E_* and Jest's JEST_* variables, plus `extra`. */
export function fixtureEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('E2E_') && !k.startsWith('JEST_')) env[k] = v;
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
}

export interface FixtureJestResult {
  exitCode: number | null;
  output: string;
  /** Each failed test's printed block, by its title line. */
  failures: Map<string, string>;
}

export function runFixtureJest(jestArgs: readonly string[], env: NodeJS.ProcessEnv): Promise<FixtureJestResult> {
  const child = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--config', FIXTURE_CONFIG, ...jestArgs], { cwd: PROJECT_ROOT, env });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => {
    child.on('close', (exitCode) => {
      const failures = new Map<string, string>();
      for (const block of output.split(/^ {2}● /m).slice(1)) failures.set(block.split('\n')[0].trim(), block);
      resolve({ exitCode, output, failures });
    });
  });
}
