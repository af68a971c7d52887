/**
 * Metrics snapshots: every counter-bearing endpoint fetched together, validated, and kept for the
 * report in <runDir>/metrics-snapshots.json (one entry per label, newest wins).
 *
 * Never fetches /metrics/by-model or /metrics/ranking: with at least one model tracked they
 * deadlock FakeAI 0.3.2 for good (known defect by-model-deadlock). Per-model figures come from
 * /metrics/by-model/{model} and /metrics/by-model/prometheus, which do not.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkMetricsCsv, type MetricsCsvRow } from '../checks/csv';
import { type CounterSources, type Counters, countersOf } from '../checks/metrics-delta';
import { parsePrometheus, type PrometheusText } from '../checks/prometheus';
import { expectNoProblems, parseWith, type Problem } from '../core/problems';
import { createHttp, type HttpResult } from '../core/http';
import { DynamoMetricsSchema, KvCacheMetricsSchema, MetricsJsonSchema, ModelStatsSchema, UnknownModelStatsSchema, type ModelStats } from '../checks/schemas';

export interface MetricsSnapshot {
  label: string;
  baseUrl: string;
  /** Epoch ms around the fetches of /metrics, /metrics/prometheus and /metrics/csv. */
  fetchStartMs: number;
  fetchEndMs: number;
  sources: CounterSources;
  counters: Counters;
  /**
   * /metrics/prometheus as parsed, or null when it did not answer 200 — after any traffic it answers
   * 500 (known defect metrics-prometheus-keyerror), so the snapshot keeps going without it and the
   * Prometheus checks report it where they are declared.
   */
  prometheus: PrometheusText | null;
  prometheusStatus: number;
  csv: MetricsCsvRow[];
  modelPrometheus: PrometheusText;
  raw: Record<string, string>;
}

function json(res: HttpResult, what: string): unknown {
  if (res.status !== 200 || !res.json) throw new Error(`${what}: expected 200 with JSON, got ${res.status} ${res.contentType ?? ''}: ${res.text.slice(0, 200)}`);
  return res.data;
}

/** Fetches and validates; throws with every problem if any endpoint is not what it should be. */
export async function takeSnapshot(baseUrl: string, label: string, models: readonly string[]): Promise<MetricsSnapshot> {
  const http = createHttp(baseUrl);
  const fetchStartMs = Date.now();
  // The three formats of /metrics together, so their rates are read as close in time as possible.
  const [m, p, c] = await Promise.all([http.get('/metrics'), http.get('/metrics/prometheus'), http.get('/metrics/csv')]);
  const fetchEndMs = Date.now();
  const [kv, dynamo, mp, ...perModel] = await Promise.all([
    http.get('/kv-cache/metrics'),
    http.get('/dynamo/metrics/json'),
    http.get('/metrics/by-model/prometheus'),
    ...models.map((model) => http.get(`/metrics/by-model/${model}`)),
  ]);
  const problems: Problem[] = [];
  const metrics = parseWith(MetricsJsonSchema, json(m, '/metrics'), '/metrics');
  const kvc = parseWith(KvCacheMetricsSchema, json(kv, '/kv-cache/metrics'), '/kv-cache/metrics');
  const dyn = parseWith(DynamoMetricsSchema, json(dynamo, '/dynamo/metrics/json'), '/dynamo/metrics/json');
  problems.push(...metrics.problems, ...kvc.problems, ...dyn.problems);
  const byModel: Record<string, ModelStats | undefined> = {};
  models.forEach((model, i) => {
    const doc = json(perModel[i], `/metrics/by-model/${model}`);
    if (UnknownModelStatsSchema.safeParse(doc).success) byModel[model] = undefined;
    else {
      const r = parseWith(ModelStatsSchema, doc, `/metrics/by-model/${model}`);
      problems.push(...r.problems);
      byModel[model] = r.value;
    }
  });
  const prometheus = p.status === 200 ? parsePrometheus(p.text) : null;
  if (mp.status !== 200) throw new Error(`/metrics/by-model/prometheus: expected 200, got ${mp.status}: ${mp.text.slice(0, 200)}`);
  const modelPrometheus = parsePrometheus(mp.text);
  if (c.status !== 200) throw new Error(`/metrics/csv: expected 200, got ${c.status}: ${c.text.slice(0, 200)}`);
  const csv = checkMetricsCsv(c.text);
  problems.push(...modelPrometheus.problems, ...csv.problems);
  expectNoProblems(`metrics snapshot "${label}" at ${baseUrl}`, problems);
  const sources: CounterSources = { kv: kvc.value!, dynamo: dyn.value!, metrics: metrics.value!, byModel };
  return {
    label,
    baseUrl,
    fetchStartMs,
    fetchEndMs,
    sources,
    counters: countersOf(sources),
    prometheus,
    prometheusStatus: p.status,
    csv: csv.rows,
    modelPrometheus,
    raw: { '/metrics/prometheus': p.text, '/metrics/csv': c.text, '/metrics/by-model/prometheus': mp.text },
  };
}

export const SNAPSHOTS_FILE = 'metrics-snapshots.json';

/** Keeps a snapshot for the report: {label: {at, baseUrl, counters, metrics, kv, dynamo, byModel}}. */
export function saveSnapshot(runDir: string, s: MetricsSnapshot): void {
  const file = path.join(runDir, SNAPSHOTS_FILE);
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[s.label] = {
    at: new Date(s.fetchStartMs).toISOString(),
    baseUrl: s.baseUrl,
    counters: s.counters,
    metrics: s.sources.metrics,
    kvCache: s.sources.kv,
    dynamo: s.sources.dynamo,
    byModel: s.sources.byModel,
  };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
