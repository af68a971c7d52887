/**
 * The API-route part of the report: the 'route' records grouped per route (apiRoutes), and the
 * coverage of every served route (routeCoverage, from route-coverage.ts's evaluation). Pure.
 *
 * WebSocket exchanges are recorded with method "WS" and a path FastAPI leaves out of /openapi.json;
 * they are served routes like any other, so they are counted as WebSocket routes, never as
 * "undocumented" paths (which would suggest the suite called something the server does not serve).
 */
import type { RouteCoverage } from '../api/route-coverage';
import type { RouteRecord } from '../core/run-records';

export type RouteKind = 'documented' | 'websocket' | 'undocumented';

export interface RouteStats {
  method: string;
  /** Path template from /openapi.json (or the WebSocket path); null for paths the document lacks. */
  route: string | null;
  /** The path as sent, only when route is null. */
  path: string | null;
  kind: RouteKind;
  calls: number;
  violations: number;
  statuses: number[];
  drivers: string[];
}

export interface ApiRoutes {
  /** Documented (/openapi.json) routes with at least one exchange; WebSockets not included. */
  exercised: number;
  /** WebSocket routes with at least one exchange. */
  websocket: number;
  calls: number;
  violations: number;
  /** Distinct paths called that the document lacks (WebSockets excluded). */
  undocumented: number;
  byRoute: RouteStats[];
}

export interface CoverageRow {
  route: string;
  kind: 'documented' | 'websocket';
  exercised: boolean;
  excluded: boolean;
  requests: number;
  statuses: number[];
  violations: number;
  drivers: string[];
  /** Why it was not exercised (the exclusion's reason, or that no test sent a request). */
  reason: string | null;
}

export interface RouteCoverageReport {
  /** Served routes that count toward the floor (not excluded), WebSockets included. */
  counted: number;
  exercised: number;
  percent: number;
  floor: number;
  ok: boolean;
  excluded: number;
  websocket: number;
  missing: string[];
  staleExclusions: string[];
  /** Only selected tests ran (test paths or -t), so unexercised routes are expected. */
  selection: boolean;
  /** Not-exercised rows first (they need attention), then by path and method. */
  rows: CoverageRow[];
}

const isWebSocket = (method: string) => method.toUpperCase() === 'WS';

function kindOf(r: RouteRecord): RouteKind {
  if (isWebSocket(r.method)) return 'websocket';
  return r.route === null ? 'undocumented' : 'documented';
}

export function routeStats(records: readonly RouteRecord[]): ApiRoutes {
  const groups = new Map<string, RouteRecord[]>();
  for (const r of records) {
    const key = `${r.method.toUpperCase()} ${r.route ?? `? ${r.path}`}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const byRoute = [...groups.values()].map(
    (rs): RouteStats => ({
      method: rs[0].method.toUpperCase(),
      route: rs[0].route,
      path: rs[0].route === null ? rs[0].path : null,
      kind: kindOf(rs[0]),
      calls: rs.length,
      violations: rs.reduce((a, r) => a + r.violations, 0),
      statuses: [...new Set(rs.map((r) => r.status).filter((s): s is number => s !== null))].sort((a, b) => a - b),
      drivers: [...new Set(rs.map((r) => r.driver))].sort(),
    }),
  );
  byRoute.sort((a, b) => `${a.route ?? a.path} ${a.method}`.localeCompare(`${b.route ?? b.path} ${b.method}`));
  const count = (k: RouteKind) => byRoute.filter((r) => r.kind === k).length;
  return {
    exercised: count('documented'),
    websocket: count('websocket'),
    calls: records.length,
    violations: byRoute.reduce((a, r) => a + r.violations, 0),
    undocumented: count('undocumented'),
    byRoute,
  };
}

/** route-coverage.ts's evaluation, with each route's drivers joined in from the route records. */
export function coverageReport(c: RouteCoverage | null | undefined, records: readonly RouteRecord[], selection = false): RouteCoverageReport | null {
  if (!c) return null;
  const drivers = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.route === null) continue;
    const key = `${r.method.toUpperCase()} ${r.route}`;
    drivers.set(key, (drivers.get(key) ?? new Set()).add(r.driver));
  }
  const rows = c.rows.map(
    (r): CoverageRow => ({
      route: r.route,
      kind: isWebSocket(r.route.split(' ')[0]) ? 'websocket' : 'documented',
      exercised: r.exercised,
      excluded: r.excluded,
      requests: r.requests,
      statuses: r.statuses,
      violations: r.violations,
      drivers: [...(drivers.get(r.route) ?? [])].sort(),
      reason: r.reason,
    }),
  );
  // By path, then method ("GET /v1/files" next to "POST /v1/files"), so a resource reads as a group.
  const byPath = (route: string) => `${route.slice(route.indexOf(' ') + 1)} ${route.slice(0, route.indexOf(' '))}`;
  rows.sort((a, b) => Number(a.exercised) - Number(b.exercised) || byPath(a.route).localeCompare(byPath(b.route)));
  return {
    counted: c.counted,
    exercised: c.exercisedCounted,
    percent: c.percent,
    floor: c.floor,
    ok: c.ok,
    excluded: rows.filter((r) => r.excluded).length,
    websocket: rows.filter((r) => r.kind === 'websocket').length,
    missing: c.missing,
    staleExclusions: c.staleExclusions,
    selection,
    rows,
  };
}
