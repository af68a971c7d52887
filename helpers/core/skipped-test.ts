/**
 * A check the suite cannot make against this server, shown as a skipped test whose name carries the
 * reason, and recorded (kind 'skip') so the summary, JSON and HTML reports say why. Never a silent
 * pass: `--strict` callers declare a failing test instead.
 */
import { readHarnessEnv } from './harness-env';
import { appendRecord } from './run-records';

/**
 * Call it inside the `describe` whose title is `describeTitle`, at collection time: the record then
 * names the test exactly as Jest reports it ("<describe> <test>"), and the report pairs the two.
 */
export function skippedTest(describeTitle: string, subject: string, reason: string): void {
  const name = `${subject} — skipped: ${reason}`;
  test.skip(name, () => undefined);
  appendRecord(readHarnessEnv().runDir, { kind: 'skip', test: `${describeTitle} ${name}`, reason });
}
