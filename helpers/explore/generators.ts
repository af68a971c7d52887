/**
 * fast-check generators of VALID requests for the four generation routes, built from the route's
 * request schema in /openapi.json (every bound and enum read through RequestSchema) and from the
 * server's own facts (ServerFacts: its models and their advertised context windows).
 *
 * A case is generated as a small plan (model, sizes, switches) and turned into a body by a pure
 * map, so fast-check shrinks the plan — fewer turns, a smaller prompt, options dropped — and the
 * body follows. Prompt sizes run from one token to each model's advertised window, and a share of
 * cases lands just past it (prompt + completion limit > window), where the answer must be a 4xx.
 */
import fc from 'fast-check';
import type { Contract } from '../api/contract';
import { embeddingModels, type ModelFact, type ServerFacts, textModels } from './facts';
import { RequestSchema } from './request-schema';
import { fakeaiTokenCount, textOfTokens } from './text';

export type Endpoint = 'chat' | 'completions' | 'responses' | 'embeddings';

export const ROUTES: Readonly<Record<Endpoint, string>> = {
  chat: 'POST /v1/chat/completions',
  completions: 'POST /v1/completions',
  responses: 'POST /v1/responses',
  embeddings: 'POST /v1/embeddings',
};

export type SizeMode = 'small' | 'any' | 'edge' | 'past';

/** One generated request and what the invariants need to know about it. */
export interface ExploreCase {
  endpoint: Endpoint;
  path: string;
  model: string;
  stream: boolean;
  body: Record<string, unknown>;
  /** The prompt's size as FakeAI counts it (text.ts), tool definitions included. */
  promptTokens: number;
  /** The completion limit the request sets, and under which name; undefined when it sets none. */
  limit: number | undefined;
  limitField: 'max_tokens' | 'max_completion_tokens' | 'max_output_tokens' | undefined;
  /** The model's advertised context window. */
  contextWindow: number;
  /** prompt + limit > window: a correct server refuses it with a 4xx. */
  pastWindow: boolean;
  sizeMode: SizeMode;
  n: number;
  /** Chat streams: stream_options.include_usage as sent (undefined: not sent). */
  includeUsage: boolean | undefined;
  tools: boolean;
}

export interface GeneratorOptions {
  /** Largest prompt generated, in tokens, whatever the window: a 2M-token window would mean 12 MB bodies. */
  maxPromptTokens: number;
  /** Largest completion limit drawn. */
  maxLimit: number;
}

export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = { maxPromptTokens: 32_768, maxLimit: 4096 };

