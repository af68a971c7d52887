/**
 * The metrics views the explorer reads after every case: every GET route of /openapi.json under
 * /metrics, /kv-cache, /dynamo/metrics and /dcgm/metrics, minus the few it must not or cannot
 * call (each with its reason), and what a valid body of each format is.
 */
import type { Contract, OpenApiDocument } from '../api/contract';
import { checkMetricsCsv } from '../checks/csv';
import { checkPrometheusBounds, parsePrometheus } from '../checks/prometheus';
import { DynamoMetricsSchema, KvCacheMetricsSchema, MetricsJsonSchema, ModelStatsSchema, UnknownModelStatsSchema } from '../checks/schemas';
import type { HttpResult } from '../core/http';
import { parseWith, problem, type Problem } from '../core/problems';
import type { ZodTypeAny } from 'zod';

const METRICS_ROUTE = /^\/(metrics|kv-cache|dynamo\/metrics|dcgm\/metrics)(\/|$)/;

/** Views the explorer leaves out, and why. */
export const VIEW_EXCLUSIONS: Readonly<Record<string, string>> = {
  '/metrics/by-model': 'deadlocks FakeAI 0.3.2 for good once a model is used (known defect by-model-deadlock)',
  '/metrics/ranking': 'deadlocks FakeAI 0.3.2 for good once a model is used (known defect by-model-deadlock)',
  '/metrics/rate-limits/key/{api_key}': 'needs an API key; the explorer\'s server runs without keys',
};

/** The template a case's model fills in. */
export const BY_MODEL_VIEW = '/metrics/by-model/{model_id}';

/** Every metrics view template the document lists, minus VIEW_EXCLUSIONS, in document order. */
export function metricsViews(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .filter(([p, ops]) => 'get' in ops && METRICS_ROUTE.test(p) && !(p in VIEW_EXCLUSIONS))
    .map(([p]) => p);
}

/** The concrete URL path of a view for a case on `model`. */
export function viewUrl(template: string, model: string): string {
  const m = encodeURIComponent(model).replace(/%2F/g, '/');
  if (template === '/metrics/compare') return `/metrics/compare?model1=${m}&model2=${m}`;
  return template.replace(/\{[^}]+\}/g, m);
}

/** The suite's own shapes, where it has one; the document's schema applies to every JSON view besides. */
const SHAPES: Readonly<Record<string, ZodTypeAny>> = {
  '/metrics': MetricsJsonSchema,
  '/kv-cache/metrics': KvCacheMetricsSchema,
  '/dynamo/metrics/json': DynamoMetricsSchema,
  [BY_MODEL_VIEW]: ModelStatsSchema.or(UnknownModelStatsSchema),
};

/** What is wrong with a 200 answer of a view for its format: JSON (shape + document), Prometheus text, CSV. */
export function viewBodyProblems(template: string, res: Pick<HttpResult, 'contentType' | 'data' | 'text' | 'json'>, contract: Contract | undefined): Problem[] {
  const ct = (res.contentType ?? '').toLowerCase();
  if (/^application\/json\b/.test(ct)) {
    if (!res.json) return [problem('body', 'JSON', res.text.slice(0, 120))];
    const out: Problem[] = [];
    const shape = SHAPES[template];
    if (shape) out.push(...parseWith(shape, res.data, 'body').problems);
    if (contract) out.push(...contract.checkResponse('GET', template, 200, res.contentType, res.data).map((v) => problem(v.pointer || '(body)', `/openapi.json: ${v.rule}`, v.message)));
    return out;
  }
  if (/^text\/plain\b/.test(ct)) {
    const prom = parsePrometheus(res.text);
    return [...prom.problems, ...checkPrometheusBounds(prom)];
  }
  if (/^text\/csv\b/.test(ct)) return checkMetricsCsv(res.text).problems;
  return [problem('content-type', 'application/json, text/plain (Prometheus) or text/csv', res.contentType ?? 'none')];
}
