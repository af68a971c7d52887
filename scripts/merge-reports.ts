/**
 * `npm run merge-reports -- [flags] <run dir | reports dir>...`: the shards of one suite run
 * (`npm run e2e -- --shard i/n`, each on its own machine or one after another) → one verdict, one
 * JSON, JUnit and HTML report, with the route-coverage floor judged on the union. A reports dir
 * stands for the run its `latest` points at. The merged run is a run dir of its own,
 * <reports dir>/runs/<id>-merged, and `latest` points at it.
 *
 * Exit codes as for `npm run e2e`: 0 the union passed, 1 it failed, 2 usage error or an input
 * that is not a finished run.
 */
import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { routeCoverageOf } from '../helpers/api/route-coverage';
import { parseCliArgs, UsageError } from '../helpers/core/cli-args';
import { ConfigError, loadConfig, PROJECT_ROOT } from '../helpers/core/config';
import { HARNESS_FILE, readHarnessFile } from '../helpers/core/harness-env';
import { beginRun, finishRun, latestRunDir, newRunId, readRunInfo, RUN_FILES, RUN_INFO_FILE } from '../helpers/core/run-dir';
import { readRecords } from '../helpers/core/run-records';
import { palette } from '../helpers/reporting/colours';
import { writeHtmlReport } from '../helpers/reporting/html-report';
import { readSnapshot, writeSnapshot } from '../helpers/reporting/jest-snapshot';
import { writeJsonReport } from '../helpers/reporting/json-report';
import { parseJunit } from '../helpers/reporting/junit-check';
import { mergeHarness, mergeJunit, mergeSnapshots, readJunitFiles, shardProblems, type ShardRun, specFiles, withMergeProblems } from '../helpers/reporting/merge';
import { buildReportModel } from '../helpers/reporting/report-model';
import { renderSummary } from '../helpers/reporting/summary';

const FLAGS = new Set(['--reports-dir', '--route-floor', '--no-color', '--json', '--junit', '--html', '--keep-runs', '--verbose']);
const USAGE = `Usage: npm run merge-reports -- [flags] <run dir | reports dir>...

Merges the reports of shard runs (npm run e2e -- --shard i/n) into one verdict and one JSON,
JUnit and HTML report, judging the route-coverage floor on the union.

Flags: --reports-dir DIR (where the merged run goes, default reports), --route-floor PERCENT,
       --json FILE, --junit FILE, --html FILE, --keep-runs N, --no-color, --verbose`;

function fail(msg: string, code = 2): number {
  process.stderr.write(`${msg}\n`);
  return code;
}