/** A tool definition; FakeAI counts json.dumps of it into the prompt (fakeai_service.py:1743). */
const TOOL = { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

/** Python's json.dumps with its default separators, which is what FakeAI measures tool definitions by. */
export function pythonJsonDumps(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(pythonJsonDumps).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${pythonJsonDumps(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

const TOOL_TOKENS = fakeaiTokenCount(pythonJsonDumps([TOOL]));

/** Splits `total` tokens over `parts` turns, each at least one token; fewer turns when the prompt is tiny. */
export function splitTokens(total: number, parts: number): number[] {
  const k = Math.max(1, Math.min(parts, total));
  const base = Math.floor(total / k);
  return Array.from({ length: k }, (_, i) => base + (i < total - base * k ? 1 : 0));
}

interface SizePlan {
  mode: SizeMode;
  /** For 'any': the prompt's tokens, clamped to the room the window leaves. */
  tokens: number;
  /** For 'small': tokens − 1; for 'edge' / 'past': distance from the boundary. */
  offset: number;
}

/**
 * Cross-shrinking lets a failing 'past' or 'edge' case shrink into 'any', where the size is a plain
 * integer: fast-check then bisects it to the smallest prompt that still fails.
 */
const sizePlan = (cap: number): fc.Arbitrary<SizePlan> =>
  fc.record({
    // Weighted towards small prompts: they are cheap, and the boundary cases are few but always drawn.
    mode: fc.oneof(
      { withCrossShrink: true },
      { arbitrary: fc.constant<SizeMode>('small'), weight: 5 },
      { arbitrary: fc.constant<SizeMode>('any'), weight: 2 },
      { arbitrary: fc.constant<SizeMode>('edge'), weight: 1 },
      { arbitrary: fc.constant<SizeMode>('past'), weight: 1 },
    ),
    tokens: fc.integer({ min: 1, max: Math.max(1, cap) }),
    offset: fc.integer({ min: 0, max: 63 }),
  });

/** Prompt tokens for a plan, given the room the window leaves (window − limit − fixed overhead). */
export function promptSize(plan: SizePlan, room: number, cap: number): number {
  const fits = Math.max(1, Math.min(room, cap));
  switch (plan.mode) {
    case 'small':
      return Math.min(fits, 1 + plan.offset);
    case 'any':
      return Math.min(fits, plan.tokens);
    case 'edge':
      return Math.max(1, fits - plan.offset);
    case 'past':
      // Past the window only where the cap allows it (a 2M-token window is not crossed; see the cap).
      return Math.min(Math.max(1, room + 1 + plan.offset), Math.max(1, cap));
  }
}

/** A requested limit clamped to the model's output maximum, and a prompt sized to the room it leaves in the window. */
function limitAndPrompt(model: ModelFact, requested: number | undefined, plan: SizePlan, cap: number): { limit: number | undefined; promptTokens: number } {
  const limit = requested === undefined ? undefined : Math.min(requested, model.maxOutputTokens);
  return { limit, promptTokens: promptSize(plan, model.contextWindow - (limit ?? 0), cap) };
}

interface Sampling {
  temperature?: number;
  top_p?: number;
}

function sampling(schema: RequestSchema): fc.Arbitrary<Sampling> {
  const t = schema.range('temperature', { min: 0, max: 2 });
  const p = schema.range('top_p', { min: 0, max: 1 });
  return fc.record(
    {
      ...(t ? { temperature: fc.double({ min: t.min, max: t.max, noNaN: true }) } : {}),
      ...(p ? { top_p: fc.double({ min: p.min, max: p.max, noNaN: true }) } : {}),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Sampling>;
}

function limitArb(schema: RequestSchema, field: string, max: number): fc.Arbitrary<number> {
  const r = schema.range(field, { min: 1, max });
  // The schema allows 0 for FakeAI's limits; a limit of 0 asks for nothing, so the generator starts at 1.
  return fc.integer({ min: Math.max(1, r?.min ?? 1), max: Math.max(1, r?.max ?? max) });
}

function stopArb(schema: RequestSchema): fc.Arbitrary<string | string[] | undefined> {
  if (!schema.has('stop')) return fc.constant(undefined);
  return fc.option(fc.oneof(fc.constantFrom('\n\n', 'END', '###'), fc.array(fc.constantFrom('\n\n', 'END', '###', 'Observation:'), { minLength: 1, maxLength: 4 })), { nil: undefined });
}

function chatCases(facts: ServerFacts, contract: Contract, o: GeneratorOptions): fc.Arbitrary<ExploreCase> {
  const schema = new RequestSchema(contract, ROUTES.chat);
  const roles = schema.itemEnum('messages', 'role').filter((r) => r === 'system' || r === 'user' || r === 'assistant');
  const formats = schema.nestedEnums('response_format', 'type').filter((t) => t !== 'json_schema');
  const nRange = schema.range('n', { min: 1, max: 3 });
  const limitFields = (['max_tokens', 'max_completion_tokens'] as const).filter((f) => schema.has(f));
  return fc
    .record({
      model: fc.constantFrom(...textModels(facts)),
      size: sizePlan(o.maxPromptTokens),
      stream: fc.boolean(),
      includeUsage: fc.option(fc.boolean(), { nil: undefined }),
      n: nRange ? fc.integer({ min: nRange.min, max: nRange.max }) : fc.constant(1),
      limitField: fc.option(fc.constantFrom(...limitFields), { nil: undefined }),
      limit: limitArb(schema, 'max_tokens', o.maxLimit),
      sampling: sampling(schema),
      stop: stopArb(schema),
      system: roles.includes('system') ? fc.boolean() : fc.constant(false),
      // Earlier user/assistant exchanges before the last user turn.
      history: roles.includes('assistant') ? fc.integer({ min: 0, max: 3 }) : fc.constant(0),
      tools: schema.has('tools') ? fc.boolean() : fc.constant(false),
      format: formats.length > 0 ? fc.option(fc.constantFrom(...formats), { nil: undefined }) : fc.constant(undefined),
      offset: fc.nat(1000),
    })
    .map((p): ExploreCase => {
      const model = p.model as ModelFact;
      const limit = p.limitField ? Math.min(p.limit, model.maxOutputTokens) : undefined;
      const tools = p.tools && model.supportsTools;
      const overhead = tools ? TOOL_TOKENS : 0;
      const room = model.contextWindow - (limit ?? 0) - overhead;
      const text = promptSize(p.size, room, o.maxPromptTokens);
      const roleList = [...(p.system ? ['system'] : []), ...Array.from({ length: p.history }, (_, i) => (i % 2 === 0 ? 'user' : 'assistant')), 'user'];
      // A trailing assistant turn from the history would leave the user turn last anyway: the list ends with 'user'.
      const shares = splitTokens(text, roleList.length);
      const turns = roleList.slice(roleList.length - shares.length);
      let at = p.offset;
      const messages = turns.map((role, i) => {
        const content = textOfTokens(shares[i], at);
        at += shares[i];
        return { role, content };
      });
      const stream = p.stream;
      const body: Record<string, unknown> = { model: model.id, messages };
      if (limit !== undefined && p.limitField) body[p.limitField] = limit;
      if (p.n !== 1) body.n = p.n;
      Object.assign(body, p.sampling);
      if (p.stop !== undefined) body.stop = p.stop;
      if (tools) body.tools = [TOOL];
      if (p.format) body.response_format = { type: p.format };
      if (stream) {
        body.stream = true;
        if (p.includeUsage !== undefined && schema.has('stream_options')) body.stream_options = { include_usage: p.includeUsage };
      }
      const promptTokens = text + overhead;
      return {
        endpoint: 'chat',
        path: '/v1/chat/completions',
        model: model.id,
        stream,
        body,
        promptTokens,
        limit,
        limitField: limit === undefined ? undefined : p.limitField,
        contextWindow: model.contextWindow,
        pastWindow: promptTokens + (limit ?? 0) > model.contextWindow,
        sizeMode: p.size.mode,
        n: p.n,
        includeUsage: stream && body.stream_options ? p.includeUsage : undefined,
        tools,
      };
    });
}

function completionCases(facts: ServerFacts, contract: Contract, o: GeneratorOptions): fc.Arbitrary<ExploreCase> {
  const schema = new RequestSchema(contract, ROUTES.completions);
  const nRange = schema.range('n', { min: 1, max: 3 });
  return fc
    .record({
      model: fc.constantFrom(...textModels(facts)),
      size: sizePlan(o.maxPromptTokens),
      stream: fc.boolean(),
      n: nRange ? fc.integer({ min: nRange.min, max: nRange.max }) : fc.constant(1),
      limit: fc.option(limitArb(schema, 'max_tokens', o.maxLimit), { nil: undefined }),
      sampling: sampling(schema),
      stop: stopArb(schema),
      offset: fc.nat(1000),
    })
    .map((p): ExploreCase => {
      const model = p.model as ModelFact;
      const { limit, promptTokens } = limitAndPrompt(model, p.limit, p.size, o.maxPromptTokens);
      const body: Record<string, unknown> = { model: model.id, prompt: textOfTokens(promptTokens, p.offset) };
      if (limit !== undefined) body.max_tokens = limit;
      if (p.n !== 1) body.n = p.n;
      Object.assign(body, p.sampling);
      if (p.stop !== undefined) body.stop = p.stop;
      if (p.stream) body.stream = true;
      return { endpoint: 'completions', path: '/v1/completions', model: model.id, stream: p.stream, body, promptTokens, limit, limitField: limit === undefined ? undefined : 'max_tokens', contextWindow: model.contextWindow, pastWindow: promptTokens + (limit ?? 0) > model.contextWindow, sizeMode: p.size.mode, n: p.n, includeUsage: undefined, tools: false };
    });
}

function responseCases(facts: ServerFacts, contract: Contract, o: GeneratorOptions): fc.Arbitrary<ExploreCase> {
  const schema = new RequestSchema(contract, ROUTES.responses);
  return fc
    .record({
      model: fc.constantFrom(...textModels(facts)),
      size: sizePlan(o.maxPromptTokens),
      stream: schema.has('stream') ? fc.boolean() : fc.constant(false),
      limit: fc.option(limitArb(schema, 'max_output_tokens', o.maxLimit), { nil: undefined }),
      sampling: sampling(schema),
      asMessages: fc.boolean(),
      instructions: schema.has('instructions') ? fc.boolean() : fc.constant(false),
      offset: fc.nat(1000),
    })
    .map((p): ExploreCase => {
      const model = p.model as ModelFact;
      const { limit, promptTokens } = limitAndPrompt(model, p.limit, p.size, o.maxPromptTokens);
      const text = textOfTokens(promptTokens, p.offset);
      const body: Record<string, unknown> = { model: model.id, input: p.asMessages ? [{ role: 'user', content: text }] : text };
      // Instructions are not counted in promptTokens: FakeAI's own count of them is not what the window check is about.
      if (p.instructions) body.instructions = 'Answer briefly.';
      if (limit !== undefined) body.max_output_tokens = limit;
      Object.assign(body, p.sampling);
      if (p.stream) body.stream = true;
      return { endpoint: 'responses', path: '/v1/responses', model: model.id, stream: p.stream, body, promptTokens, limit, limitField: limit === undefined ? undefined : 'max_output_tokens', contextWindow: model.contextWindow, pastWindow: promptTokens + (limit ?? 0) > model.contextWindow, sizeMode: p.size.mode, n: 1, includeUsage: undefined, tools: false };
    });
}

function embeddingCases(facts: ServerFacts, contract: Contract, o: GeneratorOptions): fc.Arbitrary<ExploreCase> {
  const schema = new RequestSchema(contract, ROUTES.embeddings);
  const encodings = schema.enumOf('encoding_format');
  return fc
    .record({
      model: fc.constantFrom(...embeddingModels(facts)),
      size: sizePlan(o.maxPromptTokens),
      inputs: fc.integer({ min: 1, max: 4 }),
      asArray: fc.boolean(),
      encoding: encodings.length > 0 ? fc.option(fc.constantFrom(...encodings), { nil: undefined }) : fc.constant(undefined),
      offset: fc.nat(1000),
    })
    .map((p): ExploreCase => {
      const model = p.model as ModelFact;
      // The window bounds each input, as in OpenAI's embeddings API.
      const promptTokens = promptSize(p.size, model.contextWindow, o.maxPromptTokens);
      const count = p.asArray ? p.inputs : 1;
      const inputs = Array.from({ length: count }, (_, i) => textOfTokens(i === 0 ? promptTokens : 1 + (promptTokens % 7), p.offset + i));
      const body: Record<string, unknown> = { model: model.id, input: p.asArray ? inputs : inputs[0] };
      if (p.encoding) body.encoding_format = p.encoding;
      return { endpoint: 'embeddings', path: '/v1/embeddings', model: model.id, stream: false, body, promptTokens, limit: undefined, limitField: undefined, contextWindow: model.contextWindow, pastWindow: promptTokens > model.contextWindow, sizeMode: p.size.mode, n: count, includeUsage: undefined, tools: false };
    });
}

/**
 * Every generation route the server's schema declares, weighted towards chat (the route with the
 * most options and the most counters). A route missing from /openapi.json is left out, not faked.
 */
export function exploreCases(facts: ServerFacts, contract: Contract, options: Partial<GeneratorOptions> = {}): fc.Arbitrary<ExploreCase> {
  const o = { ...DEFAULT_GENERATOR_OPTIONS, ...options };
  const served = (e: Endpoint) => {
    const [m, t] = ROUTES[e].split(' ');
    return contract.operation(m, t) !== undefined;
  };
  const arbs: { arbitrary: fc.Arbitrary<ExploreCase>; weight: number }[] = [];
  if (served('chat')) arbs.push({ arbitrary: chatCases(facts, contract, o), weight: 4 });
  if (served('completions')) arbs.push({ arbitrary: completionCases(facts, contract, o), weight: 2 });
  if (served('responses')) arbs.push({ arbitrary: responseCases(facts, contract, o), weight: 1 });
  if (served('embeddings') && embeddingModels(facts).length > 0) arbs.push({ arbitrary: embeddingCases(facts, contract, o), weight: 1 });
  if (arbs.length === 0) throw new Error('The server declares none of the generation routes (chat, completions, responses, embeddings): nothing to explore');
  return fc.oneof(...arbs);
}
