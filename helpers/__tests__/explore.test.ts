/**
 * The explorer's parts without a server: generators against the real FakeAI 0.3.2 /openapi.json
 * and model list (helpers/__fixtures__/explore/), each invariant failing on a crafted bad answer,
 * symptoms that explain only their own defect, shrinking to the minimal case, the reproducer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Contract, type OpenApiDocument } from '../api/contract';
import type { Counters } from '../checks/metrics-delta';
import { loadConfig, parseDuration, parseExploreBudget } from '../core/config';
import type { StreamEvent, StreamResult } from '../core/sse';
import type { Finding } from '../logs/log-watcher';
import { factsFromModelList, textModels } from '../explore/facts';
import { type ExploreCase, exploreCases, promptSize, pythonJsonDumps, splitTokens } from '../explore/generators';
import { checkAnswer, checkCase, checkCounters, checkLog, checkViews, type Invariant, type Observation } from '../explore/invariants';
import { RequestSchema } from '../explore/request-schema';
import { curlCommand, replayCommand, shellQuote } from '../explore/reproducer';
import { abandonedCase, countersFrom, type LastOutcome } from '../explore/runner';
import { SYMPTOMS, triage } from '../explore/symptoms';
import { fakeaiTokenCount, textOfTokens } from '../explore/text';
import { BY_MODEL_VIEW, metricsViews, viewBodyProblems, viewUrl } from '../explore/views';

const FIXTURES = path.join(__dirname, '..', '__fixtures__', 'explore');
const doc = JSON.parse(readFileSync(path.join(FIXTURES, 'openapi-0.3.2.json'), 'utf8')) as OpenApiDocument;
const contract = new Contract(doc);
const facts = factsFromModelList(JSON.parse(readFileSync(path.join(FIXTURES, 'models-0.3.2.json'), 'utf8')));

// ---------------------------------------------------------------- crafted answers

function sse(datas: string[], extra: Partial<StreamResult> = {}): StreamResult {
  const events: StreamEvent[] = datas.map((data, index) => {
    const done = data === '[DONE]';
    let json: unknown;
    let parseError: string | null = null;
    if (!done) {
      try {
        json = JSON.parse(data);
      } catch (e) {
        parseError = (e as Error).message;
      }
    }
    return { index, atMs: index, data, eventType: null, done, json, parseError };
  });
  const doneIndex = events.findIndex((e) => e.done);
  return { status: 200, contentType: 'text/event-stream', headers: {}, events, doneIndex, afterDone: doneIndex === -1 ? [] : events.slice(doneIndex + 1), parserErrors: [], truncated: false, body: null, rawText: datas.map((d) => `data: ${d}\n\n`).join(''), ttftMs: 0, gapsMs: [], totalMs: 5, error: null, ...extra };
}

function json(status: number, body: unknown): StreamResult {
  return { status, contentType: 'application/json', headers: {}, events: [], doneIndex: -1, afterDone: [], parserErrors: [], truncated: false, body, rawText: JSON.stringify(body), ttftMs: null, gapsMs: [], totalMs: 5, error: null };
}

const now = () => Math.floor(Date.now() / 1000);
const MODEL = 'llama-3.1-8b';

function chat(over: Partial<ExploreCase> = {}): ExploreCase {
  const body = { model: MODEL, messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 50, ...(over.stream ? { stream: true } : {}), ...(over.body ?? {}) };
  return { endpoint: 'chat', path: '/v1/chat/completions', model: MODEL, stream: false, promptTokens: 2, limit: 50, limitField: 'max_tokens', contextWindow: 128000, pastWindow: false, sizeMode: 'small', n: 1, includeUsage: undefined, tools: false, ...over, body };
}

function chatBody(over: { content?: string; finish?: string; usage?: Record<string, number> } = {}) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: now(),
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: over.content ?? 'Hi! How are you?' }, finish_reason: over.finish ?? 'stop' }],
    usage: over.usage ?? { prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 },
  };
}

function chunk(delta: Record<string, unknown>, finish: string | null = null, usage?: Record<string, number>) {
  return JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: now(), model: MODEL, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) });
}

const goodStream = (withUsage: boolean) =>
  sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi there' }), chunk({}, 'stop'), ...(withUsage ? [chunk({}, null, { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 })] : []), '[DONE]']);

const counters = (over: Partial<Counters> = {}): Counters => ({ kvLookups: 5, kvChatLookups: 5, routerRequests: 5, routerActive: 0, dynamoTotal: 5, completedStreams: 0, activeStreams: 0, perModel: { [MODEL]: { requests: 5, prompt: 10, completion: 30 } }, ...over });

const invariantsOf = (ps: { invariant: Invariant }[]) => [...new Set(ps.map((p) => p.invariant))];

// ---------------------------------------------------------------- generators

describe('explore generators', () => {
  const samples = fc.sample(exploreCases(facts, contract, { maxPromptTokens: 4096 }), { numRuns: 600, seed: 42 });

  test('never produce a request body the route\'s /openapi.json schema refuses (Ajv, 600 samples)', () => {
    const refused = samples.map((c) => ({ c, v: contract.checkRequest('POST', c.path, c.body) })).filter((x) => x.v.length > 0);
    expect(refused.map((x) => `${x.c.path} ${JSON.stringify(x.v)}`)).toEqual([]);
  });

  test('use only properties the route\'s schema declares', () => {
    const undeclared = samples.flatMap((c) => {
      const schema = new RequestSchema(contract, `POST ${c.path}`);
      return Object.keys(c.body).filter((k) => !schema.has(k)).map((k) => `${c.path}: ${k}`);
    });
    expect(undeclared).toEqual([]);
  });

  test('cover every route, stream and non-stream, include_usage on and off, and cases past the window', () => {
    const seen = new Set(samples.map((c) => `${c.endpoint}${c.stream ? ' stream' : ''}`));
    expect([...seen].sort()).toEqual(['chat', 'chat stream', 'completions', 'completions stream', 'embeddings', 'responses', 'responses stream']);
    expect(samples.some((c) => c.includeUsage === true) && samples.some((c) => c.includeUsage === false)).toBe(true);
    expect(samples.filter((c) => c.pastWindow).length).toBeGreaterThan(5);
    expect(samples.some((c) => c.tools) && samples.some((c) => c.body.response_format !== undefined) && samples.some((c) => c.n > 1)).toBe(true);
    const roles = new Set(samples.flatMap((c) => ((c.body.messages as { role: string }[] | undefined) ?? []).map((m) => m.role)));
    expect([...roles].sort()).toEqual(['assistant', 'system', 'user']);
  });

  test('draw every text model the server lists', () => {
    const many = fc.sample(exploreCases(facts, contract, { maxPromptTokens: 64 }), { numRuns: 3000, seed: 7 });
    const used = new Set(many.map((c) => c.model));
    expect(textModels(facts).map((m) => m.id).filter((id) => !used.has(id))).toEqual([]);
  });

  test('size chat prompts exactly as FakeAI counts them, and mark past-window cases by prompt + limit', () => {
    for (const c of samples.filter((x) => x.endpoint === 'chat' && !x.tools)) {
      const text = (c.body.messages as { content: string }[]).map((m) => m.content).join(' ');
      expect(fakeaiTokenCount(text)).toBe(c.promptTokens);
      expect(c.pastWindow).toBe(c.promptTokens + (c.limit ?? 0) > c.contextWindow);
    }
  });

  test('take ranges and enums from the schema (temperature, top_p, n, roles, encoding_format)', () => {
    const chatSchema = new RequestSchema(contract, 'POST /v1/chat/completions');
    expect(chatSchema.range('temperature', { min: 0, max: 99 })).toEqual({ min: 0, max: 2, integer: false });
    expect(chatSchema.range('top_p', { min: 0, max: 99 })).toEqual({ min: 0, max: 1, integer: false });
    expect(chatSchema.range('n', { min: 1, max: 3 })).toEqual({ min: 1, max: 3, integer: true });
    expect(chatSchema.itemEnum('messages', 'role')).toEqual(['system', 'user', 'assistant', 'tool', 'function']);
    expect(new RequestSchema(contract, 'POST /v1/embeddings').enumOf('encoding_format')).toEqual(['float', 'base64']);
    for (const c of samples) {
      const t = c.body.temperature as number | undefined;
      if (t !== undefined) expect(t >= 0 && t <= 2).toBe(true);
    }
  });

  test('text of an exact FakeAI token count, and the helpers it rests on', () => {
    for (const n of [1, 2, 7, 64, 999, 5000]) expect(fakeaiTokenCount(textOfTokens(n, n))).toBe(n);
    expect(fakeaiTokenCount('Hello, world! (yes)')).toBe(3 + 4);
    expect(splitTokens(7, 3)).toEqual([3, 2, 2]);
    expect(splitTokens(2, 5)).toEqual([1, 1]);
    expect(pythonJsonDumps({ a: [1, 'x'], b: { c: null } })).toBe('{"a": [1, "x"], "b": {"c": null}}');
    expect(promptSize({ mode: 'past', tokens: 1, offset: 0 }, 100, 1000)).toBe(101);
    expect(promptSize({ mode: 'past', tokens: 1, offset: 0 }, 5000, 1000)).toBe(1000);
    expect(promptSize({ mode: 'edge', tokens: 1, offset: 3 }, 100, 1000)).toBe(97);
  });

  test('facts: kinds from output limit and pricing; a list without context windows is refused', () => {
    expect(facts.models.find((m) => m.id === 'BAAI/bge-m3')?.kind).toBe('embedding');
    expect(facts.models.find((m) => m.id === 'tts-1')?.kind).toBe('other');
    expect(facts.models.find((m) => m.id === 'claude-3-haiku')).toMatchObject({ kind: 'text', contextWindow: 200000 });
    expect(() => factsFromModelList({ object: 'list', data: [{ id: 'x', max_output_tokens: 10 }] })).toThrow(/no context_window for x/);
    expect(() => factsFromModelList({ data: [] })).toThrow();
  });
});

// ---------------------------------------------------------------- shrinking

describe('explore shrinking', () => {
  test('a planted failure (chat streams of ≥ 100 prompt tokens) shrinks to the minimal case: exactly 100 tokens, one turn, no options', async () => {
    const planted = (c: ExploreCase) => !(c.endpoint === 'chat' && c.stream && c.promptTokens >= 100);
    const details = await fc.check(fc.property(exploreCases(facts, contract, { maxPromptTokens: 4096 }), planted), { seed: 1234, numRuns: 2000 });
    expect(details.failed).toBe(true);
    const c = details.counterexample![0];
    expect(c).toMatchObject({ endpoint: 'chat', stream: true, promptTokens: 100, n: 1, tools: false });
    expect(c.body.messages).toHaveLength(1);
    expect(Object.keys(c.body).sort()).toEqual(['messages', 'model', 'stream']);
    // The path replays exactly this case.
    const replay = await fc.check(fc.property(exploreCases(facts, contract, { maxPromptTokens: 4096 }), planted), { seed: 1234, path: details.counterexamplePath!, endOnFailure: true });
    expect(replay.counterexample![0]).toEqual(c);
  });
});

// ---------------------------------------------------------------- invariants

describe('explore invariants', () => {
  test('a good answer, stream and metrics reading break none of them', () => {
    expect(checkAnswer(chat(), json(200, chatBody()))).toEqual([]);
    expect(checkAnswer(chat({ stream: true, includeUsage: true, body: { stream: true, stream_options: { include_usage: true } } }), goodStream(true))).toEqual([]);
    expect(checkAnswer(chat({ stream: true }), goodStream(false))).toEqual([]);
    const before = counters();
    const after = counters({ kvLookups: 6, kvChatLookups: 6, routerRequests: 6, dynamoTotal: 6, perModel: { [MODEL]: { requests: 6, prompt: 12, completion: 36 } } });
    expect(checkCounters(chat(), true, { prompt_tokens: 2, completion_tokens: 6 }, { before, after, unread: [] })).toEqual([]);
    expect(checkCounters(chat({ pastWindow: true }), false, null, { before, after: before, unread: [] })).toEqual([]);
  });

  test('status: a request within the window refused, or one past it answered 200, fails', () => {
    expect(invariantsOf(checkAnswer(chat(), json(400, { error: { message: 'too long', type: 'invalid_request_error' } })))).toEqual(['status']);
    expect(invariantsOf(checkAnswer(chat({ pastWindow: true }), json(200, chatBody())))).toEqual(['status']);
  });

  test('schema: a chat answer without choices fails; a completion with the wrong object fails', () => {
    const { choices: _c, ...noChoices } = chatBody();
    expect(invariantsOf(checkAnswer(chat(), json(200, noChoices)))).toContain('schema');
    const cmpl = chat({ endpoint: 'completions', path: '/v1/completions', body: { model: MODEL, prompt: 'hi' } });
    expect(invariantsOf(checkAnswer(cmpl, json(200, { ...chatBody(), object: 'chat.completion' })))).toContain('schema');
  });

  test('usage: total ≠ prompt + completion fails, and so does completion above the limit', () => {
    expect(invariantsOf(checkAnswer(chat(), json(200, chatBody({ usage: { prompt_tokens: 2, completion_tokens: 6, total_tokens: 9 } }))))).toEqual(['usage']);
    const limited = chat({ limit: 5, body: { max_tokens: 5 } });
    expect(invariantsOf(checkAnswer(limited, json(200, chatBody({ finish: 'length', usage: { prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 } }))))).toEqual(['usage']);
  });

  test('usage with n choices: bounded by n × the limit, not by the limit alone', () => {
    const two = chat({ n: 2, limit: 10, body: { max_tokens: 10, n: 2 } });
    const answer = (completion: number) => {
      const b = chatBody({ usage: { prompt_tokens: 2, completion_tokens: completion, total_tokens: completion + 2 } });
      b.choices.push({ ...b.choices[0], index: 1 });
      return json(200, b);
    };
    expect(checkAnswer(two, answer(15))).toEqual([]);
    expect(checkAnswer(two, answer(21)).map((p) => `${p.invariant} ${p.at}`)).toEqual(['usage body.usage.completion_tokens']);
  });

  test('finish-reason: "stop" at the limit fails, "length" below it fails', () => {
    const limited = chat({ limit: 6, body: { max_tokens: 6 } });
    expect(invariantsOf(checkAnswer(limited, json(200, chatBody({ finish: 'stop' }))))).toEqual(['finish-reason']);
    expect(invariantsOf(checkAnswer(chat(), json(200, chatBody({ finish: 'length' }))))).toEqual(['finish-reason']);
  });

  test('stream: no [DONE] fails; usage without include_usage fails; a JSON answer to stream: true fails', () => {
    const s = goodStream(false);
    const cut = sse(s.events.filter((e) => !e.done).map((e) => e.data));
    expect(invariantsOf(checkAnswer(chat({ stream: true }), cut))).toEqual(['stream']);
    expect(invariantsOf(checkAnswer(chat({ stream: true }), goodStream(true)))).toEqual(['stream']);
    const resp = chat({ endpoint: 'responses', path: '/v1/responses', stream: true, body: { model: MODEL, input: 'hi', stream: true } });
    expect(invariantsOf(checkAnswer(resp, json(200, { object: 'response' })))).toEqual(['stream']);
  });

  test('metrics-view: a 500 fails, and so does a 200 whose body is not of its format', () => {
    expect(invariantsOf(checkViews([{ path: '/metrics/prometheus', status: 500, contentType: 'application/json', problems: [] }]))).toEqual(['metrics-view']);
    const bad = viewBodyProblems('/metrics/prometheus', { contentType: 'text/plain; version=0.0.4', data: '', text: 'not a sample line\n', json: false }, undefined);
    expect(bad.length).toBeGreaterThan(0);
    expect(viewBodyProblems('/metrics', { contentType: 'application/json', data: { requests: 1 }, text: '{}', json: true }, contract).length).toBeGreaterThan(0);
    expect(viewBodyProblems('/metrics/csv', { contentType: 'text/html', data: '', text: '<html>', json: false }, undefined)).toEqual([expect.objectContaining({ at: 'content-type' })]);
    expect(invariantsOf(checkViews([{ path: '/x', status: 200, contentType: 'text/plain', problems: bad }]))).toEqual(['metrics-view']);
  });

  test('counters: an accepted chat that moved no KV counter fails; a refused one that moved its model fails; a leaked active request fails', () => {
    const before = counters();
    const moved = counters({ kvLookups: 6, kvChatLookups: 6, routerRequests: 6, dynamoTotal: 6, perModel: { [MODEL]: { requests: 6, prompt: 12, completion: 36 } } });
    const noKv = { ...moved, kvLookups: 5, kvChatLookups: 5, routerRequests: 5 };
    expect(checkCounters(chat(), true, { prompt_tokens: 2, completion_tokens: 6 }, { before, after: noKv, unread: [] }).map((p) => p.at)).toHaveLength(3);
    expect(invariantsOf(checkCounters(chat({ pastWindow: true }), false, null, { before, after: counters({ perModel: { [MODEL]: { requests: 6, prompt: 10, completion: 30 } } }), unread: [] }))).toEqual(['counters']);
    const leak = { ...moved, routerActive: 1 };
    expect(checkCounters(chat(), true, { prompt_tokens: 2, completion_tokens: 6 }, { before, after: leak, unread: [] }).map((p) => p.at)).toEqual(['/kv-cache/metrics smart_router Σ workers.active_requests']);
    // An earlier leak is not this case's: only the change counts.
    expect(checkCounters(chat(), true, { prompt_tokens: 2, completion_tokens: 6 }, { before: { ...before, routerActive: 1 }, after: leak, unread: [] })).toEqual([]);
  });

  test('server-log: any exception while the case ran fails', () => {
    const f: Finding = { kind: 'traceback', headline: 'ValueError: boom', text: 'Traceback…\nValueError: boom', startOffset: 0, endOffset: 10 };
    expect(invariantsOf(checkLog([f]))).toEqual(['server-log']);
  });

  test('countersFrom reads each view it got and lists the ones it did not', () => {
    const { counters: c, unread } = countersFrom(MODEL, { [BY_MODEL_VIEW]: { model: MODEL, request_count: 0, error: 'no data' } });
    expect(c.perModel).toEqual({ [MODEL]: { requests: 0, prompt: 0, completion: 0 } });
    expect(unread).toEqual(['/kv-cache/metrics', '/dynamo/metrics/json', '/metrics']);
  });
});

// ---------------------------------------------------------------- symptoms

describe('explore symptoms of known defects', () => {
  const obs = (response: StreamResult, logFindings: Finding[] = []): Observation => ({ response, views: [], counters: { before: {}, after: {}, unread: [] }, logFindings });

  test('every symptom names a defect in the ledger and each defect has one symptom', () => {
    const { KNOWN_DEFECTS } = jest.requireActual('../ledger/known-defects') as typeof import('../ledger/known-defects');
    const ids = SYMPTOMS.map((s) => s.defect);
    expect(ids.filter((d) => !KNOWN_DEFECTS.some((k) => k.id === d))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('a stream\'s by-model counter at +0 is by-model-ignores-streams; at +2 it is a new failure', () => {
    const c = chat({ stream: true, body: { stream: true } });
    const before = counters();
    const x = { c, o: obs(goodStream(false)), enforcedWindow: 8192 };
    const atZero = checkCounters(c, true, null, { before, after: { ...counters({ kvLookups: 6, kvChatLookups: 6, routerRequests: 6, dynamoTotal: 5, completedStreams: 0 }) }, unread: [] });
    const t = triage(atZero, x);
    expect(t.unexplained).toEqual([]);
    expect(Object.keys(t.known).sort()).toEqual(['by-model-ignores-streams', 'dynamo-ignores-streams', 'streaming-stats-never-count']);
    const doubled = checkCounters(c, true, null, { before, after: counters({ kvLookups: 6, kvChatLookups: 6, routerRequests: 6, dynamoTotal: 7, completedStreams: 1, perModel: { [MODEL]: { requests: 7, prompt: 10, completion: 30 } } }), unread: [] });
    expect(triage(doubled, x).unexplained.map((p) => p.at).sort()).toEqual(['/dynamo/metrics/json summary.total_requests', `/metrics/by-model/${MODEL} request_count`]);
  });

  test('max_tokens under 10 answered with up to 10 tokens is max-tokens-floor; 11 is not', () => {
    const c = chat({ limit: 3, body: { max_tokens: 3 } });
    const answer = (n: number) => json(200, chatBody({ finish: 'length', content: 'Hi', usage: { prompt_tokens: 2, completion_tokens: n, total_tokens: n + 2 } }));
    const ten = triage(checkCase(c, obs(answer(10))), { c, o: obs(answer(10)), enforcedWindow: 8192 });
    expect(ten).toMatchObject({ unexplained: [], known: { 'max-tokens-floor': 1 } });
    const eleven = triage(checkCase(c, obs(answer(11))), { c, o: obs(answer(11)), enforcedWindow: 8192 });
    // 'Hi' is far under 4 × 10 characters: the char-trim overshoot explains it, not the floor.
    expect(eleven.known).toEqual({ 'completion-char-trim-overshoot': 1 });
    const long = json(200, chatBody({ finish: 'length', content: 'x'.repeat(41), usage: { prompt_tokens: 2, completion_tokens: 11, total_tokens: 13 } }));
    expect(triage(checkCase(c, obs(long)), { c, o: obs(long), enforcedWindow: 8192 }).unexplained.map((p) => p.invariant)).toEqual(['usage']);
  });

  describe('a reasoning model\'s plain chat answer', () => {
    const R1 = 'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B';
    const rc = (limit: number, over: Partial<ExploreCase> = {}) => chat({ model: R1, promptTokens: 1, limit, ...over, body: { model: R1, messages: [{ role: 'user', content: 'shows' }], max_tokens: limit, ...(over.body ?? {}) } });
    /** An answer as FakeAI 0.3.2 gives it: usage.completion_tokens = content + reasoning, the reasoning in completion_tokens_details. */
    const answer = (finish: string, completion: number, reasoning: number, content = 'Here is a short answer.') => {
      const details = reasoning > 0 ? { completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } } : {};
      return json(200, { ...chatBody({ finish, content }), model: R1, usage: { prompt_tokens: 1, completion_tokens: completion, total_tokens: completion + 1, ...details } });
    };
    const judge = (c: ExploreCase, a: StreamResult) => triage(checkCase(c, obs(a)), { c, o: obs(a), enforcedWindow: 8192 });
    const unexplained = (c: ExploreCase, a: StreamResult) => judge(c, a).unexplained.map((p) => `${p.invariant} ${p.at}`);

    test('"stop" with usage at the limit and content under it is finish-reason-ignores-reasoning (the shrunk case: max_tokens 9, 12 tokens, 4 of them reasoning)', () => {
      expect(judge(rc(9), answer('stop', 12, 4))).toMatchObject({ unexplained: [], known: { 'max-tokens-floor': 1, 'finish-reason-ignores-reasoning': 1 } });
      // Exactly at the limit, nothing over it: the finish_reason alone.
      expect(judge(rc(20), answer('stop', 20, 8))).toMatchObject({ unexplained: [], known: { 'finish-reason-ignores-reasoning': 1 } });
      expect(judge(rc(20, { limitField: 'max_completion_tokens', body: { max_tokens: undefined, max_completion_tokens: 20 } }), answer('stop', 20, 8)).known).toEqual({ 'finish-reason-ignores-reasoning': 1 });
    });

    test('"stop" at the limit without reasoning tokens is a new failure, and so is "stop" when the content alone reached the limit', () => {
      expect(unexplained(rc(20), answer('stop', 20, 0))).toEqual(['finish-reason choices[0].finish_reason']);
      // 10 content tokens ≥ max_tokens 9: FakeAI's own rule says "length" here.
      expect(unexplained(rc(9), answer('stop', 14, 4))).toEqual(['finish-reason choices[0].finish_reason']);
    });

    test('it explains no other problem: "length" under the limit, a stream\'s "stop", a usage problem', () => {
      expect(unexplained(rc(30), answer('length', 20, 8))).toEqual(['finish-reason choices[0].finish_reason']);
      const mine = SYMPTOMS.filter((s) => s.defect === 'finish-reason-ignores-reasoning');
      const stream = rc(20, { stream: true, body: { stream: true } });
      const finishStop = { at: 'choices[0].finish_reason', expected: '"length" (completion_tokens 20, max_tokens 20)', actual: 'stop', invariant: 'finish-reason' as const };
      expect(triage([finishStop], { c: stream, o: obs(answer('stop', 20, 8)), enforcedWindow: 8192 }, mine).unexplained).toEqual([finishStop]);
      const c = rc(9);
      expect(triage(checkCase(c, obs(answer('stop', 12, 4))), { c, o: obs(answer('stop', 12, 4)), enforcedWindow: 8192 }, mine).unexplained.map((p) => p.invariant)).toEqual(['usage']);
    });

    test('over a limit of 10 or more, content within the floor of 10 is max-tokens-floor (its budget is max(10, limit − reasoning)); content past it is not', () => {
      // max_tokens 12, 6 reasoning: the content may take 10, so usage is 16.
      expect(judge(rc(12), answer('stop', 16, 6))).toMatchObject({ unexplained: [], known: { 'max-tokens-floor': 1, 'finish-reason-ignores-reasoning': 1 } });
      // max_tokens 16, 6 reasoning: the budget is 10 on the limit's own account; 11 content tokens of a long text are no known defect.
      expect(unexplained(rc(16), answer('stop', 17, 6, 'x'.repeat(41)))).toEqual(['usage body.usage.completion_tokens']);
      // The same with a text a 4 × 10-character cut could give: completion-char-trim-overshoot.
      expect(judge(rc(16), answer('stop', 17, 6, 'x'.repeat(40))).known).toEqual({ 'completion-char-trim-overshoot': 1, 'finish-reason-ignores-reasoning': 1 });
    });
  });

  test('a chat refused at the enforced window but inside the advertised one is context-window-mismatch only when the server enforces a smaller window', () => {
    const c = chat({ model: 'claude-3-haiku', promptTokens: 8193, limit: undefined, limitField: undefined, contextWindow: 200000, body: { model: 'claude-3-haiku' } });
    const refused = json(400, { error: { message: "This model's maximum context length is 8192 tokens.", type: 'invalid_request_error', code: 'context_length_exceeded' } });
    expect(triage(checkCase(c, obs(refused)), { c, o: obs(refused), enforcedWindow: 8192 }).known).toEqual({ 'context-window-mismatch': 1 });
    expect(triage(checkCase(c, obs(refused)), { c, o: obs(refused), enforcedWindow: 200000 }).unexplained.map((p) => p.invariant)).toEqual(['status']);
  });

  test('a window-filling prompt let through with max_completion_tokens is context-check-ignores-max-completion-tokens; with max_tokens it is not', () => {
    const base = { model: 'mixtral-8x7b', promptTokens: 32768, limit: 1, contextWindow: 32768, pastWindow: true };
    const answered = json(200, chatBody());
    const viaCompletion = chat({ ...base, limitField: 'max_completion_tokens', body: { model: 'mixtral-8x7b', max_completion_tokens: 1 } });
    expect(triage(checkAnswer(viaCompletion, answered), { c: viaCompletion, o: obs(answered), enforcedWindow: 32768 }).known).toEqual({ 'context-check-ignores-max-completion-tokens': 2 });
    const viaMax = chat({ ...base, limitField: 'max_tokens', body: { model: 'mixtral-8x7b', max_tokens: 1 } });
    expect(triage(checkAnswer(viaMax, answered), { c: viaMax, o: obs(answered), enforcedWindow: 32768 }).unexplained.map((p) => p.invariant)).toEqual(['status', 'status']);
  });

  test('a response over max_output_tokens whose text is a 4 × budget character cut is completion-char-trim-overshoot', () => {
    const c = chat({ endpoint: 'responses', path: '/v1/responses', limit: 11, limitField: 'max_output_tokens', body: { model: MODEL, input: 'The', max_output_tokens: 11 } });
    const answer = (text: string) => json(200, { id: 'resp-1', object: 'response', model: MODEL, status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text }] }], usage: { input_tokens: 1, output_tokens: 12, total_tokens: 13 } });
    const cut = answer("I'd be happy to share what I know about The.");
    expect(triage(checkAnswer(c, cut), { c, o: obs(cut), enforcedWindow: 8192 })).toMatchObject({ unexplained: [], known: { 'completion-char-trim-overshoot': 1 } });
    const long = answer('x'.repeat(45));
    expect(triage(checkAnswer(c, long), { c, o: obs(long), enforcedWindow: 8192 }).unexplained.map((p) => p.invariant)).toEqual(['usage']);
  });

  test('a stream over its limit only by the pieces of a split contraction is stream-text-respaced; a longer one is not', () => {
    const c = chat({ stream: true, limit: 11, includeUsage: true, body: { max_tokens: 11, stream: true, stream_options: { include_usage: true } } });
    const stream = (text: string, completion: number) =>
      sse([chunk({ role: 'assistant', content: '' }), chunk({ content: text }), chunk({}, 'length'), chunk({}, null, { prompt_tokens: 1, completion_tokens: completion, total_tokens: completion + 1 }), '[DONE]']);
    const split = stream("I' d like a long walk by the quiet river now.", 12);
    expect(triage(checkAnswer(c, split), { c, o: obs(split), enforcedWindow: 8192 })).toMatchObject({ unexplained: [], known: { 'stream-text-respaced': 1 } });
    const whole = stream('I would like a long walk by the quiet river now, thanks.', 12);
    expect(triage(checkAnswer(c, whole), { c, o: obs(whole), enforcedWindow: 8192 }).unexplained.map((p) => p.invariant)).toEqual(['usage']);
  });

  test('a logged exception is excused only by a defect this same case showed', () => {
    const kv: Finding = { kind: 'traceback', headline: 'RecursionError: maximum recursion depth exceeded', text: 'File "/x/fakeai/kv_cache.py", line 107, in count_nodes\nRecursionError: maximum recursion depth exceeded', startOffset: 0, endOffset: 1 };
    const c = chat();
    const o: Observation = { ...obs(json(200, chatBody())), views: [{ path: '/kv-cache/metrics', status: 500, contentType: 'application/json', problems: [] }], logFindings: [kv] };
    expect(triage(checkCase(c, o), { c, o, enforcedWindow: 8192 })).toMatchObject({ unexplained: [], known: { 'kv-cache-stats-recursion': 2 } });
    const alone: Observation = { ...o, views: [] };
    expect(triage(checkCase(c, alone), { c, o: alone, enforcedWindow: 8192 }).unexplained.map((p) => p.invariant)).toEqual(['server-log']);
  });
});

