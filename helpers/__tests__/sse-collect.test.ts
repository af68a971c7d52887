import type { ChatRequest } from '../checks/chat-completion';
import { checkStream } from '../checks/stream';
import { collectStream } from '../core/sse';
import { useLocalHttpServer } from '../__fixtures__/local-http-server';

/** A local server that answers POST with whatever raw chunks the current test sets, with a pause between them. */
let chunks: string[] = [];
let status = 200;
let contentType = 'text/event-stream';
let hangAfter = false;
const local = useLocalHttpServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    res.writeHead(status, { 'content-type': contentType });
    for (const c of chunks) {
      res.write(c);
      await new Promise((r) => setImmediate(r));
    }
    if (!hangAfter) res.end();
  });
});
beforeEach(() => {
  status = 200;
  contentType = 'text/event-stream';
  hangAfter = false;
});

const NOW = Math.floor(Date.now() / 1000);
const chunk = (over: Record<string, unknown> = {}, delta: Record<string, unknown> = {}, finish: string | null = null) =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: NOW, model: 'gpt-4', choices: [{ index: 0, delta, finish_reason: finish }], usage: null, ...over });
const ev = (data: string) => `data: ${data}\n\n`;
const goodEvents = () => [
  ev(chunk({}, { role: 'assistant' })),
  ev(chunk({}, { content: 'Hel' })),
  ev(chunk({}, { content: 'lo' })),
  ev(chunk({}, {}, 'stop')),
  ev('[DONE]'),
];
const req: ChatRequest = { model: 'gpt-4', messages: [], max_tokens: 20, stream: true };
const problemsFor = async (c: string[], r: ChatRequest = req) => {
  chunks = c;
  return checkStream(await collectStream(local.baseUrl, r), r).map((p) => `${p.at}: ${p.expected} / ${p.actual}`);
};

describe('collectStream', () => {
  test('keeps every event with its arrival time, parses JSON, marks [DONE] and measures TTFT and gaps', async () => {
    chunks = goodEvents();
    const s = await collectStream(local.baseUrl, req);
    expect(s.status).toBe(200);
    expect(s.events.map((e) => e.done)).toEqual([false, false, false, false, true]);
    expect(s.doneIndex).toBe(4);
    expect(s.afterDone).toEqual([]);
    expect(s.ttftMs).toBe(s.events[1].atMs);
    expect(s.gapsMs).toHaveLength(4);
    expect(s.gapsMs.every((g) => g >= 0)).toBe(true);
    expect(s.truncated).toBe(false);
  });
  test('reassembles an event split across network chunks (a real SSE parser, not line splitting)', async () => {
    const whole = goodEvents().join('');
    chunks = [whole.slice(0, 17), whole.slice(17, 90), whole.slice(90)];
    const s = await collectStream(local.baseUrl, req);
    expect(s.events).toHaveLength(5);
    expect(s.events.every((e) => e.parseError === null)).toBe(true);
  });
  test('keeps an unparsable event as a failure instead of dropping it', async () => {
    chunks = [goodEvents()[0], ev('{"id": oops'), ...goodEvents().slice(1)];
    const s = await collectStream(local.baseUrl, req);
    expect(s.events[1].parseError).not.toBeNull();
    expect(s.events[1].data).toBe('{"id": oops');
  });
  test('returns a JSON error body as data when the server does not stream', async () => {
    status = 422;
    contentType = 'application/json';
    chunks = ['{"detail":"bad"}'];
    const s = await collectStream(local.baseUrl, req);
    expect(s.status).toBe(422);
    expect(s.body).toEqual({ detail: 'bad' });
    expect(s.events).toEqual([]);
  });
  test('gives up after the per-request timeout on a stream that never ends', async () => {
    hangAfter = true;
    chunks = goodEvents().slice(0, 2);
    const s = await collectStream(local.baseUrl, req, { timeoutMs: 300 });
    expect(s.error).toMatch(/300 ms/);
    expect(s.events).toHaveLength(2);
  });
});

