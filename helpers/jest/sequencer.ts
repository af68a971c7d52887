/**
 * The run's Jest testSequencer, passed by scripts/e2e.ts on every run (a global option; loaded by
 * Jest with a plain require, so only through scripts/e2e.ts, whose register hook compiles it).
 *
 * shard(), for `npm run e2e -- --shard i/n`: shards balanced by recorded durations
 * (helpers/core/shards.ts) instead of Jest's hash of the path, which split this suite 23 s / 17 s.
 *
 * sort(): Jest calls it in its own process after it selected (and sharded) the files and before
 * globalSetup, so this is where the run learns how many files it has: globalSetup starts a server
 * slot per file that can run at once, and no more (SELECTED_FILES_VAR). The order is Jest's own:
 * files that failed last time first, then the longest first by the durations Jest recorded in its
 * cache on earlier runs (by size when there are none). With several workers, longest-first keeps
 * the slow files (image and speech generation, uploads FakeAI sleeps on) from all starting last
 * and ending the run on one busy worker while the others idle. Files that share a leased server
 * are then spread apart (spreadApart), and a file that needs the machine to itself
 * (`@e2e-exclusive`) goes first (exclusiveFirst).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extract, parse } from 'jest-docblock';
import Sequencer from '@jest/test-sequencer';
import type { Test } from '@jest/test-result';
import { loadConfig, PROJECT_ROOT, type ServerProfile } from '../core/config';
import { SELECTED_FILES_VAR } from '../core/harness-env';
import { planShards, readTimings, weigh } from '../core/shards';

export default class BalancedSequencer extends Sequencer {
  shard(tests: Array<Test>, options: { shardIndex: number; shardCount: number }): Array<Test> {
    const rel = (t: Test) => path.relative(PROJECT_ROOT, t.path);
    const timings = readTimings(loadConfig().reportsRoot);
    const plan = planShards(weigh(tests.map(rel), PROJECT_ROOT, timings), options.shardCount);
    const mine = new Set(plan[options.shardIndex - 1].map((w) => w.file));
    return tests.filter((t) => mine.has(rel(t)));
  }

  override async sort(tests: Array<Test>): Promise<Array<Test>> {
    process.env[SELECTED_FILES_VAR] = String(tests.length);
    const sorted = await super.sort(tests);
    const config = loadConfig();
    const groups = sharedServerGroups(config.profiles);
    const group = (t: Test) => groups.get(path.relative(PROJECT_ROOT, t.path));
    return exclusiveFirst(spreadApart(sorted, group, config.workers), (t) => isExclusiveFile(t.path));
  }
}

/** Whether the file's docblock says `@e2e-exclusive` (what helpers/jest/environment.ts acts on). */
export function isExclusiveFile(file: string): boolean {
  try {
    return parse(extract(readFileSync(file, 'utf8')))['e2e-exclusive'] !== undefined;
  } catch {
    return false;
  }
}

/**
 * Files that need the machine to themselves first, the rest in their order. An exclusive file
 * waits until no other worker is inside a test, and every other worker waits while it holds the
 * lock: placed later, it waited behind the longest test then running (the exploration's, ~5 s)
 * while the others, barred from starting theirs, left the cores idle. First, it holds the lock
 * while the others are still loading their files; measured 2026-12-06 06:10 UTC, 4 workers,
 * --explore-budget 0, alternated: 14.35 and 14.82 s against 16.09 and 16.60 s.
 */
export function exclusiveFirst<T>(items: readonly T[], exclusive: (item: T) => boolean): T[] {
  return [...items.filter(exclusive), ...items.filter((i) => !exclusive(i))];
}

/** File → the shared profile it uses: the files of a profile with several `usedBy` take turns on it. */
export function sharedServerGroups(profiles: readonly ServerProfile[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of profiles) if (p.usedBy && p.usedBy.length > 1) for (const f of p.usedBy) out.set(f, p.name);
  return out;
}

/**
 * Keeps the order, but holds an item back while another of its group is among the last `gap`
 * placed: with `gap` workers, two files that lease the same server (helpers/core/exclusive.ts)
 * then seldom start together, so one does not sit waiting for the other.
 */
export function spreadApart<T>(items: readonly T[], groupOf: (item: T) => string | undefined, gap: number): T[] {
  const out: T[] = [];
  const held: T[] = [];
  const fits = (item: T) => {
    const g = groupOf(item);
    return g === undefined || !out.slice(-gap).some((o) => groupOf(o) === g);
  };
  const place = () => {
    for (let i = 0; i < held.length; i++) {
      if (fits(held[i])) {
        out.push(...held.splice(i, 1));
        i = -1;
      }
    }
  };
  for (const item of items) {
    place();
    if (fits(item)) out.push(item);
    else held.push(item);
  }
  place();
  return [...out, ...held];
}
