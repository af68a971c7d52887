import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { sampleCoverage, sampleInput, sampleRecords } from '../__fixtures__/reporting-project/sample-run';
import { loadConfig } from '../core/config';
import { palette } from '../reporting/colours';
import { clearRunFiles } from '../reporting/finalise';
import { renderHtml } from '../reporting/html-report';
import { REPORT_SCHEMA } from '../reporting/json-report';
import { buildReportModel } from '../reporting/report-model';
import { coverageReport, routeStats } from '../reporting/route-report';
import { renderSummary } from '../reporting/summary';
import { recordsOfKind, type RouteRecord } from '../core/run-records';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const routes = () => recordsOfKind(sampleRecords(), 'route');

describe('API routes in the report', () => {
  it('counts WebSocket routes as WebSocket routes, not as paths the document lacks', () => {
    const r = routeStats(routes());
    expect(r).toMatchObject({ exercised: 1, websocket: 1, undocumented: 1, calls: 4, violations: 1 });
    expect(r.byRoute.find((x) => x.method === 'WS')).toMatchObject({ route: '/v1/realtime', kind: 'websocket', statuses: [101], drivers: ['ws'] });
    expect(r.byRoute.find((x) => x.route === null)).toMatchObject({ path: '/v1/secret', kind: 'undocumented' });
  });

  it('would count a WebSocket recorded without a route as a WebSocket too (the method decides)', () => {
    const ws: RouteRecord = { kind: 'route', method: 'ws', route: null, path: '/v1/realtime', status: 101, driver: 'ws', violations: 0, test: null, at: '' };
    expect(routeStats([ws])).toMatchObject({ websocket: 1, undocumented: 0, exercised: 0 });
  });

  it('lists every served route with its outcome, the ones nobody exercised first, each with a reason', () => {
    const c = coverageReport(sampleCoverage(), routes());
    expect(c).toMatchObject({ counted: 4, exercised: 2, ok: false, excluded: 1, websocket: 2, missing: ['GET /v1/models', 'WS /metrics/stream'] });
    expect(c?.rows.map((r) => [r.route, r.exercised])).toEqual([
      ['GET /metrics/by-model', false],
      ['WS /metrics/stream', false],
      ['GET /v1/models', false],
      ['POST /v1/chat/completions', true],
      ['WS /v1/realtime', true],
    ]);
    expect(c?.rows.find((r) => r.route === 'GET /metrics/by-model')).toMatchObject({ excluded: true, reason: expect.stringMatching(/deadlocks/) });
    expect(c?.rows.find((r) => r.route === 'GET /v1/models')?.reason).toBe('no test sent a request');
    expect(c?.rows.find((r) => r.route === 'POST /v1/chat/completions')).toMatchObject({ kind: 'documented', requests: 2, drivers: ['http', 'sdk'], reason: null });
    expect(c?.rows.find((r) => r.route === 'WS /v1/realtime')?.kind).toBe('websocket');
  });

  it('has no coverage when none was evaluated (no API test ran)', () => {
    expect(buildReportModel(sampleInput({ routeCoverage: undefined })).routeCoverage).toBeNull();
  });

  it('starts a run in a directory of its own, so a run with no API test is not judged against an earlier run\'s openapi.json', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-clear-'));
    const earlier = loadConfig({ E2E_REPORTS_DIR: root, E2E_RUN_ID: 'earlier' }, false);
    clearRunFiles(earlier);
    writeFileSync(path.join(earlier.runDir, 'openapi.json'), '{}');
    const now = loadConfig({ E2E_REPORTS_DIR: root, E2E_RUN_ID: 'now' }, false);
    clearRunFiles(now);
    expect(now.runDir).not.toBe(earlier.runDir);
    expect([existsSync(path.join(now.runDir, 'openapi.json')), existsSync(path.join(earlier.runDir, 'openapi.json'))]).toEqual([false, true]);
  });
});

