/** A streamed chat completion, as recorded by helpers/core/sse.ts, held to the request. */
import { ChatCompletionChunkSchema, type ChatCompletionChunk } from './schemas';
import type { StreamResult } from '../core/sse';
import { type ChatRequest, checkUsage, tokenLimit } from './chat-completion';
import { parseWith, problem, show, type Problem } from '../core/problems';

/**
 * Every event is JSON of object chat.completion.chunk (an unparsable one is a problem, not skipped);
 * one id; model echoes the request; the first chunk's delta carries role "assistant"; content is
 * non-empty; exactly one finish_reason per choice, right for how the stream ended, and no content
 * after it; [DONE] arrives, last, with nothing after it; with include_usage exactly one chunk
 * carries usage and its arithmetic holds (without it, none does).
 */
export function checkStream(s: StreamResult, req: ChatRequest, nowS = Date.now() / 1000): Problem[] {
  const problems: Problem[] = [];
  if (s.error) problems.push(problem('stream', 'to end normally', s.error));
  if (s.status !== 200) problems.push(problem('status', '200', `${s.status} (body: ${show(s.body ?? s.rawText)})`));
  if (s.contentType === null || !/^text\/event-stream\b/i.test(s.contentType)) problems.push(problem('content-type', 'text/event-stream', s.contentType ?? 'none'));
  for (const e of s.parserErrors) problems.push(problem('SSE framing', 'only data/event/id/retry fields', e));
  if (s.truncated) problems.push(problem('stream end', 'the body to end on an event boundary (blank line)', `…${show(s.rawText.slice(-80))}`));
  if (s.status !== 200) return problems;

  const chunks: { index: number; chunk: ChatCompletionChunk }[] = [];
  for (const e of s.events) {
    if (e.done) continue;
    if (e.parseError !== null) {
      problems.push(problem(`event ${e.index}`, 'data that is valid JSON', `${show(e.data)} (${e.parseError})`));
      continue;
    }
    const { value, problems: shape } = parseWith(ChatCompletionChunkSchema, e.json, `event ${e.index}`);
    problems.push(...shape);
    if (value) chunks.push({ index: e.index, chunk: value });
  }
  if (s.events.filter((e) => !e.done).length === 0) {
    problems.push(problem('events', 'at least one chunk before [DONE]', 'none'));
    return problems;
  }

  const ids = [...new Set(chunks.map((c) => c.chunk.id))];
  if (ids.length > 1) problems.push(problem('chunk ids', 'one id across the stream', ids.join(', ')));
  for (const { index, chunk } of chunks) {
    if (chunk.model !== req.model) problems.push(problem(`event ${index}.model`, `the requested model "${req.model}"`, chunk.model));
    if (Math.abs(chunk.created - nowS) > 60) problems.push(problem(`event ${index}.created`, `a Unix time near now (${Math.round(nowS)})`, chunk.created));
  }

  const first = chunks[0];
  if (first && first.index === 0) {
    const roles = first.chunk.choices.map((c) => c.delta.role);
    if (roles.length === 0 || roles.some((r) => r !== 'assistant')) problems.push(problem('event 0.delta.role', '"assistant" on every choice of the first chunk', roles));
  } else if (first) {
    problems.push(problem('event 0', 'the first event to be a chunk carrying the role', 'not a valid chunk'));
  }

  const n = req.n ?? 1;
  const usageChunks = chunks.filter((c) => c.chunk.usage);
  const usage = usageChunks[0]?.chunk.usage ?? undefined;
  const limit = tokenLimit(req);
  for (let choice = 0; choice < n; choice++) {
    let content = '';
    const finishes: { index: number; reason: string }[] = [];
    for (const { index, chunk } of chunks) {
      for (const c of chunk.choices.filter((x) => x.index === choice)) {
        if (typeof c.delta.content === 'string' && c.delta.content !== '') {
          if (finishes.length > 0) problems.push(problem(`event ${index}`, `no content for choice ${choice} after its finish_reason`, c.delta.content));
          content += c.delta.content;
        }
        if (c.finish_reason !== null) finishes.push({ index, reason: c.finish_reason });
      }
    }
    if (!req.tools && content.trim() === '') problems.push(problem(`choice ${choice} content`, 'non-empty text across the chunks', show(content)));
    if (finishes.length !== 1) {
      problems.push(problem(`choice ${choice} finish_reason`, 'exactly one non-null finish_reason', finishes.length === 0 ? 'none' : finishes.map((f) => `"${f.reason}" at event ${f.index}`).join(', ')));
    } else if (!req.tools) {
      const reason = finishes[0].reason;
      if (usage && limit !== undefined) {
        const want = usage.completion_tokens >= limit ? 'length' : 'stop';
        if (reason !== want) problems.push(problem(`choice ${choice} finish_reason`, `"${want}" (completion_tokens ${usage.completion_tokens}, max_tokens ${limit})`, reason));
      } else if (reason !== 'stop' && reason !== 'length') {
        problems.push(problem(`choice ${choice} finish_reason`, '"stop" or "length" for a plain completion', reason));
      }
    }
  }

  if (s.doneIndex === -1) problems.push(problem('[DONE]', 'a final data: [DONE]', 'the stream ended without it'));
  else {
    if (s.afterDone.length > 0) problems.push(problem('after [DONE]', 'nothing', `${s.afterDone.length} event(s): ${show(s.afterDone.map((e) => e.data))}`));
    const lastChunk = chunks[chunks.length - 1];
    if (lastChunk && lastChunk.index > s.doneIndex) problems.push(problem('[DONE]', 'after every chunk', `before event ${lastChunk.index}`));
  }

  const wantUsage = req.stream_options?.include_usage === true;
  if (wantUsage) {
    if (usageChunks.length !== 1) problems.push(problem('usage', 'exactly one chunk with usage (stream_options.include_usage)', `${usageChunks.length}`));
    if (usage) problems.push(...checkUsage(usage, req, `event ${usageChunks[0].index}.usage`));
  } else if (usageChunks.length > 0) {
    problems.push(problem('usage', 'no usage without stream_options.include_usage', `usage at event ${usageChunks[0].index}`));
  }
  return problems;
}

/** Content the stream carried for choice 0, concatenated. */
export function streamedContent(s: StreamResult): string {
  let out = '';
  for (const e of s.events) {
    const choices = (e.json as { choices?: { index?: number; delta?: { content?: unknown } }[] })?.choices;
    for (const c of choices ?? []) if (c.index === 0 && typeof c.delta?.content === 'string') out += c.delta.content;
  }
  return out;
}

/** Usage from the stream's usage chunk, if any. */
export function streamedUsage(s: StreamResult): { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null {
  for (const e of s.events) {
    const u = (e.json as { usage?: unknown })?.usage;
    if (u && typeof u === 'object') return u as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  }
  return null;
}
