/**
 * `npm run e2e` hands Jest jest.config.ts as `--config` JSON (scripts/lib/jest-config-inline.ts) so
 * Jest does not load the file through esbuild-register. What Jest makes of it must not change: these
 * tests read both ways with Jest's own readConfigs and compare every option.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../helpers/core/config';
import { inlineJestConfig, projectJestConfigJson } from '../lib/jest-config-inline';

/**
 * Jest's global and project configs for `args`, read from the file and from the inline JSON, in a
 * child process whose working directory is not the project (Jest falls back to it where a file's
 * location would have said the project root). TestPathPatterns become their pattern lists; the seed
 * is random on every read.
 */
const READ_BOTH = `
const { readConfigs } = require('jest-config');
const { buildArgv } = require('jest');
const { projectJestConfigJson } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'scripts', 'lib', 'jest-config-inline.ts'))});
const root = ${JSON.stringify(PROJECT_ROOT)};
const plain = (c) => JSON.parse(JSON.stringify(c, (k, v) => (k === 'seed' ? undefined : v && v.constructor && v.constructor.name === 'TestPathPatterns' ? { patterns: v.patterns } : v)));
(async () => {
  const argv = { ...(await buildArgv(JSON.parse(process.argv[1]))), selectProjects: ['e2e'] };
  // Inline first, as the CLI does: Jest's read of the file sets rootDir on the loaded module's objects.
  const config = projectJestConfigJson(root);
  if (!config) throw new Error('jest.config.ts was not inlined');
  const fromJson = await readConfigs({ ...argv, config }, [root]);
  const fromFile = await readConfigs(argv, [root]);
  process.stdout.write(JSON.stringify({ cwd: process.cwd(), file: { g: plain(fromFile.globalConfig), p: plain(fromFile.configs) }, json: { g: plain(fromJson.globalConfig), p: plain(fromJson.configs) } }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

function readBoth(args: string[]): Promise<{ cwd: string; file: unknown; json: unknown }> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-r', path.join(PROJECT_ROOT, 'scripts', 'register.js'), '-e', READ_BOTH, JSON.stringify(args)], { cwd: os.tmpdir(), env: { ...process.env, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules') }, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

describe("jest.config.ts handed to Jest inline", () => {
  test('Jest derives the same global and project configs as from the file, from any working directory', async () => {
    for (const args of [[], ['--testPathPatterns', 'e2e/health'], ['--testPathIgnorePatterns', '<rootDir>/e2e/auth', '--maxWorkers', '2'], ['--runTestsByPath', 'e2e/health.test.ts']]) {
      const { cwd, file, json } = await readBoth(args);
      expect(path.relative(PROJECT_ROOT, cwd).startsWith('..')).toBe(true);
      expect(json).toEqual(file);
    }
  }, 60_000);

  test("the project's config is inlined (it is plain data)", () => {
    expect(projectJestConfigJson(PROJECT_ROOT)).not.toBeNull();
  });

  test('a config JSON cannot carry is left to Jest to read', () => {
    expect(inlineJestConfig({ projects: [{ displayName: 'x', testRegex: /x/ as unknown as string }] }, '/p')).toBeNull();
    expect(inlineJestConfig({ projects: [{ displayName: 'x', transform: { x: () => 1 } }] }, '/p')).toBeNull();
    expect(inlineJestConfig({ projects: [{ displayName: 'x', testEnvironment: undefined }] }, '/p')).toBeNull();
  });

  test('configs whose rootDir rules differ without the file are left to Jest', () => {
    expect(inlineJestConfig({ rootDir: 'src' }, '/p')).toBeNull();
    expect(inlineJestConfig({ projects: [{ rootDir: '<rootDir>/a' }] }, '/p')).toBeNull();
    expect(inlineJestConfig({ projects: ['packages/a'] }, '/p')).toBeNull();
  });

  test('every inline project is rooted where the file is', () => {
    expect(JSON.parse(inlineJestConfig({ projects: [{ displayName: 'a' }, { displayName: 'b' }] }, '/p')!)).toEqual({ rootDir: '/p', projects: [{ displayName: 'a', rootDir: '/p' }, { displayName: 'b', rootDir: '/p' }] });
  });
});
