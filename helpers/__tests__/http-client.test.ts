import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHttp, headerRecord, type Http, type HttpResult, HttpTransportError, sendRaw } from '../core/http';
import { addExchangeObserver, type ObservedExchange } from '../core/exchange-observers';
import { ApiDriver, queryString } from '../api/api-driver';
import { Contract } from '../api/contract';
import { DOC } from './contract-fixture';
import { useLocalHttpServer } from '../__fixtures__/local-http-server';

/**
 * What the suite's HTTP clients (core/http's createHttp, the API driver) promise the checks built on
 * them. Each behaviour is written once as a check returning its problems; the real client must
 * give none, and a client broken in exactly that one way (most of them what axios did, the client
 * these replaced) must give some: each check can fail.
 */

const TIMEOUT_MS = 300;
/** How long a check waits for a request that should have timed out before calling it hung. */
const GUARD_MS = TIMEOUT_MS + 3000;

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
let received: Received[] = [];
let proxied: string[] = [];

const local = useLocalHttpServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = req.url ?? '';
    received.push({ method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks) });
    const status = /^\/status\/(\d+)/.exec(url);
    if (status) {
      const n = Number(status[1]);
      res.writeHead(n, { 'content-type': 'application/json', ...(n >= 300 && n < 400 ? { location: '/elsewhere' } : {}) });
      res.end(JSON.stringify({ status: n }));
    } else if (url === '/elsewhere') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('followed');
    } else if (url.startsWith('/echo')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"echo":true}');
    } else if (url === '/text-bom') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('\uFEFFhello');
    } else if (url === '/not-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"truncated": ');
    } else if (url === '/split-utf8') {
      // "é" is two bytes in UTF-8; sent in two chunks, a decoder per chunk would break it.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(Buffer.from([0x63, 0x61, 0x66, 0xc3]));
      setTimeout(() => res.end(Buffer.from([0xa9])), 20);
    } else if (url === '/multi') {
      res.setHeader('X-Multi', ['a', 'b']);
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.setHeader('X-Upper-Case', 'v');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    } else if (url === '/binary') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(BINARY);
    } else if (url === '/slow') {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('late');
      }, 80);
    } else if (url === '/never') {
      // No answer at all: the connection stays open until the client gives up (or afterAll).
    } else if (url === '/stall') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial": ');
    } else if (url === '/trickle') {
      // A byte every 20 ms: never idle, so only a whole-request deadline stops it; it ends by itself.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const tick = setInterval(() => res.write('.'), 20);
      setTimeout(() => {
        clearInterval(tick);
        res.end();
      }, TIMEOUT_MS + 1500);
      res.on('close', () => clearInterval(tick));
    } else if (url === '/cut') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('only ten b');
      setTimeout(() => res.socket?.destroy(), 20);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});

/** Stands in for a proxy named by HTTP_PROXY: records whatever reaches it. */
const proxy = useLocalHttpServer((req, res) => {
  proxied.push(req.url ?? '');
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('via proxy');
});

const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0xc3]);

beforeEach(() => {
  received = [];
  proxied = [];
});

type Variant = (baseUrl: string) => Http;
const real: Variant = (baseUrl) => createHttp(baseUrl, { timeoutMs: TIMEOUT_MS });

/** Wraps a client, changing what one request does. */
function wrap(inner: Http, request: Http['request']): Http {
  return { baseUrl: inner.baseUrl, request, get: (p, o) => request('GET', p, undefined, o), post: (p, b, o) => request('POST', p, b, o) };
}

