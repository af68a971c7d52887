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

const chatStream = (x: SymptomContext) => x.c.endpoint === 'chat' && x.c.stream;
const counterStaysAtZero = (p: CaseProblem) => /^\+\d+ /.test(p.expected) && /^\+0 /.test(p.actual);
const overEnforced = (x: SymptomContext) => x.enforcedWindow !== undefined && x.c.promptTokens + (x.c.limitField === 'max_tokens' ? x.c.limit ?? 0 : 0) > x.enforcedWindow;

export const SYMPTOMS: readonly Symptom[] = [
  {
    defect: 'max-tokens-floor',
    // The budget is max(10, limit): a limit under 10 yields up to 10 tokens per choice (fakeai_service.py:1818).
    explains: (p, x) => {
      if (p.invariant !== 'usage' || !/completion_tokens$/.test(p.at) || x.c.limit === undefined || x.c.limit >= 10) return false;
      const u = reportedUsage(x.c, x.o.response);
      return u !== null && u.completion_tokens <= x.c.n * 10;
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
    // Past the enforced window a chat stream answers 200 and breaks (no [DONE]) instead of a 400.
    defect: 'stream-context-length-breaks-stream',
    explains: (p, x) => chatStream(x) && overEnforced(x) && x.o.response.status === 200 && (p.invariant === 'status' || p.invariant === 'stream' || p.invariant === 'finish-reason' || p.invariant === 'usage'),
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
  x.o.logFindings.forEach((f, i) => {
    const d = findingExplained(f, seen);
    if (d) known[d] = (known[d] ?? 0) + 1;
    else rest.push(problems.find((p) => p.invariant === 'server-log' && p.actual === f.headline) ?? { at: `server log finding ${i}`, expected: 'no exception while the case ran', actual: f.headline, invariant: 'server-log' });
  });
  return { unexplained: rest, known, explained };
}
