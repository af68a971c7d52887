/**
 * The suite's plain-HTTP driver for the API areas: every exchange is matched to its route in the
 * server's own /openapi.json, held to that route's schemas, and recorded for route coverage.
 * The openai SDK driver (openai-client.ts) feeds its exchanges through the same `observe`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { CheckFailure } from '../core/problems';
import { StepBlocked } from '../core/steps';
import { Contract, formatViolations, type OpenApiDocument, type Violation } from './contract';
import { readHarnessEnv, server } from '../core/harness-env';
import { notifyExchange } from '../core/exchange-observers';
import { appendRecord } from '../core/run-records';
import { ExchangeFailure, headerRecord, joinUrl, lowerCaseNames, sendRaw } from '../core/http';
import { savedOpenApiText, saveOpenApiText } from './openapi';
import { type Page, paginationProblems } from './pagination';
import { cachedValidators } from './validator-cache';

export interface Exchange {
  method: string;
  path: string;
  /** The /openapi.json route this exchange belongs to; undefined when the document has none. */
  template: string | undefined;
  status: number;
  contentType: string | null;
  /** Parsed JSON for JSON responses, a Buffer otherwise. */
  data: any;
  raw: Buffer;
  headers: Record<string, string>;
  durationMs: number;
  /** How the response breaks the document (route, pointer, rule). */
  violations: Violation[];
  /** How the request body we sent breaks the document: a bug in the suite, not the server. */
  requestViolations: Violation[];
}

export interface RequestOptions {
  json?: unknown;
  form?: FormData;
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
}

export class ContractError extends CheckFailure {
  override name = 'ContractError';
}

/** The one copy of the document per test file (module registry), fetched on first use. */
const documents = new Map<string, Promise<OpenApiDocument>>();

export function fetchOpenApi(baseUrl: string): Promise<OpenApiDocument> {
  let p = documents.get(baseUrl);
  if (!p) {
    // An earlier file of the run already asked this server (openapi.ts): its answer, parsed the same way.
    const saved = savedOpenApiText(baseUrl);
    p =
      saved !== undefined
        ? Promise.resolve(JSON.parse(saved) as OpenApiDocument)
        : sendRaw({ method: 'GET', url: `${baseUrl}/openapi.json`, timeoutMs: loadConfig().requestTimeoutMs }).then(
            (r) => {
              if (r.status !== 200) throw new Error(`GET ${baseUrl}/openapi.json answered ${r.status}: the contract checks need the document`);
              const text = r.raw.toString('utf8');
              const doc = JSON.parse(text) as OpenApiDocument;
              saveOpenApiText(baseUrl, text);
              return doc;
            },
            (e: ExchangeFailure) => {
              throw new Error(`GET ${baseUrl}/openapi.json: no response (${e.reason})`);
            },
          );
    // A failed fetch is not cached: the next test asks again instead of inheriting the failure.
    p.catch(() => documents.delete(baseUrl));
    documents.set(baseUrl, p);
  }
  return p;
}

function currentTest(): string | null {
  const e = (globalThis as { expect?: { getState?: () => { currentTestName?: string } } }).expect;
  return e?.getState?.().currentTestName ?? null;
}

function isJson(contentType: string | null): boolean {
  return /^application\/(.+\+)?json\b/i.test(contentType ?? '');
}

/**
 * A query string as the driver has always written it (axios's encoding, kept so the bytes on the
 * wire did not change with the client): encodeURIComponent, then `:`, `$`, `,` left plain and
 * spaces as `+`.
 */
