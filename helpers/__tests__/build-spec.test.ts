import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLabel, originOf, parseBuildSpec } from '../server/build-spec';
import { buildOfRun, buildOfRunAsync, checkoutCommit, treeFingerprint } from '../server/build-install';
import { PROJECT_ROOT } from '../core/config';

describe('--fakeai SPEC: what pip is asked for', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'build-spec-'));
    mkdirSync(path.join(dir, 'fakeai-src'));
    writeFileSync(path.join(dir, 'fakeai-0.3.2-py3-none-any.whl'), 'zip');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a bare release number is a PyPI version, keyed by it', () => {
    expect(parseBuildSpec('0.3.1', dir)).toEqual({ spec: '0.3.1', kind: 'pypi', requirement: 'fakeai==0.3.1', key: 'pypi-0.3.1' });
    expect(parseBuildSpec('v0.3.2rc1', dir)).toMatchObject({ kind: 'pypi', requirement: 'fakeai==0.3.2rc1' });
  });

  test('a directory is a source checkout and a file an archive, both by absolute path, keyed by name and a hash of the path', () => {
    const co = parseBuildSpec('./fakeai-src', dir);
    expect(co).toMatchObject({ kind: 'checkout', requirement: path.join(dir, 'fakeai-src') });
    expect(co.key).toMatch(/^checkout-fakeai-src-[0-9a-f]{10}$/);
    expect(parseBuildSpec('fakeai-0.3.2-py3-none-any.whl', dir)).toMatchObject({ kind: 'archive', requirement: path.join(dir, 'fakeai-0.3.2-py3-none-any.whl') });
  });

  test('anything else goes to pip as written; a path that is not there is an error, not a pip spec', () => {
    expect(parseBuildSpec('git+https://github.com/ajcasagrande/fakeai@v0.3.2', dir)).toMatchObject({ kind: 'pip', requirement: 'git+https://github.com/ajcasagrande/fakeai@v0.3.2' });
    expect(() => parseBuildSpec('./no-such-dir', dir)).toThrow(/looks like a path, but nothing is there/);
    expect(() => parseBuildSpec('  ', dir)).toThrow(/needs a value/);
  });
});

describe('where pip got the build (PEP 610 direct_url.json)', () => {
  test('no record: from an index; a directory, a wheel and a VCS URL each say so', () => {
    expect(originOf(null)).toEqual({ origin: null, commit: null, archive: null, fromIndex: true });
    expect(originOf({ url: 'file:///src/fakeai', dir_info: {} })).toEqual({ origin: '/src/fakeai', commit: null, archive: null, fromIndex: false });
    expect(originOf({ url: 'file:///w/fakeai-0.3.2-py3-none-any.whl', archive_info: {} })).toMatchObject({ archive: 'fakeai-0.3.2-py3-none-any.whl', fromIndex: false });
    expect(originOf({ url: 'https://github.com/x/fakeai', vcs_info: { vcs: 'git', commit_id: 'aa88d2c' } })).toMatchObject({ origin: 'git+https://github.com/x/fakeai', commit: 'aa88d2c', fromIndex: false });
  });

  test('the label names version, origin, commit and how it was installed', () => {
    expect(buildLabel({ version: '0.3.2', installedBy: '--fakeai ../fakeai', source: 'checkout', origin: '/src/fakeai', commit: 'aa88d2c+dirty', archive: null, fromIndex: false, python: null })).toBe(
      '0.3.2 (/src/fakeai, commit aa88d2c+dirty) · installed by --fakeai ../fakeai',
    );
  });
});

describe('a checkout is reinstalled when its files change', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'build-tree-'));
    mkdirSync(path.join(dir, 'fakeai'));
    writeFileSync(path.join(dir, 'fakeai', 'app.py'), 'x = 1\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('outside git: the fingerprint moves with a file\'s size or mtime, not with caches', () => {
    const before = treeFingerprint(dir);
    mkdirSync(path.join(dir, '__pycache__'));
    writeFileSync(path.join(dir, '__pycache__', 'app.cpython-311.pyc'), 'cache');
    expect(treeFingerprint(dir)).toBe(before);
    utimesSync(path.join(dir, 'fakeai', 'app.py'), new Date(2020, 1, 1), new Date(2020, 1, 1));
    expect(treeFingerprint(dir)).not.toBe(before);
  });

  test('in git: HEAD, "+dirty" for local changes, and a status hash that moves with each edit', () => {
    expect(checkoutCommit(dir)).toBeNull();
    const git = (...a: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.email=e@x', '-c', 'user.name=e', ...a], { stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'x');
    const clean = checkoutCommit(dir)!;
    expect(clean.commit).toMatch(/^[0-9a-f]{12}$/);
    writeFileSync(path.join(dir, 'fakeai', 'app.py'), 'x = 2\n');
    const dirty = checkoutCommit(dir)!;
    expect(dirty.commit).toBe(`${clean.commit}+dirty`);
    writeFileSync(path.join(dir, 'fakeai', 'app.py'), 'x = 300\n');
    expect(checkoutCommit(dir)!.statusHash).not.toBe(dirty.statusHash);
  });
});