const broken = {
  /** axios's default validateStatus. */
  throwsOnStatus: ((b) => {
    const inner = real(b);
    return wrap(inner, async (m, p, body, o) => {
      const r = await inner.request(m, p, body, o);
      if (r.status >= 400) throw new Error(`Request failed with status code ${r.status}`);
      return r as never;
    });
  }) as Variant,
  /** axios's default maxRedirects. */
  followsRedirects: ((b) => {
    const inner = real(b);
    return wrap(inner, async (m, p, body, o) => {
      const r = await inner.request(m, p, body, o);
      return (r.status >= 300 && r.status < 400 && r.headers.location ? inner.request('GET', r.headers.location, undefined, o) : r) as never;
    });
  }) as Variant,
  /** axios's default transformRequest for a string body with a JSON content type (its stringifySafely). */
  axiosStringBodies: ((b) => {
    const inner = real(b);
    return wrap(inner, (m, p, body, o) => {
      const type = Object.entries(o?.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? 'application/json';
      if (typeof body !== 'string' || !type.includes('application/json')) return inner.request(m, p, body, o);
      try {
        JSON.parse(body);
        return inner.request(m, p, body.trim(), o);
      } catch {
        return inner.request(m, p, JSON.stringify(body), o);
      }
    });
  }) as Variant,
  /** axios's text decoding strips a byte order mark. */
  stripsBom: ((b) => {
    const inner = real(b);
    return wrap(inner, async (m, p, body, o) => {
      const r = await inner.request(m, p, body, o);
      return { ...r, text: r.text.replace(/^\uFEFF/, '') } as never;
    });
  }) as Variant,
  /** Looks for the caller's content type under one spelling only, so its default overrides `Content-Type`. */
  mergesHeaderNamesAsTyped: ((b) =>
    wrap(real(b), async (m, p, body, o) => {
      const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const headers: Record<string, string> = { ...o?.headers };
      headers['content-type'] ??= 'application/json';
      const r = await sendRaw({ method: m, url: `${b}${p}`, headers, body: payload, timeoutMs: TIMEOUT_MS });
      return { status: r.status, headers: headerRecord(r.headers), data: '', text: r.raw.toString(), json: false, contentType: null, durationMs: 1 } as never;
    })) as Variant,
  /** Honours HTTP_PROXY (axios's default `proxy`, via proxy-from-env). */
  usesEnvProxy: ((b) => {
    const inner = real(b);
    return wrap(inner, (m, p, body, o) => (process.env.HTTP_PROXY ? real(process.env.HTTP_PROXY).request(m, p, body, o) : inner.request(m, p, body, o)));
  }) as Variant,
  /** A transport failure reported as a status instead of thrown. */
  swallowsTransportErrors: ((b) => {
    const inner = real(b);
    return wrap(inner, (m, p, body, o) => inner.request(m, p, body, o).catch(() => ({ status: 0, headers: {}, data: '', text: '', json: false, contentType: null, durationMs: 0 }) as never) as never);
  }) as Variant,
  /** The timeout not applied (a client built with another one). */
  noTimeout: ((b) => createHttp(b, { timeoutMs: 60_000 })) as Variant,
  /** axios's timeout in Node: a socket idle timeout, which a body trickling in never trips. */
  idleTimeout: ((b) =>
    wrap(real(b), (m, p) => {
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const req = http.request(`${b}${p}`, { method: m, agent: new http.Agent({ keepAlive: false }) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: headerRecord(res.headers), data: '', text: Buffer.concat(chunks).toString(), json: false, contentType: null, durationMs: performance.now() - started } as never));
          res.on('error', reject);
        });
        req.setTimeout(TIMEOUT_MS, () => req.destroy(new HttpTransportError(m, `${b}${p}`, `no answer within ${TIMEOUT_MS} ms (per-request timeout, --request-timeout)`)));
        req.on('error', reject);
        req.end();
      });
    })) as Variant,
  /** Answers right but tells no observer. */
  silent: ((b) =>
    wrap(real(b), async (m, p) => {
      const r = await sendRaw({ method: m, url: `${b}${p}`, timeoutMs: TIMEOUT_MS });
      return { status: r.status, headers: headerRecord(r.headers), data: r.raw.toString(), text: r.raw.toString(), json: false, contentType: null, durationMs: 1 } as never;
    })) as Variant,
};

// ---- the checks: each returns its problems ----

async function statusesResolve(client: Http): Promise<string[]> {
  const problems: string[] = [];
  for (const n of [200, 302, 404, 422, 500, 503]) {
    try {
      const r = await client.get(`/status/${n}`);
      if (r.status !== n) problems.push(`GET /status/${n} resolved with ${r.status}`);
      if (r.status === n && (r.data as { status?: number })?.status !== n) problems.push(`GET /status/${n}: body ${r.text}`);
    } catch (e) {
      problems.push(`GET /status/${n} threw: ${(e as Error).message}`);
    }
  }
  if (received.some((r) => r.url === '/elsewhere')) problems.push('a redirect was followed');
  return problems;
}

