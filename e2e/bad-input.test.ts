/**
 * Bad input is refused cleanly: 4xx with a JSON error body, never a 5xx, never a 2xx that pretends,
 * never a broken stream. "Never an exception in the server log" is enforced for every test here by
 * the e2e test environment (helpers/jest/environment.ts).
 */
import { expectNoProblems, problem } from '../helpers/core/problems';
import { checkClientError, checkRefusedStream } from '../helpers/checks/response';
import { server, serverOrDefault } from '../helpers/core/harness-env';
import { createHttp } from '../helpers/core/http';
import { expectDefectProblems, expectedDefectOf, testKnownDefect } from '../helpers/checks/known-defect-test';
import { collectStream } from '../helpers/core/sse';

const hi = [{ role: 'user', content: 'hi' }];
/** ~9000 words: past gpt-4's 8192-token context window (fakeai/context_validator.py). */
const oversize = [{ role: 'user', content: Array.from({ length: 9000 }, () => 'word').join(' ') }];

const CASES: { name: string; body: unknown }[] = [
  { name: 'invalid JSON', body: '{"model": "gpt-4", "messages": [' },
  { name: 'an empty body', body: '' },
  { name: 'a JSON array instead of an object', body: [1, 2] },
  { name: 'missing messages', body: { model: 'gpt-4' } },
  { name: 'missing model', body: { messages: hi } },
  { name: 'messages that are a string', body: { model: 'gpt-4', messages: 'hi' } },
  { name: 'a model that is a number', body: { model: 5, messages: hi } },
  { name: 'a message with an unknown role', body: { model: 'gpt-4', messages: [{ role: 'wizard', content: 'hi' }] } },
  { name: 'temperature 5 (allowed 0–2)', body: { model: 'gpt-4', messages: hi, temperature: 5 } },
  { name: 'top_p 2 (allowed 0–1)', body: { model: 'gpt-4', messages: hi, top_p: 2 } },
  { name: 'max_tokens -1', body: { model: 'gpt-4', messages: hi, max_tokens: -1 } },
  { name: 'n 0', body: { model: 'gpt-4', messages: hi, n: 0 } },
  { name: 'an oversize prompt (past the context window)', body: { model: 'gpt-4', messages: oversize, max_tokens: 20 } },
];

/** Where oversize prompts go: a build that accepts one (0.3.1) breaks that server's /kv-cache/metrics (config.ts, profile deep-prompts). */
const deep = () => serverOrDefault('deep-prompts');

const withStream = (body: unknown) => (body && typeof body === 'object' && !Array.isArray(body) ? { ...body, stream: true } : body);

describe('bad input to POST /v1/chat/completions', () => {
  describe.each(CASES)('$name', ({ body }) => {
    const isOversize = (body as { messages?: unknown } | null)?.messages === oversize;
    if (isOversize) {
      // 0.3.1 never checks the context length (the ledger says which builds): acceptance is that defect.
      testKnownDefect('context-length-not-checked', 'is refused with a 4xx and a JSON error body', async () => {
        const res = await createHttp(deep().baseUrl).post('/v1/chat/completions', body);
        expectDefectProblems('refusal', checkClientError(res), () => res.status === 200);
      });
    } else {
      test('is refused with a 4xx and a JSON error body', async () => {
        const res = await createHttp(server().baseUrl).post('/v1/chat/completions', body);
        expectNoProblems('refusal', checkClientError(res));
      });
    }
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const streamed = withStream(body);
      if (isOversize) {
        // Streamed, 0.3.2 breaks the stream after a 200; 0.3.1 streams an answer (no check at all). Either is a 200 that should have been a 4xx.
        testKnownDefect(expectedDefectOf(['stream-context-length-breaks-stream', 'context-length-not-checked']), 'with stream: true, is refused with a 4xx and a JSON error body, not a broken stream', async () => {
          const s = await collectStream(deep().baseUrl, streamed);
          // The defect is a 200 that then breaks; a 5xx or no answer at all is something else.
          expectDefectProblems('streamed refusal', checkRefusedStream(s), () => s.status === 200);
        });
      } else {
        test('with stream: true, is refused with a 4xx and a JSON error body, not a broken stream', async () => {
          expectNoProblems('streamed refusal', checkRefusedStream(await collectStream(server().baseUrl, streamed)));
        });
      }
    }
  });

  testKnownDefect('context-length-not-checked', 'an oversize prompt is refused with 400 and code context_length_exceeded (OpenAI\'s error shape)', async () => {
    const res = await createHttp(deep().baseUrl).post<{ error?: { code?: unknown } }>('/v1/chat/completions', { model: 'gpt-4', messages: oversize, max_tokens: 20 });
    const problems = checkClientError(res, [400]);
    if (res.json && res.data?.error?.code !== 'context_length_exceeded') problems.push(problem('body.error.code', '"context_length_exceeded"', res.data?.error?.code));
    // Acceptance (200) is the defect; a refusal in the wrong shape is not.
    expectDefectProblems('oversize prompt', problems, () => res.status === 200);
  });

  testKnownDefect('empty-messages-accepted', 'empty messages are refused with a 4xx and a JSON error body', async () => {
    const res = await createHttp(server().baseUrl).post('/v1/chat/completions', { model: 'gpt-4', messages: [] });
    // The defect is acceptance (200); a 5xx is a different failure.
    expectDefectProblems('empty messages', checkClientError(res), () => res.status === 200);
  });

  testKnownDefect('empty-messages-accepted', 'empty messages with stream: true are refused with a 4xx, not streamed', async () => {
    const s = await collectStream(server().baseUrl, { model: 'gpt-4', messages: [], stream: true });
    expectDefectProblems('empty messages, streamed', checkRefusedStream(s), () => s.status === 200);
  });
});

describe('unknown routes', () => {
  test.each([
    ['GET', '/v1/does-not-exist'],
    ['POST', '/v1/chat/completion'],
    ['GET', '/metrics/nope'],
  ])('%s %s answers 404 with a JSON error body', async (method, path) => {
    const res = await createHttp(server().baseUrl).request(method, path, method === 'POST' ? { model: 'gpt-4', messages: hi } : undefined);
    expectNoProblems(`${method} ${path}`, checkClientError(res, [404]));
  });

  test('a wrong method on a real route answers 405 with a JSON error body', async () => {
    const res = await createHttp(server().baseUrl).get('/v1/chat/completions');
    expectNoProblems('GET /v1/chat/completions', checkClientError(res, [405]));
  });
});
