/**
 * The invariants every explored case is held to, as pure functions of the case and what was
 * observed. Each problem names its invariant, so a known defect can be recognised by its symptom
 * (symptoms.ts) without parsing message text, and anything else fails the case.
 *
 *   status         a request within the model's advertised window is answered 200; one past it 4xx
 *   schema         the answer has the route's shape (and, for JSON, holds /openapi.json's schema)
 *   usage          usage adds up; completion tokens ≤ n × the requested limit
 *   finish-reason  with one choice: "length" exactly when the completion reached the limit
 *   stream         a requested stream is an event stream: well-formed chunks, one finish per
 *                  choice, usage exactly when include_usage, [DONE] last (the suite's SSE checks)
 *   metrics-view   after the case every metrics view answers 200 with a body of its format
 *   counters       the exact counters moved by this one request and nothing else
 *   server-log     no exception in the server's log while the case ran
 */
import { type ChatRequest, checkChatCompletion } from '../checks/chat-completion';
import { checkClientError, checkRefusedStream } from '../checks/response';
import { checkStream } from '../checks/stream';
import { checkChatCounterDeltas, checkDynamoDelta, checkPerModelDeltas, checkStreamCountDeltas, type Counters, type SentCompletion } from '../checks/metrics-delta';
import type { HttpResult } from '../core/http';
import { parseWith, problem, show, type Problem } from '../core/problems';
import type { StreamResult } from '../core/sse';
import type { Finding } from '../logs/log-watcher';
import type { ExploreCase } from './generators';
import { CompletionChunkSchema, CompletionSchema, EmbeddingListSchema, ResponseSchema } from './shapes';

export const INVARIANTS = ['status', 'schema', 'usage', 'finish-reason', 'stream', 'metrics-view', 'counters', 'server-log'] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface CaseProblem extends Problem {
  invariant: Invariant;
}

/** One metrics view read after the case. */
export interface ViewResult {
  path: string;
  status: number | null;
  contentType: string | null;
  /** Problems with the body for its format (empty when status is not 200: the status says it). */
  problems: Problem[];
}

/** Counters read before and after the case; a source that did not answer is absent from both. */
export interface CounterReadings {
  before: Partial<Counters>;
  after: Partial<Counters>;
  /** Counter sources that could not be read (a view down), with why: their checks are not made. */
  unread: string[];
}

export interface Observation {
  /** The answer, recorded by collectStream (a JSON answer has `body`, an event stream `events`). */
  response: StreamResult;
  views: ViewResult[];
  counters: CounterReadings;
  /** Exceptions the server logged while the case ran. */
  logFindings: Finding[];
}

const tag = (invariant: Invariant, ps: readonly Problem[]): CaseProblem[] => ps.map((p) => ({ ...p, invariant }));

function asHttp(s: StreamResult): HttpResult {
  return { status: s.status ?? 0, headers: s.headers, data: s.body, text: s.rawText, json: s.body !== null && typeof s.body === 'object', contentType: s.contentType, durationMs: s.totalMs };
}

const isSse = (s: StreamResult) => s.contentType !== null && /^text\/event-stream\b/i.test(s.contentType);

/** The usage the answer reported, normalised to prompt/completion (Responses' input/output; embeddings have no completion). */
export function reportedUsage(c: ExploreCase, s: StreamResult): { prompt_tokens: number; completion_tokens: number } | null {
  const pick = (u: unknown) => {
    const x = u as Record<string, unknown> | null | undefined;
    if (!x || typeof x !== 'object') return null;
    const prompt = x.prompt_tokens ?? x.input_tokens;
    const completion = x.completion_tokens ?? x.output_tokens ?? (c.endpoint === 'embeddings' ? 0 : undefined);
    return typeof prompt === 'number' && typeof completion === 'number' ? { prompt_tokens: prompt, completion_tokens: completion } : null;
  };
  if (!isSse(s)) return pick((s.body as { usage?: unknown } | null)?.usage);
  for (const e of s.events) {
    const u = pick((e.json as { usage?: unknown } | undefined)?.usage);
    if (u) return u;
  }
  return null;
}