export function queryString(query: Record<string, string | number | boolean>): string {
  const enc = (v: string) => encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%24/g, '$').replace(/%2C/gi, ',').replace(/%20/g, '+');
  return Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`)
    .join('&');
}

export class ApiDriver {
  constructor(
    readonly baseUrl: string,
    readonly contract: Contract,
    private readonly runDir: string,
    private readonly timeoutMs: number,
  ) {}

  /** Matches, validates and records one exchange, whoever sent it ('http', 'ws', 'sdk' for openai 6.x, 'sdk-v7'). */
  observe(driver: string, method: string, urlPath: string, status: number, contentType: string | null, body: unknown, sent?: unknown): { template: string | undefined; violations: Violation[]; requestViolations: Violation[] } {
    const template = this.contract.match(method, urlPath);
    const violations = template
      ? this.contract.checkResponse(method, template, status, contentType, body)
      : [{ route: `${method} ${urlPath}`, pointer: '', rule: 'paths', message: 'no route in /openapi.json matches this path' }];
    const requestViolations = template && sent !== undefined ? this.contract.checkRequest(method, template, sent) : [];
    if (!Buffer.isBuffer(body)) notifyExchange({ driver, method, path: urlPath, status, contentType, body, sent });
    appendRecord(this.runDir, { kind: 'route', method, route: template ?? null, path: urlPath.split('?')[0], status, driver, violations: violations.length, test: currentTest() });
    return { template, violations, requestViolations };
  }

  async request(method: string, urlPath: string, opts: RequestOptions = {}): Promise<Exchange> {
    const started = performance.now();
    const headers = lowerCaseNames({ ...(opts.json === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers });
    let body: Buffer | undefined = opts.json === undefined ? undefined : Buffer.from(JSON.stringify(opts.json), 'utf8');
    if (opts.form) {
      // Node's own multipart encoder (undici, loaded once per process): the body and its boundary.
      const encoded = new Response(opts.form);
      body = Buffer.from(await encoded.arrayBuffer());
      headers['content-type'] = encoded.headers.get('content-type')!;
    }
    let url = joinUrl(this.baseUrl, urlPath);
    const sentQuery = opts.query ? queryString(opts.query) : '';
    if (sentQuery) {
      // Appended to the path as URL parsing normalises it (a fragment dropped), as axios did.
      const u = new URL(url);
      url = `${u.origin}${u.pathname}${u.search}${u.search ? '&' : '?'}${sentQuery}`;
    }
    const res = await sendRaw({
      method: method.toUpperCase(),
      url,
      headers,
      body,
      timeoutMs: this.timeoutMs,
    }).catch((e: ExchangeFailure) => {
      throw new Error(`${method.toUpperCase()} ${urlPath}: no response (${e.reason}) after ${Math.round(performance.now() - started)} ms`);
    });
    const durationMs = performance.now() - started;
    const raw = res.raw;
    const responseHeaders = headerRecord(res.headers);
    const contentType = responseHeaders['content-type'] ?? null;
    let data: unknown = raw;
    if (isJson(contentType)) {
      try {
        data = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new ContractError(`${method} ${urlPath}: content-type ${contentType} but the body is not JSON (${(err as Error).message}): ${raw.toString('utf8').slice(0, 200)}`);
      }
    }
    const query = opts.query ? `?${new URLSearchParams(Object.entries(opts.query).map(([k, v]): [string, string] => [k, String(v)]))}` : '';
    const seen = this.observe('http', method.toUpperCase(), urlPath + query, res.status, contentType, data, opts.json);
    return { method: method.toUpperCase(), path: urlPath, status: res.status, contentType, data, raw, headers: responseHeaders, durationMs, ...seen };
  }

  get(p: string, query?: RequestOptions['query']): Promise<Exchange> {
    return this.request('GET', p, { query });
  }
  post(p: string, json?: unknown): Promise<Exchange> {
    return this.request('POST', p, { json });
  }
  delete(p: string): Promise<Exchange> {
    return this.request('DELETE', p);
  }
}

const savedDocs = new Set<string>();
/** One Contract per server and test file: its compiled validators serve every test of the file. */
const contracts = new Map<string, Contract>();

function contractOf(baseUrl: string, doc: OpenApiDocument): Contract {
  let c = contracts.get(baseUrl);
  if (!c || c.doc !== doc) {
    c = new Contract(doc, cachedValidators(doc));
    contracts.set(baseUrl, c);
  }
  return c;
}

/** A driver for the named server. Call inside a test or hook (the server is known only then). */
export async function apiDriver(serverName = 'default'): Promise<ApiDriver> {
  const { baseUrl } = server(serverName);
  const { runDir } = readHarnessEnv();
  const doc = await fetchOpenApi(baseUrl);
  // The coverage check (route-coverage.ts) runs after the server is gone: leave it the document.
  // Written once per test file (module registry), so a stale copy from an earlier run never survives.
  if (!savedDocs.has(runDir)) {
    writeFileSync(path.join(runDir, 'openapi.json'), JSON.stringify(doc));
    savedDocs.add(runDir);
  }
  return new ApiDriver(baseUrl, contractOf(baseUrl, doc), runDir, loadConfig().requestTimeoutMs);
}

/**
 * Throws unless every exchange kept the document: the expected status, a response the route's
 * schema allows, and a request body the route's schema allows.
 */
export function expectConforms(exchanges: Exchange | readonly Exchange[], expectedStatus = 200): void {
  const list = Array.isArray(exchanges) ? exchanges : [exchanges as Exchange];
  const problems: string[] = [];
  for (const ex of list) {
    const head = `${ex.method} ${ex.path} → ${ex.status}`;
    if (ex.status !== expectedStatus) problems.push(`${head}: expected status ${expectedStatus}; body: ${bodyText(ex).slice(0, 300)}`);
    if (ex.requestViolations.length) problems.push(`${head}: the suite sent a body the document does not allow:\n${formatViolations(ex.requestViolations)}`);
    if (ex.violations.length) problems.push(`${head}: response breaks /openapi.json:\n${formatViolations(ex.violations)}`);
  }
  if (problems.length) throw new ContractError(problems.join('\n'));
}

/**
 * The id a create step answered with. Anything but a 200 with a string id stops the test here,
 * naming the step, so no later request is built on it (`POST /v1/threads/undefined/messages`).
 */
export function createdId(ex: Exchange, step: string): string {
  const id = (ex.data as { id?: unknown } | undefined)?.id;
  if (ex.status === 200 && typeof id === 'string' && id !== '') return id;
  throw new StepBlocked(step, `which failed: ${ex.method} ${ex.path} → ${ex.status}${typeof id === 'string' ? '' : ', no id in the body'}: ${bodyText(ex).slice(0, 200)}`);
}

export function bodyText(ex: Exchange): string {
  return Buffer.isBuffer(ex.data) ? ex.raw.toString('utf8') : JSON.stringify(ex.data);
}

/**
 * A list route holds every id just created, and reads the same in pages of 2 as in one page of 100:
 * no page over its limit, no id twice, the unpaginated order kept. Every answer is held to the contract.
 */
export async function expectListsAndPaginates(api: ApiDriver, listPath: string, createdIds: readonly string[]): Promise<void> {
  const full = await api.get(listPath, { limit: 100 });
  expectConforms(full);
  const ids = (page: Exchange) => (page.data as Page).data.map((x) => x.id);
  expect(ids(full)).toEqual(expect.arrayContaining([...createdIds]));
  const page1 = await api.get(listPath, { limit: 2 });
  const after = ids(page1).at(-1);
  if (after === undefined) throw new CheckFailure(`GET ${listPath}?limit=2: expected a first page with items (ids ${createdIds.join(', ')} were just created), got an empty page`);
  const page2 = await api.get(listPath, { limit: 2, after });
  expectConforms([page1, page2]);
  expect(paginationProblems(full.data as Page, [page1.data as Page, page2.data as Page], 2)).toEqual([]);
}
