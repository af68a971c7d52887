/**
 * Counters as the streamed phase of e2e/metrics-consistency.test.ts sees them: two models, one
 * stream each, after a plain phase. `serverThat` builds the "after" snapshot of a server that counts
 * each completion in `sent` `times` times (0: FakeAI 0.3.2 on streams, 1: a correct server, 2:
 * double counting).
 */
import type { Counters, SentCompletion } from '../../checks/metrics-delta';

export const SENT: SentCompletion[] = [
  { model: 'gpt-4', stream: true, usage: { prompt_tokens: 12, completion_tokens: 30 } },
  { model: 'llama', stream: true, usage: { prompt_tokens: 9, completion_tokens: 21 } },
];

export const BEFORE: Counters = {
  kvLookups: 2,
  kvChatLookups: 2,
  routerRequests: 2,
  routerActive: 0,
  dynamoTotal: 2,
  completedStreams: 0,
  activeStreams: 0,
  perModel: { 'gpt-4': { requests: 1, prompt: 11, completion: 25 }, llama: { requests: 1, prompt: 8, completion: 19 } },
};

export function serverThat(times: number, base: Counters = BEFORE, sent: readonly SentCompletion[] = SENT): Counters {
  const perModel: Counters['perModel'] = structuredClone(base.perModel);
  for (const s of sent) {
    const m = (perModel[s.model] ??= { requests: 0, prompt: 0, completion: 0 });
    m.requests += times;
    m.prompt += times * (s.usage?.prompt_tokens ?? 0);
    m.completion += times * (s.usage?.completion_tokens ?? 0);
  }
  const streams = sent.filter((s) => s.stream).length;
  return { ...base, dynamoTotal: base.dynamoTotal + times * sent.length, completedStreams: base.completedStreams + times * streams, perModel };
}
