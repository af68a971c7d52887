/**
 * Jest testSequencer for `npm run e2e -- --shard i/n`: shards balanced by recorded durations
 * (helpers/core/shards.ts) instead of Jest's hash of the path, which split this suite 23 s / 17 s.
 * Loaded by Jest with a plain require: only through scripts/e2e.ts, whose register hook compiles it.
 */
import path from 'node:path';
import Sequencer from '@jest/test-sequencer';
import type { Test } from '@jest/test-result';
import { loadConfig, PROJECT_ROOT } from '../core/config';
import { planShards, readTimings, weigh } from '../core/shards';

export default class BalancedSequencer extends Sequencer {
  shard(tests: Array<Test>, options: { shardIndex: number; shardCount: number }): Array<Test> {
    const rel = (t: Test) => path.relative(PROJECT_ROOT, t.path);
    const timings = readTimings(loadConfig().reportsRoot);
    const plan = planShards(weigh(tests.map(rel), PROJECT_ROOT, timings), options.shardCount);
    const mine = new Set(plan[options.shardIndex - 1].map((w) => w.file));
    return tests.filter((t) => mine.has(rel(t)));
  }
}
