/**
 * What the server in front of us serves, from its own /openapi.json.
 *
 * Jest decides at collection time which tests run and which are skipped, and a CommonJS test file
 * cannot await at that point; `loadOpenApiSync` therefore fetches the document on a worker thread
 * while the collecting thread waits on an Atomics flag (no child process, traffic to 127.0.0.1
 * only, bounded by the per-request timeout). Results are cached per base URL.
 *
 * Once per run, not once per file: the first file that needs a server's document saves the text
 * it got in the run dir (`openapi/<server>.json`), and every later file, in any worker, parses that
 * copy (~2 ms) instead of starting a thread and asking FakeAI, which serialises 198 KB each time.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { loadConfig, PROJECT_ROOT } from '../core/config';
import { type HarnessEnv, readHarnessEnv, type ServerInfo } from '../core/harness-env';
import { VERSION_NOT_REPORTED_SHORT } from '../server/server-version';

export interface OpenApiDoc {
  info?: { title?: string; version?: string };
  paths: Record<string, Record<string, unknown>>;
}

export interface ServedRoute {
  method: string;
  path: string;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

export function listServedRoutes(doc: OpenApiDoc): ServedRoute[] {
  return Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops)
      .filter((m) => HTTP_METHODS.has(m.toLowerCase()))
      .map((m) => ({ method: m.toUpperCase(), path: p })),
  );
}

/** A template segment `{name}` matches one segment; `{name:path}` (Starlette) matches the rest. */
function templateMatches(template: string, path: string): boolean {
  const t = template.split('/');
  const p = path.split('?')[0].split('/');
  for (let i = 0; i < t.length; i++) {
    if (/^\{[^}]+:path\}$/.test(t[i])) return p.length > i;
    if (i >= p.length) return false;
    if (/^\{[^}]+\}$/.test(t[i])) {
      if (p[i] === '') return false;
      continue;
    }
    if (t[i] !== p[i]) return false;
  }
  return t.length === p.length;
}

/** Whether the document lists `method path` (exact path, or a template it fits). */
export function isServed(doc: OpenApiDoc, method: string, path: string): boolean {
  const m = method.toLowerCase();
  const exact = doc.paths[path];
  if (exact) return m in exact;
  return Object.entries(doc.paths).some(([template, ops]) => m in ops && templateMatches(template, path));
}

/**
 * The FakeAI version for messages. 0.3.2's /openapi.json carries the app's own "1.0.0", not the
 * package version, so only the harness's record of the installed package counts (server-version.ts).
 */
export function fakeaiVersionOf(server: Pick<ServerInfo, 'fakeaiVersion'> & { spawned?: boolean }): string {
  return server.fakeaiVersion ?? (server.spawned === false ? VERSION_NOT_REPORTED_SHORT : '(version unknown)');
}

export function notServedReason(server: Pick<ServerInfo, 'fakeaiVersion'> & { spawned?: boolean }, method: string, path: string): string {
  return `not served by fakeai ${fakeaiVersionOf(server)} (${method.toUpperCase()} ${path} is not in its /openapi.json)`;
}

function validate(doc: unknown, url: string): OpenApiDoc {
  if (!doc || typeof doc !== 'object' || typeof (doc as OpenApiDoc).paths !== 'object') {
    throw new Error(`${url}: expected an OpenAPI document with "paths", got ${JSON.stringify(doc).slice(0, 200)}`);
  }
  return doc as OpenApiDoc;
}

const cache = new Map<string, OpenApiDoc>();

/** Where documents are kept between runs (see keptFile). */
export const DEFAULT_OPENAPI_KEEP_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'fakeai-e2e-openapi');

/** The FAKEAI_* settings, order-free, hashed: what a server's document depends on besides its build. */
function settingsKey(server: ServerInfo): string {
  return createHash('sha256').update(JSON.stringify(Object.entries(server.settings).sort(([a], [b]) => (a < b ? -1 : 1)))).digest('hex').slice(0, 16);
}

function harnessOf(env: NodeJS.ProcessEnv): HarnessEnv | undefined {
  try {
    return readHarnessEnv(env);
  } catch {
    return undefined;
  }
}

const spawnedAt = (harness: HarnessEnv, baseUrl: string) => Object.values(harness.servers).find((s) => s.baseUrl === baseUrl && s.spawned);

/**
 * This run's copy of a server's document; undefined outside a run (no harness env: unit tests).
 * Servers this run started with the same FAKEAI_* settings share one copy: they run the same build
 * (one interpreter per run) with the same configuration, and FakeAI builds the document from those
 * alone (byte-identical across a full run's four such servers, checked 2026-12-06), while each
 * first request for it costs that server ~0.3 s of CPU. Any other server has a copy of its own.
 */
