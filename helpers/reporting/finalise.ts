/**
 * The end of a run, done by the CLI after runCLI returns (or throws): by then globalTeardown has
 * stopped the servers and recorded any exception left outside a test, so the summary, the JSON and
 * the HTML all include it. Also the beginning: stale per-run files are removed so a failed setup
 * can never be reported with the previous run's results.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { beginRun } from '../core/run-dir';
import path from 'node:path';
import type { HarnessConfig } from '../core/config';
import { readHarnessEnv, type HarnessEnv } from '../core/harness-env';
import { routeCoverageOf, type RouteCoverage } from '../api/route-coverage';
import { ROUTE_EXCLUSIONS } from '../ledger/route-exclusions';
import { exclusionsFor, ledgerStanding } from '../ledger/releases';
import { KNOWN_DEFECTS } from '../ledger/known-defects';
import { openAiConformanceOf, conformanceStanding, type OpenAiConformanceReport } from '../api/openai-conformance-report';
import { readRecords, recordsPath } from '../core/run-records';
import { palette } from './colours';
import { readSnapshot, SNAPSHOT_FILE } from './jest-snapshot';
import { writeHtmlReport } from './html-report';
import { writeJsonReport } from './json-report';
import { parseJunit } from './junit-check';
import { addJunitProperties, runProperties } from './junit-properties';
import { buildOfRun } from '../server/build-install';
import { buildReportModel, type ReportModel } from './report-model';
import { renderSummary } from './summary';

export function harnessOrNull(): HarnessEnv | null {
  try {
    return readHarnessEnv();
  } catch {
    return null;
  }
}

/**
 * Creates this run's own directory (helpers/core/run-dir.ts) before Jest starts, so nothing an
 * earlier or concurrent run wrote can be read as this run's. A JUnit file named by --junit lives
 * outside it and may be a previous run's: removed, so a failed setup never reports it.
 */
export function clearRunFiles(config: HarnessConfig): void {
  beginRun({ reportsRoot: config.reportsRoot, runId: config.runId, keepRuns: config.keepRuns, shard: config.shard });
  const stale = [recordsPath(config.runDir), path.join(config.runDir, SNAPSHOT_FILE), path.join(config.runDir, 'openapi.json'), config.junitReport];
  for (const f of stale) rmSync(f, { force: true });
}

export interface FinaliseInput {
  config: HarnessConfig;
  startedAt: number;
  harnessError: { code: string; message: string } | null;
  teardownError: string | null;
  testNamePattern: string | null;
  /** The run selected tests (test paths or -t); absent means the whole suite. */
  selected?: boolean;
  jestSuccess: boolean | null;
}

export interface FinalisedRun {
  model: ReportModel;
  /** The terminal summary, coloured or not per config.color. */
  text: string;
  /** Set when junit.xml is missing, unreadable or counts other tests than Jest ran. */
  junitProblem: string | null;
}

export function finaliseRun(input: FinaliseInput): FinalisedRun {
  const { config } = input;
  const harness = harnessOrNull();
  const runDir = harness?.runDir ?? config.runDir;
  const snapshot = input.harnessError ? null : readSnapshot(runDir);
  let routeCoverage: RouteCoverage | undefined;
  let coverageProblem: string | null = null;
  try {
    routeCoverage = routeCoverageOf(runDir, config.routeFloor, exclusionsFor(ROUTE_EXCLUSIONS, ledgerStanding(harness?.build), KNOWN_DEFECTS));
  } catch (e) {
    // A damaged openapi.json must not cost the run its report; say so instead.
    coverageProblem = `route coverage not evaluated: ${(e as Error).message}`;
  }
  const records = readRecords(runDir);
  let openaiConformance: OpenAiConformanceReport | undefined;
  try {
    const standing = conformanceStanding(harness);
    openaiConformance = openAiConformanceOf(runDir, records, !(input.selected ?? false) && standing.pinned, undefined, standing.note);
  } catch (e) {
    coverageProblem = `OpenAI conformance not evaluated: ${(e as Error).message}`;
  }
  const model = buildReportModel({
    snapshot,
    records,
    harness,
    seed: config.seed,
    startedAt: input.startedAt,
    finishedAt: Date.now(),
    harnessError: input.harnessError ?? (snapshot ? null : { code: 'NO_RESULTS', message: 'Jest finished without reporting any results.' }),
    teardownError: input.teardownError,
    testNamePattern: input.testNamePattern,
    selected: input.selected ?? false,
    jestSuccess: input.jestSuccess,
    routeCoverage,
    // globalSetup writes the build into the handoff; a run that failed before it (a --fakeai build that does not import) asks here.
    build: harness?.build ?? buildOfRun(config),
    openaiConformance,
    artifacts: {
      json: config.jsonReport,
      junit: existsSync(config.junitReport) ? config.junitReport : null,
      html: config.htmlReport,
      serverLog: existsSync(config.serverLogFile) ? config.serverLogFile : null,
    },
  });
  if (existsSync(config.junitReport)) {
    // Before the count check below reads it back: the properties must not change what it counts.
    writeFileSync(config.junitReport, addJunitProperties(readFileSync(config.junitReport, 'utf8'), runProperties(model)));
  }
  writeJsonReport(model, config.jsonReport);
  writeHtmlReport(model, config.htmlReport);

  let junitProblem: string | null = null;
  if (snapshot) {
    if (!existsSync(config.junitReport)) junitProblem = `${config.junitReport} was not written`;
    else {
      try {
        const j = parseJunit(readFileSync(config.junitReport, 'utf8'));
        if (j.testcases !== model.totals.tests) junitProblem = `${config.junitReport} lists ${j.testcases} test cases, Jest ran ${model.totals.tests}`;
      } catch (e) {
        junitProblem = `${config.junitReport} is not well-formed XML: ${(e as Error).message}`;
      }
    }
  }
  let text = renderSummary(model, palette(config.color), { verbose: config.verbose && !config.quiet });
  const warnings = [junitProblem, coverageProblem].filter((w): w is string => w !== null);
  if (warnings.length > 0) text = `${text}\n${warnings.map((w) => `warning: ${w}`).join('\n')}\n`;
  return { model, text, junitProblem };
}
