/**
 * The chat traffic the suite sends on purpose: a plan (which model, streamed or not), a sender that
 * checks each response with the pure checks, and a record per request written the moment it
 * completes (the live reporter prints a line per record).
 */
import { type ChatRequest, checkChatCompletion } from '../checks/chat-completion';
import type { Problem } from '../core/problems';
import { formatProblems } from '../core/problems';
import { checkStream, streamedUsage } from '../checks/stream';
import { createHttp, type HttpResult } from '../core/http';
import { runBounded } from '../core/load';
import { appendRecord } from '../core/run-records';
import { collectStream, type StreamResult } from '../core/sse';

/** The old script's five models. FakeAI 0.3.2 answers for any model name, these included. */
export const LOAD_MODELS = ['gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'claude-3-opus', 'claude-3-sonnet'] as const;

/**
 * Greeting prompts get one of FakeAI's short canned greetings (at most 16 tokens), so 50 tokens is
 * never the reason a load response ends: finish_reason must be "stop", and usage stays ≤ max_tokens.
 */
export const LOAD_MAX_TOKENS = 50;

export interface PlannedRequest {
  seq: number;
  of: number;
  model: string;
  stream: boolean;
  body: ChatRequest;
}

/** `perKind` plain and `perKind` streamed requests per model, interleaved so both kinds overlap. */
export function planChatLoad(models: readonly string[], perKind: number): PlannedRequest[] {
  const plan: Omit<PlannedRequest, 'seq' | 'of' | 'body'>[] = [];
  for (let round = 0; round < perKind; round++) {
    for (const model of models) plan.push({ model, stream: false }, { model, stream: true });
  }
  return plan.map((p, i) => ({
    ...p,
    seq: i + 1,
    of: plan.length,
    body: {
      model: p.model,
      messages: [{ role: 'user', content: `Hello! This is request ${i + 1} of ${plan.length}.` }],
      max_tokens: LOAD_MAX_TOKENS,
      ...(p.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    },
  }));
}

export interface ChatOutcome {
  planned: PlannedRequest;
  /** Epoch ms when the request was sent and when its response (or stream) ended. */
  startedAt: number;
  endedAt: number;
  status: number | null;
  id: string | null;
  durationMs: number;
  ttftMs: number | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  /** Transport failure, or null. */
  error: string | null;
  problems: Problem[];
  response?: HttpResult;
  stream?: StreamResult;
}

export interface SendContext {
  baseUrl: string;
  runDir: string;
  batch: string;
  test: string | null;
}

export async function sendChat(planned: PlannedRequest, ctx: SendContext): Promise<ChatOutcome> {
  const startedAt = Date.now();
  let outcome: Omit<ChatOutcome, 'startedAt' | 'endedAt'>;
  if (planned.stream) {
    const s = await collectStream(ctx.baseUrl, planned.body);
    const first = s.events.find((e) => e.json)?.json as { id?: unknown } | undefined;
    outcome = {
      planned,
      status: s.status,
      id: typeof first?.id === 'string' ? first.id : null,
      durationMs: s.totalMs,
      ttftMs: s.ttftMs,
      usage: streamedUsage(s),
      error: s.error,
      problems: checkStream(s, planned.body),
      stream: s,
    };
  } else {
    const started = performance.now();
    try {
      const res = await createHttp(ctx.baseUrl).post<{ id?: unknown; usage?: ChatOutcome['usage'] }>('/v1/chat/completions', planned.body);
      outcome = {
        planned,
        status: res.status,
        id: typeof res.data?.id === 'string' ? res.data.id : null,
        durationMs: res.durationMs,
        ttftMs: null,
        usage: res.json && res.data?.usage ? res.data.usage : null,
        error: null,
        problems: checkChatCompletion(res, planned.body),
        response: res,
      };
    } catch (e) {
      outcome = { planned, status: null, id: null, durationMs: performance.now() - started, ttftMs: null, usage: null, error: (e as Error).message, problems: [], response: undefined };
    }
  }
  const done: ChatOutcome = { ...outcome, startedAt, endedAt: Date.now() };
  const ok = outcome.error === null && outcome.status === 200 && outcome.problems.length === 0;
  appendRecord(ctx.runDir, {
    kind: 'request',
    seq: planned.seq,
    of: planned.of,
    batch: ctx.batch,
    id: outcome.id,
    method: 'POST',
    path: '/v1/chat/completions',
    model: planned.model,
    stream: planned.stream,
    status: outcome.status,
    ok,
    durationMs: Math.round(outcome.durationMs * 10) / 10,
    ttftMs: outcome.ttftMs === null ? null : Math.round(outcome.ttftMs * 10) / 10,
    tokens: outcome.usage?.total_tokens ?? null,
    error: outcome.error ?? (outcome.problems.length > 0 ? formatProblems('response', outcome.problems) : null),
    test: ctx.test,
  });
  return done;
}

/**
 * How many load requests are in flight at once: half the batch, so plain and streamed requests
 * overlap for real while a 2-core CI machine is not flooded.
 */
export const LOAD_CONCURRENCY = 10;

export function runChatLoad(plan: readonly PlannedRequest[], ctx: SendContext, concurrency: number): Promise<ChatOutcome[]> {
  return runBounded(plan, concurrency, (p) => sendChat(p, ctx));
}

/** Every problem of a batch, one block per failing request. */
export function describeFailures(outcomes: readonly ChatOutcome[]): string[] {
  return outcomes
    .filter((o) => o.error !== null || o.status !== 200 || o.problems.length > 0)
    .map((o) => {
      const head = `[${String(o.planned.seq).padStart(2)}/${o.planned.of}] ${o.planned.stream ? 'STREAM' : 'PLAIN '} ${o.planned.model}: status ${o.status ?? 'none'}`;
      return o.error ? `${head} — ${o.error}` : formatProblems(head, o.problems);
    });
}
