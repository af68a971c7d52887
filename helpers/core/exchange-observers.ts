/**
 * A seam for checks that want to see every exchange the suite already makes, whichever client made
 * it (the API driver, core/http, the SSE collector, the openai SDK). The clients live in core and
 * api; a check that judges exchanges (the OpenAI conformance, helpers/api/openai-conformance.ts)
 * lives above them, so they call out through this list instead of importing it. Observers are
 * registered per test file by helpers/jest/observe-exchanges.ts (a setupFilesAfterEnv module,
 * which shares the test file's module registry and so this very list).
 *
 * An observer must not throw: it records, and gates judge the records later.
 */
export interface ObservedExchange {
  /** Who sent it: 'http' (api driver), 'sdk', 'core-http'. */
  driver: string;
  method: string;
  /** Path as sent, query string included. */
  path: string;
  status: number;
  contentType: string | null;
  /** Parsed JSON body; undefined when the body is not JSON. */
  body: unknown;
  /** The JSON body the suite sent, when it sent one. */
  sent?: unknown;
}

export interface ObservedStream {
  method: string;
  path: string;
  status: number | null;
  contentType: string | null;
  /** Every SSE event as parsed; `json` undefined when the data is not JSON or is [DONE]. */
  events: readonly { data: string; eventType: string | null; done: boolean; json: unknown }[];
  sent?: unknown;
}

export interface ExchangeObserver {
  exchange?(e: ObservedExchange): void;
  stream?(s: ObservedStream): void;
}

const observers: ExchangeObserver[] = [];

/** Adds an observer; the returned function removes it. */
export function addExchangeObserver(o: ExchangeObserver): () => void {
  observers.push(o);
  return () => {
    const i = observers.indexOf(o);
    if (i >= 0) observers.splice(i, 1);
  };
}

export function notifyExchange(e: ObservedExchange): void {
  for (const o of observers) o.exchange?.(e);
}

export function notifyStream(s: ObservedStream): void {
  for (const o of observers) o.stream?.(s);
}
