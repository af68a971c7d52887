/**
 * Shard runs → one run: the pieces `npm run merge-reports` (scripts/merge-reports.ts) puts
 * together. Each shard's run dir holds Jest's outcomes (jest-results.json), the run records, the
 * OpenAPI document the API driver saved, the servers (harness.json) and JUnit XML; the merge
 * writes the same files for the union, so route coverage and the reports are computed exactly as
 * for one unsharded run. What only the union can show — a test file run twice or by no shard, a
 * shard missing, the route-coverage floor — becomes a problem that fails the merged verdict.
 */
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type RouteCoverage, routeCoverageOf } from '../api/route-coverage';
import { openAiConformanceOf, conformanceStanding } from '../api/openai-conformance-report';
import { OPENAI_SPEC_FILE } from '../api/openai-spec';
import { HARNESS_FILE, type HarnessEnv, readHarnessFile, type ServerInfo } from '../core/harness-env';
import { readRunInfo, RUN_FILES, type RunInfo } from '../core/run-dir';
import { readRecords } from '../core/run-records';
import type { RouteExclusion } from '../ledger/route-exclusions';
import { type JestSnapshot, readSnapshot, writeSnapshot } from './jest-snapshot';
import { buildReportModel, type ReportModel } from './report-model';

export interface ShardRun {
  dir: string;
  info: RunInfo | undefined;
  snapshot: JestSnapshot;
  harness: HarnessEnv | null;
}

export function mergeSnapshots(snapshots: readonly JestSnapshot[]): JestSnapshot {
  return {
    startedAt: Math.min(...snapshots.map((s) => s.startedAt)),
    finishedAt: Math.max(...snapshots.map((s) => s.finishedAt)),
    success: snapshots.every((s) => s.success),
    numTotalTests: snapshots.reduce((a, s) => a + s.numTotalTests, 0),
    files: snapshots.flatMap((s) => s.files),
    tests: snapshots.flatMap((s) => s.tests),
  };
}

/** Every shard's servers, named "<server>@<shard>" so two shards' "default" stay apart. */
export function mergeHarness(runs: readonly ShardRun[], runDir: string): HarnessEnv | null {
  const servers: Record<string, ServerInfo> = {};
  for (const [i, r] of runs.entries()) {
    const tag = r.info?.shard ?? String(i + 1);
    for (const [name, s] of Object.entries(r.harness?.servers ?? {})) servers[`${name}@${tag}`] = { ...s, name: `${name}@${tag}` };
  }
  const first = runs.find((r) => r.harness)?.harness;
  return first ? { runDir, seed: first.seed, servers } : null;
}

/**
 * What the union says about the split itself: files run by two shards, spec files no shard ran
 * (judged only when the inputs are shards i/n of one n with every i present), and missing shards.
 */
export function shardProblems(runs: readonly ShardRun[], specFiles: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const r of runs) for (const f of new Set(r.snapshot.files.map((x) => x.file))) seen.set(f, (seen.get(f) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([f]) => f);
  if (twice.length > 0) problems.push(`test files run by more than one shard: ${twice.join(', ')}`);
  const shards = runs.map((r) => r.info?.shard).filter((s): s is string => s !== undefined);
  const counts = new Set(shards.map((s) => s.split('/')[1]));
  if (shards.length === runs.length && counts.size === 1) {
    const n = Number([...counts][0]);
    const have = new Set(shards.map((s) => Number(s.split('/')[0])));
    const absent = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (absent.length > 0) problems.push(`shard${absent.length > 1 ? 's' : ''} ${absent.map((i) => `${i}/${n}`).join(', ')} not given: the merge is not the whole suite`);
    else {
      const unrun = specFiles.filter((f) => !seen.has(f));
      if (unrun.length > 0) problems.push(`test files no shard ran: ${unrun.join(', ')}`);
    }
  } else if (counts.size > 1) {
    problems.push(`the runs are shards of different splits (${[...counts].map((n) => `/${n}`).join(', ')})`);
  }
  return problems;
}

/** The suite's spec files, relative to the project root, as Jest names them in results. */
export function specFiles(projectRoot: string): string[] {
  const dir = path.join(projectRoot, 'e2e');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => `e2e/${f}`).sort() : [];
}

/** The merged verdict: the model's own, failed further by what only the union shows. */
export function withMergeProblems(model: ReportModel, problems: readonly string[]): ReportModel {
  if (problems.length === 0 || model.verdict === 'ERROR') return model;
  const line = model.verdict === 'FAIL' ? `${model.verdictLine}, ${problems.join(', ')}` : `✗ FAILED: ${problems.join(', ')}`;
  return { ...model, verdict: 'FAIL', exitCode: 1, verdictLine: line };
}

const SUITE = /<testsuite\b[\s\S]*?<\/testsuite>|<testsuite\b[^>]*\/>/g;
const ROOT_ATTR = (xml: string, name: string) => Number(new RegExp(`<testsuites\\b[^>]*\\s${name}="([\\d.]+)"`).exec(xml)?.[1] ?? 0);

