/**
 * How `npm run e2e` loads TypeScript (scripts/register.js over scripts/ts-cache.js): it compiles,
 * it serves a second load from the cache, an edit recompiles, a cache it cannot write is no error,
 * and stack traces still name the .ts line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compile, cacheFile } = require('../../scripts/ts-cache.js') as {
  compile(source: string, filename: string, cacheDir?: string): string;
  cacheFile(source: string, filename: string, cacheDir?: string): string;
};

const REGISTER = path.join(PROJECT_ROOT, 'scripts', 'register.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-register-'));
const cacheDir = path.join(tmp, 'cache');

const SOURCE = [
  "import type { Server } from 'node:http';",
  'interface Shape { sides: number }',
  'enum Colour { Red = 1 }',
  'const s: Shape = { sides: 3 };',
  'export function describe(x?: Server): string { return `${s.sides} ${Colour.Red} ${x === undefined}`; }',
  'if (require.main === module) console.log(describe());',
  'export function fail(): never {',
  "  throw new Error('thrown on line 8');",
  '}',
  "if (process.argv[2] === 'fail') fail();",
].join('\n');

describe('loading TypeScript for the CLI', () => {
  test('a .ts file with types, an enum and a type-only import runs under node -r scripts/register.js', () => {
    const file = path.join(tmp, 'runs.ts');
    writeFileSync(file, SOURCE);
    const r = spawnSync(process.execPath, ['-r', REGISTER, file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('3 1 true\n');
  });

  test('a stack trace names the .ts file and its line, not the compiled one', () => {
    const file = path.join(tmp, 'throws.ts');
    writeFileSync(file, SOURCE);
    const r = spawnSync(process.execPath, ['-r', REGISTER, file, 'fail'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${file}:8`);
  });
});

describe('the compile cache', () => {
  test('the first compile writes the cache; a second one reads it instead of compiling', () => {
    const file = path.join(tmp, 'cached.ts');
    const first = compile(SOURCE, file, cacheDir);
    const entry = cacheFile(SOURCE, file, cacheDir);
    expect(existsSync(entry)).toBe(true);
    expect(first).toContain('sides: 3');
    // What the cache holds is what comes back: proof the second call did not compile.
    writeFileSync(entry, '/* from the cache */');
    expect(compile(SOURCE, file, cacheDir)).toBe('/* from the cache */');
  });

  test('an edited source has its own entry and is compiled afresh', () => {
    const file = path.join(tmp, 'edited.ts');
    compile(SOURCE, file, cacheDir);
    const edited = SOURCE.replace('sides: 3', 'sides: 4');
    expect(cacheFile(edited, file, cacheDir)).not.toBe(cacheFile(SOURCE, file, cacheDir));
    expect(compile(edited, file, cacheDir)).toContain('sides: 4');
  });

  test('a cache directory that cannot be created is no error: the code is compiled anyway', () => {
    const blocker = path.join(tmp, 'a-file');
    writeFileSync(blocker, '');
    expect(compile(SOURCE, path.join(tmp, 'x.ts'), path.join(blocker, 'cache'))).toContain('sides: 3');
  });
});
