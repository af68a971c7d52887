/**
 * Each "ignores streams" defect check, fed the defect's own data, double counting and correct
 * counts, inside the real testKnownDefect. The driver expects the first to pass (the expected
 * failure) and the other two to be red, each with its message.
 */
import { testKnownDefect } from '../../checks/known-defect-test';
import { expectDynamoCountsStreams, expectPerModelCountsStreams, expectStreamStatsCount } from '../../chat/stream-counting-defects';
import { BEFORE, SENT, serverThat } from './data';

const CASES = [
  ['by-model-ignores-streams', expectPerModelCountsStreams],
  ['dynamo-ignores-streams', expectDynamoCountsStreams],
  ['streaming-stats-never-count', expectStreamStatsCount],
] as const;

describe('stream counting defects', () => {
  for (const [id, check] of CASES) {
    testKnownDefect(id, `${id} expected: streams not counted`, () => check(BEFORE, serverThat(0), SENT));
    testKnownDefect(id, `${id} red: each stream counted twice`, () => check(BEFORE, serverThat(2), SENT));
    testKnownDefect(id, `${id} red: streams counted correctly (defect fixed)`, () => check(BEFORE, serverThat(1), SENT));
  }
});
