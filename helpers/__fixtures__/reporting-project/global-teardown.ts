// Fixture globalTeardown: with FIXTURE_TEARDOWN=leftover it does what the real one does with an
// exception no test owned: records the finding, then throws (after reporters' onRunComplete).
// With FIXTURE_TEARDOWN=stall it awaits a promise nothing will settle, with no handle open: the
// way a teardown waiting on an unref'd worker once ended a run, code 0, without a verdict.
import { appendRecord } from '../../core/run-records';
import { readHarnessEnv } from '../../core/harness-env';

export default async function globalTeardown(): Promise<void> {
  if (process.env.FIXTURE_TEARDOWN === 'stall') await new Promise<void>(() => undefined);
  if (process.env.FIXTURE_TEARDOWN !== 'leftover') return;
  const { runDir } = readHarnessEnv();
  appendRecord(runDir, {
    kind: 'finding',
    server: 'default',
    tests: [],
    headline: 'RuntimeError: background task crashed',
    text: 'Exception in thread worker:\nTraceback (most recent call last):\nRuntimeError: background task crashed',
    allowed: false,
  });
  throw new Error('1 exception in the server log appeared outside any test:\n  RuntimeError: background task crashed');
}
