/**
 * What the generators need to know about the server that its request schemas cannot say, read
 * from the server itself: the models it lists (GET /v1/models) with the context window and output
 * limit each one advertises, and which kind of request each model serves.
 *
 * FakeAI 0.3.2 does not label a model's kind; it does advertise an output limit and a price list,
 * which separate them: a model with max_output_tokens > 0 generates text; one with no output
 * limit that is priced per input token and not per output token is an embedding model (the
 * sentence-transformers, nomic and bge entries); the rest (image, speech) are left to other tests.
 */
import { z } from 'zod';
import { parseWith, expectNoProblems } from '../core/problems';

export const ListedModelSchema = z
  .object({
    id: z.string().min(1),
    context_window: z.number().int().positive().nullish(),
    max_output_tokens: z.number().int().nonnegative().nullish(),
    pricing: z.object({ input_per_million: z.number(), output_per_million: z.number() }).passthrough().nullish(),
    supports_tools: z.boolean().nullish(),
  })
  .passthrough();

export const ModelListSchema = z.object({ object: z.literal('list'), data: z.array(ListedModelSchema).min(1) });

export type ModelKind = 'text' | 'embedding' | 'other';

export interface ModelFact {
  id: string;
  kind: ModelKind;
  /** The context window the server advertises in GET /v1/models (prompt + completion, tokens). */
  contextWindow: number;
  /** The output limit it advertises; 0 for models that produce no text. */
  maxOutputTokens: number;
  supportsTools: boolean;
}

export interface ServerFacts {
  models: ModelFact[];
}

export function kindOf(m: z.infer<typeof ListedModelSchema>): ModelKind {
  if ((m.max_output_tokens ?? 0) > 0) return 'text';
  if (m.pricing && m.pricing.input_per_million > 0 && m.pricing.output_per_million === 0) return 'embedding';
  return 'other';
}

/** Pure: the facts from a GET /v1/models body. Throws with every problem when the body is not a model list. */
export function factsFromModelList(body: unknown): ServerFacts {
  const { value, problems } = parseWith(ModelListSchema, body, 'GET /v1/models');
  expectNoProblems('model list for the explorer', problems);
  const models = value!.data.map((m) => ({
    id: m.id,
    kind: kindOf(m),
    contextWindow: m.context_window ?? 0,
    maxOutputTokens: m.max_output_tokens ?? 0,
    supportsTools: m.supports_tools ?? false,
  }));
  const missing = models.filter((m) => m.kind !== 'other' && m.contextWindow <= 0);
  if (missing.length > 0) throw new Error(`GET /v1/models: no context_window for ${missing.map((m) => m.id).join(', ')}; the explorer sizes prompts by it`);
  if (!models.some((m) => m.kind === 'text')) throw new Error('GET /v1/models lists no text model (max_output_tokens > 0): nothing to explore');
  return { models };
}

export function textModels(f: ServerFacts): ModelFact[] {
  return f.models.filter((m) => m.kind === 'text');
}

export function embeddingModels(f: ServerFacts): ModelFact[] {
  return f.models.filter((m) => m.kind === 'embedding');
}
