import { sampleInput, sampleRecords } from '../__fixtures__/reporting-project/sample-run';
import { palette } from '../reporting/colours';
import { endpointRowLine, endpointRows } from '../reporting/endpoint-table';
import { renderHtml } from '../reporting/html-report';
import { endpointLine } from '../reporting/live-lines';
import { buildReportModel } from '../reporting/report-model';
import { renderSummary } from '../reporting/summary';
import type { EndpointRecord } from '../core/run-records';

const plain = palette(false);
const probe = (path: string, status: number | null, durationMs: number | null, over: Partial<EndpointRecord> = {}): EndpointRecord => ({
  kind: 'endpoint', path, served: true, status, contentType: 'application/json', durationMs, skipReason: null, at: '', ...over,
});

describe('metrics endpoints table', () => {
  it('has one row per endpoint, with the median response time of its probes and their range', () => {
    const rows = endpointRows([probe('/metrics', 200, 46), probe('/metrics/csv', 200, 17), probe('/metrics', 200, 7), probe('/metrics', 200, 23)]);
    expect(rows.map((r) => [r.path, r.probes, r.medianMs, r.minMs, r.maxMs])).toEqual([
      ['/metrics', 3, 23, 7, 46],
      ['/metrics/csv', 1, 17, 17, 17],
    ]);
    expect(endpointRowLine(rows[0], plain)).toBe(`  ${'/metrics'.padEnd(30)} ... OK 200 0.023s median of 3 (0.007–0.046s)`);
    expect(endpointRowLine(rows[1], plain)).toBe(`  ${'/metrics/csv'.padEnd(30)} ... OK 200 0.017s`);
  });

  it('does not call an endpoint that answered 500 OK, live or in the table', () => {
    expect(endpointLine(probe('/metrics/prometheus', 500, 13), plain)).toMatch(/\.\.\. ERROR 500 0\.013s$/);
    const [row] = endpointRows([probe('/metrics/prometheus', 200, 5), probe('/metrics/prometheus', 500, 13)]);
    expect(row.outcome).toBe('error');
    expect(endpointRowLine(row, plain)).toMatch(/\.\.\. ERROR 200\/500 /);
  });

  it('says when a probe got no answer, and when an endpoint is not served or was skipped with a reason', () => {
    const rows = endpointRows([
      probe('/health/detailed', null, null),
      probe('/metrics/slo', 404, 1, { served: false }),
      probe('/metrics/events', 404, 1, { served: false, skipReason: 'not served by fakeai 0.3.2' }),
    ]);
    expect(rows.map((r) => endpointRowLine(r, plain).replace(/ {2,}/g, ' '))).toEqual([
      '/health/detailed ... ERROR no answer -',
      '/metrics/slo ... NOT SERVED 404 0.001s',
      '/metrics/events ... SKIPPED not served by fakeai 0.3.2',
    ].map((l) => ` ${l}`));
  });

  it('fills the summary and the HTML table from the endpoint records, response time included', () => {
    const records = [...sampleRecords(), probe('/metrics', 200, 10.8)];
    const m = buildReportModel(sampleInput({ records }));
    expect(renderSummary(m, plain)).toMatch(/\/metrics\s+\.\.\. OK 200 0\.007s median of 2 \(0\.003–0\.011s\)\n/);
    const html = renderHtml(m);
    const table = html.slice(html.indexOf('<table id="endpoints">'), html.indexOf('</table>', html.indexOf('<table id="endpoints">')));
    expect(table).toMatch(/<td>\/metrics<\/td><td class="ok">yes<\/td><td class="ok">200<\/td><td class="num">2<\/td><td class="num">0\.007s<\/td><td class="num">0\.003s–0\.011s<\/td>/);
    expect(table).toContain('not served by FakeAI 0.3.2');
  });
});
