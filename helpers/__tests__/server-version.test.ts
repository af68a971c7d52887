/**
 * A reused server's FakeAI version is "not reported by the server", with the reason, and the reason
 * is checked against the installed package: its /openapi.json version is a hard-coded document
 * version, and the package version appears nowhere in its source, so no route can serve it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { notServedReason } from '../api/openapi';
import { fakeaiVersionLabel, fakeaiVersionNote, OPENAPI_VERSION_EVIDENCE, VERSION_NOT_REPORTED } from '../server/server-version';

const SITE = path.join(PROJECT_ROOT, '.venv', 'lib', 'python3.11', 'site-packages');

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? pythonFiles(path.join(dir, e.name)) : e.name.endsWith('.py') ? [path.join(dir, e.name)] : []));
}

describe('what the report says about the FakeAI version', () => {
  test('a spawned server: the installed package version, no note', () => {
    expect(fakeaiVersionLabel({ spawned: true, fakeaiVersion: '0.3.2' })).toBe('0.3.2');
    expect(fakeaiVersionNote({ spawned: true, fakeaiVersion: '0.3.2' })).toBeNull();
    expect(notServedReason({ spawned: true, fakeaiVersion: '0.3.2' }, 'get', '/x')).toBe('not served by fakeai 0.3.2 (GET /x is not in its /openapi.json)');
  });

  test('a reused server: "not reported by the server" with the reason, never "?" or "unknown"', () => {
    const reused = { spawned: false, fakeaiVersion: null };
    expect(fakeaiVersionLabel(reused)).toBe(VERSION_NOT_REPORTED);
    expect(fakeaiVersionNote(reused)).toMatch(/^not reported by the server \(reuse mode: FakeAI serves no package version over HTTP; .*info\.version.*hard-coded "1\.0\.0", fakeai\/app\.py:146\)$/);
    expect(notServedReason({ spawned: false }, 'get', '/x')).toBe('not served by fakeai (version not reported by the server) (GET /x is not in its /openapi.json)');
  });

  test('a spawned server without distribution metadata (a stub package) says so', () => {
    expect(fakeaiVersionLabel({ spawned: true })).toMatch(/^\(version unknown: the interpreter has no fakeai distribution metadata\)$/);
  });
});

describe('the reason holds for the installed fakeai', () => {
  const version = /^Version: (.+)$/m.exec(readFileSync(path.join(SITE, readdirSync(SITE).find((d) => /^fakeai-.*\.dist-info$/.test(d))!, 'METADATA'), 'utf8'))![1];

  test('/openapi.json info.version is the FastAPI app\'s hard-coded "1.0.0", not the package version', () => {
    const { file, line, text } = OPENAPI_VERSION_EVIDENCE;
    expect(readFileSync(path.join(SITE, file), 'utf8').split('\n')[line - 1].trim()).toBe(text);
    expect(text).not.toContain(version);
  });

  test('fakeai.__version__ is not the package version either (0.3.2 says "0.0.4"), so a route returning it would mislead', () => {
    const declared = /^__version__ = "(.+)"$/m.exec(readFileSync(path.join(SITE, 'fakeai', '__init__.py'), 'utf8'))?.[1];
    expect(declared).toBeDefined();
    expect(declared).not.toBe(version);
  });

  test('the package version appears in none of its source files, so no route or header can carry it', () => {
    const files = pythonFiles(path.join(SITE, 'fakeai'));
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => readFileSync(f, 'utf8').includes(version)).map((f) => path.relative(SITE, f))).toEqual([]);
    // Nor does it read its own distribution metadata at run time.
    expect(files.filter((f) => /importlib\.metadata|pkg_resources/.test(readFileSync(f, 'utf8'))).map((f) => path.relative(SITE, f))).toEqual([]);
  });
});
