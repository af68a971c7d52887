/** The coverage floor as the run applies it: from the run dir's saved document and route records. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertRouteCoverage, RouteCoverageError, routeCoverageOf, WEBSOCKET_ROUTES } from '../api/route-coverage';
import type { RouteExclusion } from '../ledger/route-exclusions';
import { appendRecord } from '../core/run-records';
import { DOC } from './contract-fixture';

const ROUTES: [string, string][] = [
  ['GET', '/v1/things'], ['POST', '/v1/things'], ['GET', '/v1/things/{thing_id}'], ['GET', '/v1/things/special'], ['GET', '/images/{image_id}.png'],
  ...WEBSOCKET_ROUTES.map((r) => r.split(' ') as [string, string]),
];

/** The fixture document serves none of helpers/ledger/route-exclusions.ts's routes: most tests pass their own list. */
const NONE: RouteExclusion[] = [];

let runDir = '';
beforeEach(() => {
  runDir = mkdtempSync(path.join(os.tmpdir(), 'route-gate-'));
});
afterEach(() => rmSync(runDir, { recursive: true, force: true }));

const exercise = (routes: [string, string][]) => {
  for (const [method, route] of routes) appendRecord(runDir, { kind: 'route', method, route, path: route, status: 200, driver: 'http', violations: 0, test: 't' });
};

describe('route coverage gate (run dir)', () => {
  test('no saved document means no API test ran: nothing to judge', () => {
    exercise(ROUTES);
    expect(routeCoverageOf(runDir)).toBeUndefined();
    expect(assertRouteCoverage(runDir)).toBeUndefined();
  });

  test('every served route exercised passes the 100 % floor', () => {
    writeFileSync(path.join(runDir, 'openapi.json'), JSON.stringify(DOC));
    exercise(ROUTES);
    expect(assertRouteCoverage(runDir, 100, NONE)).toMatchObject({ ok: true, missing: [] });
  });

  test('one route nobody exercised fails the floor with RouteCoverageError naming it', () => {
    writeFileSync(path.join(runDir, 'openapi.json'), JSON.stringify(DOC));
    exercise(ROUTES.filter(([, r]) => r !== '/v1/things/special'));
    expect(() => assertRouteCoverage(runDir, 100, NONE)).toThrow(RouteCoverageError);
    expect(() => assertRouteCoverage(runDir, 100, NONE)).toThrow(/NOT exercised {2}GET \/v1\/things\/special/);
    expect(assertRouteCoverage(runDir, 80, NONE)).toMatchObject({ ok: true, missing: ['GET /v1/things/special'] });
  });

  test('an exclusion naming a route the server does not serve fails the gate at 100 %, saying to delete the entry', () => {
    writeFileSync(path.join(runDir, 'openapi.json'), JSON.stringify(DOC));
    exercise(ROUTES);
    const stale = [{ route: 'GET /v1/gone', reason: 'was slow' }];
    expect(routeCoverageOf(runDir, 100, stale)).toMatchObject({ ok: true, staleExclusions: ['GET /v1/gone'] });
    expect(() => assertRouteCoverage(runDir, 100, stale)).toThrow(RouteCoverageError);
    expect(() => assertRouteCoverage(runDir, 100, stale)).toThrow(/stale exclusion: GET \/v1\/gone is not served by this server — delete its entry from helpers\/ledger\/route-exclusions\.ts/);
  });

  test('an excluded route that a test exercised anyway fails the gate, saying to remove the exclusion', () => {
    writeFileSync(path.join(runDir, 'openapi.json'), JSON.stringify(DOC));
    exercise(ROUTES);
    exercise([['GET', '/v1/things/special']]);
    const excluded = [{ route: 'GET /v1/things/special', reason: 'hangs the server' }];
    expect(routeCoverageOf(runDir, 100, excluded)).toMatchObject({ ok: true, exercisedExclusions: ['GET /v1/things/special'] });
    expect(() => assertRouteCoverage(runDir, 100, excluded)).toThrow(
      /excluded but exercised anyway: GET \/v1\/things\/special \(2 calls\) — the route is now exercised: remove its exclusion from helpers\/ledger\/route-exclusions\.ts/,
    );
  });

  test('an excluded route nobody exercised, and served, passes: the exclusion still holds', () => {
    writeFileSync(path.join(runDir, 'openapi.json'), JSON.stringify(DOC));
    exercise(ROUTES.filter(([, r]) => r !== '/v1/things/special'));
    expect(assertRouteCoverage(runDir, 100, [{ route: 'GET /v1/things/special', reason: 'hangs the server' }])).toMatchObject({ ok: true, exclusionProblems: [] });
  });

  test('by default the gate reads helpers/ledger/route-exclusions.ts, whose routes this fixture document does not serve', () => {
    writeFileSync(path.join(runDir, 'openapi.json'), JSON.stringify(DOC));
    exercise(ROUTES);
    expect(() => assertRouteCoverage(runDir)).toThrow(/stale exclusion: GET \/metrics\/by-model/);
  });
});