function usageLimitProblems(c: ExploreCase, u: { prompt_tokens: number; completion_tokens: number; total_tokens?: number }, at: string): CaseProblem[] {
  const out: CaseProblem[] = [];
  if (u.total_tokens !== undefined && u.total_tokens !== u.prompt_tokens + u.completion_tokens) out.push({ ...problem(`${at}.total_tokens`, `prompt + completion = ${u.prompt_tokens + u.completion_tokens}`, u.total_tokens), invariant: 'usage' });
  if (u.prompt_tokens < 1) out.push({ ...problem(`${at}.prompt_tokens`, '≥ 1 for a non-empty prompt', u.prompt_tokens), invariant: 'usage' });
  if (c.limit !== undefined && u.completion_tokens > c.n * c.limit) out.push({ ...problem(`${at}.completion_tokens`, `≤ n × ${c.limitField} = ${c.n} × ${c.limit}`, u.completion_tokens), invariant: 'usage' });
  return out;
}

function finishProblem(c: ExploreCase, reason: string | null | undefined, completionTokens: number, at: string): CaseProblem[] {
  // With several choices usage is their sum, so one choice's length is unknown: checked for n = 1 only.
  if (c.n !== 1 || c.limit === undefined || c.tools) return [];
  const want = completionTokens >= c.limit ? 'length' : 'stop';
  return reason === want ? [] : [{ ...problem(at, `"${want}" (completion_tokens ${completionTokens}, ${c.limitField} ${c.limit})`, reason ?? null), invariant: 'finish-reason' }];
}

