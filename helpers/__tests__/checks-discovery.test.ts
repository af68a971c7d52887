import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '../core/config';
import { KNOWN_DEFECTS } from '../ledger/known-defects';
import { runBounded } from '../core/load';
import { DEFAULT_OPENAPI_KEEP_DIR, isServed, listServedRoutes, loadOpenApiSync, notServedReason, type OpenApiDoc, savedOpenApiText } from '../api/openapi';
import { HARNESS_ENV_VAR } from '../core/harness-env';

const doc: OpenApiDoc = {
  paths: {
    '/metrics': { get: {} },
    '/metrics/by-model/{model_id}': { get: {} },
    '/v1/models/{model_id:path}': { get: {} },
    '/v1/chat/completions': { post: {} },
  },
};

describe('openapi discovery', () => {
  test('isServed matches exact paths, {param} segments and {param:path} tails, per method', () => {
    expect(isServed(doc, 'GET', '/metrics')).toBe(true);
    expect(isServed(doc, 'POST', '/metrics')).toBe(false);
    expect(isServed(doc, 'GET', '/metrics/events')).toBe(false);
    expect(isServed(doc, 'GET', '/metrics/by-model/gpt-4')).toBe(true);
    expect(isServed(doc, 'GET', '/metrics/by-model/a/b')).toBe(false);
    expect(isServed(doc, 'GET', '/v1/models/org/model')).toBe(true);
  });
  test('listServedRoutes lists method and path of every operation', () => {
    expect(listServedRoutes(doc)).toContainEqual({ method: 'POST', path: '/v1/chat/completions' });
    expect(listServedRoutes(doc)).toHaveLength(4);
  });
  test('the skip reason names the version and the route', () => {
    expect(notServedReason({ fakeaiVersion: '0.3.2' }, 'get', '/metrics/slo')).toBe('not served by fakeai 0.3.2 (GET /metrics/slo is not in its /openapi.json)');
  });

  // The server runs on its own thread: loadOpenApiSync blocks this one while it waits.
  let worker: Worker;
  let port = 0;
  beforeAll(async () => {
    worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const http = require('node:http');
       const doc = ${JSON.stringify(JSON.stringify(doc))};
       let asked = 0;
       const srv = http.createServer((req, res) => {
         if (req.url === '/count') return res.end(String(asked));
         if (req.url.startsWith('/d') || req.url.startsWith('/s')) asked++;
         const [status, body] = req.url.startsWith('/a') ? [500, '{}'] : req.url.startsWith('/b') ? [200, '{}'] : [200, doc];
         res.writeHead(status, { 'content-type': 'application/json' });
         res.end(body);
       });
       srv.listen(0, '127.0.0.1', () => parentPort.postMessage(srv.address().port));`,
      { eval: true },
    );
    port = await new Promise<number>((r) => worker.once('message', r));
  });
  afterAll(() => worker.terminate());

  test('loadOpenApiSync fetches the document synchronously; refuses a non-200 and a document without paths', () => {
    const url = `http://127.0.0.1:${port}`;
    expect(() => loadOpenApiSync(`${url}/a`, 2000)).toThrow(/expected 200, got 500/);
    expect(() => loadOpenApiSync(`${url}/b`, 2000)).toThrow(/"paths"/);
    expect(listServedRoutes(loadOpenApiSync(`${url}/c`, 2000))).toHaveLength(4);
  });

  test("once per run: later test files (fresh module registries) read the run dir's copy, not the server", async () => {
    const runDir = mkdtempSync(path.join(os.tmpdir(), 'openapi-once-'));
    const before = process.env[HARNESS_ENV_VAR];
    process.env[HARNESS_ENV_VAR] = JSON.stringify({ runDir, seed: 1, servers: {} });
    try {
      const url = `http://127.0.0.1:${port}/d`;
      expect(savedOpenApiText(url)).toBeUndefined();
      const first = loadOpenApiSync(url, 2000);
      const later: unknown[] = [];
      jest.isolateModules(() => later.push((require('../api/openapi') as typeof import('../api/openapi')).loadOpenApiSync(url, 2000)));
      await jest.isolateModulesAsync(async () => {
        later.push(await (require('../api/openapi') as typeof import('../api/openapi')).fetchOpenApi(url, 2000));
      });
      await jest.isolateModulesAsync(async () => {
        later.push(await (require('../api/api-driver') as typeof import('../api/api-driver')).fetchOpenApi(url));
      });
      expect(later).toEqual([first, first, first]);
      expect(await (await fetch(`http://127.0.0.1:${port}/count`)).text()).toBe('1');
      // A server the harness does not list is keyed by its address.
      expect(readdirSync(path.join(runDir, 'openapi'))).toEqual([`127.0.0.1_${port}_d.json`]);
      // Outside a run there is no run dir: nothing is saved, each file asks.
      expect(savedOpenApiText(url, {})).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env[HARNESS_ENV_VAR];
      else process.env[HARNESS_ENV_VAR] = before;
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  test('a later run of the same build (fingerprint) and settings reads the kept copy; another fingerprint asks the server again', async () => {
    const before = process.env[HARNESS_ENV_VAR];
    const base = `http://127.0.0.1:${port}`;
    const fingerprint = `selftest-${process.pid}-${Date.now()}`;
    const count = async () => Number(await (await fetch(`${base}/count`)).text());
    const already = await count();
    const dirs: string[] = [];
    const run = (fp: string | null) => {
      const runDir = mkdtempSync(path.join(os.tmpdir(), 'openapi-kept-'));
      dirs.push(runDir);
      const build = { version: '0.3.2', installedBy: 'test', source: 'pinned', origin: null, commit: null, archive: null, fromIndex: true, python: null, fingerprint: fp };
      process.env[HARNESS_ENV_VAR] = JSON.stringify({ runDir, seed: 1, build, servers: { default: { name: 'default', baseUrl: `${base}/s9`, spawned: true, logStart: 0, settings: { FAKEAI_X: '1' } } } });
      let doc: unknown;
      jest.isolateModules(() => (doc = (require('../api/openapi') as typeof import('../api/openapi')).loadOpenApiSync(`${base}/s9`, 2000)));
      return { doc, runDir };
    };
    try {
      const first = run(fingerprint);
      expect((await count()) - already).toBe(1);
      const second = run(fingerprint);
      expect(second.doc).toEqual(first.doc);
      expect((await count()) - already).toBe(1);
      // The run that read the kept copy has it in its own directory too, for the record.
      expect(readdirSync(path.join(second.runDir, 'openapi'))).toHaveLength(1);
      run(`${fingerprint}-edited`);
      expect((await count()) - already).toBe(2);
      // No fingerprint (a probe that could not read the package): nothing kept, nothing read.
      run(null);
      expect((await count()) - already).toBe(3);
    } finally {
      if (before === undefined) delete process.env[HARNESS_ENV_VAR];
      else process.env[HARNESS_ENV_VAR] = before;
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      for (const f of readdirSync(DEFAULT_OPENAPI_KEEP_DIR)) if (f.startsWith(fingerprint)) rmSync(path.join(DEFAULT_OPENAPI_KEEP_DIR, f), { force: true });
    }
  });

  test('servers the run started with the same FAKEAI_* settings share one copy; different settings, or a reused server, do not', async () => {
    const runDir = mkdtempSync(path.join(os.tmpdir(), 'openapi-shared-'));
    const before = process.env[HARNESS_ENV_VAR];
    const base = `http://127.0.0.1:${port}`;
    const info = (name: string, url: string, settings: Record<string, string>, spawned = true) => ({ name, baseUrl: url, spawned, logStart: 0, settings });
    const same = { FAKEAI_A: '1', FAKEAI_B: '2' };
    process.env[HARNESS_ENV_VAR] = JSON.stringify({
      runDir,
      seed: 1,
      servers: {
        one: info('one', `${base}/s1`, same),
        two: info('two', `${base}/s2`, { FAKEAI_B: '2', FAKEAI_A: '1' }),
        other: info('other', `${base}/s3`, { ...same, FAKEAI_AUTH: 'true' }),
        reused: info('reused', `${base}/s4`, same, false),
      },
    });
    const count = async () => Number(await (await fetch(`${base}/count`)).text());
    const already = await count();
    const asked = async () => (await count()) - already;
    try {
      const first = loadOpenApiSync(`${base}/s1`, 2000);
      expect(await asked()).toBe(1);
      let second: unknown;
      jest.isolateModules(() => (second = (require('../api/openapi') as typeof import('../api/openapi')).loadOpenApiSync(`${base}/s2`, 2000)));
      expect(second).toEqual(first);
      expect(await asked()).toBe(1);
      loadOpenApiSync(`${base}/s3`, 2000);
      expect(await asked()).toBe(2);
      loadOpenApiSync(`${base}/s4`, 2000);
      expect(await asked()).toBe(3);
    } finally {
      if (before === undefined) delete process.env[HARNESS_ENV_VAR];
      else process.env[HARNESS_ENV_VAR] = before;
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});

describe('runBounded', () => {
  test('never runs more than the limit at once, and keeps the input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await runBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });
  test('refuses a limit below 1', async () => {
    await expect(runBounded([1], 0, async (n) => n)).rejects.toThrow(/limit/);
  });
});

describe('known defects registry', () => {
  test('ids are unique kebab-case; evidence is fakeai/<file>.py:<line>', () => {
    const ids = KNOWN_DEFECTS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of KNOWN_DEFECTS) {
      expect(d.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(d.evidence).toMatch(/^fakeai\/[\w/]+\.py:\d+$/);
    }
  });
  test('each evidence line in the installed fakeai contains the quoted text', () => {
    const site = path.join(PROJECT_ROOT, '.venv', 'lib', 'python3.11', 'site-packages');
    // Evidence read in another release (evidenceIn) is checked by ledger-releases.test.ts against that release.
    for (const d of KNOWN_DEFECTS.filter((k) => k.evidenceText && !k.evidenceIn)) {
      const [file, line] = d.evidence.split(':');
      const text = readFileSync(path.join(site, file), 'utf8').split('\n')[Number(line) - 1];
      expect(`${d.id}: ${text}`).toContain(d.evidenceText!);
    }
  });
});