// ---------------------------------------------------------------- views, reproducer, options

describe('explore views, reproducer and options', () => {
  test('metrics views: every metrics GET route except the deadlocking ones and the keyed one', () => {
    const views = metricsViews(doc);
    expect(views).toEqual(expect.arrayContaining(['/metrics', '/metrics/prometheus', '/metrics/csv', '/kv-cache/metrics', '/dynamo/metrics/json', '/dcgm/metrics', BY_MODEL_VIEW]));
    expect(views).not.toEqual(expect.arrayContaining(['/metrics/by-model']));
    expect(views.filter((v) => ['/metrics/by-model', '/metrics/ranking', '/metrics/rate-limits/key/{api_key}'].includes(v))).toEqual([]);
    expect(viewUrl(BY_MODEL_VIEW, 'openai/gpt-oss-120b')).toBe('/metrics/by-model/openai/gpt-oss-120b');
    expect(viewUrl('/metrics/compare', 'a b')).toBe('/metrics/compare?model1=a%20b&model2=a%20b');
  });

  test('curl and replay commands quote for the shell', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const c = { ...chat(), body: { model: MODEL, messages: [{ role: 'user', content: "it's" }] } };
    expect(curlCommand('http://127.0.0.1:1', c)).toBe(`curl -sS -X POST http://127.0.0.1:1/v1/chat/completions -H 'content-type: application/json' -d '{"model":"llama-3.1-8b","messages":[{"role":"user","content":"it'\\''s"}]}'`);
    const big = { ...chat(), body: { model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(3000) }] } };
    expect(curlCommand('http://h', big, '/tmp/b.json')).toMatch(/-d '@\/tmp\/b\.json'$/);
    expect(replayCommand(7, 'short/1:2', 'e2e/x.test.ts', "model's test")).toBe(`npm run e2e -- --seed 7 --explore-path short/1:2 -- e2e/x.test.ts -t 'model'\\''s test'`);
    // -t is a regular expression: a name with parentheses must still match itself.
    const name = "window (at most 32768 tokens) and it's past";
    const cmd = replayCommand(7, 'full/3', 'e2e/x.test.ts', name);
    expect(cmd).toBe(`npm run e2e -- --seed 7 --explore-path full/3 -- e2e/x.test.ts -t 'window \\(at most 32768 tokens\\) and it'\\''s past'`);
    const pattern = cmd.slice(cmd.indexOf("-t '") + 4, -1).replace(/'\\''/g, "'");
    expect(new RegExp(pattern).test(name)).toBe(true);
  });

  test('--explore-budget takes durations; --explore-path a property and fast-check path', () => {
    expect([parseDuration('5s'), parseDuration('10m'), parseDuration('90'), parseDuration('250ms'), parseDuration('1.5m'), parseDuration('0s'), parseDuration('soon')]).toEqual([5000, 600000, 90000, 250, 90000, undefined, undefined]);
    expect(loadConfig({}, false).exploreBudgetMs).toBe(5000);
    expect(loadConfig({ E2E_EXPLORE_BUDGET: '10m', E2E_EXPLORE_PATH: 'full/3:0:1' }, false)).toMatchObject({ exploreBudgetMs: 600000, explorePath: 'full/3:0:1' });
    expect(() => loadConfig({ E2E_EXPLORE_BUDGET: 'forever' }, false)).toThrow(/E2E_EXPLORE_BUDGET/);
    expect(() => loadConfig({ E2E_EXPLORE_PATH: 'x;rm' }, false)).toThrow(/E2E_EXPLORE_PATH/);
  });

  test('a case the budget cut off is judged by its own outcome: fast-check reports "failed" when no case had completed yet', async () => {
    // The premise, from fast-check itself: a first case still running at the time limit gives failed, no counterexample.
    let last: LastOutcome<number> | undefined;
    let started = 0;
    let inflight: Promise<unknown> = Promise.resolve();
    const slowCase = (fails: boolean) =>
      fc.asyncProperty(fc.integer(), async (n) => {
        started++;
        const run = new Promise<void>((resolve, reject) => setTimeout(() => (fails ? reject(new Error('case 1\n  - broke an invariant')) : resolve()), 150));
        inflight = run.then(() => (last = { c: n, ok: true }), (error: unknown) => (last = { c: n, ok: false, error }));
        return run;
      });
    for (const fails of [false, true]) {
      last = undefined;
      started = 0;
      const details = await fc.check(slowCase(fails), { seed: 1, numRuns: 1000, interruptAfterTimeLimit: 30, markInterruptAsFailure: false });
      await inflight;
      expect({ failed: details.failed, interrupted: details.interrupted, counterexample: details.counterexample, numRuns: details.numRuns, started }).toEqual({ failed: true, interrupted: true, counterexample: null, numRuns: 0, started: 1 });
      const verdict = abandonedCase(details, started, last);
      if (fails) expect(verdict).toMatchObject({ verdict: 'fail', c: last!.c });
      else expect(verdict).toEqual({ verdict: 'pass' });
    }
  });

  test('no case cut off, or a counterexample already found: nothing to judge here', () => {
    const ok: LastOutcome<string> = { c: 'x', ok: true };
    expect(abandonedCase({ interrupted: false, counterexample: null, numRuns: 5 }, 5, ok)).toBeUndefined();
    // Interrupted between cases: every case started was counted by fast-check.
    expect(abandonedCase({ interrupted: true, counterexample: null, numRuns: 5 }, 5, ok)).toBeUndefined();
    expect(abandonedCase({ interrupted: true, counterexample: ['y'], numRuns: 3 }, 9, ok)).toBeUndefined();
    // Cut off after five passed cases, and it broke an invariant: a finding that used to be dropped.
    expect(abandonedCase({ interrupted: true, counterexample: null, numRuns: 5 }, 6, { c: 'z', ok: false, error: new Error('bad') })).toMatchObject({ verdict: 'fail', c: 'z' });
  });

  test('--explore-budget 0 (or 0s, 0ms) is no exploration; a negative or non-zero junk value is still refused', () => {
    expect(['0', '0s', '0ms', '0.0m', ' 0 '].map(parseExploreBudget)).toEqual([0, 0, 0, 0, 0]);
    expect(parseExploreBudget('5s')).toBe(5000);
    expect([parseExploreBudget('-1'), parseExploreBudget('0x'), parseExploreBudget('none')]).toEqual([undefined, undefined, undefined]);
    expect(loadConfig({ E2E_EXPLORE_BUDGET: '0' }, false).exploreBudgetMs).toBe(0);
    expect(() => loadConfig({ E2E_EXPLORE_BUDGET: '-5s' }, false)).toThrow(/E2E_EXPLORE_BUDGET/);
  });
});

