/**
 * Prometheus text exposition format 0.0.4, parsed strictly: a line that is not a comment, a blank
 * or a well-formed sample is a problem, never skipped.
 */
import { problem, type Problem } from '../core/problems';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  line: number;
}

export interface PrometheusText {
  samples: Sample[];
  /** Metric family → declared TYPE. */
  types: Record<string, string>;
  problems: Problem[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE_RE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+(-?\\d+))?\\s*$`);
const LABEL_RE = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'summary', 'histogram', 'untyped']);

function parseValue(s: string): number | undefined {
  if (s === 'NaN') return Number.NaN;
  if (s === '+Inf' || s === 'Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : undefined;
}

function parseLabels(body: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  LABEL_RE.lastIndex = 0;
  while (LABEL_RE.lastIndex < body.length) {
    const start = LABEL_RE.lastIndex;
    const m = LABEL_RE.exec(body);
    if (!m || m.index !== start) return undefined;
    if (m[1] in labels) return undefined;
    labels[m[1]] = m[2].replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    if (m[3] === '') break;
  }
  return labels;
}

/** The family a sample belongs to: summaries and histograms add _sum/_count/_bucket. */
export function familyOf(name: string, types: Record<string, string>): string {
  if (types[name]) return name;
  const base = name.replace(/_(sum|count|bucket)$/, '');
  return types[base] ? base : name;
}

export function parsePrometheus(text: string): PrometheusText {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  const problems: Problem[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const at = `line ${i + 1}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (m?.[1] === 'TYPE') {
        const t = (m[3] ?? '').trim();
        if (!TYPES.has(t)) problems.push(problem(at, 'a TYPE of counter, gauge, summary, histogram or untyped', line));
        else if (types[m[2]]) problems.push(problem(at, `one TYPE line for ${m[2]}`, 'a second one'));
        else types[m[2]] = t;
      }
      return;
    }
    const m = SAMPLE_RE.exec(line);
    const labels = m ? parseLabels(m[2] ?? '') : undefined;
    const value = m ? parseValue(m[3]) : undefined;
    if (!m || !labels || value === undefined) {
      problems.push(problem(at, 'a sample "name{label="value",…} number"', line));
      return;
    }
    const key = `${m[1]}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) problems.push(problem(at, 'each series once', `${m[1]}${JSON.stringify(labels)} again`));
    seen.add(key);
    samples.push({ name: m[1], labels, value, line: i + 1 });
  });
  for (const s of samples) {
    if (!types[familyOf(s.name, types)]) problems.push(problem(`line ${s.line}`, `a # TYPE line for ${s.name}`, 'none'));
  }
  return { samples, types, problems };
}

/** The one sample with this name and these labels (a subset match), or undefined. */
export function sampleValue(p: PrometheusText, name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = p.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length);
  return hits.length === 1 ? hits[0].value : undefined;
}

/** Bounds any exposition must meet: finite values, counters and *_per_second/_seconds ≥ 0, quantiles ordered. */
export function checkPrometheusBounds(p: PrometheusText): Problem[] {
  const problems: Problem[] = [];
  const quantiles = new Map<string, { q: number; v: number }[]>();
  for (const s of p.samples) {
    const at = `line ${s.line} ${s.name}${JSON.stringify(s.labels)}`;
    if (!Number.isFinite(s.value)) {
      problems.push(problem(at, 'a finite number', s.value));
      continue;
    }
    const type = p.types[familyOf(s.name, p.types)];
    const nonNegative = type === 'counter' || /(_per_second|_seconds|_milliseconds|_total|_streams|_count|_sum|_usd_total)$/.test(s.name);
    if (nonNegative && s.value < 0) problems.push(problem(at, '≥ 0', s.value));
    if (s.labels.quantile !== undefined) {
      const q = Number(s.labels.quantile);
      if (!(q >= 0 && q <= 1)) problems.push(problem(at, 'a quantile label in [0, 1]', s.labels.quantile));
      const { quantile: _q, ...rest } = s.labels;
      const key = `${s.name}${JSON.stringify(Object.entries(rest).sort())}`;
      quantiles.set(key, [...(quantiles.get(key) ?? []), { q, v: s.value }]);
    }
  }
  for (const [key, qs] of quantiles) {
    const sorted = [...qs].sort((a, b) => a.q - b.q);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].v < sorted[i - 1].v) problems.push(problem(key, `quantile ${sorted[i].q} ≥ quantile ${sorted[i - 1].q}`, `${sorted[i].v} < ${sorted[i - 1].v}`));
    }
  }
  return problems;
}
