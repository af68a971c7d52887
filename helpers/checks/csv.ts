/** /metrics/csv: RFC 4180 parsing, then the header, types and bounds FakeAI's export promises. */
import { problem, type Problem } from '../core/problems';

export function parseCsv(text: string): { rows: string[][]; problems: Problem[] } {
  const rows: string[][] = [];
  const problems: Problem[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
      if (c === '\n') line++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      line++;
    } else field += c;
  }
  if (quoted) problems.push(problem(`line ${line}`, 'a closing quote', 'end of text'));
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return { rows, problems };
}

export const METRICS_CSV_HEADER = ['metric_type', 'endpoint', 'rate', 'avg_latency', 'min_latency', 'max_latency', 'p50_latency', 'p90_latency', 'p99_latency'] as const;
const METRIC_TYPES = new Set(['requests', 'responses', 'tokens', 'errors']);

export interface MetricsCsvRow {
  metricType: string;
  endpoint: string;
  rate: number;
  avg: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Header exactly as FakeAI writes it; every row 9 fields, a known metric type, finite numbers, ordered latencies. */
export function checkMetricsCsv(text: string): { rows: MetricsCsvRow[]; problems: Problem[] } {
  const { rows, problems } = parseCsv(text);
  const out: MetricsCsvRow[] = [];
  if (rows.length === 0) return { rows: out, problems: [...problems, problem('header', METRICS_CSV_HEADER.join(','), 'empty body')] };
  if (rows[0].join(',') !== METRICS_CSV_HEADER.join(',')) problems.push(problem('header', METRICS_CSV_HEADER.join(','), rows[0].join(',')));
  const seen = new Set<string>();
  rows.slice(1).forEach((r, i) => {
    const at = `row ${i + 2}`;
    if (r.length !== METRICS_CSV_HEADER.length) {
      problems.push(problem(at, `${METRICS_CSV_HEADER.length} fields`, `${r.length}: ${r.join(',')}`));
      return;
    }
    const [metricType, endpoint, ...nums] = r;
    if (!METRIC_TYPES.has(metricType)) problems.push(problem(`${at}.metric_type`, [...METRIC_TYPES].join(' | '), metricType));
    if (!endpoint.startsWith('/')) problems.push(problem(`${at}.endpoint`, 'a path', endpoint));
    const key = `${metricType} ${endpoint}`;
    if (seen.has(key)) problems.push(problem(at, `one row for ${key}`, 'a second one'));
    seen.add(key);
    const values = nums.map(Number);
    values.forEach((v, j) => {
      if (nums[j].trim() === '' || !Number.isFinite(v)) problems.push(problem(`${at}.${METRICS_CSV_HEADER[j + 2]}`, 'a finite number', nums[j]));
      else if (v < 0) problems.push(problem(`${at}.${METRICS_CSV_HEADER[j + 2]}`, '≥ 0', v));
    });
    const [rate, avg, min, max, p50, p90, p99] = values;
    if (!(min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max && min <= avg && avg <= max)) {
      problems.push(problem(at, 'min ≤ p50 ≤ p90 ≤ p99 ≤ max and min ≤ avg ≤ max', `min ${min}, avg ${avg}, p50 ${p50}, p90 ${p90}, p99 ${p99}, max ${max}`));
    }
    out.push({ metricType, endpoint, rate, avg, min, max, p50, p90, p99 });
  });
  return { rows: out, problems };
}
