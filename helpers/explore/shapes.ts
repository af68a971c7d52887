/** zod shapes for the generation routes the shared schemas (helpers/checks/schemas.ts) do not cover. */
import { z } from 'zod';
import { FINISH_REASONS, UsageSchema } from '../checks/schemas';

const count = z.number().int().nonnegative();

export const CompletionSchema = z
  .object({
    id: z.string().min(1),
    object: z.literal('text_completion'),
    created: z.number().int().positive(),
    model: z.string().min(1),
    choices: z.array(z.object({ index: count, text: z.string(), finish_reason: z.enum(FINISH_REASONS) }).passthrough()).min(1),
    usage: UsageSchema,
  })
  .passthrough();

export const CompletionChunkSchema = z
  .object({
    id: z.string().min(1),
    object: z.literal('text_completion'),
    model: z.string().min(1),
    choices: z.array(z.object({ index: count, text: z.string(), finish_reason: z.enum(FINISH_REASONS).nullable() }).passthrough()),
  })
  .passthrough();

/** OpenAI's Responses API: a message output item carries content parts of type "output_text". */
export const ResponseSchema = z
  .object({
    id: z.string().min(1),
    object: z.literal('response'),
    model: z.string().min(1),
    status: z.enum(['completed', 'incomplete']),
    output: z
      .array(
        z
          .object({
            type: z.string(),
            content: z.array(z.object({ type: z.string(), text: z.string().optional() }).passthrough()).optional(),
          })
          .passthrough(),
      )
      .min(1),
    usage: z.object({ input_tokens: count, output_tokens: count, total_tokens: count }).passthrough(),
  })
  .passthrough();

export const EmbeddingListSchema = z
  .object({
    object: z.literal('list'),
    model: z.string().min(1),
    data: z.array(z.object({ object: z.literal('embedding'), index: count, embedding: z.union([z.array(z.number().finite()).min(1), z.string().min(1)]) })).min(1),
    usage: z.object({ prompt_tokens: count, total_tokens: count }).passthrough(),
  })
  .passthrough();
