/**
 * Timing fidelity as pure checks: does FakeAI wait as long as its own settings and formulas say?
 * The formulas and the tolerance rule are the bench's (helpers/checks/fidelity.ts), reused here so
 * the e2e suite and `npm run bench` judge timing the same way; only the sample sizes differ.
 */
import { judgeTiming, nonStreamDelayRangeMs } from './fidelity';
import { median, percentile } from '../core/distribution';
import type { StreamResult } from '../core/sse';
import { problem, type Problem } from '../core/problems';

export interface DelayPoint {
  maxTokens: number;
  temperature: number;
  /** Latency of each request at this point, ms (send → complete response). */
  samplesMs: readonly number[];
}

/**
 * FakeAI's non-streaming delay, 0.01·max_tokens·f(temperature) + uniform(0.2, 1.0) s
 * (fakeai_service.py:3046-3051), judged on two points sent at the same time:
 *  - each point's median is at least the formula's minimum: a response cannot come before its delay;
 *  - median(high) − median(low) is the formula's difference of midpoints, within
 *    `RANDOM_WIDTH_MS + schedulingMs`. The random part spans 800 ms, and the median of a handful of
 *    draws can sit anywhere in it, so two medians can differ by up to its full width; schedulingMs
 *    absorbs the machine. Overhead cancels: both points share the same server, path and moment.
 */
export const RANDOM_WIDTH_MS = 800;

export function checkNonStreamDelay(low: DelayPoint, high: DelayPoint, schedulingMs: number): Problem[] {
  const problems: Problem[] = [];
  const mid = (p: DelayPoint) => {
    const r = nonStreamDelayRangeMs(p.maxTokens, p.temperature);
    return (r.min + r.max) / 2;
  };
  const label = (p: DelayPoint) => `(max_tokens ${p.maxTokens}, temperature ${p.temperature})`;
  for (const p of [low, high]) {
    if (p.samplesMs.length === 0) {
      problems.push(problem(label(p), 'at least one timed response', 'none'));
      continue;
    }
    const min = nonStreamDelayRangeMs(p.maxTokens, p.temperature).min;
    const m = median(p.samplesMs);
    if (m < min) problems.push(problem(`${label(p)} median latency`, `≥ ${min.toFixed(0)} ms (the formula's least delay)`, `${m.toFixed(1)} ms`));
  }
  if (low.samplesMs.length === 0 || high.samplesMs.length === 0) return problems;
  const expected = mid(high) - mid(low);
  const tolerance = RANDOM_WIDTH_MS + schedulingMs;
  const got = median(high.samplesMs) - median(low.samplesMs);
  if (Math.abs(got - expected) > tolerance) {
    problems.push(
      problem(
        `median ${label(high)} − median ${label(low)}`,
        `${expected.toFixed(0)} ± ${tolerance} ms (formula midpoints; ${RANDOM_WIDTH_MS} ms random part + ${schedulingMs} ms scheduling)`,
        `${got.toFixed(1)} ms (${median(high.samplesMs).toFixed(1)} − ${median(low.samplesMs).toFixed(1)}, n=${high.samplesMs.length}/${low.samplesMs.length})`,
      ),
    );
  }
  return problems;
}

/** Arrival times (ms since sending) of the events that carry text: TTFT and ITL are measured on these. */
export function contentArrivals(stream: Pick<StreamResult, 'events'>): number[] {
  return stream.events
    .filter((e) => {
      const choices = (e.json as { choices?: Array<{ delta?: { content?: unknown } }> } | undefined)?.choices;
      return Array.isArray(choices) && choices.some((c) => typeof c?.delta?.content === 'string' && c.delta.content.length > 0);
    })
    .map((e) => e.atMs);
}

export interface StreamTimings {
  /** Send → first text event, one per stream. */
  ttftMs: number[];
  /** Gaps between consecutive text events, all streams pooled. */
  itlMs: number[];
}

export function streamTimings(streams: ReadonlyArray<Pick<StreamResult, 'events'>>): StreamTimings {
  const out: StreamTimings = { ttftMs: [], itlMs: [] };
  for (const s of streams) {
    const at = contentArrivals(s);
    if (at.length > 0) out.ttftMs.push(at[0]);
    for (let i = 1; i < at.length; i++) out.itlMs.push(at[i] - at[i - 1]);
  }
  return out;
}

export interface StreamTimingSettings {
  ttftMs: number;
  itlMs: number;
  /** FakeAI's uniform jitter, ± percent of the setting (ttft/itl_variance_percent, default 10). */
  variancePercent: number;
  /** Below this nothing is meaningful: asyncio's timer overshoot and the event loops on both sides. */
  floorMs: number;
}

/**
 * TTFT and ITL medians of streams from a server configured with `settings`, against the same
 * requests sent at the same time to a server with both at 0 (the overhead): median within
 * configured + overhead p50 ± (configured × variance + max(floor, 2 × (overhead p90 − p50))), the
 * bench's rule. A tolerance as wide as the setting itself could not tell "waited" from "ignored":
 * that is reported as a problem too, never as a pass.
 */
export function checkStreamTiming(settings: StreamTimingSettings, timed: StreamTimings, zero: StreamTimings): Problem[] {
  const problems: Problem[] = [];
  // No stream may see its first token before FakeAI's shortest TTFT sleep: a slow machine only adds
  // time, so this bound needs no tolerance and catches a server that skips or shortens the wait.
  const leastTtft = settings.ttftMs * (1 - settings.variancePercent / 100);
  const early = timed.ttftMs.filter((t) => t < leastTtft);
  if (early.length > 0) problems.push(problem('TTFT of every stream', `≥ ${leastTtft.toFixed(1)} ms (configured ${settings.ttftMs} − ${settings.variancePercent} %)`, `${early.length} of ${timed.ttftMs.length} earlier: ${early.map((t) => t.toFixed(1)).join(', ')} ms`));
  for (const [metric, configuredMs, samples, overheadSamples] of [
    ['TTFT', settings.ttftMs, timed.ttftMs, zero.ttftMs],
    ['ITL', settings.itlMs, timed.itlMs, zero.itlMs],
  ] as const) {
    if (samples.length === 0 || overheadSamples.length === 0) {
      problems.push(problem(`${metric} samples`, 'samples from both servers', `${samples.length} timed, ${overheadSamples.length} at zero delay`));
      continue;
    }
    const overhead = { p50: percentile(overheadSamples, 50), p90: percentile(overheadSamples, 90) };
    const c = judgeTiming({ metric, label: metric, configuredMs, variancePercent: settings.variancePercent, overhead, floorMs: settings.floorMs, samples });
    if (c.verdict !== 'ok') {
      problems.push(problem(`${metric} median (configured ${configuredMs} ms)`, `${c.expectedMs.toFixed(1)} ± ${c.toleranceMs.toFixed(1)} ms (overhead p50 ${overhead.p50.toFixed(1)}, p90 ${overhead.p90.toFixed(1)} ms)`, `${c.verdict}: ${c.detail}`));
    }
  }
  return problems;
}
