/**
 * Known FakeAI defects, recognised by their symptom in one explored case. A problem a symptom
 * explains is counted against that defect and the exploration goes on; every other problem fails
 * the case and is shrunk. Each recogniser is narrow on purpose: it accepts the defect's own shape
 * (the counter that stays at +0, the status the wrong window gives), never "any problem of this
 * invariant", so a new fault of the same kind still fails.
 */
import { ALLOWED_EXCEPTIONS } from '../ledger/allowances';
import type { Finding } from '../logs/log-watcher';
import type { ExploreCase } from './generators';
import type { CaseProblem, Observation } from './invariants';
import { reportedUsage } from './invariants';

export interface SymptomContext {
  c: ExploreCase;
  o: Observation;
  /** The context window the server enforces for this model, as its own 400 message states it (probed once per model). */
  enforcedWindow: number | undefined;
}

export interface Symptom {
  defect: string;
  /** Whether this problem is this defect showing. */
  explains: (p: CaseProblem, x: SymptomContext) => boolean;
}

/** A usage problem: more completion tokens than the requested limit allows. */
function isCompletionOverLimit(p: CaseProblem, x: SymptomContext): boolean {
  return p.invariant === 'usage' && /completion_tokens$/.test(p.at) && x.c.limit !== undefined && reportedUsage(x.c, x.o.response) !== null;
}

/** Reasoning tokens the answer reports (completion_tokens_details.reasoning_tokens), else 0. */
export function reasoningTokens(o: Observation): number {
  const fromUsage = (u: unknown) => (u as { completion_tokens_details?: { reasoning_tokens?: unknown } | null } | undefined)?.completion_tokens_details?.reasoning_tokens;
  const bodies = o.response.body ? [o.response.body] : o.response.events.map((e) => e.json);
  for (const b of bodies) {
    const r = fromUsage((b as { usage?: unknown } | undefined)?.usage);
    if (typeof r === 'number') return r;
  }
  return 0;
}

/**
 * The token budget FakeAI gives an answer's content: max(10, limit − reasoning tokens)
 * (fakeai_service.py:1818; only chat has reasoning, elsewhere it is max(10, limit)).
 */
function contentBudget(x: SymptomContext): number {
  return Math.max(10, x.c.limit! - reasoningTokens(x.o));
}

/** Each choice's text: message content, completion text or a response's output text, streamed deltas joined. */
export function choiceTexts(o: Observation): string[] {
  const out: string[] = [];
  const add = (i: number, t: unknown) => {
    if (typeof t === 'string') out[i] = (out[i] ?? '') + t;
  };
  const body = o.response.body as { choices?: { index?: number; message?: { content?: unknown }; text?: unknown }[]; output?: { content?: { text?: unknown }[] }[] } | null;
  if (body?.choices) body.choices.forEach((c, i) => add(c.index ?? i, c.message?.content ?? c.text));
  // The Responses API: one answer, its text in the output items' content parts.
  for (const item of body?.output ?? []) for (const part of item.content ?? []) add(0, part.text);
  for (const e of o.response.events) {
    for (const c of (e.json as { choices?: { index?: number; delta?: { content?: unknown }; text?: unknown }[] } | undefined)?.choices ?? []) add(c.index ?? 0, c.delta?.content ?? c.text);
  }
  return out.filter((t) => t !== undefined);
}

/** A contraction a stream split ("I' d"): the mark of stream-text-respaced. */
const SPLIT = /(\w)' (\w)/g;
const unsplit = (t: string) => t.replace(SPLIT, "$1'$2");
function splitCount(o: Observation): number {
  return choiceTexts(o).reduce((n, t) => n + (t.match(SPLIT)?.length ?? 0), 0);
}

const chatStream = (x: SymptomContext) => x.c.endpoint === 'chat' && x.c.stream;
const counterStaysAtZero = (p: CaseProblem) => /^\+\d+ /.test(p.expected) && /^\+0 /.test(p.actual);
const overEnforced = (x: SymptomContext) => x.enforcedWindow !== undefined && x.c.promptTokens + (x.c.limitField === 'max_tokens' ? x.c.limit ?? 0 : 0) > x.enforcedWindow;

