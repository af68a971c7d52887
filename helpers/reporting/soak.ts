/**
 * What a soak (scripts/soak.ts: the suite N times in a row) found, from each run's JSON report:
 * per test, how often it failed; a test that failed in some runs and passed in others is a flake,
 * one that failed every time it ran is broken, not flaky. Plus the spread of the runs' wall times.
 */
import { quantile } from '../core/stats';

export interface SoakRun {
  index: number;
  exitCode: number | null;
  wallMs: number;
  /** Per test name: its status in this run. Empty when the run left no JSON report. */
  tests: Record<string, string>;
  verdictLine: string;
}

export interface TestTally {
  name: string;
  failed: number;
  passed: number;
}

export interface SoakSummary {
  runs: number;
  /** Runs that did not exit 0. */
  failedRuns: number;
  flaky: TestTally[];
  broken: TestTally[];
  wall: { minMs: number; medianMs: number; maxMs: number; spreadPercent: number } | null;
}

/**
 * One name per test across runs: generated-input tests put their random seed in their title
 * ("(seed 846607833, replay with E2E_SEED=846607833)"), which would count each run's failure as a
 * different test that failed every time it ran.
 */
export function soakTestName(name: string): string {
  return name.replace(/\bseed \d+/g, 'seed N').replace(/E2E_SEED=\d+/g, 'E2E_SEED=N');
}

export function summariseSoak(runs: readonly SoakRun[]): SoakSummary {
  const tally = new Map<string, TestTally>();
  for (const r of runs) {
    for (const [raw, status] of Object.entries(r.tests)) {
      const name = soakTestName(raw);
      const t = tally.get(name) ?? { name, failed: 0, passed: 0 };
      if (status === 'failed') t.failed += 1;
      if (status === 'passed') t.passed += 1;
      tally.set(name, t);
    }
  }
  const all = [...tally.values()].sort((a, b) => b.failed - a.failed || a.name.localeCompare(b.name));
  const walls = runs.map((r) => r.wallMs);
  const med = quantile(walls, 0.5) ?? 0;
  return {
    runs: runs.length,
    failedRuns: runs.filter((r) => r.exitCode !== 0).length,
    flaky: all.filter((t) => t.failed > 0 && t.passed > 0),
    broken: all.filter((t) => t.failed > 0 && t.passed === 0),
    wall:
      walls.length > 0
        ? { minMs: Math.min(...walls), medianMs: med, maxMs: Math.max(...walls), spreadPercent: med > 0 ? Math.round(((Math.max(...walls) - Math.min(...walls)) / med) * 1000) / 10 : 0 }
        : null,
  };
}

export function renderSoak(s: SoakSummary, opts: { hog: boolean; stoppedEarly: string | null; date: string }): string {
  const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `Soak ${opts.date}: ${s.runs} run${s.runs === 1 ? '' : 's'}${opts.hog ? ' with CPU hogs beside them' : ''}, ${s.failedRuns} failed.`,
    s.wall ? `Run time: min ${sec(s.wall.minMs)}, median ${sec(s.wall.medianMs)}, max ${sec(s.wall.maxMs)} (spread ${s.wall.spreadPercent} % of the median).` : 'Run time: no run finished.',
  ];
  if (opts.stoppedEarly) lines.push(`Stopped early: ${opts.stoppedEarly}.`);
  lines.push(s.flaky.length === 0 ? 'Flaky tests: 0.' : `Flaky tests: ${s.flaky.length}`);
  for (const t of s.flaky) lines.push(`  ${t.failed}/${t.failed + t.passed} failed  ${t.name}`);
  if (s.broken.length > 0) lines.push(`Failed in every run (broken, not flaky): ${s.broken.length}`, ...s.broken.map((t) => `  ${t.failed}/${t.failed} failed  ${t.name}`));
  return `${lines.join('\n')}\n`;
}
