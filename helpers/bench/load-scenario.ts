/**
 * Bounded load on one endpoint at several concurrency levels, and the same load from three clients:
 * the bench's node:http client, axios (what the e2e tests use) and autocannon (a load generator many
 * know). Loopback only: the target is always a 127.0.0.1 server.
 *
 * Client overhead is read from wall time at concurrency 1, not from latency percentiles: autocannon
 * keeps latencies in an integer-millisecond histogram, too coarse for requests of a few ms. Each
 * client runs n and then 2n requests and we take the MARGINAL time per request,
 * (wall(2n) − wall(n)) / n, which cancels fixed costs (autocannon spins up its own machinery: with
 * plain wall/n it looked 2× slower than a bare loop). At concurrency 1 the server does the same work
 * for every client, so the difference in marginal time per request is what the client adds.
 */
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import axios from 'axios';
import { findKnee, type LoadLevel, summarizeLevel } from './load-analysis';
import { median } from './stats';
import type { MetricSamples } from './regression';
import { keepAliveAgent, runBounded, timedPost } from './timed-http';
import { CHAT_PATH, fixedLoadBody, sliceStat } from './workload';

export interface LoadPlan {
  levels: number[];
  requestsPerLevel: number;
  secondsPerLevel: number;
  clientCompareRequests: number;
  timeoutMs: number;
}

export interface ClientRun {
  client: 'node-http' | 'axios' | 'autocannon';
  requests: number;
  errors: number;
  wallMs: number;
  msPerRequest: number;
  rps: number;
}

export interface LoadResult {
  endpoint: string;
  levels: LoadLevel[];
  knee: { concurrency: number | null; reason: string };
  clients: ClientRun[];
  /** node-http and axios time per request minus autocannon's, ms (positive = slower than autocannon). */
  clientOverheadMs: { 'node-http': number | null; axios: number | null };
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

async function viaAxios(baseUrl: string, n: number, timeoutMs: number): Promise<ClientRun> {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const client = axios.create({ baseURL: baseUrl, httpAgent, timeout: timeoutMs, validateStatus: () => true });
  const body = fixedLoadBody();
  let errors = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    try {
      const r = await client.post(CHAT_PATH, body);
      if (r.status !== 200) errors++;
    } catch {
      errors++;
    }
  }
  const wallMs = performance.now() - t0;
  httpAgent.destroy();
  return { client: 'axios', requests: n, errors, wallMs, msPerRequest: wallMs / n, rps: (n * 1000) / wallMs };
}

async function viaNodeHttp(baseUrl: string, n: number, timeoutMs: number): Promise<ClientRun> {
  const agent = keepAliveAgent(1);
  const body = fixedLoadBody();
  const r = await runBounded(n, 1, 10 * 60_000, () => timedPost({ baseUrl, agent, timeoutMs }, CHAT_PATH, body));
  agent.destroy();
  const errors = r.results.filter((x) => x.status !== 200 || x.error).length;
  return { client: 'node-http', requests: n, errors, wallMs: r.wallMs, msPerRequest: r.wallMs / n, rps: (n * 1000) / r.wallMs };
}

async function viaAutocannon(baseUrl: string, n: number, timeoutMs: number): Promise<ClientRun> {
  // autocannon ships no types; its programmatic API is a promise-returning function.
  const autocannon = require('autocannon') as Autocannon;
  const t0 = performance.now();
  const r = await autocannon({
    url: `${baseUrl}${CHAT_PATH}`, method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fixedLoadBody()), connections: 1, amount: n, timeout: Math.ceil(timeoutMs / 1000),
  });
  const wallMs = performance.now() - t0;
  const total = r.requests.total;
  return { client: 'autocannon', requests: total, errors: r.non2xx + r.errors + r.timeouts, wallMs, msPerRequest: wallMs / Math.max(1, total), rps: (total * 1000) / wallMs };
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
  const n = plan.clientCompareRequests;
  const clients = [viaNodeHttp, viaAxios, viaAutocannon];
  const runs: ClientRun[][] = clients.map(() => []);
  // Interleaved rounds (n, then 2n, for each client in turn) so drifting machine load hits all alike.
  for (const size of [n, 2 * n]) {
    for (let i = 0; i < clients.length; i++) runs[i].push(await clients[i](baseUrl, size, plan.timeoutMs));
  }
  const marginal = (rs: ClientRun[]): ClientRun => {
    const [a, b] = rs;
    const ms = (b.wallMs - a.wallMs) / (b.requests - a.requests);
    return { client: a.client, requests: a.requests + b.requests, errors: a.errors + b.errors, wallMs: a.wallMs + b.wallMs, msPerRequest: ms, rps: 1000 / ms };
  };
  const [node, ax, autocannon] = runs.map(marginal);
  const acMs = autocannon.msPerRequest;
  return {
    result: {
      endpoint: `POST ${CHAT_PATH} (non-streaming, max_tokens 16)`,
      levels,
      knee: findKnee(levels),
      clients: [node, ax, autocannon],
      clientOverheadMs: { 'node-http': node.msPerRequest - acMs, axios: ax.msPerRequest - acMs },
    },
    metrics,
  };
}