export const SYMPTOMS: readonly Symptom[] = [
  {
    defect: 'max-tokens-floor',
    // The content's budget is max(10, limit − reasoning) (fakeai_service.py:1818): where limit − reasoning is under 10, up to 10 content tokens per choice.
    explains: (p, x) => {
      const r = reasoningTokens(x.o);
      if (!isCompletionOverLimit(p, x) || x.c.limit! - r >= 10) return false;
      const u = reportedUsage(x.c, x.o.response)!;
      return u.completion_tokens - r <= x.c.n * 10;
    },
  },
  {
    defect: 'completion-char-trim-overshoot',
    // When not one sentence fits the budget B, the text is cut to 4·B characters, which can hold more than B tokens.
    explains: (p, x) => {
      if (!isCompletionOverLimit(p, x)) return false;
      const budget = contentBudget(x);
      const u = reportedUsage(x.c, x.o.response)!;
      // A stream's text carries the spaces stream-text-respaced adds; the cut was made before them.
      const texts = choiceTexts(x.o).map(unsplit);
      // FakeAI's usage counts one choice's tokens, whatever n is.
      return u.completion_tokens - reasoningTokens(x.o) - (x.c.stream ? splitCount(x.o) : 0) > budget && texts.length > 0 && texts.every((t) => t.length <= 4 * budget);
    },
  },
  {
    defect: 'stream-text-respaced',
    // The overshoot is exactly the split pieces: without them the text fits the budget.
    explains: (p, x) => {
      if (!x.c.stream || !isCompletionOverLimit(p, x)) return false;
      const splits = splitCount(x.o);
      const u = reportedUsage(x.c, x.o.response)!;
      return splits > 0 && u.completion_tokens - reasoningTokens(x.o) - splits <= contentBudget(x);
    },
  },
  {
    // finish_reason compares the content tokens alone with the limit (fakeai_service.py:1904), while
    // usage adds the reasoning: a plain answer whose usage reached the limit but whose content did not.
    defect: 'finish-reason-ignores-reasoning',
    explains: (p, x) => {
      if (x.c.endpoint !== 'chat' || x.c.stream || x.c.n !== 1 || x.c.limit === undefined) return false;
      if (p.invariant !== 'finish-reason' || !p.expected.startsWith('"length"') || p.actual !== 'stop') return false;
      const r = reasoningTokens(x.o);
      const u = reportedUsage(x.c, x.o.response);
      return r > 0 && u !== null && u.completion_tokens - r < x.c.limit && x.c.limit <= u.completion_tokens;
    },
  },
  {
    defect: 'stream-finish-reason-always-stop',
    explains: (p, x) => chatStream(x) && p.invariant === 'finish-reason' && p.expected.startsWith('"length"') && p.actual === 'stop',
  },
  {
    defect: 'by-model-ignores-streams',
    explains: (p, x) => chatStream(x) && p.invariant === 'counters' && p.at.startsWith('/metrics/by-model/') && counterStaysAtZero(p),
  },
  {
    defect: 'by-model-ignores-completion-streams',
    explains: (p, x) => x.c.endpoint === 'completions' && x.c.stream && p.invariant === 'counters' && p.at.startsWith('/metrics/by-model/') && counterStaysAtZero(p),
  },
  {
    defect: 'by-model-ignores-responses',
    explains: (p, x) => x.c.endpoint === 'responses' && p.invariant === 'counters' && p.at.startsWith('/metrics/by-model/') && counterStaysAtZero(p),
  },
  {
    defect: 'dynamo-ignores-streams',
    explains: (p, x) => chatStream(x) && p.invariant === 'counters' && p.at.startsWith('/dynamo/metrics/json') && counterStaysAtZero(p),
  },
  {
    defect: 'streaming-stats-never-count',
    explains: (p, x) => chatStream(x) && p.invariant === 'counters' && p.at.startsWith('/metrics streaming_stats.completed_streams') && counterStaysAtZero(p),
  },
  {
    defect: 'metrics-prometheus-keyerror',
    explains: (p) => p.invariant === 'metrics-view' && p.at === 'GET /metrics/prometheus' && p.actual === '500',
  },
  {
    defect: 'kv-cache-stats-recursion',
    explains: (p, x) => p.invariant === 'metrics-view' && p.at === 'GET /kv-cache/metrics' && p.actual === '500' && x.o.logFindings.some((f) => /RecursionError/.test(f.headline) && /in count_nodes/.test(f.text)),
  },
  {
    defect: 'responses-output-text-type',
    explains: (p, x) => x.c.endpoint === 'responses' && p.invariant === 'schema' && p.at === 'body.output[*].content' && p.actual === '["text"]',
  },
  {
    defect: 'responses-stream-ignored',
    explains: (p, x) => x.c.endpoint === 'responses' && x.c.stream && p.invariant === 'stream' && p.at === 'content-type' && /^application\/json/.test(p.actual),
  },
  {
    // The answer follows the window the server enforces, not the one it advertises.
    defect: 'context-window-mismatch',
    explains: (p, x) => {
      if (x.c.endpoint !== 'chat' || p.invariant !== 'status' || x.enforcedWindow === undefined || x.enforcedWindow === x.c.contextWindow) return false;
      const status = x.o.response.status;
      if (x.c.pastWindow) return status === 200 && !overEnforced(x);
      return !x.c.stream && status === 400 && overEnforced(x) && /context_length_exceeded/.test(x.o.response.rawText);
    },
  },
  {
    // The check counts max_tokens only: with max_completion_tokens, a prompt that fits the window alone is let through.
    defect: 'context-check-ignores-max-completion-tokens',
    explains: (p, x) =>
      x.c.endpoint === 'chat' && x.c.limitField === 'max_completion_tokens' && x.c.pastWindow && p.invariant === 'status' && x.o.response.status === 200 && x.enforcedWindow !== undefined && x.c.promptTokens <= Math.min(x.enforcedWindow, x.c.contextWindow),
  },
  {
    // Past the enforced window a chat stream answers 200 and breaks (no [DONE]) instead of a 400.
    defect: 'stream-context-length-breaks-stream',
    // The request dies before anything counts it, so its counters stay at +0 too.
    explains: (p, x) => chatStream(x) && overEnforced(x) && x.o.response.status === 200 && (p.invariant === 'status' || p.invariant === 'stream' || p.invariant === 'finish-reason' || p.invariant === 'usage' || (p.invariant === 'counters' && counterStaysAtZero(p))),
  },
  {
    // Recognised by its own traceback in this case: the stream breaks at its end and leaves a router request active.
    defect: 'reasoning-stream-usage-crash',
    explains: (p, x) =>
      chatStream(x) &&
      x.c.includeUsage === true &&
      x.o.logFindings.some((f) => /reasoning_tokens_count = len\(reasoning_tokens\)/.test(f.text)) &&
      (p.invariant === 'stream' || p.invariant === 'usage' || p.invariant === 'finish-reason' || (p.invariant === 'counters' && /active_requests$/.test(p.at))),
  },
  {
    // 0.3.1: no context check at all (the server states no enforced window): a chat prompt past the window is answered.
    defect: 'context-length-not-checked',
    explains: (p, x) => x.c.endpoint === 'chat' && x.c.pastWindow && x.enforcedWindow === undefined && p.invariant === 'status' && x.o.response.status === 200,
  },
  {
    // 0.3.1: encoding_format "base64" is accepted and ignored.
    defect: 'embeddings-base64-ignored',
    explains: (p, x) => x.c.endpoint === 'embeddings' && (x.c.body as { encoding_format?: unknown }).encoding_format === 'base64' && p.invariant === 'schema' && p.at === 'data[*].embedding' && p.actual === 'object',
  },
  {
    defect: 'context-length-unchecked',
    explains: (p, x) => x.c.endpoint !== 'chat' && x.c.pastWindow && p.invariant === 'status' && x.o.response.status === 200,
  },
];