describe('route coverage in the terminal summary', () => {
  const model = buildReportModel(sampleInput());
  const text = renderSummary(model, palette(false));

  it('gives the counts and names the routes nobody exercised, with their reasons', () => {
    expect(text).toMatch(/Coverage:\s+2\/4 served routes exercised \(50\.0 %, floor 100 %\) below the floor\n/);
    expect(text).toMatch(/Served:\s+3 in \/openapi\.json \+ 2 WebSocket routes, 1 excluded with a reason\n/);
    expect(text).toMatch(/Exchanges:\s+4 over 1 documented route \+ 1 WebSocket route\n/);
    expect(text).toContain('✗ NOT exercised GET /v1/models: no test sent a request');
    expect(text).toContain('✗ NOT exercised WS /metrics/stream (WebSocket): no test sent a request');
    expect(text).toContain('○ excluded GET /metrics/by-model: deadlocks the server');
    expect(text).toMatch(/Undocumented:\s+1 path not in \/openapi\.json/);
  });

  it('lists the exercised routes only with --verbose', () => {
    expect(text).not.toContain('✓ POST /v1/chat/completions');
    const verbose = renderSummary(model, palette(false), { verbose: true });
    expect(verbose).toContain('✓ POST /v1/chat/completions  2 calls, status 200/400, 1 violation (http, sdk)');
    expect(verbose).toContain('✓ WS /v1/realtime (WebSocket)  1 call, status 101 (ws)');
  });

  it('after a selection of tests, counts the unexercised routes and lists them only with --verbose', () => {
    const selected = buildReportModel(sampleInput({ selected: true }));
    expect(selected.routeCoverage?.selection).toBe(true);
    const brief = renderSummary(selected, palette(false));
    expect(brief).toMatch(/Coverage:\s+2\/4 served routes exercised \(50\.0 %, floor 100 %\) \(a selection of tests\)\n/);
    expect(brief).toContain('only selected tests ran: --verbose lists the 2 routes they did not exercise');
    expect(brief).not.toContain('NOT exercised');
    expect(brief).toContain('○ excluded GET /metrics/by-model');
    expect(renderSummary(selected, palette(false), { verbose: true })).toContain('✗ NOT exercised GET /v1/models: no test sent a request');
  });

  it('does not call a run at the floor "below the floor", and names stale exclusions', () => {
    const full = sampleCoverage();
    const ok = renderSummary(buildReportModel(sampleInput({ routeCoverage: { ...full, ok: true, staleExclusions: ['GET /gone'] } })), palette(false));
    expect(ok).not.toContain('below the floor');
    expect(ok).toContain('! stale exclusion GET /gone');
  });
});

describe('route coverage in e2e-report.json and the HTML report', () => {
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(REPORT_SCHEMA);

  it('validates with coverage and without it', () => {
    for (const m of [buildReportModel(sampleInput()), buildReportModel(sampleInput({ routeCoverage: null }))]) {
      expect(validate(clone(m)) ? [] : validate.errors).toEqual([]);
    }
  });

  it.each([
    ['a not-exercised route without a reason', (c: Record<string, any>) => (c.rows[0].reason = null)],
    ['a route that is not "METHOD /path"', (c: Record<string, any>) => (c.rows[0].route = '/v1/models')],
    ['a percentage over 100', (c: Record<string, any>) => (c.percent = 120)],
    ['an unknown route kind', (c: Record<string, any>) => (c.rows[0].kind = 'undocumented')],
  ])('rejects coverage with %s', (_what, corrupt) => {
    const report = clone(buildReportModel(sampleInput())) as Record<string, any>;
    corrupt(report.routeCoverage);
    expect(validate(report)).toBe(false);
  });

  it('shows every served route in one table, WebSockets labelled as such, with why a route was not exercised', () => {
    const html = renderHtml(buildReportModel(sampleInput()));
    const table = html.slice(html.indexOf('<section id="route-coverage">'), html.indexOf('</section>', html.indexOf('<section id="route-coverage">')));
    expect(table).toContain('<b>2/4</b> served routes exercised');
    expect(table.match(/<tr>/g)).toHaveLength(1 + 5 + 1); // head, 5 served routes, 1 undocumented path
    expect(table).toMatch(/<td>WS \/metrics\/stream<\/td><td>WebSocket \(not in \/openapi\.json\)<\/td><td class="bad">NO<\/td>/);
    expect(table).toMatch(/<td>GET \/metrics\/by-model<\/td><td><\/td><td class="warn">excluded<\/td>.*deadlocks the server/);
    expect(table).toMatch(/<td>GET \/v1\/secret<\/td><td class="warn">not in \/openapi\.json<\/td>/);
  });
});
