/**
 * Route coverage: which routes of the server's own /openapi.json the run exercised, from the
 * 'route' records the API driver writes (run-records.ts). Pure evaluation plus one file-reading
 * entry point for globalTeardown or the reporter; the floor is a percentage of the routes that are
 * not excluded (route-exclusions.ts), 100 by default.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { Contract, type OpenApiDocument } from './contract';
import { runFile } from '../core/run-dir';
import { readHarnessEnv } from '../core/harness-env';
import { ROUTE_EXCLUSIONS, type RouteExclusion } from '../ledger/route-exclusions';
import { exclusionsFor, ledgerStanding } from '../ledger/releases';
import { KNOWN_DEFECTS } from '../ledger/known-defects';
import { readRecords, recordsOfKind, type RouteRecord } from '../core/run-records';

const EXCLUSIONS_FILE = 'helpers/ledger/route-exclusions.ts';

/** WebSocket routes: FastAPI leaves them out of /openapi.json, but they are served and checked. */
export const WEBSOCKET_ROUTES: readonly string[] = ['WS /metrics/stream', 'WS /v1/realtime'];

export interface RouteCoverageRow {
  route: string;
  exercised: boolean;
  /** Exchanges recorded for it, the statuses seen, and how many broke the contract. */
  requests: number;
  statuses: number[];
  violations: number;
  /** Why it was not exercised: the exclusion's reason, or "no test sent a request". */
  reason: string | null;
  excluded: boolean;
}

export interface RouteCoverage {
  rows: RouteCoverageRow[];
  /** Routes that count toward the floor (served, not excluded). */
  counted: number;
  exercisedCounted: number;
  percent: number;
  floor: number;
  ok: boolean;
  /** Counted routes nobody exercised. */
  missing: string[];
  /** Exclusions that name a route the document does not serve: the list went stale. */
  staleExclusions: string[];
  /** Exclusions whose route a test exercised anyway: the reason no longer holds. */
  exercisedExclusions: string[];
  /** Both of the above as sentences saying what to do; any of them fails the gate, whatever the floor. */
  exclusionProblems: string[];
}

export function evaluateRouteCoverage(doc: OpenApiDocument, records: readonly RouteRecord[], exclusions: readonly RouteExclusion[] = ROUTE_EXCLUSIONS, floor = 100): RouteCoverage {
  const served = [...new Contract(doc).routes().map((r) => `${r.method} ${r.template}`), ...WEBSOCKET_ROUTES];
  const byRoute = new Map<string, RouteRecord[]>();
  for (const rec of records) {
    if (!rec.route) continue;
    const key = `${rec.method.toUpperCase()} ${rec.route}`;
    byRoute.set(key, [...(byRoute.get(key) ?? []), rec]);
  }
  const rows = served.map((route): RouteCoverageRow => {
    const seen = byRoute.get(route) ?? [];
    const exclusion = exclusions.find((e) => e.route === route);
    return {
      route,
      exercised: seen.length > 0,
      requests: seen.length,
      statuses: [...new Set(seen.map((r) => r.status).filter((s): s is number => s !== null))].sort((a, b) => a - b),
      violations: seen.reduce((n, r) => n + r.violations, 0),
      reason: seen.length > 0 ? null : (exclusion?.reason ?? 'no test sent a request'),
      excluded: Boolean(exclusion),
    };
  });
  const countedRows = rows.filter((r) => !r.excluded);
  const exercisedCounted = countedRows.filter((r) => r.exercised).length;
  const percent = countedRows.length === 0 ? 100 : (100 * exercisedCounted) / countedRows.length;
  const staleExclusions = exclusions.filter((e) => !served.includes(e.route)).map((e) => e.route);
  const exercisedExclusions = rows.filter((r) => r.excluded && r.exercised);
  return {
    rows,
    counted: countedRows.length,
    exercisedCounted,
    percent,
    floor,
    ok: percent >= floor,
    missing: countedRows.filter((r) => !r.exercised).map((r) => r.route),
    staleExclusions,
    exercisedExclusions: exercisedExclusions.map((r) => r.route),
    exclusionProblems: [
      ...staleExclusions.map((route) => `stale exclusion: ${route} is not served by this server — delete its entry from ${EXCLUSIONS_FILE}`),
      ...exercisedExclusions.map((r) => `excluded but exercised anyway: ${r.route} (${r.requests} call${r.requests === 1 ? '' : 's'}) — the route is now exercised: remove its exclusion from ${EXCLUSIONS_FILE} so it counts toward the floor`),
    ],
  };
}

