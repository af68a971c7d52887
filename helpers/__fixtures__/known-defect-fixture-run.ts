/**
 * Runs a fixture Jest project whose tests use testKnownDefect, once for the describe block that
 * calls it (in beforeAll), with an empty harness handoff and no E2E_/JEST_ variables leaking in,
 * and gives each fixture test's outcome by title prefix, and how many ran — how testKnownDefect's verdicts are
 * seen from outside, as the real runner sees them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { HARNESS_ENV_VAR } from '../core/harness-env';
import { readRecords, type RunRecord } from '../core/run-records';

interface AssertionResult {
  title: string;
  status: string;
  failureMessages: string[];
}

export interface FixtureOutcome {
  status: string;
  message: string;
}

/** `fixture` names a folder under helpers/__fixtures__ holding a jest.config.js. */
export function useKnownDefectFixtureRun(
  fixture: string,
  options: { build?: unknown; env?: Record<string, string> } = {},
): { outcome: (titlePrefix: string) => FixtureOutcome; ranCount: () => number; records: () => RunRecord[] } {
  let results: AssertionResult[] = [];
  let records: RunRecord[] = [];
  let runDir = '';

  beforeAll(() => {
    runDir = mkdtempSync(path.join(os.tmpdir(), `${fixture}-`));
    const out = path.join(runDir, 'results.json');
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('E2E_') && !k.startsWith('JEST_')) env[k] = v;
    Object.assign(env, { NO_COLOR: '1', FORCE_COLOR: '0', [HARNESS_ENV_VAR]: JSON.stringify({ runDir, seed: 1, servers: {}, ...(options.build ? { build: options.build } : {}) }) }, options.env);
    const config = path.join(PROJECT_ROOT, 'helpers', '__fixtures__', fixture, 'jest.config.js');
    spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', config, '--runInBand', '--json', '--outputFile', out], { cwd: PROJECT_ROOT, env, timeout: 60_000 });
    results = JSON.parse(readFileSync(out, 'utf8')).testResults.flatMap((f: { assertionResults: AssertionResult[] }) => f.assertionResults);
    records = readRecords(runDir);
  }, 70_000);

  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  return {
    outcome: (titlePrefix: string) => {
      const r = results.find((x) => x.title.startsWith(titlePrefix));
      if (!r) throw new Error(`no fixture test "${titlePrefix}" in ${JSON.stringify(results.map((x) => x.title))}`);
      return { status: r.status, message: r.failureMessages.join('\n') };
    },
    ranCount: () => results.length,
    records: () => records,
  };
}
