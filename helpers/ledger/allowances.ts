/**
 * Allowed server exceptions, as data: each belongs to one known defect and names the test files
 * (and within them the tests) that provoke it on purpose. The rules that apply them to findings
 * live in helpers/logs/allowance-rules.ts; loadConfig checks this list with allowanceProblems.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { KNOWN_DEFECTS } from './known-defects';

/**
 * Where an allowed exception may appear: a test file and, within it, the tests that provoke it.
 * A finding is tied to a test by its window of the log (docs/log-attribution.md, "How an exception is tied to a test").
 */
/**
 * The place of a race in one of the server's own threads that no request provokes: it may land in
 * any test's window or outside every test. Only for such a defect, with a pattern that matches its
 * whole traceback shape; each occurrence is still recorded and reported, and it is never stale.
 */
export const ANYWHERE = '*';

export interface AllowedPlace {
  /** The test file, relative to the project root; ANYWHERE for a server-thread race no test provokes. */
  file: string;
  /**
   * Pieces of full test names (describe blocks included) that may provoke it. Left out: only the
   * file's tests of the allowance's own defect (testKnownDefect puts "[known FakeAI defect <id>, …]"
   * in their names) — the usual case, as those are the tests that provoke it on purpose.
   */
  tests?: readonly string[];
}

/** An exception tests provoke on purpose: matched against a finding's text, excused only where named. */
export interface AllowedException {
  pattern: RegExp;
  /** The known defect (helpers/ledger/known-defects.ts) it is a symptom of; loadConfig refuses an unknown id. */
  defect: string;
  reason: string;
  /**
   * The only places it is excused: found by running the suite and reading which tests' windows
   * held it (reports/records.ndjson), not guessed. Anywhere else it fails the test as usual, and a
   * full run in which a place excused nothing fails as stale (helpers/logs/allowances.ts).
   */
  provokedBy: readonly AllowedPlace[];
}

/** Exceptions that do not fail the tests that provoke them on purpose. Each entry says why. */
export const ALLOWED_EXCEPTIONS: readonly AllowedException[] = [
  // Each pattern is the defect's own traceback line, so nothing else is hidden by it.
  {
    pattern: /Invalid size for DALL-E 3/,
    defect: 'images-invalid-size-500',
    reason: 'an unsupported size raises ValueError (500)',
    provokedBy: [{ file: 'e2e/api-generation.test.ts' }],
  },
  {
    pattern: /has no attribute 'batch_service'/,
    defect: 'batches-service-missing',
    reason: 'every /v1/batches route raises AttributeError',
    provokedBy: [{ file: 'e2e/api-batches.test.ts' }],
  },
  {
    pattern: /fakeai\/static\/dashboard(_advanced)?\.html/,
    defect: 'dashboard-html-missing',
    reason: 'the dashboard HTML is not in the wheel',
    provokedBy: [{ file: 'e2e/api-metrics.test.ts' }],
  },
  {
    pattern: /KeyError: 'rate'/,
    defect: 'metrics-prometheus-keyerror',
    reason: "/metrics/prometheus reads a missing 'rate' key",
    provokedBy: [
      { file: 'e2e/metrics-endpoints.test.ts' },
      { file: 'e2e/api-metrics.test.ts' },
      // Its snapshots read /metrics/prometheus after traffic; the defect test checks them later.
      { file: 'e2e/metrics-consistency.test.ts', tests: ['metrics consistency snapshot, '] },
      // Every explored case reads every metrics view; the explorer recognises the 500 as this defect.
      { file: 'e2e/explore-requests.test.ts', tests: ['exploring valid requests'] },
    ],
  },
  {
    pattern: /ValueError: File with ID '[^']*' not found/,
    defect: 'files-unknown-id-500',
    reason: 'an unknown file id raises ValueError (500, not 404)',
    provokedBy: [{ file: 'e2e/api-files.test.ts' }],
  },
  {
    // 0.3.1 (helpers/ledger/releases.ts): count_nodes recursing down an oversize prompt's cached chain.
    pattern: /RecursionError: maximum recursion depth exceeded/,
    defect: 'kv-cache-stats-recursion',
    reason: 'GET /kv-cache/metrics recurses past the limit once a prompt of over ~1000 tokens was cached',
    provokedBy: [{ file: 'e2e/api-metrics.test.ts' }, { file: 'e2e/explore-requests.test.ts', tests: ['exploring valid requests'] }],
  },
  {
    pattern: /fakeai\.context_validator\.ContextLengthExceededError/,
    defect: 'stream-context-length-breaks-stream',
    reason: 'an oversize streamed prompt raises inside the stream',
    provokedBy: [{ file: 'e2e/bad-input.test.ts' }, { file: 'e2e/explore-requests.test.ts', tests: ['exploring valid requests'] }],
  },
  {
    pattern: /reasoning_tokens_count = len\(reasoning_tokens\) if reasoning_tokens else 0/,
    defect: 'reasoning-stream-usage-crash',
    reason: 'a reasoning model\'s stream with include_usage raises TypeError at its end',
    provokedBy: [{ file: 'e2e/explore-requests.test.ts', tests: ['exploring valid requests'] }],
  },
  {
    pattern: /'FakeAIService' object has no attribute '\w*vector_store\w*'/,
    defect: 'vector-stores-unreachable',
    reason: 'the vector-store methods live on the wrong class',
    provokedBy: [{ file: 'e2e/api-vector-stores.test.ts' }],
  },
  {
    pattern: /generate_simulated_audio\(\) got an unexpected keyword argument 'format'/,
    defect: 'realtime-audio-crash',
    reason: 'realtime audio responses crash',
    provokedBy: [{ file: 'e2e/api-websockets.test.ts' }],
  },
  {
    // The whole shape: the printer thread's name, its frames, and the RuntimeError. A request
    // handler's own "dictionary changed size" (a different defect) would not match.
    pattern: /Exception in thread [^\n]*\(_print_metrics_periodically\)[\s\S]*fakeai\/metrics\.py", line \d+, in get_metrics[\s\S]*RuntimeError: dictionary changed size during iteration/,
    defect: 'metrics-printer-race',
    reason: "the metrics printer thread races the requests' first tracking of an endpoint; it lands wherever the 5 s tick falls (seen 3 times in ~35 parallel runs)",
    provokedBy: [{ file: ANYWHERE }],
  },
];

/**
 * What is wrong with an allowlist, one line per problem: an unknown defect id, no place, a file
 * that does not exist. A typo there would otherwise make a dead allowance that never matches.
 */
export function allowanceProblems(allowed: readonly AllowedException[], root: string, defectIds: readonly string[] = KNOWN_DEFECTS.map((d) => d.id)): string[] {
  const problems: string[] = [];
  for (const a of allowed) {
    const name = `allowance /${a.pattern.source}/`;
    if (!defectIds.includes(a.defect)) problems.push(`${name}: unknown known-defect id "${a.defect}" (helpers/ledger/known-defects.ts has: ${defectIds.join(', ')})`);
    if (a.provokedBy.length === 0) problems.push(`${name}: names no test file (provokedBy is empty), so it could never excuse anything`);
    for (const p of a.provokedBy) {
      if (p.file !== ANYWHERE && !existsSync(path.resolve(root, p.file))) problems.push(`${name}: test file ${p.file} does not exist (paths are relative to the project root)`);
      if (p.tests && p.tests.length === 0) problems.push(`${name}: ${p.file} has an empty tests list; leave it out to mean the defect's own tests`);
    }
  }
  return problems;
}
