/**
 * The official `openai` npm package as the suite's second driver, pointed at the server's /v1.
 * Its fetch goes through the API driver's `observe`, so every SDK exchange is matched to its
 * route, held to /openapi.json and counted for coverage just like the plain-HTTP driver's; the SDK's own
 * parsing is the other half of the check (an SDK exception on a 200 is a finding).
 */
import type OpenAI from 'openai';
import type { ApiDriver } from './api-driver';
import { loadConfig } from '../core/config';
import type { Violation } from './contract';
import { loadSdk, type SdkMajor, sdkMajors } from './openai-sdks';

export interface SdkExchange {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  violations: Violation[];
}

export interface SdkDriver {
  client: OpenAI;
  /** Every exchange the SDK made, in order. */
  exchanges: SdkExchange[];
}

/** `sdk` picks the major (openai-sdks.ts); 6.x when not given. */
export function openaiClient(api: ApiDriver, apiKey = 'sk-e2e-any-key', sdk: SdkMajor = sdkMajors()[0]): SdkDriver {
  const exchanges: SdkExchange[] = [];
  const observingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const res = await fetch(input, init);
    // URL objects may come from another realm (Jest's vm context), so no instanceof here.
    const href = typeof input === 'string' ? input : 'href' in input ? input.href : input.url;
    const url = new URL(href);
    // The SDK probes its fetch with a data: URL before multipart uploads; only server traffic counts.
    if (!/^https?:$/.test(url.protocol)) return res;
    const method = (init?.method ?? 'GET').toUpperCase();
    const contentType = res.headers.get('content-type');
    // Streams are left to the SDK: reading a clone would hold the whole stream in memory first.
    const body = /json/i.test(contentType ?? '') ? await res.clone().json().catch(() => undefined) : undefined;
    let sent: unknown;
    if (typeof init?.body === 'string') {
      try {
        sent = JSON.parse(init.body);
      } catch {
        sent = undefined;
      }
    }
    const seen = api.observe(sdk.driver, method, url.pathname + url.search, res.status, contentType, body, sent);
    exchanges.push({ method, path: url.pathname, status: res.status, contentType, violations: seen.violations });
    return res;
  };
  const Client = loadSdk(sdk);
  const client = new Client({
    apiKey,
    baseURL: `${api.baseUrl}/v1`,
    maxRetries: 0,
    timeout: loadConfig().requestTimeoutMs,
    fetch: observingFetch as unknown as typeof fetch,
  });
  return { client, exchanges };
}

/** The shape of a JSON value: same keys and value types, whatever the generated text says. */
export function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return typeof value;
}
