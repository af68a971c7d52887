/**
 * Timing fidelity: does the server wait as long as it was configured to?
 *
 * What FakeAI 0.3.2 does (fakeai_service.py, read from the installed source):
 *   - streaming chat/completions: sends a role-only chunk, then sleeps uniform(T(1−v), T(1+v)) with
 *     T = generation.ttft_ms and v = ttft_variance_percent/100 (default 10 %), then sends a content
 *     chunk per token, sleeping uniform(I(1−w), I(1+w)) after each (I = itl_ms, w = itl_variance_percent).
 *     A KV-cache hit shortens T by up to 80 %, so fidelity prompts are short and unique.
 *   - non-streaming chat: computes delay = 0.01·max_tokens·f(temperature) + uniform(0.2, 1.0) s with
 *     f = 0.5 below 0.5, 1.0 below 1.0, else 1.5, and logs "Generating completion with delay …s".
 *
 * Tolerance. The uniform jitter is symmetric, so the MEDIAN of many samples should sit at the
 * configured value plus what the path costs with the delay set to 0 (measured, not assumed: the
 * "overhead" run). A median is accepted within
 *     configured × variance  +  max(floorMs, 2 × (overhead p90 − overhead p50))
 * i.e. the full documented jitter half-width (generous for a median) plus the client/transport
 * scatter seen at zero delay. The floor covers asyncio's timer and the event loop's granularity.
 * When that tolerance reaches the configured value itself, the check could not tell "applied" from
 * "ignored", and reports "inconclusive" rather than "ok".
 */
import { Distribution, describe } from '../core/distribution';

export interface FidelityCheck {
  /** "ttft" | "itl" | "nonstream-delay" */
  metric: string;
  label: string;
  configuredMs: number;
  /** Where the median should be: configured + measured overhead at zero delay. */
  expectedMs: number;
  toleranceMs: number;
  measured: Distribution | undefined;
  /**
   * inconclusive: the tolerance is as wide as the configured value itself (a loaded machine makes
   * the zero-delay overhead scatter), so "ignored the setting" would pass too — neither verdict is
   * honest then, and the check says so instead of passing.
   */
  verdict: 'ok' | 'mismatch' | 'inconclusive';
  detail: string;
}

export interface Overhead {
  p50: number;
  p90: number;
}

export function overheadOf(d: Distribution | undefined): Overhead {
  if (!d) throw new Error('no overhead samples: the zero-delay run produced nothing to compare against');
  return { p50: d.p50, p90: d.p90 };
}

export function judgeTiming(args: {
  metric: string;
  label: string;
  configuredMs: number;
  variancePercent: number;
  overhead: Overhead;
  floorMs: number;
  samples: readonly number[];
}): FidelityCheck {
  const { metric, label, configuredMs, variancePercent, overhead, floorMs } = args;
  const measured = describe(args.samples);
  const expectedMs = configuredMs + overhead.p50;
  const toleranceMs = configuredMs * (variancePercent / 100) + Math.max(floorMs, 2 * (overhead.p90 - overhead.p50));
  if (!measured) {
    return { metric, label, configuredMs, expectedMs, toleranceMs, measured, verdict: 'mismatch', detail: 'no samples measured' };
  }
  const off = measured.p50 - expectedMs;
  let detail = `median ${measured.p50.toFixed(2)} ms vs expected ${expectedMs.toFixed(2)} ± ${toleranceMs.toFixed(2)} ms (${off >= 0 ? '+' : ''}${off.toFixed(2)} ms, n=${measured.n})`;
  let verdict: FidelityCheck['verdict'] = Math.abs(off) <= toleranceMs ? 'ok' : 'mismatch';
  if (verdict === 'ok' && toleranceMs >= configuredMs) {
    verdict = 'inconclusive';
    detail += `; tolerance ≥ configured ${configuredMs} ms, so a server ignoring the setting would pass too`;
  }
  return { metric, label, configuredMs, expectedMs, toleranceMs, measured, verdict, detail };
}