async function stringBodiesByteForByte(client: Http): Promise<string[]> {
  const problems: string[] = [];
  const cases: { body: unknown; headers?: Record<string, string>; bytes: string; type: string }[] = [
    { body: '{"model": "gpt-4", "messages": [', bytes: '{"model": "gpt-4", "messages": [', type: 'application/json' },
    { body: '', bytes: '', type: 'application/json' },
    { body: '  [1, 2]\n', bytes: '  [1, 2]\n', type: 'application/json' },
    { body: 'café', headers: { 'content-type': 'text/plain' }, bytes: 'café', type: 'text/plain' },
    // Spelled differently, still the caller's content type, sent once.
    { body: 'x', headers: { 'Content-Type': 'text/csv' }, bytes: 'x', type: 'text/csv' },
    { body: { model: 'gpt-4', n: 1 }, bytes: '{"model":"gpt-4","n":1}', type: 'application/json' },
  ];
  for (const c of cases) {
    received = [];
    await client.post('/echo', c.body, { headers: c.headers });
    const got = received[0];
    const want = Buffer.from(c.bytes, 'utf8');
    if (!got) {
      problems.push(`${JSON.stringify(c.body)}: nothing arrived`);
      continue;
    }
    if (!got.body.equals(want)) problems.push(`${JSON.stringify(c.body)} arrived as ${JSON.stringify(got.body.toString('utf8'))}`);
    if (got.headers['content-length'] !== String(want.length)) problems.push(`${JSON.stringify(c.body)}: content-length ${got.headers['content-length']}, ${want.length} bytes meant`);
    if (got.headers['content-type'] !== c.type) problems.push(`${JSON.stringify(c.body)}: content-type ${got.headers['content-type']}, expected ${c.type}`);
  }
  return problems;
}

async function bodiesKeptRaw(client: Http): Promise<string[]> {
  const problems: string[] = [];
  const bom = await client.get('/text-bom');
  if (bom.text !== '\uFEFFhello') problems.push(`text/plain with a BOM read as ${JSON.stringify(bom.text)}`);
  const split = await client.get('/split-utf8');
  if (split.text !== 'café') problems.push(`a UTF-8 character split across chunks read as ${JSON.stringify(split.text)}`);
  const bad = await client.get('/not-json');
  if (bad.text !== '{"truncated": ' || bad.json !== false || bad.data !== '{"truncated": ') problems.push(`JSON that does not parse: text ${JSON.stringify(bad.text)}, json ${bad.json}, data ${JSON.stringify(bad.data)}`);
  const good = await client.get('/echo');
  if (good.json !== true || (good.data as { echo?: boolean }).echo !== true || good.contentType !== 'application/json') problems.push(`JSON body: json ${good.json}, data ${JSON.stringify(good.data)}`);
  return problems;
}

async function noProxy(client: Http): Promise<string[]> {
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
  process.env.HTTP_PROXY = process.env.http_proxy = proxy.baseUrl;
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
  try {
    const r = await client.get('/echo');
    return proxied.length || r.text !== '{"echo":true}' ? [`the request went through the proxy (${proxied.join(', ')}): ${r.text}`] : [];
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Settles within GUARD_MS with HttpTransportError and the timeout's reason, not before the timeout. */
async function failsAfterTimeout(client: Http, p: string): Promise<string[]> {
  const started = performance.now();
  let guard: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    client.get(p).then(
      (r: HttpResult) => ({ kind: 'resolved' as const, r }),
      (e: unknown) => ({ kind: 'threw' as const, e }),
    ),
    new Promise<{ kind: 'hung' }>((r) => (guard = setTimeout(() => r({ kind: 'hung' }), GUARD_MS))),
  ]);
  clearTimeout(guard);
  const elapsed = performance.now() - started;
  if (outcome.kind === 'hung') return [`GET ${p} still pending after ${GUARD_MS} ms`];
  if (outcome.kind === 'resolved') return [`GET ${p} resolved (${outcome.r.status}, ${outcome.r.text.length} chars) after ${Math.round(elapsed)} ms`];
  const e = outcome.e;
  if (!(e instanceof HttpTransportError)) return [`GET ${p} threw ${String(e)}`];
  const problems: string[] = [];
  if (e.reason !== `no answer within ${TIMEOUT_MS} ms (per-request timeout, --request-timeout)`) problems.push(`reason: ${e.reason}`);
  if (e.method !== 'GET' || e.url !== `${client.baseUrl}${p}`) problems.push(`names ${e.method} ${e.url}`);
  // Timers never fire early; 1 ms for performance.now() against the timer's own clock.
  if (elapsed < TIMEOUT_MS - 1) problems.push(`gave up after ${Math.round(elapsed)} ms, before the ${TIMEOUT_MS} ms timeout`);
  return problems;
}

