/**
 * One run, as data: Jest's outcomes + the run records + the harness facts → the ReportModel that
 * the terminal summary, e2e-report.json and e2e-report.html all render. Pure, so every rule here
 * (what counts as skipped, what fails the run, which exit code) is unit-tested with made-up input.
 */
import type { BuildIdentity, HarnessEnv } from '../core/harness-env';
import { ledgerStanding } from '../ledger/releases';
import { recordsOfKind, type AllowanceUnusedRecord, type BlockedRecord, type FixedRecord, type DefectRecord, type EndpointRecord, type ExplorationRecord, type FindingRecord, type RequestRecord, type RunRecord } from '../core/run-records';
import type { FileOutcome, JestSnapshot, TestOutcome } from './jest-snapshot';
import type { RouteCoverage } from '../api/route-coverage';
import type { OpenAiConformanceReport } from '../api/openai-conformance-report';
import { coverageReport, routeStats, type ApiRoutes, type RouteCoverageReport } from './route-report';
import { summarize, type Summary } from '../core/stats';
import { fakeaiVersionNote } from '../server/server-version';

export const REPORT_SCHEMA_VERSION = 1;

export type Verdict = 'PASS' | 'FAIL' | 'ERROR';

export interface SkipEntry {
  test: string;
  reason: string;
  /** 'record': the test said why (appendRecord kind "skip"); 'jest': Jest skipped it. */
  source: 'record' | 'jest';
}

export interface ModelStats {
  requests: number;
  streams: number;
  latencyMedianMs: number | null;
  ttftMedianMs: number | null;
  tokens: number;
}

export interface ServerFacts {
  name: string;
  baseUrl: string;
  port: number | null;
  spawned: boolean;
  pid: number | null;
  command: string | null;
  /** preload (forked from the launcher) or spawn; null for a reused server or an older run. */
  launch: 'preload' | 'spawn' | null;
  fakeaiVersion: string | null;
  /** Why fakeaiVersion is null (reuse mode: the server does not say), else null. */
  fakeaiVersionNote: string | null;
  bootToReadyMs: number | null;
  logFile: string | null;
}

export interface ReportModel {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: 'fakeai-e2e';
  generatedAt: string;
  seed: number | null;
  verdict: Verdict;
  exitCode: 0 | 1 | 2;
  /** The final line, without colour. */
  verdictLine: string;
  timings: { startedAt: string | null; finishedAt: string; wallMs: number; testsMs: number | null };
  totals: {
    tests: number;
    passed: number;
    failed: number;
    skippedTests: number;
    skippedChecks: number;
    todo: number;
    knownDefects: number;
    /** Distinct known defects reported FIXED (unknown builds only). */
    fixedDefects: number;
    fileErrors: number;
    exceptions: number;
    unexpectedExceptions: number;
  };
  tests: (TestOutcome & { skipReason: string | null })[];
  /** The FakeAI build judged (version, origin, commit, how installed); null when nothing says. */
  build: BuildIdentity | null;
  /** What the known-defect ledger covers of it (helpers/ledger/releases.ts). */
  ledger: { standing: 'release' | 'unknown'; version: string | null; note: string };
  /** Known defects that did not reproduce on a build the ledger does not cover. */
  fixed: FixedRecord[];
  /** Tests stopped before their checks because a step they need failed (helpers/core/steps.ts). */
  blocked: BlockedRecord[];
  /** Allowed exceptions a full run never met where the ledger says this build need not raise them. */
  allowancesUnused: AllowanceUnusedRecord[];
  files: FileOutcome[];
  skips: SkipEntry[];
  defects: DefectRecord[];
  requests: {
    summary: { total: number; ok: number; failed: number; latencyMs: Summary; ttftMs: Summary; tokens: number };
    byModel: (ModelStats & { model: string })[];
    items: RequestRecord[];
  };
  metricsEndpoints: EndpointRecord[];
  /** The 'route' records grouped per route: which documented and WebSocket routes were called. */
  apiRoutes: ApiRoutes;
  /** Every served route, exercised or not (with the reason); null when no API test ran. */
  routeCoverage: RouteCoverageReport | null;
  /** FakeAI held to OpenAI's own document, per mapped route (api/openai-conformance-report.ts). */
  openaiConformance: OpenAiConformanceReport | null;
  exceptions: FindingRecord[];
  /** Property-based explorations (e2e/explore-requests.test.ts): coverage, known defects met, the shrunk failure with its reproducer. */
  explorations: ExplorationRecord[];
  servers: ServerFacts[];
  harnessError: { code: string; message: string } | null;
  teardownError: string | null;
  /** junit/serverLog are null when the run did not produce them (e.g. setup failed). */
  artifacts: { json: string; junit: string | null; html: string; serverLog: string | null };
}

