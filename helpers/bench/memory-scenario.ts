/**
 * Server memory over rounds of traffic: after each round of requests, the server's RSS is read from
 * /proc by PID, and the leak verdict looks at the trend across rounds (helpers/bench/leak.ts).
 * CPU time comes from the same process's /proc stat, so it is the server's own, not the launcher's.
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

export interface MemoryResult {
  pid: number;
  rounds: Array<RssRound & { cpuMs: number; errors: number }>;
  verdict: LeakVerdict;
  /** Server CPU time per 1,000 requests over the measured rounds, ms. */
  cpuMsPer1kRequests: number | null;
}

export async function runMemoryRounds(baseUrl: string, pid: number, plan: MemoryPlan, progress: (m: string) => void): Promise<MemoryResult> {
  const agent = keepAliveAgent(plan.concurrency);
  const rounds: MemoryResult['rounds'] = [];
  let served = 0;
  try {
    for (let round = 0; round < plan.rounds; round++) {
      progress(`memory round ${round + 1}/${plan.rounds}`);
      // A mix of modes and models, so every path's allocations are exercised every round.
      const { results } = await runBounded(plan.requestsPerRound, plan.concurrency, 120_000, (i) => {
        const model = BENCH_MODELS[i % BENCH_MODELS.length];
        const target = { baseUrl, agent, timeoutMs: plan.timeoutMs };
        return i % 2 === 0
          ? timedPost(target, CHAT_PATH, chatBody({ model, stream: false, maxTokens: 32 }))
          : timedStream(target, CHAT_PATH, chatBody({ model, stream: true, maxTokens: 32 }));
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
  return { pid, rounds, verdict: leakVerdict(rounds), cpuMsPer1kRequests };
}
