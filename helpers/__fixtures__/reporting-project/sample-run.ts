// A made-up but realistic run for the report tests: 20 chat requests over five models (half of
// them streams), metrics probes, a skip, a known defect, an exception during a test.
import type { OpenApiDocument } from '../../api/contract';
import { evaluateRouteCoverage } from '../../api/route-coverage';
import { recordsOfKind, type RunRecord } from '../../core/run-records';
import type { JestSnapshot } from '../../reporting/jest-snapshot';
import type { ModelInput } from '../../reporting/report-model';

const MODELS = ['gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'claude-3-opus', 'claude-3-sonnet'];
const AT = '2026-01-01T00:00:00.000Z';

export function sampleRecords(): RunRecord[] {
  const requests: RunRecord[] = Array.from({ length: 20 }, (_, i) => ({
    kind: 'request',
    seq: i + 1,
    of: 20,
    batch: 'request-load',
    id: `chatcmpl-${i}`,
    method: 'POST',
    path: '/v1/chat/completions',
    model: MODELS[i % 5],
    stream: i >= 10,
    status: 200,
    ok: true,
    durationMs: 100 + ((i * 37) % 150),
    ttftMs: i >= 10 ? 12 + ((i * 7) % 11) + (i % 5) * 3 : null,
    tokens: 40 + i,
    error: null,
    test: 'chat load sends 20 mixed requests',
    at: AT,
  }));
  return [
    ...requests,
    { kind: 'endpoint', path: '/metrics', served: true, status: 200, contentType: 'application/json', durationMs: 3.2, skipReason: null, at: AT },
    { kind: 'endpoint', path: '/metrics/slo', served: false, status: 404, contentType: null, durationMs: 1.1, skipReason: 'not served by FakeAI 0.3.2', at: AT },
    { kind: 'skip', test: 'metrics /metrics/slo', reason: 'not served by FakeAI 0.3.2 (404)', at: AT },
    { kind: 'defect', id: 'FAKEAI-STREAM-USAGE', test: 'streaming usage', summary: 'stream usage chunk missing', evidence: 'no usage in 10/10 streams', at: AT },
    { kind: 'defect', id: 'FAKEAI-STREAM-USAGE', test: 'streaming usage with n=2', summary: 'stream usage chunk missing', evidence: 'no usage in 2/2 streams', at: AT },
    { kind: 'route', method: 'post', route: '/v1/chat/completions', path: '/v1/chat/completions', status: 200, driver: 'http', violations: 0, test: null, at: AT },
    { kind: 'route', method: 'POST', route: '/v1/chat/completions', path: '/v1/chat/completions', status: 400, driver: 'sdk', violations: 1, test: null, at: AT },
    { kind: 'route', method: 'GET', route: null, path: '/v1/secret', status: 404, driver: 'http', violations: 0, test: null, at: AT },
    { kind: 'route', method: 'WS', route: '/v1/realtime', path: '/v1/realtime', status: 101, driver: 'ws', violations: 0, test: null, at: AT },
    { kind: 'finding', server: 'default', tests: ['files deleting a file twice'], headline: 'ValueError: not found', text: 'ValueError', allowed: true, at: AT },
    { kind: 'finding', server: 'default', tests: ['files deleting a file twice'], headline: 'ValueError: not found', text: 'ValueError', allowed: true, at: AT },
    { kind: 'finding', server: 'default', tests: ['bad input rejects a negative max_tokens'], headline: 'ValueError: max_tokens < 0', text: 'Traceback (most recent call last):\n  ...\nValueError: max_tokens < 0', allowed: false, at: AT },
  ];
}

const json = { content: { 'application/json': { schema: {} } } };

/** A served API of three routes (plus the two WebSockets route-coverage.ts always adds). */
export const SAMPLE_DOC: OpenApiDocument = {
  openapi: '3.1.0',
  paths: {
    '/v1/chat/completions': { post: { responses: { '200': json } } },
    '/v1/models': { get: { responses: { '200': json } } },
    '/metrics/by-model': { get: { responses: { '200': json } } },
  },
};

export const SAMPLE_EXCLUSIONS = [{ route: 'GET /metrics/by-model', reason: 'deadlocks the server (known defect by-model-deadlock)' }];

/** Coverage of the sample records: chat and realtime exercised, models and /metrics/stream not. */
export function sampleCoverage(records: RunRecord[] = sampleRecords()) {
  return evaluateRouteCoverage(SAMPLE_DOC, recordsOfKind(records, 'route'), SAMPLE_EXCLUSIONS, 100);
}

export function sampleSnapshot(): JestSnapshot {
  const t = (capability: string, name: string, status: 'passed' | 'failed' | 'skipped', failureMessages: string[] = []) => ({
    file: `e2e/${capability}.test.ts`,
    capability,
    name,
    ancestors: [name.split(' ')[0]],
    title: name.split(' ').slice(1).join(' '),
    status,
    durationMs: status === 'skipped' ? null : 12,
    failureMessages,
  });
  return {
    startedAt: Date.parse('2026-01-01T00:00:01Z'),
    finishedAt: Date.parse('2026-01-01T00:00:06Z'),
    success: false,
    numTotalTests: 5,
    files: ['chat', 'metrics', 'bad-input'].map((c) => ({ file: `e2e/${c}.test.ts`, capability: c, durationMs: 900, error: null })),
    tests: [
      t('chat', 'chat load sends 20 mixed requests', 'passed'),
      t('metrics', 'metrics /metrics answers JSON', 'passed'),
      t('metrics', 'metrics /metrics/slo', 'passed'),
      t('bad-input', 'bad input rejects a negative max_tokens', 'failed', ['server exception: ValueError']),
      t('bad-input', 'bad input rejects an empty model', 'skipped'),
    ],
  };
}

export function sampleInput(overrides: Partial<ModelInput> = {}): ModelInput {
  return {
    snapshot: sampleSnapshot(),
    records: sampleRecords(),
    harness: {
      runDir: '/tmp/run',
      seed: 7,
      servers: {
        default: {
          name: 'default',
          baseUrl: 'http://127.0.0.1:43121',
          spawned: true,
          pid: 999,
          logStart: 0,
          logFile: '/tmp/run/server.log',
          command: ['python', '-m', 'fakeai', 'server', '--host', '127.0.0.1', '--port', '43121'],
          fakeaiVersion: '0.3.2',
          bootToReadyMs: 1420,
          settings: {},
        },
      },
    },
    seed: 7,
    startedAt: Date.parse('2026-01-01T00:00:00Z'),
    finishedAt: Date.parse('2026-01-01T00:00:07Z'),
    artifacts: { json: '/tmp/run/e2e-report.json', junit: '/tmp/run/junit.xml', html: '/tmp/run/e2e-report.html', serverLog: '/tmp/run/server.log' },
    routeCoverage: sampleCoverage(overrides.records ?? sampleRecords()),
    ...overrides,
  };
}
