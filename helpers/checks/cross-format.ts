/**
 * The same figure read from JSON, Prometheus text and CSV must agree.
 *
 * Counts must match exactly. Latency statistics are computed from the same samples in every
 * format, so they match up to Prometheus' 6-decimal printing. Rates are recomputed at each request
 * as N / (now − oldest sample), so two fetches a few ms apart legitimately differ: the caller
 * passes a relative tolerance derived from its own fetch timing (see rateTolerance).
 */
import type { MetricsJson } from './schemas';
import type { MetricsCsvRow } from './csv';
import { type PrometheusText, sampleValue } from './prometheus';
import { problem, type Problem } from '../core/problems';

export interface Figure {
  source: string;
  value: number | undefined;
}

export interface Tolerance {
  absolute: number;
  relative: number;
  reason: string;
}

export const EXACT: Tolerance = { absolute: 0, relative: 0, reason: 'a count: exact' };
/** Prometheus prints latencies with %.6f: half a unit in the last place. */
export const PRINTED_6DP: Tolerance = { absolute: 5e-7 + 1e-12, relative: 0, reason: 'same samples; Prometheus prints 6 decimals' };

/**
 * Tolerance for a rate fetched in different requests. Rate = N / (t − t0), so two readings at t1 < t2
 * differ by at most (t2 − t1) / (t1 − t0) relatively. t2 − t1 ≤ the span of the fetches; t1 − t0 ≥
 * the time from the first response of the suite's own traffic to the start of the fetches (the
 * oldest sample is no younger than that). Plus 6-decimal printing.
 */
export function rateTolerance(fetchSpanMs: number, minWindowAgeMs: number): Tolerance {
  const relative = minWindowAgeMs > 0 ? fetchSpanMs / minWindowAgeMs : Number.POSITIVE_INFINITY;
  return {
    absolute: 5e-7 + 1e-12,
    relative,
    reason: `rates are recomputed per request: fetches ${fetchSpanMs.toFixed(0)} ms apart over a window ≥ ${minWindowAgeMs.toFixed(0)} ms old differ by ≤ ${(relative * 100).toFixed(2)} %`,
  };
}

export function checkSameFigure(name: string, figures: readonly Figure[], tol: Tolerance): Problem[] {
  const missing = figures.filter((f) => f.value === undefined);
  if (missing.length > 0) {
    return [problem(name, `present in ${figures.map((f) => f.source).join(', ')}`, `missing from ${missing.map((f) => f.source).join(', ')} (${figures.map((f) => `${f.source} ${f.value}`).join(', ')})`)];
  }
  const problems: Problem[] = [];
  for (let i = 1; i < figures.length; i++) {
    const a = figures[0].value!;
    const b = figures[i].value!;
    const allowed = tol.absolute + tol.relative * Math.max(Math.abs(a), Math.abs(b));
    if (!(Math.abs(a - b) <= allowed)) {
      problems.push(problem(name, `${figures[0].source} = ${figures[i].source} within ${allowed.toExponential(2)} (${tol.reason})`, `${a} vs ${b}`));
    }
  }
  return problems;
}

export interface FigureSet {
  name: string;
  kind: 'count' | 'latency' | 'rate';
  figures: Figure[];
}

/** Every figure /metrics, /metrics/prometheus and /metrics/csv all carry, per endpoint. */
export function metricsFigures(json: MetricsJson, prom: PrometheusText, csv: readonly MetricsCsvRow[]): FigureSet[] {
  const sets: FigureSet[] = [];
  const csvRow = (type: string, endpoint: string) => csv.find((r) => r.metricType === type && r.endpoint === endpoint);
  for (const [kind, promName] of [
    ['requests', 'fakeai_requests_per_second'],
    ['responses', 'fakeai_responses_per_second'],
    ['tokens', 'fakeai_tokens_per_second'],
  ] as const) {
    for (const [endpoint, w] of Object.entries(json[kind])) {
      sets.push({
        name: `${kind} rate ${endpoint}`,
        kind: 'rate',
        figures: [
          { source: '/metrics', value: w.rate },
          { source: '/metrics/prometheus', value: sampleValue(prom, promName, { endpoint }) },
          { source: '/metrics/csv', value: csvRow(kind, endpoint)?.rate },
        ],
      });
    }
  }
  for (const [endpoint, w] of Object.entries(json.responses)) {
    // FakeAI prints latency quantiles only for endpoints with a non-zero average (metrics.py).
    if (!(w.avg > 0)) continue;
    for (const [q, key] of [['0.5', 'p50'], ['0.9', 'p90'], ['0.99', 'p99']] as const) {
      sets.push({
        name: `latency ${key} ${endpoint}`,
        kind: 'latency',
        figures: [
          { source: '/metrics', value: w[key] },
          { source: '/metrics/prometheus', value: sampleValue(prom, 'fakeai_latency_seconds', { endpoint, quantile: q }) },
          { source: '/metrics/csv', value: csvRow('responses', endpoint)?.[key] },
        ],
      });
    }
  }
  const ss = json.streaming_stats;
  for (const [key, promName] of [
    ['active_streams', 'fakeai_active_streams'],
    ['completed_streams', 'fakeai_completed_streams'],
    ['failed_streams', 'fakeai_failed_streams'],
  ] as const) {
    sets.push({ name: key, kind: 'count', figures: [{ source: '/metrics', value: ss[key] }, { source: '/metrics/prometheus', value: sampleValue(prom, promName) }] });
  }
  return sets;
}

/** Per-model counters: /metrics/by-model/{model} JSON vs /metrics/by-model/prometheus. */
export function modelFigures(model: string, stats: { request_count: number; tokens: { prompt: number; completion: number } }, prom: PrometheusText): FigureSet[] {
  return [
    { name: `${model} requests`, kind: 'count', figures: [{ source: '/metrics/by-model/{model}', value: stats.request_count }, { source: '/metrics/by-model/prometheus', value: sampleValue(prom, 'fakeai_model_requests_total', { model }) }] },
    { name: `${model} latency count`, kind: 'count', figures: [{ source: '/metrics/by-model/{model}', value: stats.request_count }, { source: '/metrics/by-model/prometheus', value: sampleValue(prom, 'fakeai_model_latency_milliseconds_count', { model }) }] },
    { name: `${model} prompt tokens`, kind: 'count', figures: [{ source: '/metrics/by-model/{model}', value: stats.tokens.prompt }, { source: '/metrics/by-model/prometheus', value: sampleValue(prom, 'fakeai_model_tokens_total', { model, type: 'prompt' }) }] },
    { name: `${model} completion tokens`, kind: 'count', figures: [{ source: '/metrics/by-model/{model}', value: stats.tokens.completion }, { source: '/metrics/by-model/prometheus', value: sampleValue(prom, 'fakeai_model_tokens_total', { model, type: 'completion' }) }] },
  ];
}