describe('the build a run reports', () => {
  test('a --fakeai build that never installed is not confused with the interpreter at hand', () => {
    const env = { E2E_FAKEAI_BUILD: JSON.stringify({ source: 'pypi', installedBy: '--fakeai 9.9.9 → not installed (BUILD_INSTALL_FAILED)', commit: null, installed: false }) };
    expect(buildOfRun({ reuseUrl: undefined, python: path.join(PROJECT_ROOT, '.venv', 'bin', 'python'), pythonSource: 'project .venv' }, env)).toEqual({
      version: null, installedBy: '--fakeai 9.9.9 → not installed (BUILD_INSTALL_FAILED)', source: 'pypi', origin: null, commit: null, archive: null, fromIndex: false, python: null,
    });
  });

  test('a reused server is a build the suite did not install, with no version', () => {
    expect(buildOfRun({ reuseUrl: 'http://127.0.0.1:8000', python: 'python3', pythonSource: 'python3 on PATH' }, {})).toMatchObject({ version: null, source: 'reused', origin: 'http://127.0.0.1:8000', fromIndex: false });
  });
});

describe('asking the interpreter for the build without blocking the runner', () => {
  const venvPython = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');

  test('the asynchronous probe reports the same build as the blocking one', async () => {
    const config = { reuseUrl: undefined, python: venvPython, pythonSource: 'project .venv' as const };
    const sync = buildOfRun(config, {});
    expect(sync.version).toMatch(/^\d+\.\d+/);
    expect(await buildOfRunAsync(config, {})).toEqual(sync);
  });

  test('the runner stays free while the probe runs: the probe answers only after the caller moved on', async () => {
    // A stand-in interpreter that answers once a file exists, which the test creates only after
    // buildOfRunAsync returned: a probe that blocked the caller would wait out the stand-in's bound
    // and get no answer (version null).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'build-probe-'));
    const python = path.join(dir, 'python');
    writeFileSync(python, `#!/bin/sh\ni=0\nwhile [ ! -e "$0.go" ] && [ $i -lt 300 ]; do sleep 0.01; i=$((i+1)); done\n[ -e "$0.go" ] && echo '{"version": "9.9.9", "direct": null}'\n`);
    chmodSync(python, 0o755);
    try {
      const probe = buildOfRunAsync({ reuseUrl: undefined, python, pythonSource: '--python/E2E_PYTHON' }, {});
      writeFileSync(`${python}.go`, '');
      expect(await probe).toMatchObject({ version: '9.9.9', source: 'interpreter', python });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a probe that fails leaves the version unknown, as the blocking one does', async () => {
    const config = { reuseUrl: undefined, python: '/nonexistent/python', pythonSource: '--python/E2E_PYTHON' as const };
    expect(await buildOfRunAsync(config, {})).toEqual(buildOfRun(config, {}));
    expect((await buildOfRunAsync(config, {})).version).toBeNull();
  });

  test('a reused server and a failed install need no probe, as before', async () => {
    const failed = { E2E_FAKEAI_BUILD: JSON.stringify({ source: 'pypi', installedBy: 'x', commit: null, installed: false }) };
    const pinned = { reuseUrl: undefined, python: venvPython, pythonSource: 'project .venv' as const };
    expect(await buildOfRunAsync(pinned, failed)).toEqual(buildOfRun(pinned, failed));
    expect(await buildOfRunAsync({ reuseUrl: 'http://127.0.0.1:8000', python: 'python3', pythonSource: 'python3 on PATH' }, {})).toMatchObject({ source: 'reused', version: null });
  });
});