async function transportFailuresThrow(client: Http, p: string, reason: RegExp): Promise<string[]> {
  try {
    const r = await client.get(p);
    return [`GET ${p} resolved with status ${r.status}`];
  } catch (e) {
    if (!(e instanceof HttpTransportError)) return [`threw ${String(e)}`];
    const problems: string[] = [];
    if (!reason.test(e.reason)) problems.push(`reason "${e.reason}" does not match ${reason}`);
    if (e.message !== `GET ${client.baseUrl}${p} got no HTTP response: ${e.reason}`) problems.push(`message: ${e.message}`);
    return problems;
  }
}

async function notifiesExactly(client: Http): Promise<string[]> {
  const seen: ObservedExchange[] = [];
  const remove = addExchangeObserver({ exchange: (e) => seen.push(e) });
  try {
    await client.post('/echo?x=1', { model: 'gpt-4' });
    await client.post('/echo', '{"raw"');
    await client.get('/multi');
  } finally {
    remove();
  }
  const expected: ObservedExchange[] = [
    { driver: 'core-http', method: 'POST', path: '/echo?x=1', status: 200, contentType: 'application/json', body: { echo: true }, sent: { model: 'gpt-4' } },
    { driver: 'core-http', method: 'POST', path: '/echo', status: 200, contentType: 'application/json', body: { echo: true }, sent: undefined },
    { driver: 'core-http', method: 'GET', path: '/multi', status: 200, contentType: 'text/plain', body: undefined, sent: undefined },
  ];
  return JSON.stringify(seen) === JSON.stringify(expected) && seen.length === 3 && seen.every((s, i) => 'sent' in s && s.sent === undefined === (expected[i].sent === undefined)) ? [] : [`observed ${JSON.stringify(seen)}`];
}

describe('core/http: every status is data', () => {
  test('every status resolves with its body, and a 3xx is not followed', async () => {
    expect(await statusesResolve(real(local.baseUrl))).toEqual([]);
  });
  test('the check can fail: a client that throws on 4xx/5xx, or follows redirects', async () => {
    expect(await statusesResolve(broken.throwsOnStatus(local.baseUrl))).toEqual(expect.arrayContaining([expect.stringMatching(/404 threw/)]));
    expect(await statusesResolve(broken.followsRedirects(local.baseUrl))).toEqual(expect.arrayContaining(['a redirect was followed', 'GET /status/302 resolved with 200']));
  });
});

