/**
 * Balanced shards: which test files each of N shards runs, from the durations the last whole run
 * recorded (reports/timings.json), falling back to file sizes for files it never timed.
 *
 * Every shard computes the same plan from the same inputs, so the shards never overlap and never
 * miss a file — as long as they read the same timings file. Only whole, unsharded runs write it
 * (helpers/jest/reporter.ts), so running shard 1 cannot change the plan shard 2 sees.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const TIMINGS_FILE = 'timings.json';

export interface Timings {
  /** Milliseconds per test file, keyed by its path relative to the project root. */
  files: Record<string, number>;
  at: string;
}

export function timingsPath(reportsRoot: string): string {
  return path.join(reportsRoot, TIMINGS_FILE);
}

export function readTimings(reportsRoot: string): Timings | undefined {
  const file = timingsPath(reportsRoot);
  if (!existsSync(file)) return undefined;
  try {
    const t = JSON.parse(readFileSync(file, 'utf8')) as Timings;
    return t && typeof t.files === 'object' ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Written beside and renamed over: two runs finishing together leave one whole file. */
export function writeTimings(reportsRoot: string, files: Record<string, number>): void {
  const file = timingsPath(reportsRoot);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ files, at: new Date().toISOString() } satisfies Timings, null, 1));
  renameSync(tmp, file);
}

export interface Weighted {
  file: string;
  weight: number;
}

/**
 * Each file's expected cost in ms: its recorded duration, else its size scaled by the median
 * ms-per-byte of the timed files (or 1 ms per byte when nothing was timed).
 */
export function weigh(files: readonly string[], root: string, timings: Timings | undefined): Weighted[] {
  const sizeOf = (f: string) => {
    try {
      return statSync(path.join(root, f)).size;
    } catch {
      return 1;
    }
  };
  const known = timings?.files ?? {};
  const rates = files.filter((f) => known[f] !== undefined).map((f) => known[f] / Math.max(1, sizeOf(f))).sort((a, b) => a - b);
  const rate = rates.length > 0 ? rates[Math.floor(rates.length / 2)] : 1;
  return files.map((f) => ({ file: f, weight: known[f] !== undefined ? known[f] : sizeOf(f) * rate }));
}

/**
 * Longest-processing-time-first: heaviest file to the lightest shard so far. Ties break by path
 * and shard index, so the plan depends on nothing but its inputs.
 */
export function planShards(weighted: readonly Weighted[], count: number): Weighted[][] {
  const shards: Weighted[][] = Array.from({ length: count }, () => []);
  const load = new Array<number>(count).fill(0);
  const order = [...weighted].sort((a, b) => b.weight - a.weight || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const w of order) {
    let best = 0;
    for (let i = 1; i < count; i++) if (load[i] < load[best]) best = i;
    shards[best].push(w);
    load[best] += w.weight;
  }
  return shards;
}

export function shardLoad(shard: readonly Weighted[]): number {
  return shard.reduce((a, w) => a + w.weight, 0);
}

export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new Error(`shard must be I/N with 1 <= I <= N, got "${value}"`);
  return { index: Number(m[1]), count: Number(m[2]) };
}