export interface ModelInput {
  snapshot: JestSnapshot | null;
  records: RunRecord[];
  harness: HarnessEnv | null;
  seed: number | null;
  /** Started before globalSetup: the wall time covers the server's boot. */
  startedAt: number;
  finishedAt: number;
  harnessError?: { code: string; message: string } | null;
  teardownError?: string | null;
  /** Set when Jest ran with -t: tests it skipped were not selected rather than skipped in code. */
  testNamePattern?: string | null;
  /** Only selected tests ran (test paths or -t). */
  selected?: boolean;
  artifacts: ReportModel['artifacts'];
  /** runCLI's own success flag when it returned (it also counts reporter errors). */
  jestSuccess?: boolean | null;
  /** The build, when the harness handoff does not carry it (setup failed before globalSetup wrote it). */
  build?: BuildIdentity | null;
  /** route-coverage.ts's evaluation of the run dir; absent or null when no API test ran. */
  routeCoverage?: RouteCoverage | null;
  openaiConformance?: OpenAiConformanceReport | null;
}

function serverFacts(h: HarnessEnv | null): ServerFacts[] {
  if (!h) return [];
  return Object.values(h.servers).map((s) => {
    const port = Number(new URL(s.baseUrl).port);
    return {
      name: s.name,
      baseUrl: s.baseUrl,
      port: Number.isInteger(port) && port > 0 ? port : null,
      spawned: s.spawned,
      pid: s.pid ?? null,
      command: s.command ? s.command.join(' ') : null,
      launch: s.launch ?? null,
      fakeaiVersion: s.fakeaiVersion ?? null,
      fakeaiVersionNote: fakeaiVersionNote(s),
      bootToReadyMs: s.bootToReadyMs ?? null,
      logFile: s.logFile ?? null,
    };
  });
}