export function formatRouteCoverage(c: RouteCoverage): string {
  const head = `Route coverage: ${c.exercisedCounted}/${c.counted} served routes exercised (${c.percent.toFixed(1)} %, floor ${c.floor} %), ${c.rows.filter((r) => r.excluded).length} excluded with a reason`;
  const lines = [head];
  for (const r of c.rows.filter((x) => !x.exercised)) lines.push(`  ${r.excluded ? 'excluded' : 'NOT exercised'}  ${r.route} — ${r.reason}`);
  for (const s of c.exclusionProblems) lines.push(`  ${s}`);
  return lines.join('\n');
}

export class RouteCoverageError extends Error {
  readonly code = 'ROUTE_COVERAGE_BELOW_FLOOR';
}

/**
 * Reads the run dir (records + the openapi.json the driver saved) and evaluates coverage; returns
 * undefined when no API test ran (no document saved), so a partial run is not failed for it.
 */
export function routeCoverageOf(runDir: string, floor = 100, exclusions: readonly RouteExclusion[] = ROUTE_EXCLUSIONS): RouteCoverage | undefined {
  const docFile = path.join(runDir, 'openapi.json');
  if (!existsSync(docFile)) return undefined;
  const doc = JSON.parse(readFileSync(docFile, 'utf8')) as OpenApiDocument;
  return evaluateRouteCoverage(doc, recordsOfKind(readRecords(runDir), 'route'), exclusions, floor);
}

/**
 * The gate: throws RouteCoverageError (listing the missing routes) under the floor, and also when
 * an exclusion is stale or its route was exercised anyway, so the exclusion list cannot rot.
 */
export function assertRouteCoverage(runDir: string, floor = 100, exclusions: readonly RouteExclusion[] = ROUTE_EXCLUSIONS): RouteCoverage | undefined {
  const c = routeCoverageOf(runDir, floor, exclusions);
  if (c && (!c.ok || c.exclusionProblems.length > 0)) throw new RouteCoverageError(formatRouteCoverage(c));
  return c;
}

/** The API test files that together must reach the floor: every e2e/api-*.test.ts and sdk-*.test.ts. */
export function apiTestFiles(e2eDir: string): string[] {
  return readdirSync(e2eDir).filter((f) => /^(api|sdk)-.*\.test\.ts$/.test(f)).sort();
}

/**
 * The coverage floor as a check inside the run, whatever order Jest picks: each API test file calls
 * this once; its afterAll marks the file done, and the file that completes the set evaluates
 * coverage and fails (an afterAll error fails the run) when it is under the floor. A run that
 * selected only some API files never completes the set and is not judged.
 */
export function routeCoverageGate(testFile: string): void {
  afterAll(() => {
    const { runDir } = readHarnessEnv();
    // The marker lives in this run's own directory, and each line carries the run's id too: in
    // reuse mode server pid and URL are the same on every run, so they could not tell runs apart.
    const runKey = path.basename(runDir);
    const marker = runFile(runDir, 'apiFilesDone');
    appendFileSync(marker, `${JSON.stringify({ runKey, file: path.basename(testFile) })}\n`);
    const done = new Set(
      readFileSync(marker, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { runKey: string; file: string }).filter((l) => l.runKey === runKey).map((l) => l.file),
    );
    const expected = apiTestFiles(path.dirname(testFile));
    if (!expected.every((f) => done.has(f))) return;
    assertRouteCoverage(runDir, loadConfig().routeFloor, exclusionsFor(ROUTE_EXCLUSIONS, ledgerStanding(readHarnessEnv().build), KNOWN_DEFECTS));
  });
}
