/**
 * The suite's HTTP client for plain request/response exchanges. Status codes are data, never
 * exceptions: a 422 is something a check looks at, so every status resolves. Only transport
 * failures (refused, reset, timed out) throw, with the method, URL and reason in the message —
 * a hanging request fails its test after loadConfig().requestTimeoutMs instead of hanging the run.
 *
 * Built on node:http, not a client library: Jest evaluates a test file's modules again for every
 * file, and axios with its dependencies (form-data, mime-db's 186 kB JSON, follow-redirects, proxy
 * agents, ~70 modules) cost each file ~35 ms of CPU to load; node:http is loaded once per process
 * and costs less per request than axios or fetch (docs/performance.md, "What each test file loads").
 */
import http from 'node:http';
import { loadConfig } from './config';
import { notifyExchange } from './exchange-observers';
import { httpAgent } from './transport';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, otherwise the raw text. */
  data: T;
  /** The body exactly as received. */
  text: string;
  /** Whether `data` came from JSON.parse (false for text, and for JSON that did not parse). */
  json: boolean;
  contentType: string | null;
  durationMs: number;
}

export interface HttpOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export class HttpTransportError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${method} ${url} got no HTTP response: ${reason}`);
  }
}

export interface Http {
  readonly baseUrl: string;
  get<T = unknown>(path: string, options?: HttpOptions): Promise<HttpResult<T>>;
  /** `body` is sent as JSON unless it is a string, which goes out byte for byte (for invalid JSON). */
  post<T = unknown>(path: string, body: unknown, options?: HttpOptions): Promise<HttpResult<T>>;
  request<T = unknown>(method: string, path: string, body?: unknown, options?: HttpOptions): Promise<HttpResult<T>>;
}

/** Header names lower-cased (node:http already does), repeated headers joined with ", ". */
export function headerRecord(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** Parses a body as JSON only when the server said it is JSON: a text body must stay text. */
export function decodeBody(text: string, contentType: string | null): { data: unknown; json: boolean } {
  if (contentType && /\bjson\b/i.test(contentType)) {
    try {
      return { data: JSON.parse(text), json: true };
    } catch {
      return { data: text, json: false };
    }
  }
  return { data: text, json: false };
}

export interface RawRequest {
  method: string;
  /** Absolute URL; its path and query go out as WHATWG URL parsing normalises them. */
  url: string;
  headers?: Record<string, string>;
  /** Sent byte for byte, with a content-length. */
  body?: Buffer;
  timeoutMs: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body's bytes as received (no decompression: the suite sends no accept-encoding). */
  raw: Buffer;
}

/** Why an exchange got no HTTP response; `reason` is the one line a failure message needs. */
export class ExchangeFailure extends Error {
  constructor(
    readonly reason: string,
    readonly timedOut: boolean,
  ) {
    super(reason);
  }
}

export function timeoutReason(timeoutMs: number): string {
  return `no answer within ${timeoutMs} ms (per-request timeout, --request-timeout)`;
}

/**
 * One request on a fresh connection (`httpAgent`: no keep-alive, see transport.ts), the whole
 * response read into memory. The timeout is a deadline for the whole exchange — connect, headers
 * and the last body byte — so a server that sends headers and then stalls fails like one that never
 * answers. No redirect is followed (a 3xx is a status like any other) and no proxy is consulted.
 * Rejects only with ExchangeFailure.
 */
export function sendRaw(r: RawRequest): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string, timedOut = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new ExchangeFailure(reason, timedOut));
      req?.destroy();
    };
    const timer = setTimeout(() => fail(timeoutReason(r.timeoutMs), true), r.timeoutMs);
    let req: http.ClientRequest | undefined;
    try {
      const u = new URL(r.url);
      const headers: Record<string, string | number> = { ...r.headers };
      if (r.body !== undefined) headers['content-length'] = r.body.length;
      // An IPv6 literal keeps its brackets in a URL, not in a hostname.
      const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      req = http.request({ protocol: u.protocol, hostname, port: u.port, path: u.pathname + u.search, method: r.method, headers, agent: httpAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e: NodeJS.ErrnoException) => fail(`${e.code ?? 'error'}: ${e.message}`));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) });
        });
        // A connection cut mid-body does not always surface as an error on the response.
        res.on('close', () => {
          if (!res.complete) fail('ECONNRESET: the connection closed before the response body ended');
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => fail(`${e.code ?? 'error'}: ${e.message}`));
      req.end(r.body);
    } catch (e) {
      // An invalid URL or header value is refused before anything is sent.
      const err = e as NodeJS.ErrnoException;
      fail(`${err.code ?? 'error'}: ${err.message}`);
    }
  });
}

export function createHttp(baseUrl: string, defaults: HttpOptions = {}): Http {
  const timeoutMs = defaults.timeoutMs ?? loadConfig().requestTimeoutMs;

  async function request<T>(method: string, path: string, body?: unknown, options: HttpOptions = {}): Promise<HttpResult<T>> {
    const headers = lowerCaseNames({ ...defaults.headers, ...options.headers });
    let payload: Buffer | undefined;
    if (body !== undefined) {
      payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
      headers['content-type'] ??= 'application/json';
    }
    const started = performance.now();
    let res: RawResponse;
    try {
      res = await sendRaw({ method: method.toUpperCase(), url: joinUrl(baseUrl, path), headers, body: payload, timeoutMs: options.timeoutMs ?? timeoutMs });
    } catch (e) {
      throw new HttpTransportError(method.toUpperCase(), `${baseUrl}${path}`, (e as ExchangeFailure).reason);
    }
    const durationMs = performance.now() - started;
    const hdrs = headerRecord(res.headers);
    const contentType = hdrs['content-type'] ?? null;
    const text = res.raw.toString('utf8');
    const { data, json } = decodeBody(text, contentType);
    notifyExchange({ driver: 'core-http', method: method.toUpperCase(), path, status: res.status, contentType, body: json ? data : undefined, sent: typeof body === 'string' ? undefined : body });
    return { status: res.status, headers: hdrs, data: data as T, text, json, contentType, durationMs };
  }

  return {
    baseUrl,
    get: (path, options) => request('GET', path, undefined, options),
    post: (path, body, options) => request('POST', path, body, options),
    request,
  };
}

/**
 * Request header names lower-cased, the later of two spellings winning, so a default added under
 * `content-type` sees the caller's `Content-Type` (node:http would let the later one win).
 */
export function lowerCaseNames(headers: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** The base URL and a path joined with one slash between them, as the clients have always sent it. */
export function joinUrl(baseUrl: string, path: string): string {
  if (!path) return baseUrl;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
