/**
 * Facts a run collects for its reports, written as NDJSON files in the run directory.
 *
 * Tests, the test environment and the reporter live in different module registries (and, with
 * workers, different processes); files in the run directory are the one channel all of them share.
 * Appends are single `appendFileSync` calls of one line each, so concurrent writers never interleave.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One request the suite sent and what came back. */
export interface RequestRecord {
  kind: 'request';
  /** Position in its batch, 1-based, and the batch size: "[ 7/20]". */
  seq: number;
  of: number;
  /** What batch or scenario this belongs to, e.g. "request-load". */
  batch: string;
  id: string | null;
  method: string;
  path: string;
  model: string | null;
  stream: boolean;
  status: number | null;
  ok: boolean;
  durationMs: number;
  /** Streams only: time from sending to the first content chunk. */
  ttftMs: number | null;
  /** Total tokens from the server's `usage`, never a count of lines. */
  tokens: number | null;
  error: string | null;
  test: string | null;
  at: string;
}

/** One probe of a metrics or health endpoint. */
export interface EndpointRecord {
  kind: 'endpoint';
  path: string;
  served: boolean;
  status: number | null;
  contentType: string | null;
  durationMs: number | null;
  /** Why it was not checked, when it was not. */
  skipReason: string | null;
  at: string;
}

/** A check that was skipped, with its reason (never a silent pass). */
export interface SkipRecord {
  kind: 'skip';
  test: string;
  reason: string;
  at: string;
}

/** A known FakeAI defect, shown as an expected failure. */
export interface DefectRecord {
  kind: 'defect';
  id: string;
  test: string;
  summary: string;
  evidence: string;
  at: string;
}

/** An exception found in a server log. */
export interface FindingRecord {
  kind: 'finding';
  server: string;
  /** Tests running while it appeared; empty when it appeared outside any test. */
  tests: string[];
  headline: string;
  text: string;
  allowed: boolean;
  /** When allowed: the known defect of the allowance that excused it (helpers/logs/allowance-rules.ts). */
  defect?: string;
  /** When allowed: the test file it was excused in. */
  file?: string;
  at: string;
}

/**
 * One exchange with an API route (the api engineer's coverage channel): which route of
 * /openapi.json it exercised and how many contract violations it had.
 */
export interface RouteRecord {
  kind: 'route';
  method: string;
  /** Path template from /openapi.json, or a WebSocket path; null when the document has no such route. */
  route: string | null;
  path: string;
  status: number | null;
  /** Who sent it: 'http' (the API driver, node:http), 'sdk' (openai npm package 6.x), 'sdk-v7' (7.x) or 'ws'. */
  driver: string;
  violations: number;
  test: string | null;
  at: string;
}

/** A test that stopped before its checks because a step it needs failed (helpers/core/steps.ts). */
export interface BlockedRecord {
  kind: 'blocked';
  test: string;
  step: string;
  cause: string;
  at: string;
}

/**
 * A known defect that did not reproduce on a build the ledger does not cover (a checkout, a wheel):
 * the defect's full check passed. Not a failure unless --strict (helpers/checks/known-defect-test.ts).
 */
export interface FixedRecord {
  kind: 'fixed';
  id: string;
  test: string;
  summary: string;
  /** Where the defect was read in the release that has it. */
  evidence: string;
  /** What the run saw instead: the check that passed. */
  seen: string;
  at: string;
}

/** An allowed exception a full run never met, on a build whose ledger says it need not (not fatal). */
export interface AllowanceUnusedRecord {
  kind: 'allowance-unused';
  defect: string;
  pattern: string;
  file: string;
  why: string;
  at: string;
}

/**
 * One exchange on a route OpenAI defines, held to OpenAI's own document
 * (helpers/api/openai-conformance.ts): a JSON response, or a whole SSE stream.
 */
export interface OpenAiRecord {
  kind: 'openai';
  /** OpenAI's route, "POST /chat/completions". */
  route: string;
  /** The FakeAI path as requested, without the query. */
  path: string;
  driver: string;
  status: number | null;
  part: 'response' | 'stream';
  judged: boolean;
  /** Why it was not judged (a status OpenAI gives no schema, …). */
  reason: string | null;
  /** Streams: events validated. */
  events: number | null;
  deviations: { part: 'response' | 'stream' | 'request'; route: string; pointer: string; rule: string; message: string; example: string }[];
  test: string | null;
  at: string;
}


/** The failing case of a property-based exploration, shrunk, and how to replay it. */
export interface ExplorationFailure {
  method: string;
  path: string;
  body: unknown;
  /** A shell command that sends the shrunk request to the server it failed on. */
  curl: string;
  /** The problems no known defect explains, one line each. */
  problems: string[];
  /** The npm command that replays exactly this case (seed + fast-check path). */
  replay: string;
}

/** One property-based exploration (helpers/explore/): what it covered, which known defects it met, and its shrunk failure. */
export interface ExplorationRecord {
  kind: 'exploration';
  test: string;
  seed: number;
  /** fast-check's path of the shrunk counterexample; null when nothing failed. */
  path: string | null;
  budgetMs: number;
  durationMs: number;
  /** Cases run, shrinking included. */
  cases: number;
  shrinks: number;
  /** The budget ran out before fast-check's run count (the usual end of a timed run). */
  interrupted: boolean;
  /** Cases per route and mode, e.g. "chat stream": 12. */
  coverage: Record<string, number>;
  /** Known defects the cases showed, with how many problems each explained. */
  knownDefects: Record<string, number>;
  /** Metrics views a known defect took down during the exploration, not read after that: path → "defect since case k". */
  viewsDown: Record<string, string>;
  failure: ExplorationFailure | null;
  at: string;
}

export type RunRecord = RequestRecord | EndpointRecord | SkipRecord | DefectRecord | FindingRecord | RouteRecord | BlockedRecord | FixedRecord | AllowanceUnusedRecord | OpenAiRecord | ExplorationRecord;

export const RECORDS_FILE = 'records.ndjson';

export function recordsPath(runDir: string): string {
  return path.join(runDir, RECORDS_FILE);
}

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;

export function appendRecord(runDir: string, record: WithoutAt<RunRecord>): void {
  appendFileSync(recordsPath(runDir), `${JSON.stringify({ ...record, at: new Date().toISOString() })}\n`);
}

export function readRecords(runDir: string): RunRecord[] {
  const file = recordsPath(runDir);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RunRecord);
}

export function recordsOfKind<K extends RunRecord['kind']>(records: RunRecord[], kind: K): Extract<RunRecord, { kind: K }>[] {
  return records.filter((r): r is Extract<RunRecord, { kind: K }> => r.kind === kind);
}