describe('checkStream', () => {
  test('passes a well-formed stream', async () => {
    expect(await problemsFor(goodEvents())).toEqual([]);
  });
  test('fails an event that is not JSON', async () => {
    expect(await problemsFor([goodEvents()[0], ev('not json'), ...goodEvents().slice(1)])).toEqual([expect.stringMatching(/^event 1: data that is valid JSON/)]);
  });
  test('fails a chunk of the wrong object type', async () => {
    const g = goodEvents();
    g[2] = ev(chunk({ object: 'chat.completion' }, { content: 'lo' }));
    expect(await problemsFor(g)).toEqual([expect.stringMatching(/^event 2\.object/)]);
  });
  test('fails two ids in one stream', async () => {
    const g = goodEvents();
    g[2] = ev(chunk({ id: 'chatcmpl-2' }, { content: 'lo' }));
    expect(await problemsFor(g)).toEqual([expect.stringMatching(/^chunk ids: one id/)]);
  });
  test('fails a first chunk without the role', async () => {
    const g = goodEvents();
    g[0] = ev(chunk({}, { content: '' }));
    expect(await problemsFor(g)).toEqual([expect.stringMatching(/^event 0\.delta\.role/)]);
  });
  test('fails empty content', async () => {
    const g = goodEvents();
    expect(await problemsFor([g[0], g[3], g[4]])).toEqual([expect.stringMatching(/^choice 0 content/)]);
  });
  test('fails no finish_reason, two finish_reasons, and content after the finish', async () => {
    const g = goodEvents();
    expect(await problemsFor([g[0], g[1], g[4]])).toEqual([expect.stringMatching(/^choice 0 finish_reason: exactly one .* \/ none/)]);
    expect(await problemsFor([g[0], g[1], g[3], g[3], g[4]])).toEqual([expect.stringMatching(/^choice 0 finish_reason: exactly one/)]);
    expect(await problemsFor([g[0], g[3], g[1], g[4]])).toEqual([expect.stringMatching(/^event 2: no content for choice 0 after its finish_reason/)]);
  });
  test('fails a missing [DONE], and anything after [DONE]', async () => {
    const g = goodEvents();
    expect(await problemsFor(g.slice(0, 4))).toEqual([expect.stringMatching(/^\[DONE\]: a final data: \[DONE\]/)]);
    expect(await problemsFor([...g, ev('[DONE]')])).toEqual([expect.stringMatching(/^after \[DONE\]: nothing/)]);
    expect(await problemsFor([...g, g[1]])).toEqual(expect.arrayContaining([expect.stringMatching(/^after \[DONE\]: nothing/), expect.stringMatching(/^\[DONE\]: after every chunk/)]));
  });
  test('fails a stream cut mid-event', async () => {
    expect(await problemsFor([...goodEvents(), 'data: {"id"'])).toEqual(expect.arrayContaining([expect.stringMatching(/^stream end/)]));
  });
  test('with include_usage: fails missing usage and broken arithmetic; without it: fails usage that was not asked for', async () => {
    const r: ChatRequest = { ...req, stream_options: { include_usage: true } };
    const g = goodEvents();
    expect(await problemsFor(g, r)).toEqual([expect.stringMatching(/^usage: exactly one chunk with usage/)]);
    const withUsage = (u: object) => [g[0], g[1], g[2], ev(chunk({ usage: u }, {}, 'stop')), g[4]];
    expect(await problemsFor(withUsage({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 }), r)).toEqual([]);
    expect(await problemsFor(withUsage({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 5 }), r)).toEqual([expect.stringMatching(/usage\.total_tokens: prompt_tokens \+ completion_tokens = 2 \+ 2 = 4/)]);
    expect(await problemsFor(withUsage({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 }))).toEqual([expect.stringMatching(/^usage: no usage without/)]);
  });
  test('fails finish_reason "stop" when usage shows the completion reached max_tokens', async () => {
    const r: ChatRequest = { ...req, max_tokens: 2, stream_options: { include_usage: true } };
    const g = goodEvents();
    const p = await problemsFor([g[0], g[1], g[2], ev(chunk({ usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } }, {}, 'stop')), g[4]], r);
    expect(p).toEqual([expect.stringMatching(/^choice 0 finish_reason: "length"/)]);
  });
  test('fails a non-200 answer and a wrong content type', async () => {
    status = 500;
    contentType = 'application/json';
    expect(await problemsFor(['{"error":{"message":"x","type":"server_error"}}'])).toEqual([expect.stringMatching(/^status: 200/), expect.stringMatching(/^content-type/)]);
  });
});
