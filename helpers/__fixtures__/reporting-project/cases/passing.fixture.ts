import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readHarnessEnv } from '../../../core/harness-env';
import { appendRecord } from '../../../core/run-records';
import { SAMPLE_DOC } from '../sample-run';

const base = { batch: 'request-load', id: null, method: 'POST', path: '/v1/chat/completions', status: 200, ok: true, error: null } as const;

describe('fixture load', () => {
  test('records two requests', () => {
    const { runDir } = readHarnessEnv();
    const test = expect.getState().currentTestName ?? null;
    appendRecord(runDir, { kind: 'request', ...base, seq: 1, of: 2, model: 'gpt-4', stream: false, durationMs: 123, ttftMs: null, tokens: 40, test });
    appendRecord(runDir, { kind: 'request', ...base, seq: 2, of: 2, model: 'claude-3-opus', stream: true, durationMs: 231, ttftMs: 21, tokens: 48, test });
    expect(true).toBe(true);
  });

  test('records an endpoint probe and a skip with its reason', () => {
    const { runDir } = readHarnessEnv();
    appendRecord(runDir, { kind: 'endpoint', path: '/metrics', served: true, status: 200, contentType: 'application/json', durationMs: 3, skipReason: null });
    appendRecord(runDir, { kind: 'skip', test: 'fixture load /metrics/slo', reason: 'not served by this server (404)' });
    // What the API driver does: save the served document, record each exchange with its route.
    writeFileSync(path.join(runDir, 'openapi.json'), JSON.stringify(SAMPLE_DOC));
    appendRecord(runDir, { kind: 'route', method: 'POST', route: '/v1/chat/completions', path: '/v1/chat/completions', status: 200, driver: 'http', violations: 0, test: null });
    appendRecord(runDir, { kind: 'route', method: 'WS', route: '/v1/realtime', path: '/v1/realtime', status: 101, driver: 'ws', violations: 0, test: null });
    expect(1 + 1).toBe(2);
  });
});
