import { evaluateRouteCoverage, formatRouteCoverage, WEBSOCKET_ROUTES } from '../api/route-coverage';
import type { RouteRecord } from '../core/run-records';
import { paginationProblems } from '../api/pagination';
import { DOC } from './contract-fixture';

const rec = (method: string, route: string | null, status = 200, violations = 0): RouteRecord => ({
  kind: 'route', method, route, path: route ?? '/x', status, driver: 'http', violations, test: 't', at: '2026-01-01T00:00:00Z',
});
const ALL = [
  rec('GET', '/v1/things'), rec('POST', '/v1/things', 422, 1), rec('GET', '/v1/things/{thing_id}'), rec('GET', '/v1/things/special'),
  rec('GET', '/images/{image_id}.png'), rec('WS', '/metrics/stream', 101), rec('WS', '/v1/realtime', 101),
];

describe('route coverage', () => {
  test('every served route exercised (WebSockets included) meets the default floor of 100 %', () => {
    const c = evaluateRouteCoverage(DOC, ALL, []);
    expect(c.counted).toBe(5 + WEBSOCKET_ROUTES.length);
    expect(c.ok).toBe(true);
    expect(c.rows.find((r) => r.route === 'POST /v1/things')).toMatchObject({ exercised: true, statuses: [422], violations: 1 });
  });

  test('one route not exercised fails the floor and is named with its reason', () => {
    const c = evaluateRouteCoverage(DOC, ALL.filter((r) => r.route !== '/v1/things/special'), []);
    expect(c.ok).toBe(false);
    expect(c.missing).toEqual(['GET /v1/things/special']);
    expect(formatRouteCoverage(c)).toContain('NOT exercised  GET /v1/things/special — no test sent a request');
  });

  test('an excluded route does not count, and shows its reason', () => {
    const c = evaluateRouteCoverage(DOC, ALL.filter((r) => r.route !== '/v1/things/special'), [{ route: 'GET /v1/things/special', reason: 'hangs the server' }]);
    expect(c.ok).toBe(true);
    expect(formatRouteCoverage(c)).toContain('excluded  GET /v1/things/special — hangs the server');
  });

  test('a lower floor tolerates gaps; records without a route are ignored', () => {
    const c = evaluateRouteCoverage(DOC, [rec('GET', '/v1/things'), rec('GET', null)], [], 10);
    expect(c.exercisedCounted).toBe(1);
    expect(c.ok).toBe(true);
    expect(evaluateRouteCoverage(DOC, [rec('GET', '/v1/things')], [], 50).ok).toBe(false);
  });

  test('an exclusion naming a route the server does not serve is reported as stale', () => {
    expect(evaluateRouteCoverage(DOC, ALL, [{ route: 'GET /gone', reason: 'x' }]).staleExclusions).toEqual(['GET /gone']);
  });
});

describe('pagination', () => {
  const full = { data: ['a', 'b', 'c', 'd'].map((id) => ({ id })) };
  test('pages in order without repeats pass', () => {
    expect(paginationProblems(full, [{ data: [{ id: 'a' }, { id: 'b' }], has_more: true }, { data: [{ id: 'c' }, { id: 'd' }] }], 2)).toEqual([]);
  });
  test('a repeated id, a wrong order, an oversize page and a false has_more are each reported', () => {
    const p = paginationProblems(full, [{ data: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], has_more: false }, { data: [{ id: 'b' }, { id: 'z' }] }], 2);
    expect(p).toEqual(expect.arrayContaining([
      expect.stringMatching(/more than limit=2/), expect.stringMatching(/repeats id b/), expect.stringMatching(/has_more=false/), expect.stringMatching(/unpaginated list does not/),
    ]));
  });
});
