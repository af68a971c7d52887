import type { ChatRequest } from '../helpers/checks/chat-completion';
import { expectNoProblems, problem } from '../helpers/core/problems';
import { checkStream } from '../helpers/checks/stream';
import { server } from '../helpers/core/harness-env';
import { expectDefectProblems, testKnownDefect } from '../helpers/checks/known-defect-test';
import { collectStream } from '../helpers/core/sse';

const hello = [{ role: 'user', content: 'Hello! Please greet me back.' }];

describe('chat completions (streaming)', () => {
  test('streams chunks of one id with the role first, non-empty content, one finish_reason, then [DONE] and nothing after it', async () => {
    const req: ChatRequest = { model: 'gpt-4', messages: hello, max_tokens: 50, stream: true };
    expectNoProblems('stream', checkStream(await collectStream(server().baseUrl, req), req));
  });

  test('with stream_options.include_usage, exactly one chunk carries usage and total = prompt + completion', async () => {
    const req: ChatRequest = { model: 'claude-3-opus', messages: hello, max_tokens: 50, stream: true, stream_options: { include_usage: true } };
    expectNoProblems('stream with usage', checkStream(await collectStream(server().baseUrl, req), req));
  });

  test('arrival times are measured: TTFT within the stream, one gap per pair of events, none negative', async () => {
    const req: ChatRequest = { model: 'gpt-3.5-turbo', messages: hello, max_tokens: 50, stream: true };
    const s = await collectStream(server().baseUrl, req);
    const problems = checkStream(s, req);
    if (s.ttftMs === null) problems.push(problem('ttftMs', 'a time to the first content chunk', 'none'));
    else if (s.ttftMs < 0 || s.ttftMs > s.totalMs) problems.push(problem('ttftMs', `in [0, totalMs ${s.totalMs.toFixed(1)}]`, s.ttftMs));
    if (s.gapsMs.length !== s.events.length - 1) problems.push(problem('gapsMs', `${s.events.length - 1} gaps`, s.gapsMs.length));
    if (s.gapsMs.some((g) => g < 0)) problems.push(problem('gapsMs', 'all ≥ 0', s.gapsMs));
    expectNoProblems('stream timing', problems);
  });

  testKnownDefect('stream-finish-reason-always-stop', 'ends a stream cut at max_tokens with finish_reason "length"', async () => {
    // max_tokens 5 is below FakeAI's floor of 10, so the streamed completion always reaches it.
    const req: ChatRequest = { model: 'gpt-4', messages: hello, max_tokens: 5, stream: true, stream_options: { include_usage: true } };
    const s = await collectStream(server().baseUrl, req);
    // The defect is a "stop" where "length" is due; a broken stream (no finish_reason at all) is not
    // it. completion_tokens above 5 is max-tokens-floor, tolerated here.
    expectDefectProblems(
      'stream cut at max_tokens',
      checkStream(s, req),
      (p) => p.at === 'choice 0 finish_reason' && p.expected.startsWith('"length"'),
      (p) => p.at.endsWith('.usage.completion_tokens'),
    );
  });
});
