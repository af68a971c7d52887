/**
 * Server memory over rounds of traffic: after each round of requests, the server's RSS is read from
 * /proc by PID, and the leak verdict looks at the trend across rounds (helpers/bench/leak.ts).
 * CPU time comes from the same process's /proc stat, so it is the server's own, not the launcher's.
 *
 * Two series on the same server: identical prompts first, then unique prompts. FakeAI keeps
 * per-prompt state (a simulated KV-cache radix tree, a prompt cache) besides fixed-size metric
 * windows; if only the unique-prompt series grows, the growth is per distinct prompt, not per request.
 */
import { leakVerdict, type LeakVerdict, type RssRound } from './leak';
import { readProc } from './proc-stats';
import { keepAliveAgent, runBounded, timedPost, timedStream } from './timed-http';
import { BENCH_MODELS, CHAT_PATH, chatBody } from './workload';

export interface MemoryPlan {
  rounds: number;
  requestsPerRound: number;
  concurrency: number;
  timeoutMs: number;
}

export type PromptKind = 'identical' | 'unique';

export interface MemorySeries {
  prompts: PromptKind;
  rounds: Array<RssRound & { cpuMs: number; errors: number }>;
  verdict: LeakVerdict;
  /** Server CPU time per 1,000 requests over the rounds after warm-up, ms. */
  cpuMsPer1kRequests: number | null;
}

export interface MemoryResult {
  pid: number;
  series: MemorySeries[];
}

async function runSeries(baseUrl: string, pid: number, plan: MemoryPlan, prompts: PromptKind, progress: (m: string) => void): Promise<MemorySeries> {
  const agent = keepAliveAgent(plan.concurrency);
  const rounds: MemorySeries['rounds'] = [];
  let served = 0;
  try {
    for (let round = 0; round < plan.rounds; round++) {
      progress(`memory (${prompts} prompts) round ${round + 1}/${plan.rounds}`);
      // A mix of modes and models, so every path's allocations are exercised every round.
      const { results } = await runBounded(plan.requestsPerRound, plan.concurrency, 120_000, (i) => {
        const model = BENCH_MODELS[i % BENCH_MODELS.length];
        const target = { baseUrl, agent, timeoutMs: plan.timeoutMs };
        const stream = i % 2 === 1;
        const body = chatBody({ model, stream, maxTokens: 32 });
        if (prompts === 'identical') body.messages = [{ role: 'user', content: 'Say hello to the benchmark' }];
        return stream ? timedStream(target, CHAT_PATH, body) : timedPost(target, CHAT_PATH, body);
      });
      served += results.length;
      const s = readProc(pid, 0);
      rounds.push({ requests: served, rssKiB: s.rssKiB, cpuMs: s.cpuMs, errors: results.filter((r) => r.status !== 200 || r.error).length });
    }
  } finally {
    agent.destroy();
  }
  const first = rounds[1] ?? rounds[0];
  const last = rounds[rounds.length - 1];
  const cpuMsPer1kRequests = first && last && last.requests > first.requests ? ((last.cpuMs - first.cpuMs) * 1000) / (last.requests - first.requests) : null;
  return { prompts, rounds, verdict: leakVerdict(rounds), cpuMsPer1kRequests };
}

export async function runMemoryRounds(baseUrl: string, pid: number, plan: MemoryPlan, progress: (m: string) => void): Promise<MemoryResult> {
  const series: MemorySeries[] = [];
  for (const prompts of ['identical', 'unique'] as const) series.push(await runSeries(baseUrl, pid, plan, prompts, progress));
  return { pid, series };
}