// ---------------------------------------------------------------- report

describe('explorations in the run report', () => {
  const { sampleInput } = jest.requireActual('../__fixtures__/reporting-project/sample-run') as typeof import('../__fixtures__/reporting-project/sample-run');
  const { buildReportModel } = jest.requireActual('../reporting/report-model') as typeof import('../reporting/report-model');
  const { REPORT_SCHEMA } = jest.requireActual('../reporting/json-report') as typeof import('../reporting/json-report');
  const { renderSummary } = jest.requireActual('../reporting/summary') as typeof import('../reporting/summary');
  const Ajv = (jest.requireActual('ajv') as { default: typeof import('ajv').default }).default;
  const addFormats = (jest.requireActual('ajv-formats') as { default: typeof import('ajv-formats').default }).default;
  const record = {
    kind: 'exploration' as const,
    test: 'exploring valid requests (property-based) with prompts up to 512 tokens',
    seed: 6,
    path: 'short/12:1:1',
    budgetMs: 2500,
    durationMs: 20147,
    cases: 83,
    shrinks: 18,
    interrupted: true,
    coverage: { chat: 74 },
    knownDefects: { 'max-tokens-floor': 48 },
    viewsDown: { '/metrics/prometheus': 'metrics-prometheus-keyerror since case 1' },
    failure: { method: 'POST', path: '/v1/chat/completions', body: { model: MODEL }, curl: "curl -sS -X POST http://h/v1/chat/completions -d '{}'", problems: ['body.usage.completion_tokens: expected ≤ 2, got 11'], replay: 'npm run e2e -- --seed 6 --explore-path short/12:1:1' },
    at: '2026-12-06T03:00:00.000Z',
  };

  test('land in the model, validate against the JSON schema, and print their reproducer in the summary', () => {
    const base = sampleInput();
    const m = buildReportModel({ ...base, records: [...base.records, record] });
    expect(m.explorations).toEqual([record]);
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    const validate = ajv.compile(REPORT_SCHEMA);
    const report = JSON.parse(JSON.stringify(m));
    expect(validate(report) ? [] : validate.errors).toEqual([]);
    report.explorations[0].failure = { curl: 'x' };
    expect(validate(report)).toBe(false);
    const identity = (s: string) => s;
    const text = renderSummary(m, { red: identity, green: identity, yellow: identity, dim: identity, bold: identity, cyan: identity } as never);
    expect(text).toContain('83 cases in');
    expect(text).toContain("reproduce: curl -sS -X POST http://h/v1/chat/completions -d '{}'");
    expect(text).toContain('replay:    npm run e2e -- --seed 6 --explore-path short/12:1:1');
  });
});
