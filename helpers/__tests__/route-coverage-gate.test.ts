/** The coverage floor as the run applies it: from the run dir's saved document and route records. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertRouteCoverage, RouteCoverageError, routeCoverageOf, WEBSOCKET_ROUTES } from '../route-coverage';
import { appendRecord } from '../run-records';
import { DOC } from './contract-fixture';

const ROUTES: [string, string][] = [
  ['GET', '/v1/things'], ['POST', '/v1/things'], ['GET', '/v1/things/{thing_id}'], ['GET', '/v1/things/special'], ['GET', '/images/{image_id}.png'],
  ...WEBSOCKET_ROUTES.map((r) => r.split(' ') as [string, string]),
];

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
    expect(assertRouteCoverage(runDir)).toMatchObject({ ok: true, missing: [] });
  });

  test('one route nobody exercised fails the floor with RouteCoverageError naming it', () => {
    writeFileSync(path.join(runDir, 'openapi.json'), JSON.stringify(DOC));
    exercise(ROUTES.filter(([, r]) => r !== '/v1/things/special'));
    expect(() => assertRouteCoverage(runDir)).toThrow(RouteCoverageError);
    expect(() => assertRouteCoverage(runDir)).toThrow(/NOT exercised {2}GET \/v1\/things\/special/);
    expect(assertRouteCoverage(runDir, 80)).toMatchObject({ ok: true, missing: ['GET /v1/things/special'] });
  });
});
