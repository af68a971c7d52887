/**
 * The three "ignores streams" known defects count as their defect only when the streams were not
 * counted at all: FakeAI 0.3.2's shape. Double counting, a partial count or a stream left active is
 * red as "Not the defect — …"; correct counts pass the check, which test.failing reports red as
 * "Failing test passed even though it was supposed to fail" (shown in a real child Jest run of
 * helpers/__fixtures__/stream-counting-defects/).
 */
import { CheckFailure } from '../core/problems';
import { knownDefect } from '../ledger/known-defects';
import { notTheDefect } from '../checks/known-defect-test';
import { expectDynamoCountsStreams, expectPerModelCountsStreams, expectStreamStatsCount } from '../chat/stream-counting-defects';
import { BEFORE, SENT, serverThat } from '../__fixtures__/stream-counting-defects/data';
import { useKnownDefectFixtureRun } from '../__fixtures__/known-defect-fixture-run';

const thrown = (fn: () => void): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
};

/** SENT plus one plain request: the plain share is what a stream-ignoring server still counts. */
const MIXED = [...SENT, { model: 'gpt-4', stream: false, usage: { prompt_tokens: 5, completion_tokens: 7 } }];

const CASES = [
  ['by-model-ignores-streams', expectPerModelCountsStreams],
  ['dynamo-ignores-streams', expectDynamoCountsStreams],
  ['streaming-stats-never-count', expectStreamStatsCount],
] as const;

describe.each(CASES)('%s', (id, check) => {
  const defect = knownDefect(id);

  test("the defect's own data (streams not counted at all) fails as the defect", () => {
    const e = thrown(() => check(BEFORE, serverThat(0), SENT));
    expect(e).toBeInstanceOf(CheckFailure);
    expect(notTheDefect(defect, e)).toBeUndefined();
    expect((e as Error).message).toMatch(/expected \+\d+ .*, got \+0 /);
  });

  test('each stream counted twice is not the defect: red, naming the counter', () => {
    const e = thrown(() => check(BEFORE, serverThat(2), SENT));
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(CheckFailure);
    expect(notTheDefect(defect, e)).toMatch(/^Error: Not the defect — .*: \d+ problems?\n {2}- .*got \+\d+ /);
  });

  test('correct counts pass the check (the defect is fixed)', () => {
    expect(thrown(() => check(BEFORE, serverThat(1), SENT))).toBeUndefined();
  });

  test('with plain requests in the same window, growth by exactly the plain share is still the defect', () => {
    const plainOnly = serverThat(1, BEFORE, MIXED.filter((s) => !s.stream));
    expect(notTheDefect(defect, thrown(() => check(BEFORE, plainOnly, MIXED)))).toBeUndefined();
  });
});

describe('a counter that also missed a plain request is not the defect', () => {
  const plainOnly = serverThat(1, BEFORE, MIXED.filter((s) => !s.stream));
  const gpt4 = plainOnly.perModel['gpt-4'];

  test('dynamo total_requests one below the plain share', () => {
    const e = thrown(() => expectDynamoCountsStreams(BEFORE, { ...plainOnly, dynamoTotal: plainOnly.dynamoTotal - 1 }, MIXED));
    expect(notTheDefect(knownDefect('dynamo-ignores-streams'), e)).toMatch(/Not the defect — dynamo counter after streams: 1 problem\n {2}- .*expected \+3 .*, got \+0 /);
  });

  test("a model's request_count one below its plain share", () => {
    const e = thrown(() => expectPerModelCountsStreams(BEFORE, { ...plainOnly, perModel: { ...plainOnly.perModel, 'gpt-4': { ...gpt4, requests: gpt4.requests - 1 } } }, MIXED));
    expect(notTheDefect(knownDefect('by-model-ignores-streams'), e)).toMatch(/Not the defect — .*\n {2}- \/metrics\/by-model\/gpt-4 request_count: expected \+2 .*, got \+0 /);
  });
});

describe('by-model-ignores-streams: the defect leaves every model and every counter uncounted', () => {
  const defect = knownDefect('by-model-ignores-streams');

  test('one model counting its stream while the other does not is not the defect', () => {
    const after = serverThat(0);
    after.perModel.llama = serverThat(1).perModel.llama;
    expect(notTheDefect(defect, thrown(() => expectPerModelCountsStreams(BEFORE, after, SENT)))).toMatch(/Not the defect — per-model counters after streams: 3 problems\n {2}- \/metrics\/by-model\/gpt-4 request_count/);
  });

  test('request_count counting the streams but the token totals not is not the defect', () => {
    const after = serverThat(0);
    for (const m of Object.keys(after.perModel)) after.perModel[m].requests += 1;
    expect(notTheDefect(defect, thrown(() => expectPerModelCountsStreams(BEFORE, after, SENT)))).toMatch(/Not the defect — .*\n {2}- \/metrics\/by-model\/gpt-4 tokens.prompt/);
  });
});

describe('streaming-stats-never-count: a stream left active is not the defect', () => {
  test('completed_streams unmoved but active_streams 1 is red, naming active_streams', () => {
    const e = thrown(() => expectStreamStatsCount(BEFORE, { ...serverThat(0), activeStreams: 1 }, SENT));
    expect(notTheDefect(knownDefect('streaming-stats-never-count'), e)).toMatch(/Not the defect — stream counts: 1 problem\n {2}- \/metrics streaming_stats.active_streams: expected 0 once every stream has ended, got 1/);
  });
});

describe('inside testKnownDefect in a real Jest run', () => {
  const { outcome, ranCount } = useKnownDefectFixtureRun('stream-counting-defects');

  test.each(CASES.map(([id]) => id))('%s: not counted → expected failure; double → red "Not the defect"; correct → red "Failing test passed"', (id) => {
    expect(outcome(`${id} expected: streams not counted`).status).toBe('passed');
    const double = outcome(`${id} red: each stream counted twice`);
    expect(double.status).toBe('failed');
    expect(double.message).toMatch(new RegExp(`reason other than defect ${id}[\\s\\S]*Not the defect — `));
    const fixed = outcome(`${id} red: streams counted correctly`);
    expect(fixed.status).toBe('failed');
    expect(fixed.message).toMatch(/Failing test passed even though it was supposed to fail/);
  });

  test('every fixture test ran', () => {
    expect(ranCount()).toBe(9);
  });
});
