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
 * and ending the run on one busy worker while the others idle.
 */
import path from 'node:path';
import Sequencer from '@jest/test-sequencer';
import type { Test } from '@jest/test-result';
import { loadConfig, PROJECT_ROOT } from '../core/config';
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

  override sort(tests: Array<Test>): Array<Test> | Promise<Array<Test>> {
    process.env[SELECTED_FILES_VAR] = String(tests.length);
    return super.sort(tests);
  }
}