/** Server-log findings a recognised defect accounts for: the defect's own allowance pattern (helpers/ledger/allowances.ts). */
export function findingExplained(f: Finding, defects: ReadonlySet<string>): string | undefined {
  return ALLOWED_EXCEPTIONS.find((a) => defects.has(a.defect) && a.pattern.test(f.text))?.defect;
}

export interface Triage {
  /** Problems no known defect explains: the case fails on these. */
  unexplained: CaseProblem[];
  /** Known defects seen in this case, with how many problems each explained. */
  known: Record<string, number>;
  /** Each explained problem with the defect that explains it. */
  explained: { problem: CaseProblem; defect: string }[];
}

export function triage(problems: readonly CaseProblem[], x: SymptomContext, symptoms: readonly Symptom[] = SYMPTOMS): Triage {
  const known: Record<string, number> = {};
  const rest: CaseProblem[] = [];
  const explained: Triage['explained'] = [];
  for (const p of problems) {
    if (p.invariant === 'server-log') continue;
    const s = symptoms.find((y) => y.explains(p, x));
    if (s) {
      known[s.defect] = (known[s.defect] ?? 0) + 1;
      explained.push({ problem: p, defect: s.defect });
    } else rest.push(p);
  }
  // A logged exception is explained only by a defect this very case showed.
  const seen = new Set(Object.keys(known));
  for (const p of problems.filter((q) => q.invariant === 'server-log')) {
    const f = x.o.logFindings[Number(/finding (\d+)$/.exec(p.at)?.[1])];
    const d = f ? findingExplained(f, seen) : undefined;
    if (d) {
      known[d] = (known[d] ?? 0) + 1;
      explained.push({ problem: p, defect: d });
    } else rest.push(p);
  }
  return { unexplained: rest, known, explained };
}
