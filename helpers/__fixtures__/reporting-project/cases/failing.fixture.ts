import { readHarnessEnv } from '../../../core/harness-env';
import { appendRecord } from '../../../core/run-records';

describe('fixture failure', () => {
  test('a request that fails', () => {
    const { runDir } = readHarnessEnv();
    appendRecord(runDir, {
      kind: 'request', batch: 'bad', seq: 1, of: 1, id: null, method: 'POST', path: '/v1/chat/completions', model: 'gpt-4',
      stream: false, status: 500, ok: false, durationMs: 7, ttftMs: null, tokens: null, error: 'Internal Server Error', test: null,
    });
    expect({ status: 500 }).toEqual({ status: 200 });
  });

  test('a test that passes beside it', () => {
    expect(true).toBe(true);
  });
});