/** The chat checks the suite already has, re-tagged by invariant. */
function chatProblems(c: ExploreCase, s: StreamResult): CaseProblem[] {
  const req = c.body as ChatRequest;
  if (c.stream) {
    // As below for the plain answer: with n > 1 the usage sum is bounded by n × limit and finish_reason is not judged from it.
    const nBlind = (p: Problem) => c.n > 1 && ((/usage\.completion_tokens$/.test(p.at) && /^≤ max_tokens/.test(p.expected)) || (/finish_reason$/.test(p.at) && /^"(stop|length)" \(completion_tokens/.test(p.expected)));
    const u = reportedUsage(c, s);
    const ownLimit = c.n > 1 && u ? usageLimitProblems(c, u, 'stream usage').filter((p) => /completion_tokens$/.test(p.at)) : [];
    return [...checkStream(s, req).filter((p) => !nBlind(p)), ...ownLimit].map((p): CaseProblem => {
      if ('invariant' in p) return p as CaseProblem;
      if (/finish_reason/.test(p.at) && /^"(stop|length)"/.test(p.expected)) return { ...p, invariant: 'finish-reason' };
      if (/usage/.test(p.at) && !/exactly one chunk|no usage without/.test(p.expected)) return { ...p, invariant: 'usage' };
      return { ...p, invariant: 'stream' };
    });
  }
  // The shared check holds usage.completion_tokens to max_tokens whatever n is; usage covers every
  // choice, so with n choices the bound is n × the limit (usageLimitProblems), checked instead.
  // Its finish_reason rule compares that sum with the per-choice limit too: for n > 1 it cannot know
  // one choice's length, so (as for the other routes) finish_reason is judged for n = 1 only.
  const sharedLimit = (p: Problem) => c.n > 1 && ((/usage\.completion_tokens$/.test(p.at) && /^≤ max_tokens/.test(p.expected)) || /^choices\[\d+\]\.finish_reason$/.test(p.at));
  const body = s.body as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null;
  const u = body?.usage;
  const ownLimit = c.n > 1 && u && typeof u.prompt_tokens === 'number' && typeof u.completion_tokens === 'number' ? usageLimitProblems(c, { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens }, 'body.usage').filter((p) => /completion_tokens$/.test(p.at)) : [];
  return [...checkChatCompletion(asHttp(s), req).filter((p) => !sharedLimit(p)), ...ownLimit].map((p): CaseProblem => {
    if ('invariant' in p) return p as CaseProblem;
    if (/finish_reason/.test(p.at)) return { ...p, invariant: 'finish-reason' };
    if (/usage/.test(p.at)) return { ...p, invariant: 'usage' };
    if (p.at === 'status') return { ...p, invariant: 'status' };
    return { ...p, invariant: 'schema' };
  });
}

function completionProblems(c: ExploreCase, s: StreamResult): CaseProblem[] {
  if (!c.stream) {
    const { value, problems } = parseWith(CompletionSchema, s.body, 'body');
    const out = tag('schema', problems);
    if (!value) return out;
    if (value.model !== c.model) out.push({ ...problem('body.model', `"${c.model}"`, value.model), invariant: 'schema' });
    if (value.choices.length !== c.n) out.push({ ...problem('body.choices', `${c.n} choice(s)`, value.choices.length), invariant: 'schema' });
    out.push(...usageLimitProblems(c, value.usage, 'body.usage'));
    out.push(...finishProblem(c, value.choices[0]?.finish_reason, value.usage.completion_tokens, 'choices[0].finish_reason'));
    return out;
  }
  const out: CaseProblem[] = [];
  if (!isSse(s)) return [{ ...problem('content-type', 'text/event-stream for stream: true', s.contentType ?? 'none'), invariant: 'stream' }];
  if (s.error) out.push({ ...problem('stream', 'to end normally', s.error), invariant: 'stream' });
  if (s.truncated) out.push({ ...problem('stream end', 'the body to end on an event boundary', show(s.rawText.slice(-80))), invariant: 'stream' });
  const finishes = new Map<number, number>();
  for (const e of s.events) {
    if (e.done) continue;
    if (e.parseError !== null) {
      out.push({ ...problem(`event ${e.index}`, 'JSON data', e.data.slice(0, 120)), invariant: 'stream' });
      continue;
    }
    const { value, problems } = parseWith(CompletionChunkSchema, e.json, `event ${e.index}`);
    out.push(...tag('stream', problems));
    for (const ch of value?.choices ?? []) if (ch.finish_reason !== null) finishes.set(ch.index, (finishes.get(ch.index) ?? 0) + 1);
  }
  for (let i = 0; i < c.n; i++) if (finishes.get(i) !== 1) out.push({ ...problem(`choice ${i} finish_reason`, 'exactly one non-null finish_reason', finishes.get(i) ?? 0), invariant: 'stream' });
  if (s.doneIndex === -1) out.push({ ...problem('[DONE]', 'a final data: [DONE]', 'the stream ended without it'), invariant: 'stream' });
  else if (s.afterDone.length > 0) out.push({ ...problem('after [DONE]', 'nothing', `${s.afterDone.length} event(s)`), invariant: 'stream' });
  return out;
}

function responseProblems(c: ExploreCase, s: StreamResult): CaseProblem[] {
  if (c.stream && !isSse(s)) return [{ ...problem('content-type', 'text/event-stream for stream: true', s.contentType ?? 'none'), invariant: 'stream' }];
  if (c.stream) return []; // An event stream of the Responses API: its grammar is not checked here yet.
  const { value, problems } = parseWith(ResponseSchema, s.body, 'body');
  const out = tag('schema', problems);
  if (!value) return out;
  if (value.model !== c.model) out.push({ ...problem('body.model', `"${c.model}"`, value.model), invariant: 'schema' });
  const parts = value.output.filter((o) => o.type === 'message').flatMap((o) => o.content ?? []);
  if (!parts.some((p) => p.type === 'output_text' && typeof p.text === 'string' && p.text !== '')) {
    out.push({ ...problem('body.output[*].content', 'a message part of type "output_text" with text', parts.map((p) => p.type)), invariant: 'schema' });
  }
  const u = value.usage;
  out.push(...usageLimitProblems(c, { prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens, total_tokens: u.total_tokens }, 'body.usage'));
  return out;
}

function embeddingProblems(c: ExploreCase, s: StreamResult): CaseProblem[] {
  const { value, problems } = parseWith(EmbeddingListSchema, s.body, 'body');
  const out = tag('schema', problems);
  if (!value) return out;
  if (value.data.length !== c.n) out.push({ ...problem('body.data', `${c.n} embedding(s), one per input`, value.data.length), invariant: 'schema' });
  value.data.forEach((d, i) => {
    if (d.index !== i) out.push({ ...problem(`data[${i}].index`, String(i), d.index), invariant: 'schema' });
  });
  const want = c.body.encoding_format === 'base64' ? 'string' : 'object';
  if (value.data.some((d) => typeof d.embedding !== want)) out.push({ ...problem('data[*].embedding', want === 'string' ? 'base64 strings (encoding_format base64)' : 'arrays of floats', typeof value.data[0].embedding), invariant: 'schema' });
  if (value.usage.total_tokens !== value.usage.prompt_tokens) out.push({ ...problem('body.usage.total_tokens', `prompt_tokens (${value.usage.prompt_tokens})`, value.usage.total_tokens), invariant: 'usage' });
  return out;
}

/** status, schema, usage, finish-reason and stream: the answer against the request. */
export function checkAnswer(c: ExploreCase, s: StreamResult): CaseProblem[] {
  if (c.pastWindow) {
    const refused = c.stream && isSse(s) ? checkRefusedStream(s) : checkClientError(asHttp(s));
    // One invariant: refused before any work, with a 4xx and an error body that says why.
    return refused.map((p) => ({ ...p, at: p.at === 'status' ? `status (prompt ${c.promptTokens} + limit ${c.limit ?? 0} > window ${c.contextWindow})` : `refusal ${p.at}`, invariant: 'status' }));
  }
  if (s.error && !isSse(s)) return [{ ...problem('response', 'a complete answer', s.error), invariant: 'status' }];
  if (s.status !== 200) return [{ ...problem(`status (prompt ${c.promptTokens} + limit ${c.limit ?? 0} ≤ window ${c.contextWindow})`, '200', `${s.status} (body: ${show(s.body ?? s.rawText)})`), invariant: 'status' }];
  switch (c.endpoint) {
    case 'chat':
      return chatProblems(c, s);
    case 'completions':
      return completionProblems(c, s);
    case 'responses':
      return responseProblems(c, s);
    case 'embeddings':
      return embeddingProblems(c, s);
  }
}

/** Every metrics view answered 200 with a body of its format. */
export function checkViews(views: readonly ViewResult[]): CaseProblem[] {
  return views.flatMap((v) => (v.status !== 200 ? [{ ...problem(`GET ${v.path}`, '200', v.status ?? 'no answer'), invariant: 'metrics-view' as const }] : tag('metrics-view', v.problems.map((p) => ({ ...p, at: `GET ${v.path} ${p.at}` })))));
}

/**
 * The counters moved by exactly this request. Chat completions feed the KV-cache, router and
 * Dynamo counters (one each) and streams the stream count; every generation route feeds its
 * model's request count and token totals; a refused request moves nothing.
 */
export function checkCounters(c: ExploreCase, accepted: boolean, usage: { prompt_tokens: number; completion_tokens: number } | null, r: CounterReadings): CaseProblem[] {
  const b = r.before as Counters;
  const a = r.after as Counters;
  const has = (k: keyof Counters) => r.before[k] !== undefined && r.after[k] !== undefined;
  const sent: SentCompletion[] = accepted ? [{ model: c.model, stream: c.stream, usage }] : [];
  const chat = c.endpoint === 'chat' ? sent : [];
  const out: Problem[] = [];
  // The shared checks want "nothing active" absolutely; per case the claim is "this case left nothing active".
  const notAbsoluteActive = (p: Problem) => !/active_(requests|streams)$/.test(p.at);
  if (has('kvLookups') && has('kvChatLookups') && has('routerRequests') && has('routerActive')) {
    out.push(...checkChatCounterDeltas(b, a, chat).filter(notAbsoluteActive));
    if (a.routerActive !== b.routerActive) out.push(problem('/kv-cache/metrics smart_router Σ workers.active_requests', `unchanged once the case ended (${b.routerActive})`, `${b.routerActive} → ${a.routerActive}`));
  }
  if (has('dynamoTotal')) out.push(...checkDynamoDelta(b, a, chat));
  if (has('completedStreams') && has('activeStreams')) {
    out.push(...checkStreamCountDeltas(b, a, chat.filter((x) => x.stream)).filter(notAbsoluteActive));
    if (a.activeStreams !== b.activeStreams) out.push(problem('/metrics streaming_stats.active_streams', `unchanged once the case ended (${b.activeStreams})`, `${b.activeStreams} → ${a.activeStreams}`));
  }
  if (has('perModel')) {
    if (accepted) out.push(...checkPerModelDeltas(b, a, sent));
    else {
      const zero = { requests: 0, prompt: 0, completion: 0 };
      const x = b.perModel[c.model] ?? zero;
      const y = a.perModel[c.model] ?? zero;
      if (x.requests !== y.requests || x.prompt !== y.prompt || x.completion !== y.completion) out.push(problem(`/metrics/by-model/${c.model}`, 'unchanged by a refused request', `${show(x)} → ${show(y)}`));
    }
  }
  return tag('counters', out);
}

/** One problem per finding, at "server log finding <i>" so triage can tell which finding it is. */
export function checkLog(findings: readonly Finding[]): CaseProblem[] {
  return findings.map((f, i) => ({ ...problem(`server log finding ${i}`, 'no exception while the case ran', f.headline), invariant: 'server-log' as const }));
}

/** Every invariant at once. */
export function checkCase(c: ExploreCase, o: Observation): CaseProblem[] {
  const accepted = o.response.status === 200;
  return [...checkAnswer(c, o.response), ...checkViews(o.views), ...checkCounters(c, accepted, reportedUsage(c, o.response), o.counters), ...checkLog(o.logFindings)];
}