/** FakeAI 0.3.2's non-streaming delay formula, as a [min, max] range in milliseconds. */
export function nonStreamDelayRangeMs(maxTokens: number, temperature: number): { min: number; max: number } {
  const tempFactor = temperature < 0.5 ? 0.5 : temperature < 1.0 ? 1.0 : 1.5;
  const base = 0.01 * maxTokens * tempFactor;
  return { min: (base + 0.2) * 1000, max: (base + 1.0) * 1000 };
}

/**
 * Non-streaming latency against the formula: the median must fall inside the formula's range
 * (shifted by the zero-delay overhead, widened by the floor). If the server does not wait at all,
 * the median sits far below the range, and the check fails with both numbers.
 */
export function judgeNonStreamDelay(args: {
  maxTokens: number;
  temperature: number;
  overhead: Overhead;
  floorMs: number;
  samples: readonly number[];
}): FidelityCheck {
  const { maxTokens, temperature, overhead, floorMs } = args;
  const range = nonStreamDelayRangeMs(maxTokens, temperature);
  const measured = describe(args.samples);
  const expectedMs = (range.min + range.max) / 2 + overhead.p50;
  const toleranceMs = (range.max - range.min) / 2 + Math.max(floorMs, 2 * (overhead.p90 - overhead.p50));
  const label = `max_tokens=${maxTokens} temperature=${temperature}`;
  if (!measured) {
    return { metric: 'nonstream-delay', label, configuredMs: expectedMs, expectedMs, toleranceMs, measured, verdict: 'mismatch', detail: 'no samples measured' };
  }
  const verdict = Math.abs(measured.p50 - expectedMs) <= toleranceMs ? 'ok' : 'mismatch';
  const detail =
    `median ${measured.p50.toFixed(1)} ms; formula says ${range.min.toFixed(0)}–${range.max.toFixed(0)} ms ` +
    `${overhead.p50 ? `(+${overhead.p50.toFixed(1)} ms overhead)` : ''}, n=${measured.n}`;
  return { metric: 'nonstream-delay', label, configuredMs: (range.min + range.max) / 2, expectedMs, toleranceMs, measured, verdict, detail };
}

/**
 * The same formula, read as a DIFFERENCE between two points measured at the same time: machine
 * congestion slows both alike, so (median(point) − median(reference)) must match the difference of
 * the formula's midpoints within half the random part's width (400 ms) plus the floor. This catches
 * a server that ignores the formula even when a busy machine makes absolute latencies look plausible.
 */
export function judgeNonStreamDelta(args: {
  point: { maxTokens: number; temperature: number; samples: readonly number[] };
  reference: { maxTokens: number; temperature: number; samples: readonly number[] };
  floorMs: number;
}): FidelityCheck {
  const { point, reference, floorMs } = args;
  const mid = (p: { maxTokens: number; temperature: number }) => {
    const r = nonStreamDelayRangeMs(p.maxTokens, p.temperature);
    return (r.min + r.max) / 2;
  };
  const expectedMs = mid(point) - mid(reference);
  const toleranceMs = 400 + floorMs;
  const label = `(${point.maxTokens}, ${point.temperature}) − (${reference.maxTokens}, ${reference.temperature})`;
  const a = describe(point.samples);
  const b = describe(reference.samples);
  if (!a || !b) {
    return { metric: 'nonstream-delta', label, configuredMs: expectedMs, expectedMs, toleranceMs, measured: a, verdict: 'mismatch', detail: 'no samples measured' };
  }
  const got = a.p50 - b.p50;
  const verdict = Math.abs(got - expectedMs) <= toleranceMs ? 'ok' : 'mismatch';
  const detail = `median difference ${got.toFixed(1)} ms; formula says ${expectedMs.toFixed(0)} ± ${toleranceMs.toFixed(0)} ms (n=${a.n}/${b.n})`;
  return { metric: 'nonstream-delta', label, configuredMs: expectedMs, expectedMs, toleranceMs, measured: { ...a, p50: got }, verdict, detail };
}
