/** A non-streaming chat completion, held to the request that produced it. */
import type { HttpResult } from '../core/http';
import { ChatCompletionSchema } from './schemas';
import { parseWith, problem, type Problem } from '../core/problems';
import { checkJsonOk } from './response';

/** The parts of the request a response must agree with. */
export interface ChatRequest {
  model: string;
  messages: unknown[];
  max_tokens?: number;
  max_completion_tokens?: number;
  n?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: unknown[];
  [k: string]: unknown;
}

export function tokenLimit(req: ChatRequest): number | undefined {
  return req.max_completion_tokens ?? req.max_tokens;
}

/** Usage arithmetic and the token limit, shared with the stream check. */
export function checkUsage(usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }, req: ChatRequest, at = 'usage'): Problem[] {
  const problems: Problem[] = [];
  const sum = usage.prompt_tokens + usage.completion_tokens;
  if (usage.total_tokens !== sum) {
    problems.push(problem(`${at}.total_tokens`, `prompt_tokens + completion_tokens = ${usage.prompt_tokens} + ${usage.completion_tokens} = ${sum}`, usage.total_tokens));
  }
  if (usage.prompt_tokens < 1) problems.push(problem(`${at}.prompt_tokens`, '≥ 1 for a non-empty prompt', usage.prompt_tokens));
  const limit = tokenLimit(req);
  if (limit !== undefined && usage.completion_tokens > limit) {
    problems.push(problem(`${at}.completion_tokens`, `≤ max_tokens (${limit})`, usage.completion_tokens));
  }
  return problems;
}

/**
 * 200 + JSON; id, object, created, model echoing the request; one choice per `n` with index i,
 * role assistant, non-empty content (no tools requested), a finish_reason that fits the usage;
 * usage arithmetic and completion_tokens ≤ max_tokens.
 */
export function checkChatCompletion(res: HttpResult, req: ChatRequest, nowS = Date.now() / 1000): Problem[] {
  const problems = checkJsonOk(res);
  const { value, problems: shape } = parseWith(ChatCompletionSchema, res.data, 'body');
  problems.push(...shape);
  if (!value) return problems;
  if (value.model !== req.model) problems.push(problem('body.model', `the requested model "${req.model}"`, value.model));
  // created is a Unix time in seconds; allow the clock a minute either way, no more.
  if (Math.abs(value.created - nowS) > 60) problems.push(problem('body.created', `a Unix time near now (${Math.round(nowS)})`, value.created));
  const n = req.n ?? 1;
  if (value.choices.length !== n) problems.push(problem('body.choices', `${n} choice(s) (n=${n})`, `${value.choices.length}`));
  const limit = tokenLimit(req);
  value.choices.forEach((c, i) => {
    if (c.index !== i) problems.push(problem(`choices[${i}].index`, String(i), c.index));
    if (!req.tools) {
      if (typeof c.message.content !== 'string' || c.message.content.trim() === '') {
        problems.push(problem(`choices[${i}].message.content`, 'non-empty text', c.message.content));
      }
      const hitLimit = limit !== undefined && value.usage.completion_tokens >= limit;
      const want = hitLimit ? 'length' : 'stop';
      if (c.finish_reason !== want) {
        problems.push(problem(`choices[${i}].finish_reason`, `"${want}" (completion_tokens ${value.usage.completion_tokens}, max_tokens ${limit ?? 'unset'})`, c.finish_reason));
      }
    }
  });
  problems.push(...checkUsage(value.usage, req, 'body.usage'));
  return problems;
}
