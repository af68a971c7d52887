import { sampleInput, sampleRecords, sampleSnapshot } from '../__fixtures__/reporting-project/sample-run';
import { palette } from '../reporting/colours';
import { buildReportModel } from '../reporting/report-model';
import { renderSummary } from '../reporting/summary';
import type { FindingRecord } from '../core/run-records';

describe('report model', () => {
  it('counts tests by outcome and gives every skip a reason', () => {
    const m = buildReportModel(sampleInput());
    expect(m.totals).toMatchObject({ tests: 5, passed: 3, failed: 1, skippedTests: 1, skippedChecks: 1, knownDefects: 1, exceptions: 3, unexpectedExceptions: 1 });
    expect(m.skips).toHaveLength(2);
    for (const s of m.skips) expect(s.reason.length).toBeGreaterThan(0);
    expect(m.skips.find((s) => s.source === 'jest')?.reason).toMatch(/without a recorded reason/);
  });

  it('explains skips by -t as "not selected" rather than skipped in code', () => {
    const m = buildReportModel(sampleInput({ testNamePattern: 'chat' }));
    expect(m.skips.find((s) => s.source === 'jest')?.reason).toBe('not selected by -t "chat"');
  });

  it('summarises request latency, TTFT of streams only, and tokens', () => {
    const { summary, byModel } = buildReportModel(sampleInput()).requests;
    expect(summary).toMatchObject({ total: 20, ok: 20, failed: 0, tokens: 20 * 40 + 190 });
    expect(summary.ttftMs.count).toBe(10);
    expect(summary.latencyMs.min).toBe(100);
    expect(byModel.map((g) => g.model)).toEqual(['gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'claude-3-opus', 'claude-3-sonnet']);
    expect(byModel.every((g) => g.requests === 4 && g.streams === 2 && g.ttftMedianMs !== null)).toBe(true);
  });

  it('fails the run on a failed test with exit code 1', () => {
    const m = buildReportModel(sampleInput());
    expect([m.verdict, m.exitCode]).toEqual(['FAIL', 1]);
    expect(m.verdictLine).toMatch(/1 of 5 tests failed.*1 unexpected server exception/);
  });

  it('fails an all-green run when the server logged an unexpected exception outside any test', () => {
    const snapshot = { ...sampleSnapshot(), success: true, tests: sampleSnapshot().tests.filter((t) => t.status === 'passed') };
    const records = sampleRecords().map((r) => (r.kind === 'finding' ? { ...r, tests: [] } : r));
    const m = buildReportModel(sampleInput({ snapshot, records }));
    expect(m.exitCode).toBe(1);
    const clean = buildReportModel(sampleInput({ snapshot, records: records.filter((r) => r.kind !== 'finding') }));
    expect([clean.verdict, clean.exitCode]).toEqual(['PASS', 0]);
    expect(clean.verdictLine).toMatch(/^✓ ALL TESTS PASSED \(3\/3\), 1 skipped, 1 known defect$/);
  });

  it('groups route records into API coverage, keeping paths the document lacks apart', () => {
    const r = buildReportModel(sampleInput()).apiRoutes;
    expect(r).toMatchObject({ exercised: 1, websocket: 1, calls: 4, violations: 1, undocumented: 1 });
    expect(r.byRoute.find((x) => x.route === '/v1/chat/completions')).toMatchObject({ method: 'POST', calls: 2, statuses: [200, 400], drivers: ['http', 'sdk'] });
  });

  it('does not pass a run that ran no tests', () => {
    const m = buildReportModel(sampleInput({ snapshot: { ...sampleSnapshot(), success: true, tests: [] }, records: [] }));
    expect(m.exitCode).toBe(1);
  });

  it('reports a setup error as ERROR with exit code 2', () => {
    const m = buildReportModel(sampleInput({ snapshot: null, harness: null, records: [], harnessError: { code: 'PORT_IN_USE', message: 'port taken' } }));
    expect([m.verdict, m.exitCode, m.verdictLine]).toEqual(['ERROR', 2, '✗ SETUP ERROR (PORT_IN_USE): no tests ran']);
  });
});

describe('terminal summary', () => {
  const text = renderSummary(buildReportModel(sampleInput()), palette(false));

  it('shows totals, request statistics, endpoints, exceptions with their test, server facts and a verdict', () => {
    expect(text).toMatch(/Total tests:\s+5/);
    expect(text).toMatch(/Latency:\s+min 0\.100s {2}median/);
    expect(text).toMatch(/TTFT \(streams\): median 0\.\d{3}s over 10 streams/);
    expect(text).toMatch(/\/metrics\/slo\s+\.\.\. SKIPPED not served by FakeAI 0\.3\.2/);
    expect(text).toContain('during: bad input rejects a negative max_tokens');
    expect(text).toMatch(/! 2 expected during: files deleting a file twice\n/);
    expect(text).toMatch(/Known defects:\s+1\n\s+◆ FAKEAI-STREAM-USAGE \(2 tests\): stream usage chunk missing\n/);
    expect(text).toMatch(/Exchanges:\s+4 over 1 documented route \+ 1 WebSocket route/);
    expect(text).toMatch(/FakeAI 0\.3\.2 {2}http:\/\/127\.0\.0\.1:43121 {2}port 43121 {2}pid 999 {2}boot-to-ready 1\.420s/);
    const [verdict, counts] = text.trimEnd().split('\n').slice(-2);
    expect(verdict).toMatch(/^✗ FAILED: /);
    // The plain line CI systems read, last, with the same counts as the verdict.
    expect(counts).toBe('e2e: 3 passed, 1 failed, 1 skipped');
  });

  it('lists tolerated exceptions with the known defect whose allowance excused them, per defect and test', () => {
    const allowed = (test: string, defect: string): FindingRecord => ({ kind: 'finding', server: 'default', tests: [test], headline: 'h', text: 't', allowed: true, defect, file: 'e2e/api-files.test.ts', at: '' });
    const records = [...sampleRecords(), allowed('files unknown id', 'files-unknown-id-500'), allowed('files unknown id', 'files-unknown-id-500'), allowed('files unknown id', 'batches-service-missing')];
    const out = renderSummary(buildReportModel(sampleInput({ records })), palette(false));
    expect(out).toMatch(/! 2 expected \(known defect files-unknown-id-500\) during: files unknown id\n/);
    expect(out).toMatch(/! 1 expected \(known defect batches-service-missing\) during: files unknown id\n/);
  });

  it('has no escape codes without colour, and has them with colour', () => {
    expect(text).not.toContain('\u001b');
    expect(renderSummary(buildReportModel(sampleInput()), palette(true))).toContain('\u001b[');
  });
});