describe('core/http: what is sent', () => {
  test('string bodies go out byte for byte (invalid JSON, empty, untrimmed), objects as JSON, content-type application/json unless the caller set one', async () => {
    expect(await stringBodiesByteForByte(real(local.baseUrl))).toEqual([]);
  });
  test('the check can fail: axios sent invalid JSON as a JSON string and an empty body as ""; a client sending Content-Type and content-type', async () => {
    expect(await stringBodiesByteForByte(broken.axiosStringBodies(local.baseUrl))).toEqual([
      `"{\\"model\\": \\"gpt-4\\", \\"messages\\": [" arrived as "\\"{\\\\\\"model\\\\\\": \\\\\\"gpt-4\\\\\\", \\\\\\"messages\\\\\\": [\\""`,
      `"{\\"model\\": \\"gpt-4\\", \\"messages\\": [": content-length 40, 32 bytes meant`,
      '"" arrived as "\\"\\""',
      '"": content-length 2, 0 bytes meant',
      '"  [1, 2]\\n" arrived as "[1, 2]"',
      '"  [1, 2]\\n": content-length 6, 9 bytes meant',
    ]);
    expect(await stringBodiesByteForByte(broken.mergesHeaderNamesAsTyped(local.baseUrl))).toEqual(['"x": content-type application/json, expected text/csv']);
  });
  test('no proxy: HTTP_PROXY in the environment is not used', async () => {
    expect(await noProxy(real(local.baseUrl))).toEqual([]);
  });
  test('the check can fail: a client that honours HTTP_PROXY', async () => {
    expect(await noProxy(broken.usesEnvProxy(local.baseUrl))).toEqual(['the request went through the proxy (/echo): via proxy']);
  });
  test('every request on a new connection (no keep-alive: transport.ts)', async () => {
    const http1 = real(local.baseUrl);
    await http1.get('/echo');
    await http1.get('/echo');
    expect(received.map((r) => r.headers.connection)).toEqual(['close', 'close']);
  });
});

describe('core/http: what is received', () => {
  test('the body is kept as received: text in UTF-8 (a BOM kept, a character split across chunks whole), JSON parsed only when it parses', async () => {
    expect(await bodiesKeptRaw(real(local.baseUrl))).toEqual([]);
  });
  test('the check can fail: a decoder that strips the BOM (axios did)', async () => {
    expect(await bodiesKeptRaw(broken.stripsBom(local.baseUrl))).toEqual(['text/plain with a BOM read as "hello"']);
  });
  test('header names lower-cased, repeated headers joined with ", "', async () => {
    const r = await real(local.baseUrl).get('/multi');
    expect(r.headers).toMatchObject({ 'x-multi': 'a, b', 'set-cookie': 'a=1, b=2', 'x-upper-case': 'v', 'content-type': 'text/plain' });
  });
  test('the check can fail: String() of a repeated header (what the API driver did with axios) joins with ","', () => {
    const raw: http.IncomingHttpHeaders = { 'set-cookie': ['a=1', 'b=2'] };
    expect(headerRecord(raw)['set-cookie']).toBe('a=1, b=2');
    expect(String(raw['set-cookie'])).not.toBe('a=1, b=2');
  });
  test('durationMs covers the exchange: at least the server\'s delay, at most the time the call took', async () => {
    const started = performance.now();
    const r = await real(local.baseUrl).get('/slow');
    const elapsed = performance.now() - started;
    expect(r.text).toBe('late');
    expect(r.durationMs).toBeGreaterThanOrEqual(79);
    expect(r.durationMs).toBeLessThanOrEqual(elapsed);
  });
  test('every exchange is told to the observers exactly: driver, method, path, status, content type, parsed body, the object sent', async () => {
    expect(await notifiesExactly(real(local.baseUrl))).toEqual([]);
  });
  test('the check can fail: a client that tells no observer', async () => {
    expect(await notifiesExactly(broken.silent(local.baseUrl))).toEqual([expect.stringMatching(/^observed \[\]/)]);
  });
});

