/**
 * Leak verdict from the server's RSS over several rounds of traffic.
 *
 * One before/after pair cannot tell a leak from warm-up (Python's allocator, caches and FakeAI's
 * metric windows fill once and then stay), so the verdict looks at the TREND across rounds:
 *   - the growth rate is the Theil–Sen slope of RSS against requests served (robust to one jump),
 *     reported in KiB per 1,000 requests;
 *   - the trend must be consistent: Kendall's tau ≥ MIN_TAU (most later rounds above earlier ones);
 *   - and large enough to matter: slope > LEAK_KIB_PER_1K (≈ 64 MiB per million requests).
 * The first round is warm-up and is dropped before the fit. Fewer than MIN_ROUNDS rounds after that
 * gives "insufficient-data", never "no leak".
 */
import { kendallTau, linearFit, theilSenSlope } from '../core/distribution';

export const LEAK_KIB_PER_1K = 64;
export const MIN_TAU = 0.6;
export const MIN_ROUNDS = 4;

export interface RssRound {
  /** Requests served in total when the sample was taken. */
  requests: number;
  rssKiB: number;
}

export interface LeakVerdict {
  verdict: 'growing' | 'stable' | 'insufficient-data';
  roundsUsed: number;
  /** Theil–Sen slope, KiB per 1,000 requests. */
  kibPer1kRequests: number | null;
  /** Least-squares slope for comparison, KiB per 1,000 requests. */
  lsqKibPer1kRequests: number | null;
  tau: number | null;
  reason: string;
}

export function leakVerdict(rounds: readonly RssRound[], warmupRounds = 1): LeakVerdict {
  const used = rounds.slice(warmupRounds);
  if (used.length < MIN_ROUNDS) {
    return {
      verdict: 'insufficient-data', roundsUsed: used.length, kibPer1kRequests: null, lsqKibPer1kRequests: null, tau: null,
      reason: `needs ≥${MIN_ROUNDS} rounds after ${warmupRounds} warm-up round(s), have ${used.length}`,
    };
  }
  const xs = used.map((r) => r.requests / 1000);
  const ys = used.map((r) => r.rssKiB);
  const slope = theilSenSlope(xs, ys);
  const lsq = linearFit(xs, ys).slope;
  const tau = kendallTau(ys);
  const growing = slope > LEAK_KIB_PER_1K && tau >= MIN_TAU;
  const facts = `${slope.toFixed(1)} KiB/1k requests (Theil–Sen), tau ${tau.toFixed(2)} over ${used.length} rounds`;
  return {
    verdict: growing ? 'growing' : 'stable',
    roundsUsed: used.length,
    kibPer1kRequests: slope,
    lsqKibPer1kRequests: lsq,
    tau,
    reason: growing
      ? `RSS grows steadily: ${facts} (limit ${LEAK_KIB_PER_1K} KiB/1k, tau ≥ ${MIN_TAU})`
      : `no steady growth: ${facts} (a leak needs > ${LEAK_KIB_PER_1K} KiB/1k and tau ≥ ${MIN_TAU})`,
  };
}
