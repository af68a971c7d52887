/**
 * Every metrics and health endpoint FakeAI serves, discovered from its /openapi.json: status,
 * content type, schema, bounds. The old script's five endpoints are checked when served and
 * skipped — visibly, with the reason in the test name and in the report — when not; --strict
 * (E2E_STRICT=1) turns those skips into failures.
 */
import { checkMetricsCsv } from '../helpers/checks/csv';
import { checkDetailedHealth } from '../helpers/checks/health';
import { checkDynamoMetrics, checkKvCacheMetrics, checkMetricsJson, checkModelStats } from '../helpers/checks/metrics-bounds';
import { checkPrometheusBounds, parsePrometheus } from '../helpers/checks/prometheus';
import { expectNoProblems, problem, type Problem } from '../helpers/core/problems';
import { checkContentType, checkJsonOk, checkStatus } from '../helpers/checks/response';
import { loadConfig } from '../helpers/core/config';
import { readHarnessEnv, server } from '../helpers/core/harness-env';
import { createHttp, type HttpResult } from '../helpers/core/http';
import { expectDefectProblems, testKnownDefect } from '../helpers/checks/known-defect-test';
import { isServed, listServedRoutes, loadOpenApiSync, notServedReason } from '../helpers/api/openapi';
import { appendRecord } from '../helpers/core/run-records';
import { skippedTest } from '../helpers/core/skipped-test';

const config = loadConfig();
const harness = readHarnessEnv();
const main = server('default');
const doc = loadOpenApiSync(main.baseUrl);
/** The suite's own requests time out after this long, so no latency the server reports for them can be longer. */
const bounds = { maxLatencyS: config.requestTimeoutMs / 1000 };

const SEED_ENDPOINTS = ['/metrics', '/metrics/events', '/metrics/errors', '/metrics/streaming', '/metrics/slo'];

function record(path: string, res: HttpResult | null, served: boolean, skipReason: string | null): void {
  appendRecord(harness.runDir, { kind: 'endpoint', path, served, status: res?.status ?? null, contentType: res?.contentType ?? null, durationMs: res ? Math.round(res.durationMs * 10) / 10 : null, skipReason });
}

async function get(path: string): Promise<HttpResult> {
  const res = await createHttp(main.baseUrl).get(path);
  record(path, res, true, null);
  return res;
}

const prometheusChecks = (res: HttpResult): Problem[] => {
  const p = parsePrometheus(res.text);
  return [...checkStatus(res, 200), ...checkContentType(res, /^text\/plain\b/i, 'text/plain (Prometheus 0.0.4)'), ...p.problems, ...checkPrometheusBounds(p), ...(p.samples.length === 0 ? [problem('body', 'at least one sample', 'none')] : [])];
};
const jsonChecks = (extra: (data: unknown) => Problem[] = () => []) => (res: HttpResult): Problem[] => {
  const problems = checkJsonOk(res);
  return problems.length > 0 ? problems : extra(res.data);
};

const kvCacheHits = async (): Promise<number> => {
  const res = await createHttp(main.baseUrl).get('/kv-cache/metrics');
  expectNoProblems('GET /kv-cache/metrics', checkJsonOk(res));
  return (res.data as { cache_performance: { total_cache_hits: number } }).cache_performance.total_cache_hits;
};

/**
 * The same chat request twice, one after the other, so every endpoint has something to report —
 * including a KV-cache hit: the second lookup finds the first one's tokens (FakeAI counts any
 * matched leading token, kv_cache.py:302). Without it, what the cache figures show would depend on
 * which test files ran before this one.
 */
async function warmUp(): Promise<void> {
  const hitsBefore = await kvCacheHits();
  for (let i = 0; i < 2; i++) {
    const res = await createHttp(main.baseUrl).post('/v1/chat/completions', { model: 'gpt-4', messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 30 });
    expectNoProblems(`warm-up request ${i + 1}`, checkStatus(res, 200));
  }
  const hitsAfter = await kvCacheHits();
  if (hitsAfter < hitsBefore + 1) expectNoProblems('warm-up', [problem('/kv-cache/metrics total_cache_hits', `+1 or more (the repeated prompt is a hit), from ${hitsBefore}`, hitsAfter)]);
}

/** path → its check. /metrics/prometheus and the by-model listing have their own tests below. */
const ENDPOINTS: Record<string, (res: HttpResult) => Problem[]> = {
  '/metrics': jsonChecks((d) => checkMetricsJson(d, bounds).problems),
  '/metrics/csv': (res) => [...checkStatus(res, 200), ...checkContentType(res, /^text\/csv\b/i, 'text/csv'), ...checkMetricsCsv(res.text).problems],
  // The response just arrived: it was sent durationMs ago.
  '/health/detailed': (res) => checkDetailedHealth(res, { sentAtS: (Date.now() - res.durationMs) / 1000, receivedAtS: Date.now() / 1000 }),
  '/kv-cache/metrics': jsonChecks((d) => checkKvCacheMetrics(d)),
  '/metrics/by-model/gpt-4': jsonChecks((d) => checkModelStats(d, 'gpt-4')),
  '/metrics/by-model/prometheus': prometheusChecks,
  '/metrics/compare?model1=gpt-4&model2=gpt-4': jsonChecks((d) => ((d as { model1?: unknown }).model1 === 'gpt-4' ? [] : [problem('body.model1', '"gpt-4"', d)])),
  '/metrics/costs': jsonChecks((d) => {
    const c = d as { costs_by_model?: Record<string, number>; total_cost_usd?: number };
    const sum = Object.values(c.costs_by_model ?? {}).reduce((a, b) => a + b, 0);
    const ps: Problem[] = [];
    if (Object.values(c.costs_by_model ?? {}).some((v) => !(v >= 0))) ps.push(problem('costs_by_model', 'every cost ≥ 0', c.costs_by_model));
    if (typeof c.total_cost_usd !== 'number' || Math.abs(c.total_cost_usd - sum) > 1e-9) ps.push(problem('total_cost_usd', `Σ costs_by_model = ${sum}`, c.total_cost_usd));
    return ps;
  }),
  '/metrics/multi-dimensional': jsonChecks((d) => ['model_by_endpoint', 'model_by_user', 'model_by_time_24h'].filter((k) => typeof (d as Record<string, unknown>)[k] !== 'object').map((k) => problem(k, 'an object', (d as Record<string, unknown>)[k]))),
  '/dcgm/metrics': prometheusChecks,
  '/dcgm/metrics/json': jsonChecks(),
  '/dynamo/metrics': prometheusChecks,
  '/dynamo/metrics/json': jsonChecks((d) => checkDynamoMetrics(d, bounds)),
  '/metrics/rate-limits': jsonChecks(),
  '/metrics/rate-limits/tier': jsonChecks(),
  '/metrics/rate-limits/throttle-analytics': jsonChecks(),
  '/metrics/rate-limits/abuse-patterns': jsonChecks(),
};

