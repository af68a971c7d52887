/**
 * What the bench sends. Every prompt STARTS with a unique word: FakeAI 0.3.2's simulated KV cache
 * (kv_cache.py, find_longest_prefix) counts every shared leading token as cached, and the cached
 * share shortens the streamed TTFT by up to 80 %. With "Say hello #N" prompts the shared "Say hello"
 * cut a configured 200 ms TTFT to a 128 ms median; a unique first word gives a cache ratio of 0,
 * so the timing-fidelity checks measure the setting, not the cache.
 */

/** Models measured separately. Any id works on FakeAI; these three exercise different paths. */
export const BENCH_MODELS = ['openai/gpt-oss-120b', 'meta-llama/Llama-3.1-8B-Instruct', 'deepseek-ai/DeepSeek-R1'] as const;

export const CHAT_PATH = '/v1/chat/completions';

let counter = 0;

export function chatBody(opts: { model: string; stream: boolean; maxTokens: number; temperature?: number }): Record<string, unknown> {
  counter += 1;
  return {
    model: opts.model,
    messages: [{ role: 'user', content: `n${process.pid}x${counter} say hello` }],
    max_tokens: opts.maxTokens,
    ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
    ...(opts.stream ? { stream: true } : {}),
  };
}

/** The body every load client sends (autocannon needs one fixed body, so all clients use it). */
export function fixedLoadBody(model: string = BENCH_MODELS[0]): Record<string, unknown> {
  return { model, messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16 };
}

/**
 * Splits samples (in the order they were taken) into `repeats` consecutive slices and returns a
 * statistic of each: the repeat samples the baseline comparison needs, from one batch.
 */
export function sliceStat(samples: readonly number[], repeats: number, stat: (xs: number[]) => number): number[] {
  const size = Math.floor(samples.length / repeats);
  if (size < 1) return [];
  return Array.from({ length: repeats }, (_, i) => stat(samples.slice(i * size, (i + 1) * size)));
}
