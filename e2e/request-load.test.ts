import { type ChatOutcome, describeFailures, LOAD_CONCURRENCY, LOAD_MODELS, planChatLoad, runChatLoad } from '../helpers/chat/chat-load';
import { expectNoProblems, problem, type Problem } from '../helpers/core/problems';
import { readHarnessEnv, server } from '../helpers/core/harness-env';

const plan = planChatLoad(LOAD_MODELS, 2);

describe(`request load: ${plan.length} chat completions (10 plain, 10 streamed; 2 of each kind per model), at most ${LOAD_CONCURRENCY} at a time`, () => {
  let outcomes: ChatOutcome[] = [];

  test(`all ${plan.length} succeed, each response passing its full check`, async () => {
    outcomes = await runChatLoad(plan, { baseUrl: server().baseUrl, runDir: readHarnessEnv().runDir, batch: 'request-load', test: expect.getState().currentTestName ?? null }, LOAD_CONCURRENCY);
    const failures = describeFailures(outcomes);
    if (failures.length > 0) throw new Error(`${failures.length} of ${plan.length} requests failed:\n${failures.join('\n')}`);
  });

  test('every request reports its tokens from usage, and every stream its time to first token', () => {
    const problems: Problem[] = [];
    if (outcomes.length !== plan.length) problems.push(problem('outcomes', `${plan.length} (the load ran)`, outcomes.length));
    for (const o of outcomes) {
      const at = `[${o.planned.seq}/${o.planned.of}] ${o.planned.stream ? 'stream' : 'plain'} ${o.planned.model}`;
      if (!o.usage || !(o.usage.total_tokens > 0)) problems.push(problem(`${at} usage.total_tokens`, '> 0', o.usage));
      if (o.planned.stream && o.ttftMs === null) problems.push(problem(`${at} ttftMs`, 'a time to first token', 'none'));
    }
    expectNoProblems('load measurements', problems);
  });

  test(`requests really ran concurrently: some overlapped, never more than ${LOAD_CONCURRENCY} at once`, () => {
    const edges = outcomes.flatMap((o) => [{ t: o.startedAt, d: 1 }, { t: o.endedAt, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
    let inFlight = 0;
    let peak = 0;
    for (const e of edges) peak = Math.max(peak, (inFlight += e.d));
    const problems: Problem[] = [];
    if (peak < 2) problems.push(problem('peak in flight', '≥ 2 (concurrent)', peak));
    if (peak > LOAD_CONCURRENCY) problems.push(problem('peak in flight', `≤ ${LOAD_CONCURRENCY} (bounded)`, peak));
    expectNoProblems('load concurrency', problems);
  });
});
