/**
 * How many Jest workers `npm run e2e` asks for: --workers, capped by the files its arguments select,
 * counted with the rules globalSetup uses for profiles (helpers/core/test-selection.ts) and Jest's
 * own argument parser and pattern class — so these tests feed real Jest argv, not hand-made objects.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { jestWorkerOptions, selectionOfArgv, testFilesUnder, type JestArgvSelection, type TestPathPatternsClass, workersForSelection } from '../core/test-selection';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TestPathPatterns } = require('@jest/pattern') as { TestPathPatterns: TestPathPatternsClass };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildArgv } = require('jest') as typeof import('jest');

const argvOf = async (args: string[]) => (await buildArgv(args)) as unknown as JestArgvSelection;
/** What scripts/e2e.ts passes Jest for `npm run e2e -- <args>` with `--workers workers`. */
const optionsFor = async (args: string[], workers = 4) => jestWorkerOptions(workers, await argvOf(args), TestPathPatterns, PROJECT_ROOT, PROJECT_ROOT);

describe('the Jest worker count follows the selected files', () => {
  test('one selected file gets one worker, still a worker and not in band', async () => {
    expect(await optionsFor(['e2e/health.test.ts'])).toEqual({ runInBand: false, maxWorkers: 1, workerIdleMemoryLimit: '2GB' });
    expect((await optionsFor(['--testPathPatterns', 'e2e/bad-input'])).maxWorkers).toBe(1);
    expect((await optionsFor(['--runTestsByPath', 'e2e/auth.test.ts'])).maxWorkers).toBe(1);
  });

  test('a few selected files get one worker each, up to --workers', async () => {
    expect((await optionsFor(['--testPathPatterns', 'e2e/(health|auth)\\.test'])).maxWorkers).toBe(2);
    expect((await optionsFor(['e2e/health', 'e2e/auth'])).maxWorkers).toBe(2);
    expect((await optionsFor(['--testPathPatterns', 'e2e/(health|chat-completions|chat-streaming|request-load|metrics-endpoints|metrics-consistency|bad-input|auth)\\.test'])).maxWorkers).toBe(4);
    expect((await optionsFor(['--testPathPatterns', 'e2e/(health|auth|bad-input)\\.test'], 6)).maxWorkers).toBe(3);
  });

  test('the whole suite keeps --workers', async () => {
    expect((await optionsFor([])).maxWorkers).toBe(4);
    expect((await optionsFor([], 6)).maxWorkers).toBe(6);
  });

  test('--workers 1 stays in band, whatever the selection', async () => {
    expect(await optionsFor(['e2e/health.test.ts'], 1)).toEqual({ runInBand: true });
  });

  test('testPathIgnorePatterns drops files from the count, as Jest drops them from the run', async () => {
    expect((await optionsFor(['--testPathPatterns', 'e2e/(health|auth)\\.test', '--testPathIgnorePatterns', 'auth'])).maxWorkers).toBe(1);
    expect((await optionsFor(['--testPathPatterns', 'e2e/(health|auth)\\.test', '--testPathIgnorePatterns', '<rootDir>/e2e/health'])).maxWorkers).toBe(1);
  });

  test('a pattern that selects nothing asks for one worker and leaves "no tests found" to Jest', async () => {
    expect((await optionsFor(['--testPathPatterns', 'no-such-file-anywhere'])).maxWorkers).toBe(1);
  });

  test('arguments it cannot count cheaply keep --workers', async () => {
    for (const args of [
      ['-o'],
      ['--changedSince', 'main', 'e2e/health.test.ts'],
      ['--findRelatedTests', 'helpers/core/config.ts'],
      ['--roots', '<rootDir>/e2e', 'e2e/health.test.ts'],
      ['--testMatch', '**/health.test.ts'],
      ['--config', 'jest.config.ts', 'e2e/health.test.ts'],
      ['--filter', './filter.js', 'e2e/health.test.ts'],
    ]) {
      expect({ args, maxWorkers: (await optionsFor(args)).maxWorkers }).toEqual({ args, maxWorkers: 4 });
    }
  });

  test('an invalid pattern keeps --workers: Jest then runs every test', async () => {
    expect((await optionsFor(['--testPathPatterns', 'e2e/(health'])).maxWorkers).toBe(4);
  });
});

describe('counting a selection', () => {
  test('counts against the files given, with Jest pattern semantics (relative to rootDir, regex)', () => {
    const root = '/project';
    const files = ['a', 'b', 'c'].map((n) => `/project/e2e/${n}.test.ts`);
    const sel = (args: string[]) => selectionOfArgv({ _: args }, TestPathPatterns, root, root);
    expect(workersForSelection(4, files, sel(['e2e/a']), root)).toBe(1);
    expect(workersForSelection(4, files, sel(['e2e/[ab]']), root)).toBe(2);
    expect(workersForSelection(2, files, sel([]), root)).toBe(2);
    expect(workersForSelection(4, files, null, root)).toBe(4);
  });

  test('lists every *.test.ts under the folder, nested ones included, and nothing else', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-selection-'));
    mkdirSync(path.join(dir, 'nested'));
    for (const f of ['a.test.ts', 'nested/b.test.ts', 'helper.ts', 'c.test.js']) writeFileSync(path.join(dir, f), '');
    expect(testFilesUnder(dir)).toEqual([path.join(dir, 'a.test.ts'), path.join(dir, 'nested', 'b.test.ts')]);
  });

  // The candidate list is the e2e project's testMatch; if jest.config.ts changes it, this says so.
  test("the candidate files are exactly the e2e project's, as Jest lists them", async () => {
    const listed = await new Promise<string[]>((resolve, reject) =>
      execFile(process.execPath, [require.resolve('jest/bin/jest'), '--selectProjects', 'e2e', '--listTests', '--json'], { cwd: PROJECT_ROOT, maxBuffer: 8 << 20 }, (err, stdout) =>
        err ? reject(err) : resolve((JSON.parse(stdout) as string[]).sort()),
      ),
    );
    expect(testFilesUnder(path.join(PROJECT_ROOT, 'e2e'))).toEqual(listed);
  }, 60_000);
});
