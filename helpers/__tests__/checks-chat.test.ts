import { checkChatCompletion, type ChatRequest } from '../checks/chat-completion';
import { checkClientError, checkRefusedStream } from '../checks/response';
import type { StreamResult } from '../core/sse';
import { checkHealth, checkDetailedHealth } from '../checks/health';
import type { HttpResult } from '../core/http';

const NOW = 1_795_834_296;
function res(data: unknown, status = 200, contentType = 'application/json'): HttpResult {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return { status, headers: { 'content-type': contentType }, data, text, json: typeof data !== 'string', contentType, durationMs: 1 };
}
const req: ChatRequest = { model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 };
const good = () => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: NOW,
  model: 'gpt-4',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
});
const at = (problems: { at: string }[]) => problems.map((p) => p.at);

describe('checkChatCompletion', () => {
  test('passes a well-formed completion that echoes the model', () => {
    expect(checkChatCompletion(res(good()), req, NOW)).toEqual([]);
  });
  test('fails when total_tokens is not prompt + completion, naming both', () => {
    const d = good();
    d.usage.total_tokens = 6;
    const p = checkChatCompletion(res(d), req, NOW);
    expect(at(p)).toEqual(['body.usage.total_tokens']);
    expect(p[0].expected).toContain('2 + 3 = 5');
    expect(p[0].actual).toBe('6');
  });
  test('fails when completion_tokens exceeds max_tokens (and finish_reason then must be "length")', () => {
    const d = good();
    d.usage = { prompt_tokens: 2, completion_tokens: 25, total_tokens: 27 };
    expect(at(checkChatCompletion(res(d), req, NOW))).toEqual(['choices[0].finish_reason', 'body.usage.completion_tokens']);
  });
  test('fails when the model is not the one requested', () => {
    expect(at(checkChatCompletion(res({ ...good(), model: 'gpt-3.5-turbo' }), req, NOW))).toEqual(['body.model']);
  });
  test('fails on a wrong object, a missing id, a non-assistant role and empty content', () => {
    const d = { ...good(), object: 'text_completion', id: '' } as Record<string, unknown>;
    d.choices = [{ index: 0, message: { role: 'user', content: '' }, finish_reason: 'stop' }];
    const p = at(checkChatCompletion(res(d), req, NOW));
    expect(p).toEqual(expect.arrayContaining(['body.id', 'body.object', 'body.choices[0].message.role']));
  });
  test('fails on empty content even when the shape is right', () => {
    const d = good();
    d.choices[0].message.content = '  ';
    expect(at(checkChatCompletion(res(d), req, NOW))).toEqual(['choices[0].message.content']);
  });
  test('fails on a non-200 status and on a body that is not JSON', () => {
    expect(at(checkChatCompletion(res(good(), 500), req, NOW))).toContain('status');
    expect(at(checkChatCompletion(res('<html>', 200, 'application/json'), req, NOW))).toContain('body');
  });
  test('fails on a created time far from now', () => {
    expect(at(checkChatCompletion(res({ ...good(), created: NOW - 3600 }), req, NOW))).toEqual(['body.created']);
  });
});

describe('checkClientError', () => {
  test('passes a 422 with FastAPI detail and a 400 with an OpenAI error', () => {
    expect(checkClientError(res({ detail: [{ msg: 'Field required', loc: ['body', 'messages'] }] }, 422))).toEqual([]);
    expect(checkClientError(res({ error: { message: 'too long', type: 'invalid_request_error' } }, 400))).toEqual([]);
  });
  test('fails a 500, a 200 and a 4xx without a JSON error body', () => {
    expect(at(checkClientError(res({ error: { message: 'x', type: 'server_error' } }, 500)))).toEqual(['status']);
    expect(at(checkClientError(res(good(), 200)))).toEqual(['status', 'body']);
    expect(at(checkClientError(res('Bad Request', 400, 'text/plain')))).toEqual(['content-type', 'body']);
    expect(at(checkClientError(res({ ok: false }, 400)))).toEqual(['body']);
  });
});

describe('checkHealth / checkDetailedHealth', () => {
  test('passes a ready server and fails one that is starting', () => {
    expect(checkHealth(res({ status: 'healthy', ready: true, timestamp: '2026-11-28T02:51:27.412250' }))).toEqual([]);
    expect(at(checkHealth(res({ status: 'starting', ready: false, timestamp: '2026-11-28T02:51:27' })))).toEqual(['body.status', 'body.ready']);
    expect(at(checkHealth(res({ status: 'healthy', ready: true, timestamp: 'yesterday' })))).toEqual(['body.timestamp']);
  });
  const detailed = (over: Record<string, unknown> = {}) => ({
    status: 'healthy',
    timestamp: NOW,
    uptime_seconds: 12,
    metrics_summary: { total_requests_per_second: 1, total_errors_per_second: 0, error_rate_percentage: 0, average_latency_seconds: 0.01, active_streams: 0 },
    endpoints: { '/v1/chat/completions': { requests_per_second: 1, latency_p50_ms: 2, latency_p99_ms: 5 } },
    ...over,
  });
  const ctx = { sentAtS: NOW - 0.1, receivedAtS: NOW + 0.1, minUptimeS: 1 };
  test('passes a consistent document', () => {
    expect(checkDetailedHealth(res(detailed()), ctx)).toEqual([]);
  });
  test('fails an uptime shorter than the server has been seen up, a p50 above p99, and a status that does not fit the error rate', () => {
    expect(at(checkDetailedHealth(res(detailed({ uptime_seconds: -2e-6 })), ctx))).toEqual(['body.uptime_seconds']);
    expect(at(checkDetailedHealth(res(detailed({ endpoints: { '/x': { requests_per_second: 1, latency_p50_ms: 9, latency_p99_ms: 5 } } })), ctx))).toEqual(['endpoints./x']);
    const s = detailed();
    (s.metrics_summary as { error_rate_percentage: number }).error_rate_percentage = 50;
    expect(at(checkDetailedHealth(res(s), ctx))).toEqual(['body.status']);
  });
});

describe('checkRefusedStream', () => {
  const stream = (over: Partial<StreamResult>): StreamResult => ({
    status: 422, contentType: 'application/json', headers: {}, events: [], doneIndex: -1, afterDone: [], parserErrors: [], truncated: false,
    body: { detail: [{ msg: 'Field required', loc: ['body', 'messages'] }] }, rawText: '{"detail":[…]}', ttftMs: null, gapsMs: [], totalMs: 3, error: null, ...over,
  });
  test('passes a 4xx JSON refusal with no events', () => {
    expect(checkRefusedStream(stream({}))).toEqual([]);
  });
  test('fails a 200 event stream (a refusal that streamed anyway) and a stream that never ended', () => {
    const ev = { index: 0, atMs: 1, data: '{}', eventType: null, done: false, json: {}, parseError: null };
    const streamed = stream({ status: 200, contentType: 'text/event-stream', body: null, events: [ev], rawText: 'data: {}\n\n' });
    expect(at(checkRefusedStream(streamed))).toEqual(['status', 'content-type', 'body', 'stream']);
    expect(at(checkRefusedStream(stream({ error: 'no complete response within 15000 ms' })))).toEqual(['response']);
  });
});