function byModel(items: RequestRecord[]): ReportModel['requests']['byModel'] {
  const groups = new Map<string, RequestRecord[]>();
  for (const r of items) {
    const key = r.model ?? `${r.method} ${r.path}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].map(([model, rs]) => ({
    model,
    requests: rs.length,
    streams: rs.filter((r) => r.stream).length,
    latencyMedianMs: summarize(rs.map((r) => r.durationMs)).median,
    ttftMedianMs: summarize(rs.filter((r) => r.stream && r.ttftMs !== null).map((r) => r.ttftMs as number)).median,
    tokens: rs.reduce((a, r) => a + (r.tokens ?? 0), 0),
  }));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function buildReportModel(input: ModelInput): ReportModel {
  const { snapshot, records } = input;
  const skipRecords = recordsOfKind(records, 'skip');
  const defects = recordsOfKind(records, 'defect');
  const exceptions = recordsOfKind(records, 'finding');
  const requests = recordsOfKind(records, 'request');
  const endpoints = recordsOfKind(records, 'endpoint');
  const routeRecords = recordsOfKind(records, 'route');
  const fixed = recordsOfKind(records, 'fixed');
  const build = input.harness?.build ?? input.build ?? null;
  const standing = ledgerStanding(build ?? undefined);

  const recordedReason = new Map(skipRecords.map((s) => [s.test, s.reason]));
  const jestSkipReason = input.testNamePattern
    ? `not selected by -t "${input.testNamePattern}"`
    : 'skipped in code (test.skip / describe.skip) without a recorded reason';
  const tests = (snapshot?.tests ?? []).map((t) => ({
    ...t,
    skipReason: t.status === 'skipped' ? (recordedReason.get(t.name) ?? jestSkipReason) : (recordedReason.get(t.name) ?? null),
  }));
  const skips: SkipEntry[] = [
    ...tests.filter((t) => t.status === 'skipped').map((t) => ({ test: t.name, reason: t.skipReason as string, source: 'jest' as const })),
    ...skipRecords.filter((s) => !tests.some((t) => t.status === 'skipped' && t.name === s.test)).map((s) => ({ test: s.test, reason: s.reason, source: 'record' as const })),
  ];
  const count = (s: TestOutcome['status']) => tests.filter((t) => t.status === s).length;
  const fileErrors = (snapshot?.files ?? []).filter((f) => f.error !== null).length;
  const unexpected = exceptions.filter((e) => !e.allowed).length;
  const totals = {
    tests: tests.length,
    passed: count('passed'),
    failed: count('failed'),
    skippedTests: count('skipped'),
    skippedChecks: skips.filter((s) => s.source === 'record').length,
    todo: count('todo'),
    // Distinct defects: one FakeAI bug seen by three tests is one known defect.
    knownDefects: new Set(defects.map((d) => d.id)).size,
    fixedDefects: new Set(fixed.map((d) => d.id)).size,
    fileErrors,
    exceptions: exceptions.length,
    unexpectedExceptions: unexpected,
  };

  let verdict: Verdict;
  let verdictLine: string;
  const harnessError = input.harnessError ?? null;
  if (harnessError || !snapshot) {
    verdict = 'ERROR';
    verdictLine = `✗ SETUP ERROR${harnessError ? ` (${harnessError.code})` : ''}: no tests ran`;
  } else {
    const problems: string[] = [];
    if (totals.failed > 0) problems.push(`${totals.failed} of ${totals.tests} tests failed`);
    if (fileErrors > 0) problems.push(`${plural(fileErrors, 'test file')} could not run`);
    if (unexpected > 0) problems.push(plural(unexpected, 'unexpected server exception'));
    if (input.teardownError) problems.push('teardown failed');
    if (totals.tests === 0) problems.push('no tests ran');
    if (problems.length === 0 && (!snapshot.success || input.jestSuccess === false)) problems.push('Jest reported the run as failed');
    verdict = problems.length > 0 ? 'FAIL' : 'PASS';
    const notes = [
      totals.skippedTests + totals.skippedChecks > 0 ? `${totals.skippedTests + totals.skippedChecks} skipped` : '',
      totals.knownDefects > 0 ? plural(totals.knownDefects, 'known defect') : '',
      totals.fixedDefects > 0 ? `${plural(totals.fixedDefects, 'known defect')} FIXED` : '',
    ].filter(Boolean);
    verdictLine =
      verdict === 'PASS'
        ? `✓ ALL TESTS PASSED (${totals.passed}/${totals.tests})${notes.length ? `, ${notes.join(', ')}` : ''}`
        : `✗ FAILED: ${problems.join(', ')}`;
  }

  const latencies = requests.map((r) => r.durationMs);
  const ttfts = requests.filter((r) => r.stream && r.ttftMs !== null).map((r) => r.ttftMs as number);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'fakeai-e2e',
    generatedAt: new Date(input.finishedAt).toISOString(),
    seed: input.seed,
    verdict,
    exitCode: verdict === 'PASS' ? 0 : verdict === 'FAIL' ? 1 : 2,
    verdictLine,
    timings: {
      startedAt: new Date(input.startedAt).toISOString(),
      finishedAt: new Date(input.finishedAt).toISOString(),
      wallMs: input.finishedAt - input.startedAt,
      testsMs: snapshot ? snapshot.finishedAt - snapshot.startedAt : null,
    },
    totals,
    tests,
    build,
    ledger:
      standing.kind === 'release'
        ? { standing: 'release', version: standing.version, note: `release ${standing.version}: known defects are expected failures as the ledger lists them` }
        : { standing: 'unknown', version: build?.version ?? null, note: `not a release the ledger covers (${standing.why}): a known defect that no longer reproduces is reported FIXED` },
    fixed,
    blocked: recordsOfKind(records, 'blocked'),
    allowancesUnused: recordsOfKind(records, 'allowance-unused'),
    files: snapshot?.files ?? [],
    skips,
    defects,
    requests: {
      summary: {
        total: requests.length,
        ok: requests.filter((r) => r.ok).length,
        failed: requests.filter((r) => !r.ok).length,
        latencyMs: summarize(latencies),
        ttftMs: summarize(ttfts),
        tokens: requests.reduce((a, r) => a + (r.tokens ?? 0), 0),
      },
      byModel: byModel(requests),
      items: requests,
    },
    metricsEndpoints: endpoints,
    apiRoutes: routeStats(routeRecords),
    routeCoverage: coverageReport(input.routeCoverage, routeRecords, input.selected ?? false),
    openaiConformance: input.openaiConformance ?? null,
    exceptions,
    explorations: recordsOfKind(input.records, 'exploration'),
    servers: serverFacts(input.harness),
    harnessError,
    teardownError: input.teardownError ?? null,
    artifacts: input.artifacts,
  };
}
