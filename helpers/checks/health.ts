/** /health and /health/detailed. */
import type { HttpResult } from '../core/http';
import { DetailedHealthSchema, HealthSchema } from './schemas';
import { parseWith, problem, type Problem } from '../core/problems';
import { checkJsonOk } from './response';

/** 200, JSON, {status: "healthy", ready: true, timestamp: <ISO date>}. */
export function checkHealth(res: HttpResult): Problem[] {
  const problems = checkJsonOk(res);
  const { value, problems: shape } = parseWith(HealthSchema, res.data, 'body');
  problems.push(...shape);
  if (value && Number.isNaN(Date.parse(value.timestamp))) problems.push(problem('body.timestamp', 'an ISO-8601 date', value.timestamp));
  return problems;
}

export interface DetailedHealthContext {
  /** Client clock (seconds since epoch) just before and after the request. */
  sentAtS: number;
  receivedAtS: number;
  /** How long the server has been up at least, in seconds (e.g. since the suite saw it healthy); omitted: not checked. */
  minUptimeS?: number;
}

/** How far the server's clock may be from ours: same machine, so only rounding and scheduling. */
const CLOCK_SLACK_S = 2;

export function checkDetailedHealth(res: HttpResult, ctx: DetailedHealthContext): Problem[] {
  const problems = checkJsonOk(res);
  const { value, problems: shape } = parseWith(DetailedHealthSchema, res.data, 'body');
  problems.push(...shape);
  if (!value) return problems;
  if (value.timestamp < ctx.sentAtS - CLOCK_SLACK_S || value.timestamp > ctx.receivedAtS + CLOCK_SLACK_S) {
    problems.push(problem('body.timestamp', `the time of the request (${ctx.sentAtS.toFixed(3)}…${ctx.receivedAtS.toFixed(3)} ± ${CLOCK_SLACK_S} s)`, value.timestamp));
  }
  if (ctx.minUptimeS !== undefined && !(value.uptime_seconds >= ctx.minUptimeS)) {
    problems.push(problem('body.uptime_seconds', `≥ ${ctx.minUptimeS.toFixed(3)} (the server has been up at least that long)`, value.uptime_seconds));
  }
  const s = value.metrics_summary;
  if (s.total_requests_per_second < 0) problems.push(problem('metrics_summary.total_requests_per_second', '≥ 0', s.total_requests_per_second));
  if (s.total_errors_per_second < 0) problems.push(problem('metrics_summary.total_errors_per_second', '≥ 0', s.total_errors_per_second));
  if (s.error_rate_percentage < 0 || s.error_rate_percentage > 100) problems.push(problem('metrics_summary.error_rate_percentage', 'a percentage in [0, 100]', s.error_rate_percentage));
  if (s.average_latency_seconds < 0) problems.push(problem('metrics_summary.average_latency_seconds', '≥ 0', s.average_latency_seconds));
  const expectedStatus = s.error_rate_percentage > 10 ? 'unhealthy' : s.error_rate_percentage > 5 ? 'degraded' : 'healthy';
  if (value.status !== expectedStatus) problems.push(problem('body.status', `"${expectedStatus}" for an error rate of ${s.error_rate_percentage} %`, value.status));
  for (const [endpoint, e] of Object.entries(value.endpoints)) {
    if (e.requests_per_second < 0) problems.push(problem(`endpoints.${endpoint}.requests_per_second`, '≥ 0', e.requests_per_second));
    if (e.latency_p50_ms < 0 || e.latency_p50_ms > e.latency_p99_ms) {
      problems.push(problem(`endpoints.${endpoint}`, '0 ≤ latency_p50_ms ≤ latency_p99_ms', `p50 ${e.latency_p50_ms}, p99 ${e.latency_p99_ms}`));
    }
  }
  return problems;
}
