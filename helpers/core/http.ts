/**
 * The suite's HTTP client for plain request/response exchanges. Status codes are data, never
 * exceptions: a 422 is something a check looks at, so every status resolves. Only transport
 * failures (refused, reset, timed out) throw, with the method, URL and timeout in the message —
 * a hanging request fails its test after loadConfig().requestTimeoutMs instead of hanging the run.
 */
import axios, { type AxiosInstance } from 'axios';
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

function headerRecord(raw: Record<string, unknown>): Record<string, string> {
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

export function createHttp(baseUrl: string, defaults: HttpOptions = {}): Http {
  const timeoutMs = defaults.timeoutMs ?? loadConfig().requestTimeoutMs;
  const client: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: timeoutMs,
    validateStatus: () => true,
    // Keep the body raw: decodeBody decides, so an unparsable JSON body is kept and reported.
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    maxRedirects: 0,
    proxy: false,
    // No keep-alive: an idle socket may be closed by uvicorn just as we reuse it (see transport.ts).
    httpAgent,
  });

  async function request<T>(method: string, path: string, body?: unknown, options: HttpOptions = {}): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...defaults.headers, ...options.headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const started = performance.now();
    try {
      const res = await client.request<string>({ method, url: path, data: payload, headers, timeout: options.timeoutMs ?? timeoutMs });
      const durationMs = performance.now() - started;
      const hdrs = headerRecord(res.headers as Record<string, unknown>);
      const contentType = hdrs['content-type'] ?? null;
      const text = typeof res.data === 'string' ? res.data : String(res.data ?? '');
      const { data, json } = decodeBody(text, contentType);
      notifyExchange({ driver: 'core-http', method: method.toUpperCase(), path, status: res.status, contentType, body: json ? data : undefined, sent: typeof body === 'string' ? undefined : body });
      return { status: res.status, headers: hdrs, data: data as T, text, json, contentType, durationMs };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      const reason =
        err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT'
          ? `no answer within ${options.timeoutMs ?? timeoutMs} ms (per-request timeout, --request-timeout)`
          : `${err.code ?? 'error'}: ${err.message ?? String(e)}`;
      throw new HttpTransportError(method.toUpperCase(), `${baseUrl}${path}`, reason);
    }
  }

  return {
    baseUrl,
    get: (path, options) => request('GET', path, undefined, options),
    post: (path, body, options) => request('POST', path, body, options),
    request,
  };
}