/** Served metrics/health routes with no test in this file, each with the reason. */
const ELSEWHERE: Record<string, string> = {
  '/health': 'e2e/health.test.ts',
  '/metrics/prometheus': 'its own tests below (known defect after traffic)',
  '/metrics/by-model': 'e2e/metrics-by-model.test.ts, on the isolated server: it deadlocks FakeAI (known defect by-model-deadlock)',
  '/metrics/ranking': 'never called: it runs the same deadlocking code as /metrics/by-model',
  '/metrics/by-model/{model_id}': 'checked as /metrics/by-model/gpt-4',
  '/metrics/rate-limits/key/{api_key}': 'needs an API key with rate-limit history; the default server has none (answers 404 by design)',
};

const SEED_DESCRIBE = "the old script's five metrics endpoints";

describe(SEED_DESCRIBE, () => {
  test('each is probed: served ones answer 200, the others 404 as /openapi.json says', async () => {
    const problems: Problem[] = [];
    for (const path of SEED_ENDPOINTS) {
      const served = isServed(doc, 'GET', path);
      const res = await createHttp(main.baseUrl).get(path);
      record(path, res, served, served ? null : notServedReason(main, 'GET', path));
      if (res.status !== (served ? 200 : 404)) problems.push(problem(path, `${served ? 200 : 404} (${served ? 'listed' : 'not listed'} in /openapi.json)`, res.status));
    }
    expectNoProblems('seed endpoint probes', problems);
  });

  for (const path of SEED_ENDPOINTS) {
    if (isServed(doc, 'GET', path)) {
      test(`GET ${path} answers 200 JSON${path === '/metrics' ? ' with valid rates and latency statistics' : ''}`, async () => {
        const res = await get(path);
        expectNoProblems(`GET ${path}`, path === '/metrics' ? ENDPOINTS['/metrics'](res) : checkJsonOk(res));
      });
    } else if (config.strict) {
      test(`GET ${path} is served (--strict)`, () => {
        throw new Error(`${path}: expected to be served (--strict / E2E_STRICT=1), but it is ${notServedReason(main, 'GET', path)}`);
      });
    } else {
      skippedTest(SEED_DESCRIBE, `GET ${path}`, notServedReason(main, 'GET', path));
    }
  }
});

const EVERY_DESCRIBE = 'every metrics and health endpoint FakeAI serves';

describe(EVERY_DESCRIBE, () => {
  test('each served metrics/health route has a check here or a stated reason elsewhere', () => {
    const routes = listServedRoutes(doc)
      .filter((r) => r.method === 'GET' && /^\/(metrics|health|kv-cache|dcgm|dynamo)(\/|$)/.test(r.path))
      .map((r) => r.path);
    const covered = new Set([...Object.keys(ENDPOINTS).map((p) => p.split('?')[0]), ...Object.keys(ELSEWHERE), ...SEED_ENDPOINTS]);
    const missing = routes.filter((p) => !covered.has(p));
    expectNoProblems('coverage of served routes', missing.map((p) => problem(p, 'a check in e2e/metrics-endpoints.test.ts or a reason in ELSEWHERE', 'neither')));
  });

  test('warm-up: a repeated chat completion, so the endpoints below have traffic and a KV-cache hit to report', warmUp);

  test.each(Object.keys(ENDPOINTS).filter((p) => isServed(doc, 'GET', p.split('?')[0])))('GET %s: status, content type, schema and bounds', async (path) => {
    expectNoProblems(`GET ${path}`, ENDPOINTS[path](await get(path)));
  });

  // A checked endpoint this server does not list is never dropped silently: skipped with the reason, or failed under --strict.
  for (const path of Object.keys(ENDPOINTS).filter((p) => !isServed(doc, 'GET', p.split('?')[0]))) {
    const reason = notServedReason(main, 'GET', path.split('?')[0]);
    if (config.strict) {
      test(`GET ${path} is served (--strict)`, () => {
        throw new Error(`${path}: expected to be served (--strict / E2E_STRICT=1), but it is ${reason}`);
      });
    } else {
      skippedTest(EVERY_DESCRIBE, `GET ${path}`, reason);
    }
  }

  testKnownDefect('metrics-prometheus-keyerror', 'GET /metrics/prometheus after traffic answers 200 with valid exposition', async () => {
    await warmUp();
    const res = await get('/metrics/prometheus');
    // The defect is a 500 (KeyError); any other way to fail is not it.
    expectDefectProblems('GET /metrics/prometheus', prometheusChecks(res), () => res.status === 500);
  });
});
