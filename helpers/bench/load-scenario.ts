/**
 * Bounded load on one endpoint at several concurrency levels, and the same load from three clients:
 * the bench's node:http client, the e2e suite's own client (helpers/core/http.ts: a new connection
 * per request, as in the tests) and autocannon (a load generator many know). Loopback only: the
 * target is always a 127.0.0.1 server.
 *
 * Client overhead is read from time per request at concurrency 1, not from latency percentiles:
 * autocannon keeps latencies in an integer-millisecond histogram, too coarse for requests of a few
 * ms. Each client runs for a fixed time (autocannon's own `duration` mode, which starts its clock
 * after its set-up) and time/requests is its cost per request. Rounds are interleaved (A B C, A B C,
 * …) so drifting machine load hits every client alike, and the median over rounds is reported. At
 * concurrency 1 the server does the same work for every client, so the difference in time per
 * request is what the client adds. (A first attempt that timed n and 2n requests and took the
 * marginal cost gave negative overheads on the busy machine: the difference of two noisy walls.)
 */
import { performance } from 'node:perf_hooks';
import { createHttp, HttpTransportError } from '../core/http';
import { findKnee, type LoadLevel, summarizeLevel } from './load-analysis';
import { median } from '../core/distribution';
import type { MetricSamples } from './regression';
import { keepAliveAgent, runBounded, timedPost } from './timed-http';
import { CHAT_PATH, fixedLoadBody, sliceStat } from './workload';

export interface LoadPlan {
  levels: number[];
  requestsPerLevel: number;
  secondsPerLevel: number;
  /** Interleaved rounds per client, and how long each client runs per round. */
  clientCompareRounds: number;
  clientCompareSeconds: number;
  timeoutMs: number;
}

export interface ClientRun {
  client: 'node-http' | 'suite-http' | 'autocannon';
  requests: number;
  errors: number;
  /** Time per request at concurrency 1 in each round, ms. */
  roundsMsPerRequest: number[];
  /** Median over rounds. */
  msPerRequest: number;
}

interface TimedRun {
  requests: number;
  errors: number;
  wallMs: number;
}

export interface LoadResult {
  endpoint: string;
  levels: LoadLevel[];
  knee: { concurrency: number | null; reason: string };
  clients: ClientRun[];
  /** node-http and suite-http time per request minus autocannon's, ms (positive = slower than autocannon). */
  clientOverheadMs: { 'node-http': number | null; 'suite-http': number | null };
}

interface AutocannonResult {
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

async function level(baseUrl: string, c: number, plan: LoadPlan): Promise<{ level: LoadLevel; metrics: MetricSamples[] }> {
  const agent = keepAliveAgent(c);
  try {
    const body = fixedLoadBody();
    const done: number[] = [];
    const r = await runBounded(plan.requestsPerLevel, c, plan.secondsPerLevel * 1000, async () => {
      const res = await timedPost({ baseUrl, agent, timeoutMs: plan.timeoutMs }, CHAT_PATH, body);
      done.push(performance.now());
      return res;
    });
    const ok = r.results.filter((x) => x.status === 200 && !x.error);
    const latencies = ok.map((x) => x.totalMs);
    const lvl = summarizeLevel(c, latencies, r.results.length - ok.length, r.wallMs, r.stoppedByTime);
    // Throughput of consecutive slices of completions: the repeats the baseline rule needs.
    const indexes = done.map((_, i) => i);
    const rpsRepeats = sliceStat(indexes, 5, (idx) => (idx.length > 1 ? ((idx.length - 1) * 1000) / (done[idx[idx.length - 1]] - done[idx[0]]) : 0));
    return {
      level: lvl,
      metrics: [
        { key: `load.c${c}.rps`, direction: 'higher-is-better', absFloor: 5, repeats: rpsRepeats },
        { key: `load.c${c}.p50Ms`, direction: 'lower-is-better', absFloor: 0.5, repeats: sliceStat(latencies, 5, median) },
      ],
    };
  } finally {
    agent.destroy();
  }
}

async function viaSuiteHttp(baseUrl: string, seconds: number, timeoutMs: number): Promise<TimedRun> {
  const client = createHttp(baseUrl, { timeoutMs });
  const body = fixedLoadBody();
  let errors = 0;
  let requests = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    requests++;
    try {
      const r = await client.post(CHAT_PATH, body);
      if (r.status !== 200) errors++;
    } catch (e) {
      if (!(e instanceof HttpTransportError)) throw e;
      errors++;
    }
  }
  const wallMs = performance.now() - t0;
  return { requests, errors, wallMs };
}

async function viaNodeHttp(baseUrl: string, seconds: number, timeoutMs: number): Promise<TimedRun> {
  const agent = keepAliveAgent(1);
  const body = fixedLoadBody();
  const r = await runBounded(Number.MAX_SAFE_INTEGER, 1, seconds * 1000, () => timedPost({ baseUrl, agent, timeoutMs }, CHAT_PATH, body));
  agent.destroy();
  return { requests: r.results.length, errors: r.results.filter((x) => x.status !== 200 || x.error).length, wallMs: r.wallMs };
}

async function viaAutocannon(baseUrl: string, seconds: number, timeoutMs: number): Promise<TimedRun> {
  // autocannon ships no types; its programmatic API is a promise-returning function.
  const autocannon = require('autocannon') as Autocannon;
  const r = await autocannon({
    url: `${baseUrl}${CHAT_PATH}`, method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fixedLoadBody()), connections: 1, duration: seconds, timeout: Math.ceil(timeoutMs / 1000),
  });
  return { requests: r.requests.total, errors: r.non2xx + r.errors + r.timeouts, wallMs: r.duration * 1000 };
}

export async function runLoad(baseUrl: string, plan: LoadPlan, progress: (m: string) => void): Promise<{ result: LoadResult; metrics: MetricSamples[] }> {
  const levels: LoadLevel[] = [];
  const metrics: MetricSamples[] = [];
  for (const c of plan.levels) {
    progress(`load concurrency ${c}`);
    const r = await level(baseUrl, c, plan);
    levels.push(r.level);
    metrics.push(...r.metrics);
  }
  progress('load client comparison');
  const clients = { 'node-http': viaNodeHttp, 'suite-http': viaSuiteHttp, autocannon: viaAutocannon } as const;
  const names = Object.keys(clients) as Array<keyof typeof clients>;
  const runs = new Map(names.map((n) => [n, [] as TimedRun[]]));
  for (let round = 0; round < plan.clientCompareRounds; round++) {
    for (const n of names) runs.get(n)!.push(await clients[n](baseUrl, plan.clientCompareSeconds, plan.timeoutMs));
  }
  const summary = names.map((client): ClientRun => {
    const rs = runs.get(client)!;
    const per = rs.map((r) => r.wallMs / Math.max(1, r.requests));
    return { client, requests: rs.reduce((a, r) => a + r.requests, 0), errors: rs.reduce((a, r) => a + r.errors, 0), roundsMsPerRequest: per, msPerRequest: median(per) };
  });
  const [node, suite, autocannon] = summary;
  const acMs = autocannon.msPerRequest;
  return {
    result: {
      endpoint: `POST ${CHAT_PATH} (non-streaming, max_tokens 16)`,
      levels,
      knee: findKnee(levels),
      clients: [node, suite, autocannon],
      clientOverheadMs: { 'node-http': node.msPerRequest - acMs, 'suite-http': suite.msPerRequest - acMs },
    },
    metrics,
  };
}
