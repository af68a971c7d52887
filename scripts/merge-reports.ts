/**
 * `npm run merge-reports -- [flags] <run dir | reports dir>...`: the shards of one suite run
 * (`npm run e2e -- --shard i/n`, each on its own machine or one after another) → one verdict, one
 * JSON, JUnit and HTML report, with the route-coverage floor judged on the union
 * (helpers/reporting/merge.ts). A reports dir stands for the run its `latest` points at. The
 * merged run is a run dir of its own, <reports dir>/runs/<id>-merged, and `latest` points at it.
 *
 * Exit codes as for `npm run e2e`: 0 the union passed, 1 it failed, 2 usage error or an input
 * that is not a finished run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseCliArgs, UsageError } from '../helpers/core/cli-args';
import { ConfigError, type HarnessConfig, loadConfig, PROJECT_ROOT } from '../helpers/core/config';
import { beginRun, finishRun, latestRunDir, newRunId, RUN_INFO_FILE } from '../helpers/core/run-dir';
import { palette } from '../helpers/reporting/colours';
import { writeHtmlReport } from '../helpers/reporting/html-report';
import { writeJsonReport } from '../helpers/reporting/json-report';
import { parseJunit } from '../helpers/reporting/junit-check';
import { mergeShardRuns, readShardRun, type ShardRun, specFiles } from '../helpers/reporting/merge';
import { renderSummary } from '../helpers/reporting/summary';

const SWITCHES = new Set(['--no-color', '--verbose']);
const FLAGS = new Set(['--reports-dir', '--route-floor', '--json', '--junit', '--html', '--keep-runs', ...SWITCHES]);
const USAGE = `Usage: npm run merge-reports -- [flags] <run dir | reports dir>...

Merges the reports of shard runs (npm run e2e -- --shard i/n) into one verdict and one JSON,
JUnit and HTML report, judging the route-coverage floor on the union.

Flags: --reports-dir DIR (where the merged run goes, default reports), --route-floor PERCENT,
       --json FILE, --junit FILE, --html FILE, --keep-runs N, --no-color, --verbose`;

function fail(msg: string): number {
  process.stderr.write(`${msg}\n`);
  return 2;
}

/** A run dir as given, or the run a reports dir's `latest` points at. */
function resolveRun(arg: string): string | undefined {
  const p = path.resolve(arg);
  return existsSync(path.join(p, RUN_INFO_FILE)) ? p : latestRunDir(p);
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
    if (!a.startsWith('--')) {
      inputs.push(a);
      continue;
    }
    const flag = a.split('=')[0];
    if (!FLAGS.has(flag)) return fail(`Unknown flag "${flag}".\n\n${USAGE}`);
    flags.push(a);
    if (!a.includes('=') && !SWITCHES.has(flag)) flags.push(argv[++i] ?? '');
  }
  if (inputs.length === 0) return fail(`Name the shard runs to merge.\n\n${USAGE}`);
  let config: HarnessConfig;
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
    const run = readShardRun(dir);
    if (typeof run === 'string') return fail(run);
    runs.push(run);
  }

  const runDir = beginRun({ reportsRoot: config.reportsRoot, runId: config.runId, keepRuns: config.keepRuns });
  const { model, junitXml } = mergeShardRuns({
    runs,
    runDir,
    routeFloor: config.routeFloor,
    specFiles: specFiles(PROJECT_ROOT),
    artifacts: { json: config.jsonReport, junit: config.junitReport, html: config.htmlReport },
  });
  writeJsonReport(model, config.jsonReport);
  writeHtmlReport(model, config.htmlReport);
  finishRun(runDir);

  const p = palette(config.color);
  const names = runs.map((r) => `${path.relative(process.cwd(), r.dir) || '.'}${r.info?.shard ? ` (shard ${r.info.shard})` : ''}`);
  let text = `${p.bold('fakeai-e2e merge-reports')} · ${runs.length} run${runs.length > 1 ? 's' : ''}: ${names.join(', ')}\n`;
  text += renderSummary(model, p, { verbose: config.verbose });
  const junit = parseJunit(junitXml);
  if (junit.testcases !== model.totals.tests) text += `warning: the merged JUnit lists ${junit.testcases} test cases, the shards ran ${model.totals.tests}\n`;
  process.stdout.write(text);
  return model.exitCode;
}

process.exitCode = main(process.argv.slice(2));
