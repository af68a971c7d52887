/** The checks every exchange shares, and the load's failure list, fed answers they must refuse. */
import type { ChatOutcome } from '../chat/chat-load';
import { describeFailures, planChatLoad } from '../chat/chat-load';
import { problem } from '../core/problems';
import { checkContentType, checkJsonOk, checkStatus } from '../checks/response';
import type { HttpResult } from '../core/http';

const res = (over: Partial<HttpResult>): HttpResult => ({ status: 200, headers: {}, data: { ok: true }, text: '{"ok":true}', json: true, contentType: 'application/json', durationMs: 1, ...over });

describe('checkStatus', () => {
  test('passes the expected status or one of a list', () => {
    expect(checkStatus(res({}), 200)).toEqual([]);
    expect(checkStatus(res({ status: 404 }), [200, 404])).toEqual([]);
  });

  test('fails any other status, naming what was wanted and quoting the body', () => {
    expect(checkStatus(res({ status: 500, text: 'Internal Server Error' }), 200)).toEqual([problem('status', '200', '500 (body: Internal Server Error)')]);
    expect(checkStatus(res({ status: 200, text: '' }), [401, 403], 'no key')).toEqual([problem('no key', '401 or 403', '200 (body: empty)')]);
  });
});

describe('checkContentType', () => {
  test('passes a matching type and fails a different or missing one', () => {
    expect(checkContentType(res({}), /^application\/json\b/, 'JSON')).toEqual([]);
    expect(checkContentType(res({ contentType: 'text/html' }), /^application\/json\b/, 'JSON')).toEqual([problem('content-type', 'JSON', 'text/html')]);
    expect(checkContentType(res({ contentType: null }), /^application\/json\b/, 'JSON')).toEqual([problem('content-type', 'JSON', 'no content-type header')]);
  });
});

describe('checkJsonOk', () => {
  test('passes a 200 with a parsed JSON body', () => expect(checkJsonOk(res({}))).toEqual([]));

  test('fails a non-200, a non-JSON type and a JSON type whose body did not parse', () => {
    expect(checkJsonOk(res({ status: 503 })).map((p) => p.at)).toEqual(['status']);
    expect(checkJsonOk(res({ contentType: 'text/plain', json: false, data: 'hi', text: 'hi' })).map((p) => p.at)).toEqual(['content-type']);
    expect(checkJsonOk(res({ json: false, data: '{"cut', text: '{"cut' }))).toEqual([problem('body', 'valid JSON', '{"cut')]);
  });
});

describe('describeFailures (request load)', () => {
  const [plain, stream] = planChatLoad(['gpt-4'], 1);
  const outcome = (over: Partial<ChatOutcome>): ChatOutcome => ({
    planned: plain, startedAt: 0, endedAt: 1, status: 200, id: 'x', durationMs: 1, ttftMs: null, usage: null, error: null, problems: [], ...over,
  });

  test('a 200 with no problems is not a failure', () => expect(describeFailures([outcome({})])).toEqual([]));

  test('a transport error, a non-200 and a failed check are each a failure, saying why', () => {
    const failures = describeFailures([
      outcome({ status: null, error: 'POST /v1/chat/completions got no HTTP response: ECONNREFUSED' }),
      outcome({ planned: stream, status: 500 }),
      outcome({ problems: [problem('body.usage.total_tokens', '12', 11)] }),
    ]);
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatch(/status none — .*ECONNREFUSED/);
    expect(failures[1]).toMatch(/STREAM gpt-4: status 500/);
    expect(failures[2]).toMatch(/body\.usage\.total_tokens: expected 12, got 11/);
  });
});
