import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPTIONS, PROJECT_ROOT } from '../core/config';
import { parseCliArgs, usage, UsageError } from '../core/cli-args';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join(PROJECT_ROOT, 'scripts', 'e2e.ts');

/** The CLI as `npm run e2e` starts it: plain node with scripts/register.js (or, to test the refusal, tsx). */
function cli(args: string[], via: 'node' | 'tsx' = 'node') {
  const [cmd, pre] = via === 'node' ? [process.execPath, ['-r', path.join(PROJECT_ROOT, 'scripts', 'register.js')]] : [TSX, []];
  // The timeout only stops a hung child; no assertion depends on how fast it answers.
  const r = spawnSync(cmd, [...pre, CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, E2E_REPORTS_DIR: '/tmp/fakeai-e2e-cli-unused' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('flag parsing', () => {
  it('turns every valued flag into its E2E_* variable', () => {
    const { env } = parseCliArgs(['--timeout', '9', '--json=out/r.json', '--seed', '42', '--python', '/usr/bin/python3']);
    expect(env).toEqual({ E2E_STARTUP_TIMEOUT: '9', E2E_JSON: 'out/r.json', E2E_SEED: '42', E2E_PYTHON: '/usr/bin/python3' });
  });

  it('turns switches into 1 and --no-color into E2E_COLOR=0', () => {
    expect(parseCliArgs(['--strict', '--quiet', '--no-color']).env).toEqual({ E2E_STRICT: '1', E2E_QUIET: '1', E2E_COLOR: '0' });
  });

  it('combines --host and --port into E2E_URL, host defaulting to 127.0.0.1', () => {
    expect(parseCliArgs(['--host', 'localhost', '--port', '8000']).env.E2E_URL).toBe('http://localhost:8000');
    expect(parseCliArgs(['--port', '8765']).env.E2E_URL).toBe('http://127.0.0.1:8765');
  });

  it('hands everything after "--" to Jest untouched', () => {
    expect(parseCliArgs(['--quiet', '--', '-t', 'health', '--bail']).jestArgs).toEqual(['-t', 'health', '--bail']);
  });

  it('rejects unknown flags, missing values, stray arguments and a host without a port', () => {
    expect(() => parseCliArgs(['--bogus'])).toThrow(/Unknown flag "--bogus"/);
    expect(() => parseCliArgs(['--timeout'])).toThrow(/needs a value/);
    expect(() => parseCliArgs(['--json', '--quiet'])).toThrow(/needs a value/);
    expect(() => parseCliArgs(['health'])).toThrow(/after a second "--"/);
    expect(() => parseCliArgs(['--host', 'h'])).toThrow(/--host needs --port/);
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(UsageError);
    expect(() => parseCliArgs(['--quiet=yes'])).toThrow(/takes no value/);
  });

  it('lists every option of the OPTIONS table in --help, with its variable and default', () => {
    const text = usage();
    for (const o of OPTIONS) {
      expect(text).toContain(o.flag);
      expect(text).toContain(`env ${o.env}; default ${o.default}`);
    }
  });
});

describe('the e2e command line', () => {
  it('prints the usage for --help and exits 0', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const o of OPTIONS) expect(r.stdout).toContain(o.flag);
  });

  it('exits 2 with the usage on an unknown flag', () => {
    const r = cli(['--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown flag "--frobnicate"');
    expect(r.stderr).toContain('Usage: npm run e2e');
  });

  it('exits 2 when the arguments for Jest are invalid', () => {
    const r = cli(['--', '--frobnicate-jest']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Bad Jest arguments after "--"');
  });

  it('refuses to run under tsx (which breaks execa inside Jest) with exit 2 and the command that works', () => {
    const r = cli(['--no-color'], 'tsx');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot run under tsx');
    expect(r.stderr).toContain('node -r ./scripts/register.js scripts/e2e.ts');
    // The same flags under plain node get past the check (here: to Jest's argument parsing).
    expect(cli(['--no-color', '--', '--frobnicate-jest']).stderr).not.toContain('cannot run under tsx');
  });

  it('exits 2 naming the variable when a value is invalid', () => {
    const r = cli(['--timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E2E_STARTUP_TIMEOUT must be a positive number of seconds, got "soon"/);
  });
});

describe('what the CLI does before the servers can start', () => {
  // The servers wait for the launcher's preload, so nothing the launcher does not need may load
  // first. A preload hook logs, in order, the launcher's spawn and the first require of the reports'
  // modules; a stand-in interpreter that fails at once ends the run at setup (exit 2) right after.
  const HOOK = `
const cp = require('node:child_process');
const Module = require('node:module');
const spawn = cp.spawn;
cp.spawn = function (cmd, args, ...rest) {
  if (Array.isArray(args) && args.some((a) => String(a).endsWith('launcher.py'))) process.stderr.write('[order] launcher spawned\\n');
  return spawn.call(this, cmd, args, ...rest);
};
const load = Module._load;
Module._load = function (request, parent, ...rest) {
  if (/reporting[\\\\/]finalise/.test(request)) process.stderr.write('[order] reports loaded\\n');
  return load.call(this, request, parent, ...rest);
};
`;

  it('spawns the server launcher before it loads the reports', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-cli-order-'));
    try {
      const hook = path.join(dir, 'order-hook.js');
      const python = path.join(dir, 'python');
      writeFileSync(hook, HOOK);
      writeFileSync(python, '#!/bin/sh\nexit 1\n');
      chmodSync(python, 0o755);
      const r = spawnSync(
        process.execPath,
        ['-r', path.join(PROJECT_ROOT, 'scripts', 'register.js'), '-r', hook, CLI, '--quiet', '--no-color', '--launch', 'preload', '--python', python, '--reports-dir', path.join(dir, 'reports'), '--', 'e2e/health.test.ts'],
        { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.stderr.split('\n').filter((l) => l.startsWith('[order]'))).toEqual(['[order] launcher spawned', '[order] reports loaded']);
      expect(r.status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