/** A run dir as given, or the run a reports dir's `latest` points at. */
function resolveRun(arg: string): string | undefined {
  const p = path.resolve(arg);
  if (existsSync(path.join(p, RUN_INFO_FILE))) return p;
  return latestRunDir(p);
}

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const flags: string[] = [];
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) inputs.push(a);
    else {
      const flag = a.split('=')[0];
      if (!FLAGS.has(flag)) return fail(`Unknown flag "${flag}".\n\n${USAGE}`);
      flags.push(a);
      if (!a.includes('=') && flag !== '--no-color' && flag !== '--verbose') flags.push(argv[++i] ?? '');
    }
  }
  if (inputs.length === 0) return fail(`Name the shard runs to merge.\n\n${USAGE}`);
  let config;
  try {
    Object.assign(process.env, parseCliArgs(flags).env, { E2E_RUN_ID: `${newRunId()}-merged` });
    config = loadConfig();
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) return fail(e.message);
    throw e;
  }

  const runs: ShardRun[] = [];
  for (const input of inputs) {
    const dir = resolveRun(input);
    if (!dir) return fail(`${input} is neither a run directory (no ${RUN_INFO_FILE}) nor a reports directory with a "latest" run.`);
    const snapshot = readSnapshot(dir);
    if (!snapshot) return fail(`${dir} has no Jest results (${'jest-results.json'}): the run did not finish, or its setup failed.`);
    runs.push({ dir, info: readRunInfo(dir), snapshot, harness: readHarnessFile(dir) });
  }

  const runDir = beginRun({ reportsRoot: config.reportsRoot, runId: config.runId, keepRuns: config.keepRuns });
  // The union's run files, so coverage and reports are computed as for one run.
  for (const r of runs) {
    const records = path.join(r.dir, RUN_FILES.records);
    if (existsSync(records)) appendFileSync(path.join(runDir, RUN_FILES.records), readFileSyncSafe(records));
  }
  const withDoc = runs.find((r) => existsSync(path.join(r.dir, RUN_FILES.openapi)));
  if (withDoc) copyFileSync(path.join(withDoc.dir, RUN_FILES.openapi), path.join(runDir, RUN_FILES.openapi));
  const snapshot = mergeSnapshots(runs.map((r) => r.snapshot));
  writeSnapshot(runDir, snapshot);
  const harness = mergeHarness(runs, runDir);
  if (harness) writeFileSync(path.join(runDir, HARNESS_FILE), JSON.stringify(harness));
  writeFileSync(config.junitReport, mergeJunit(readJunitFiles(runs.map((r) => r.dir))));

  const problems = shardProblems(runs, specFiles(PROJECT_ROOT));
  let coverage;
  try {
    coverage = routeCoverageOf(runDir, config.routeFloor);
  } catch (e) {
    problems.push(`route coverage not evaluated: ${(e as Error).message}`);
  }
  if (coverage && !coverage.ok) problems.push(`route coverage ${coverage.exercisedCounted}/${coverage.counted} (${coverage.percent.toFixed(1)} %) is below the ${config.routeFloor} % floor: not exercised ${coverage.missing.join(", ")}`);
  if (coverage && coverage.exclusionProblems.length > 0) problems.push(`route exclusions: ${coverage.exclusionProblems.join('; ')}`);

  const infos = runs.map((r) => r.info).filter((i) => i !== undefined);
  const started = Math.min(...infos.map((i) => Date.parse(i.startedAt)).filter(Number.isFinite), snapshot.startedAt);
  const finished = Math.max(...infos.map((i) => (i.finishedAt ? Date.parse(i.finishedAt) : 0)), snapshot.finishedAt);
  const junitOk = existsSync(config.junitReport);
  const model = withMergeProblems(
    buildReportModel({
      snapshot,
      records: readRecords(runDir),
      harness,
      seed: harness?.seed ?? null,
      startedAt: started,
      finishedAt: finished,
      harnessError: null,
      teardownError: null,
      testNamePattern: null,
      selected: false,
      jestSuccess: snapshot.success,
      routeCoverage: coverage,
      artifacts: { json: config.jsonReport, junit: junitOk ? config.junitReport : null, html: config.htmlReport, serverLog: null },
    }),
    problems,
  );
  writeJsonReport(model, config.jsonReport);
  writeHtmlReport(model, config.htmlReport);
  finishRun(runDir);

  const junit = parseJunit(mergeJunit(readJunitFiles(runs.map((r) => r.dir))));
  const p = palette(config.color);
  let text = `${p.bold('fakeai-e2e merge-reports')} · ${runs.length} run${runs.length > 1 ? 's' : ''}: ${runs.map((r) => `${path.relative(process.cwd(), r.dir) || '.'}${r.info?.shard ? ` (shard ${r.info.shard})` : ''}`).join(', ')}\n`;
  text += renderSummary(model, p, { verbose: config.verbose });
  if (junit.testcases !== model.totals.tests) text += `warning: the merged JUnit lists ${junit.testcases} test cases, the shards ran ${model.totals.tests}\n`;
  process.stdout.write(text);
  return model.exitCode;
}

function readFileSyncSafe(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

process.exitCode = main(process.argv.slice(2));