describe('core/http: transport failures throw HttpTransportError (method, URL, reason)', () => {
  test('a server that never answers fails after the timeout, with the timeout in the reason', async () => {
    expect(await failsAfterTimeout(real(local.baseUrl), '/never')).toEqual([]);
  });
  test('a server that answers headers and then stalls the body fails after the timeout too', async () => {
    expect(await failsAfterTimeout(real(local.baseUrl), '/stall')).toEqual([]);
  });
  test('the timeout is a deadline for the whole request: a body trickling in forever fails after it', async () => {
    expect(await failsAfterTimeout(real(local.baseUrl), '/trickle')).toEqual([]);
  });
  test('the checks can fail: no timeout hangs; an idle timeout (axios\'s) lets a trickling body through', async () => {
    expect(await failsAfterTimeout(broken.noTimeout(local.baseUrl), '/never')).toEqual([`GET /never still pending after ${GUARD_MS} ms`]);
    expect(await failsAfterTimeout(broken.idleTimeout(local.baseUrl), '/trickle')).toEqual([expect.stringMatching(/^GET \/trickle resolved \(200/)]);
  }, 3 * GUARD_MS);
  test('a refused connection and a connection cut mid-body throw, naming the cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    expect(await transportFailuresThrow(real(`http://127.0.0.1:${port}`), '/x', /^ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+$/)).toEqual([]);
    expect(await transportFailuresThrow(real(local.baseUrl), '/cut', /^ECONNRESET: /)).toEqual([]);
  });
  test('the check can fail: a client that reports a transport failure as status 0', async () => {
    expect(await transportFailuresThrow(broken.swallowsTransportErrors(local.baseUrl), '/cut', /^ECONNRESET: /)).toEqual(['GET /cut resolved with status 0']);
  });
});

describe('API driver on node:http', () => {
  let runDir: string;
  beforeAll(() => {
    runDir = mkdtempSync(path.join(os.tmpdir(), 'http-client-'));
  });
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));
  const driver = () => new ApiDriver(local.baseUrl, new Contract(DOC), runDir, TIMEOUT_MS);

  test('a body that is not JSON is the raw bytes, exactly as sent', async () => {
    const ex = await driver().get('/binary');
    expect(Buffer.isBuffer(ex.data)).toBe(true);
    expect(ex.raw.equals(BINARY)).toBe(true);
    expect(ex.contentType).toBe('image/png');
  });

  test('a JSON body is parsed, its bytes kept in raw; headers lower-cased, repeated ones joined with ", "', async () => {
    const ex = await driver().post('/echo', { a: 1 });
    expect(ex.data).toEqual({ echo: true });
    expect(ex.raw.toString('utf8')).toBe('{"echo":true}');
    expect(received[0].body.toString('utf8')).toBe('{"a":1}');
    expect(received[0].headers['content-type']).toBe('application/json');
    expect((await driver().get('/multi')).headers).toMatchObject({ 'x-multi': 'a, b', 'set-cookie': 'a=1, b=2' });
  });

  test('a 3xx is a status like any other, not followed', async () => {
    expect((await driver().get('/status/307')).status).toBe(307);
    expect(received.map((r) => r.url)).toEqual(['/status/307']);
  });

  test('the query goes out as it always did (axios\'s encoding: ":", "$", "," plain, space as "+")', async () => {
    await driver().get('/echo', { q: 'a b:c,$&=é/?', n: 3, t: true });
    expect(received[0].url).toBe('/echo?q=a+b:c,$%26%3D%C3%A9%2F%3F&n=3&t=true');
  });

  test('the check can fail: URLSearchParams encodes differently', () => {
    const q = { q: 'a b:c,$&=é/?' };
    expect(queryString(q)).toBe('q=a+b:c,$%26%3D%C3%A9%2F%3F');
    expect(new URLSearchParams(q).toString()).not.toBe(queryString(q));
  });

  test('a form goes out as multipart with its boundary, every field and file intact', async () => {
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob(['{"custom_id":"1"}\n']), 'batch.jsonl');
    await driver().request('POST', '/echo', { form });
    const got = received[0];
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(got.headers['content-type'] ?? '')?.[1];
    expect(boundary).toBeDefined();
    const text = got.body.toString('utf8');
    expect(got.headers['content-length']).toBe(String(got.body.length));
    expect(text.split(`--${boundary}`).map((part) => part.replace(/\r\n/g, '|'))).toEqual([
      '',
      '|Content-Disposition: form-data; name="purpose"||batch|',
      '|Content-Disposition: form-data; name="file"; filename="batch.jsonl"|Content-Type: application/octet-stream||{"custom_id":"1"}\n|',
      '--|',
    ]);
  });

  test('a transport failure is one line: method, path, reason, time taken', async () => {
    await expect(driver().get('/stall')).rejects.toThrow(/^GET \/stall: no response \(no answer within 300 ms \(per-request timeout, --request-timeout\)\) after \d+ ms$/);
  });
});
