import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AggregatedResult } from '@jest/test-result';
import type { RequestRecord } from '../core/run-records';
import { sampleInput, sampleRecords, sampleSnapshot } from '../__fixtures__/reporting-project/sample-run';
import { palette, stripAnsi } from '../reporting/colours';
import { buildReportModel } from '../reporting/report-model';
import { renderSummary } from '../reporting/summary';
import { capabilityOf, snapshotFromResults } from '../reporting/jest-snapshot';
import { LineTail } from '../reporting/line-tail';
import { endpointLine, findingLine, requestLine, skipLine } from '../reporting/live-lines';

const plain = palette(false);
const req = (over: Partial<RequestRecord> = {}): RequestRecord => ({
  kind: 'request', seq: 7, of: 20, batch: 'load', id: 'chatcmpl-1', method: 'POST', path: '/v1/chat/completions', model: 'claude-3-opus',
  stream: true, status: 200, ok: true, durationMs: 231, ttftMs: 21, tokens: 48, error: null, test: null, at: '', ...over,
});

describe('live lines', () => {
  it('print a request in the old script\'s format', () => {
    expect(requestLine(req(), plain)).toBe('  [ 7/20] STREAM | claude-3-opus ... OK 0.231s  48 tokens');
    expect(requestLine(req({ stream: false, model: 'gpt-4', tokens: null }), plain)).toBe('  [ 7/20] NORMAL | gpt-4 ... OK 0.231s');
  });

  it('show status and error of a failed request, and TTFT and id only when verbose', () => {
    expect(requestLine(req({ ok: false, status: 500, error: 'boom', tokens: null }), plain)).toBe('  [ 7/20] STREAM | claude-3-opus ... FAIL 500 0.231s  boom');
    expect(requestLine(req(), plain, true)).toBe('  [ 7/20] STREAM | claude-3-opus ... OK 0.231s  48 tokens  ttft 0.021s  chatcmpl-1');
  });

  it('label requests without a model by method and path', () => {
    expect(requestLine(req({ model: null, stream: false, method: 'get', path: '/metrics', tokens: null }), plain)).toContain('GET    | /metrics ... OK');
  });

  it('say why an endpoint was skipped, and who was running when an exception appeared', () => {
    expect(endpointLine({ kind: 'endpoint', path: '/metrics/slo', served: false, status: 404, contentType: null, durationMs: 1, skipReason: 'not served', at: '' }, plain)).toMatch(/SKIPPED not served$/);
    expect(findingLine({ kind: 'finding', server: 'default', tests: [], headline: 'E', text: '', allowed: false, at: '' }, plain)).toContain('outside any test');
    expect(findingLine({ kind: 'finding', server: 'default', tests: ['t'], headline: 'E', text: '', allowed: true, defect: 'batches-service-missing', at: '' }, plain)).toContain(
      '! expected exception (known defect batches-service-missing) (default, during t): E',
    );
  });
});

describe('skip lines', () => {
  const reason = 'not served by fakeai 0.3.2 (GET /metrics/slo is not in its /openapi.json)';
  const skip = (test: string) => ({ kind: 'skip' as const, test, reason, at: '' });

  it('give the reason once when the test name already carries it', () => {
    const line = skipLine(skip(`seed GET /metrics/slo — skipped: ${reason}`), plain);
    expect(line).toBe(`  ○ seed GET /metrics/slo — skipped: ${reason}`);
    expect(line.split(reason)).toHaveLength(2);
  });

  it('append the reason when the name does not carry it', () => {
    expect(skipLine(skip('metrics /metrics/slo'), plain)).toBe(`  ○ skipped metrics /metrics/slo: ${reason}`);
  });

  it('say so once in the summary too', () => {
    const name = `seed GET /metrics/slo — skipped: ${reason}`;
    const snapshot = sampleSnapshot();
    snapshot.tests[4] = { ...snapshot.tests[4], name };
    const records = [...sampleRecords(), skip(name)];
    const text = renderSummary(buildReportModel(sampleInput({ snapshot, records })), plain);
    expect(text.split(reason)).toHaveLength(2);
    expect(text).toContain(`○ ${name}\n`);
    expect(text).toContain('○ metrics /metrics/slo: not served by FakeAI 0.3.2 (404)\n');
  });
});

describe('colours', () => {
  it('are absent when off and removable when on', () => {
    const p = palette(true);
    expect(palette(false).red('x')).toBe('x');
    expect(p.red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(stripAnsi(`${p.bold(p.green('ok'))} \u001b]8;;http://x\u0007link\u001b]8;;\u0007`)).toBe('ok link');
  });
});

describe('line tail', () => {
  const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-tail-')), 'records.ndjson');

  it('returns nothing for a file that does not exist yet', () => {
    expect(new LineTail(file()).readNew()).toEqual([]);
  });

  it('holds back a line until its newline arrives', () => {
    const f = file();
    const tail = new LineTail(f);
    writeFileSync(f, '{"a":1}\n{"b":');
    expect(tail.readNew()).toEqual(['{"a":1}']);
    appendFileSync(f, '2}\n');
    expect(tail.readNew()).toEqual(['{"b":2}']);
    expect(tail.readNew()).toEqual([]);
  });

  it('starts over when the file is truncated by a new run', () => {
    const f = file();
    const tail = new LineTail(f);
    writeFileSync(f, 'old line one\nold line two\n');
    tail.readNew();
    writeFileSync(f, 'new\n');
    expect(tail.readNew()).toEqual(['new']);
  });

  it('calls back when the file grows', async () => {
    const f = file();
    const tail = new LineTail(f);
    const seen = new Promise<string[]>((resolve) => tail.follow(resolve));
    appendFileSync(f, 'hello\n');
    await expect(seen).resolves.toEqual(['hello']);
    tail.stop();
  });
});

describe('Jest snapshot', () => {
  const assertion = (title: string, status: string) => ({ ancestorTitles: ['cap'], title, fullName: `cap ${title}`, status, duration: 3, failureMessages: status === 'failed' ? ['x'] : [] });
  const results = (statuses: string[], failed = 0) =>
    ({
      startTime: 1000,
      success: true,
      numTotalTests: statuses.length,
      numFailedTests: failed,
      numRuntimeErrorTestSuites: 0,
      snapshot: { failure: false },
      testResults: [{ testFilePath: '/root/e2e/chat-streaming.test.ts', perfStats: { start: 1, end: 11 }, testExecError: undefined, testResults: statuses.map((s, i) => assertion(`t${i}`, s)) }],
    }) as unknown as AggregatedResult;

  it('maps pending and disabled tests to skipped and names tests as Jest does', () => {
    const s = snapshotFromResults(results(['passed', 'pending', 'disabled', 'todo']), '/root');
    expect(s.tests.map((t) => t.status)).toEqual(['passed', 'skipped', 'skipped', 'todo']);
    expect(s.tests[0]).toMatchObject({ file: 'e2e/chat-streaming.test.ts', capability: 'chat-streaming', name: 'cap t0' });
  });

  it('decides success itself, since Jest sets it only after onRunComplete', () => {
    expect(snapshotFromResults(results(['passed']), '/root').success).toBe(true);
    expect(snapshotFromResults(results(['failed'], 1), '/root').success).toBe(false);
  });

  it('names a capability after its test file', () => {
    expect(capabilityOf('e2e/metrics-consistency.test.ts')).toBe('metrics-consistency');
  });
});