/** jest-junit's files, one <testsuites> holding every shard's <testsuite> elements and their sums. */
export function mergeJunit(xmls: readonly string[], name = 'fakeai-e2e'): string {
  const suites = xmls.flatMap((x) => x.match(SUITE) ?? []);
  const sum = (attr: string) => xmls.reduce((a, x) => a + ROOT_ATTR(x, attr), 0);
  const time = Math.round(sum('time') * 1000) / 1000;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${name}" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" time="${time}">`,
    ...suites.map((s) => `  ${s}`),
    '</testsuites>',
    '',
  ].join('\n');
}

export function readJunitFiles(dirs: readonly string[], file = 'junit.xml'): string[] {
  return dirs.map((d) => path.join(d, file)).filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
}

/** A finished run's pieces, or why the directory is not one. */
export function readShardRun(dir: string): ShardRun | string {
  const snapshot = readSnapshot(dir);
  if (!snapshot) return `${dir} has no Jest results (jest-results.json): the run did not finish, or its setup failed.`;
  return { dir, info: readRunInfo(dir), snapshot, harness: readHarnessFile(dir) };
}

export interface MergeOptions {
  runs: readonly ShardRun[];
  /** The merged run's own directory (already created). */
  runDir: string;
  routeFloor: number;
  exclusions?: readonly RouteExclusion[];
  specFiles: readonly string[];
  artifacts: { json: string; junit: string; html: string };
}

export interface Merged {
  model: ReportModel;
  coverage: RouteCoverage | undefined;
  problems: string[];
  junitXml: string;
}

/**
 * Writes the union's run files into `runDir` (records, openapi.json, jest-results.json,
 * harness.json, JUnit) and builds the merged model, route coverage judged on the union.
 */
export function mergeShardRuns(o: MergeOptions): Merged {
  for (const r of o.runs) {
    const records = path.join(r.dir, RUN_FILES.records);
    if (!existsSync(records)) continue;
    const text = readFileSync(records, 'utf8');
    appendFileSync(path.join(o.runDir, RUN_FILES.records), text === '' || text.endsWith('\n') ? text : `${text}\n`);
  }
  const withSpec = o.runs.find((r) => existsSync(path.join(r.dir, OPENAI_SPEC_FILE)));
  if (withSpec) copyFileSync(path.join(withSpec.dir, OPENAI_SPEC_FILE), path.join(o.runDir, OPENAI_SPEC_FILE));
  const withDoc = o.runs.find((r) => existsSync(path.join(r.dir, RUN_FILES.openapi)));
  if (withDoc) copyFileSync(path.join(withDoc.dir, RUN_FILES.openapi), path.join(o.runDir, RUN_FILES.openapi));
  const snapshot = mergeSnapshots(o.runs.map((r) => r.snapshot));
  writeSnapshot(o.runDir, snapshot);
  const harness = mergeHarness(o.runs, o.runDir);
  if (harness) writeFileSync(path.join(o.runDir, HARNESS_FILE), JSON.stringify(harness));
  const junitXml = mergeJunit(readJunitFiles(o.runs.map((r) => r.dir)));
  writeFileSync(o.artifacts.junit, junitXml);

  const problems = shardProblems(o.runs, o.specFiles);
  let coverage: RouteCoverage | undefined;
  try {
    coverage = o.exclusions ? routeCoverageOf(o.runDir, o.routeFloor, o.exclusions) : routeCoverageOf(o.runDir, o.routeFloor);
  } catch (e) {
    problems.push(`route coverage not evaluated: ${(e as Error).message}`);
  }
  if (coverage && !coverage.ok) {
    problems.push(`route coverage ${coverage.exercisedCounted}/${coverage.counted} (${coverage.percent.toFixed(1)} %) is below the ${coverage.floor} % floor: not exercised ${coverage.missing.join(', ')}`);
  }
  if (coverage && coverage.exclusionProblems.length > 0) problems.push(`route exclusions: ${coverage.exclusionProblems.join('; ')}`);

  // OpenAI conformance on the union, strict like a whole-suite run when every shard ran the pinned build.
  let openaiConformance;
  try {
    const standing = conformanceStanding(harness);
    openaiConformance = openAiConformanceOf(o.runDir, readRecords(o.runDir), standing.pinned && problems.length === 0, undefined, standing.note);
    problems.push(...(openaiConformance?.problems ?? []));
  } catch (e) {
    problems.push(`OpenAI conformance not evaluated: ${(e as Error).message}`);
  }

  const infos = o.runs.map((r) => r.info).filter((i): i is RunInfo => i !== undefined);
  const startedAt = Math.min(snapshot.startedAt, ...infos.map((i) => Date.parse(i.startedAt)).filter(Number.isFinite));
  const finishedAt = Math.max(snapshot.finishedAt, ...infos.map((i) => (i.finishedAt ? Date.parse(i.finishedAt) : 0)));
  const model = withMergeProblems(
    buildReportModel({
      snapshot,
      records: readRecords(o.runDir),
      harness,
      seed: harness?.seed ?? null,
      startedAt,
      finishedAt,
      harnessError: null,
      teardownError: null,
      testNamePattern: null,
      selected: false,
      jestSuccess: snapshot.success,
      routeCoverage: coverage,
      openaiConformance,
      artifacts: { ...o.artifacts, serverLog: null },
    }),
    problems,
  );
  return { model, coverage, problems, junitXml };
}
