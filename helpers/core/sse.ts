/**
 * Records a streamed chat completion exactly as it arrived, for the pure stream checks.
 *
 * The body goes through eventsource-parser (a real SSE parser, so multi-line data, comments and
 * events split across TCP chunks are handled as the spec says). Every event is kept with its arrival
 * time; an event whose data is not JSON is kept as a failure, never dropped; events after [DONE]
 * are kept too, because "nothing after [DONE]" is something to check, not to assume.
 */
import { createParser } from 'eventsource-parser';
import { loadConfig } from './config';
import { notifyStream } from './exchange-observers';
import { decodeBody } from './http';
import { NO_KEEP_ALIVE_HEADERS } from './transport';

export interface StreamEvent {
  index: number;
  /** Arrival time in ms since the request was sent. */
  atMs: number;
  /** The event's data field, as sent. */
  data: string;
  /** The SSE `event:` field, if the server sent one. */
  eventType: string | null;
  /** True for the `[DONE]` sentinel. */
  done: boolean;
  /** JSON.parse(data), when it parsed (never for [DONE]). */
  json: unknown;
  /** Why data did not parse as JSON; null when it did (or for [DONE]). */
  parseError: string | null;
}

export interface StreamResult {
  status: number | null;
  contentType: string | null;
  headers: Record<string, string>;
  events: StreamEvent[];
  /** Index of the first [DONE] in `events`, or -1. */
  doneIndex: number;
  /** Events that arrived after the first [DONE]. */
  afterDone: StreamEvent[];
  /** Lines the SSE parser rejected (unknown fields, bad retry values…). */
  parserErrors: string[];
  /** The body did not end on an event boundary: the stream was cut mid-event. */
  truncated: boolean;
  /** For a response that is not an event stream (e.g. a 4xx JSON error): its decoded body. */
  body: unknown;
  rawText: string;
  /** Time to the first chunk carrying non-empty content, ms since sending; null if none came. */
  ttftMs: number | null;
  /** Gaps between consecutive events' arrivals, ms. */
  gapsMs: number[];
  totalMs: number;
  /** Transport failure or timeout (the stream did not end normally); null when it ended. */
  error: string | null;
}

export interface CollectOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
  path?: string;
}

function hasContent(json: unknown): boolean {
  const choices = (json as { choices?: unknown })?.choices;
  if (!Array.isArray(choices)) return false;
  return choices.some((c) => typeof c?.delta?.content === 'string' && c.delta.content.length > 0);
}

/** Sends `body` (stream: true is the caller's business) and records the whole response. */
export async function collectStream(baseUrl: string, body: unknown, options: CollectOptions = {}): Promise<StreamResult> {
  const timeoutMs = options.timeoutMs ?? loadConfig().requestTimeoutMs;
  const url = `${baseUrl}${options.path ?? '/v1/chat/completions'}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const started = performance.now();
  const since = () => performance.now() - started;

  const events: StreamEvent[] = [];
  const parserErrors: string[] = [];
  const parser = createParser({
    onEvent(e) {
      const done = e.data === '[DONE]';
      let json: unknown;
      let parseError: string | null = null;
      if (!done) {
        try {
          json = JSON.parse(e.data);
        } catch (err) {
          parseError = (err as Error).message;
        }
      }
      events.push({ index: events.length, atMs: since(), data: e.data, eventType: e.event ?? null, done, json, parseError });
    },
    onError(err) {
      parserErrors.push(err.message);
    },
  });

  let status: number | null = null;
  let contentType: string | null = null;
  let headers: Record<string, string> = {};
  let rawText = '';
  let error: string | null = null;
  try {
    const res = await fetch(url, {
      method: 'POST',
      // No keep-alive: an idle socket may be closed by uvicorn just as we reuse it (see transport.ts).
      headers: { 'content-type': 'application/json', ...options.headers, ...NO_KEEP_ALIVE_HEADERS },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: controller.signal,
    });
    status = res.status;
    headers = Object.fromEntries([...res.headers.entries()].map(([k, v]) => [k.toLowerCase(), v]));
    contentType = headers['content-type'] ?? null;
    const isSse = contentType !== null && /text\/event-stream/i.test(contentType);
    if (res.body) {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        rawText += text;
        if (isSse) parser.feed(text);
      }
      const tail = decoder.decode();
      rawText += tail;
      if (isSse && tail) parser.feed(tail);
    }
  } catch (e) {
    error = controller.signal.aborted
      ? `no complete response within ${timeoutMs} ms (per-request timeout, --request-timeout)`
      : `${(e as { cause?: { code?: string } }).cause?.code ?? 'error'}: ${(e as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
  const totalMs = since();

  const isSse = contentType !== null && /text\/event-stream/i.test(contentType);
  if (isSse) notifyStream({ method: 'POST', path: options.path ?? '/v1/chat/completions', status, contentType, events, sent: typeof body === 'string' ? undefined : body });
  const doneIndex = events.findIndex((e) => e.done);
  const firstContent = events.find((e) => hasContent(e.json));
  const gapsMs = events.slice(1).map((e, i) => e.atMs - events[i].atMs);
  return {
    status,
    contentType,
    headers,
    events,
    doneIndex,
    afterDone: doneIndex === -1 ? [] : events.slice(doneIndex + 1),
    parserErrors,
    truncated: isSse && rawText.trim() !== '' && !/(\r?\n){2}$/.test(rawText),
    body: isSse ? null : decodeBody(rawText, contentType).data,
    rawText,
    ttftMs: firstContent ? firstContent.atMs : null,
    gapsMs,
    totalMs,
    error,
  };
}