function savedFile(baseUrl: string, env: NodeJS.ProcessEnv): string | undefined {
  const harness = harnessOf(env);
  if (!harness) return undefined;
  const server = spawnedAt(harness, baseUrl);
  const key = server ? `settings-${settingsKey(server)}` : baseUrl.replace(/^[a-z]+:\/\//i, '').replace(/[^A-Za-z0-9.-]+/g, '_');
  return path.join(harness.runDir, 'openapi', `${key}.json`);
}

/**
 * The same document kept between runs, for a server this run started from a build whose source
 * fingerprint is known (helpers/server/build-install.ts: every .py file of the installed fakeai
 * package, path, size and mtime, and the interpreter): the same files and settings serve the same
 * document, so only the first run of a build and configuration asks a server for it (~0.3 s of
 * that server's CPU, and the file that asked waited for it). An edit, a checkout, a reinstall or
 * another interpreter changes the fingerprint, and the next run asks again.
 */
function keptFile(baseUrl: string, env: NodeJS.ProcessEnv): string | undefined {
  const harness = harnessOf(env);
  const fingerprint = harness?.build?.fingerprint;
  const server = harness && spawnedAt(harness, baseUrl);
  if (!fingerprint || !server) return undefined;
  return path.join(DEFAULT_OPENAPI_KEEP_DIR, `${fingerprint}-${settingsKey(server)}.json`);
}

/** Written aside and renamed: a reader in another worker or run never sees half a file. */
function writeWhole(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * The document text an earlier file of this run got from the server at `baseUrl`, or an earlier
 * run of the same build and settings (copied into this run's directory, for the record), if any.
 */
export function savedOpenApiText(baseUrl: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = savedFile(baseUrl, env);
  if (!file) return undefined;
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const kept = keptFile(baseUrl, env);
  if (!kept || !existsSync(kept)) return undefined;
  const text = readFileSync(kept, 'utf8');
  try {
    writeWhole(file, text);
  } catch {
    // The record is a convenience; the document itself was read.
  }
  return text;
}

/** Keeps the text a server answered for the run's later files, and for later runs of the same build. */
export function saveOpenApiText(baseUrl: string, text: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = savedFile(baseUrl, env);
  if (!file) return;
  writeWhole(file, text);
  const kept = keptFile(baseUrl, env);
  if (!kept) return;
  try {
    writeWhole(kept, text);
  } catch {
    // A read-only cache: the next run asks the server again.
  }
}

export async function fetchOpenApi(baseUrl: string, timeoutMs = loadConfig().requestTimeoutMs): Promise<OpenApiDoc> {
  const hit = cache.get(baseUrl);
  if (hit) return hit;
  const url = `${baseUrl}/openapi.json`;
  let text = savedOpenApiText(baseUrl);
  if (text === undefined) {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) throw new Error(`GET ${url}: expected 200, got ${res.status}`);
    text = await res.text();
    const doc = validate(JSON.parse(text), url);
    saveOpenApiText(baseUrl, text);
    cache.set(baseUrl, doc);
    return doc;
  }
  const doc = validate(JSON.parse(text), url);
  cache.set(baseUrl, doc);
  return doc;
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { url, timeoutMs, port, shared } = workerData;
const flag = new Int32Array(shared);
fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  .then(async (r) => ({ status: r.status, text: await r.text() }), (e) => ({ error: String(e && e.message || e) }))
  .then((msg) => { port.postMessage(msg); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); });
`;

/** The same document, fetched synchronously (see the module comment for why). */
export function loadOpenApiSync(baseUrl: string, timeoutMs = loadConfig().requestTimeoutMs): OpenApiDoc {
  const hit = cache.get(baseUrl);
  if (hit) return hit;
  const url = `${baseUrl}/openapi.json`;
  const saved = savedOpenApiText(baseUrl);
  if (saved !== undefined) {
    const doc = validate(JSON.parse(saved), url);
    cache.set(baseUrl, doc);
    return doc;
  }
  const shared = new SharedArrayBuffer(4);
  const flag = new Int32Array(shared);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { url, timeoutMs, port: port2, shared }, transferList: [port2] });
  try {
    const outcome = Atomics.wait(flag, 0, 0, timeoutMs + 2000);
    const msg = receiveMessageOnPort(port1)?.message as { status?: number; text?: string; error?: string } | undefined;
    if (outcome === 'timed-out' || !msg) throw new Error(`GET ${url}: no answer within ${timeoutMs} ms`);
    if (msg.error) throw new Error(`GET ${url}: ${msg.error}`);
    if (msg.status !== 200) throw new Error(`GET ${url}: expected 200, got ${msg.status}`);
    const doc = validate(JSON.parse(msg.text ?? ''), url);
    saveOpenApiText(baseUrl, msg.text!);
    cache.set(baseUrl, doc);
    return doc;
  } finally {
    port1.close();
    void worker.terminate();
  }
}
