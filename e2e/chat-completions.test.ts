import { type ChatRequest, checkChatCompletion } from '../helpers/checks/chat-completion';
import { expectNoProblems } from '../helpers/core/problems';
import { server } from '../helpers/core/harness-env';
import { createHttp } from '../helpers/core/http';
import { expectDefectProblems, testKnownDefect } from '../helpers/checks/known-defect-test';

async function complete(req: ChatRequest) {
  return createHttp(server().baseUrl).post('/v1/chat/completions', req);
}

describe('chat completions (non-streaming)', () => {
  test('answers a plain request with id, object, created, the requested model, an assistant choice and consistent usage', async () => {
    const req: ChatRequest = { model: 'gpt-4', messages: [{ role: 'user', content: 'Hello! Please greet me back.' }], max_tokens: 50 };
    expectNoProblems('POST /v1/chat/completions', checkChatCompletion(await complete(req), req));
  });

  test('keeps a system prompt and a multi-turn conversation within the same contract', async () => {
    const req: ChatRequest = {
      model: 'gpt-3.5-turbo',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Tell me about rivers in Europe and their history.' },
        { role: 'assistant', content: 'Rivers shaped trade.' },
        { role: 'user', content: 'Tell me more about the Danube and the Rhine.' },
      ],
      max_tokens: 40,
      temperature: 0.2,
    };
    expectNoProblems('POST /v1/chat/completions', checkChatCompletion(await complete(req), req));
  });

  test('reports finish_reason "length" exactly when completion_tokens reached max_tokens', async () => {
    const req: ChatRequest = { model: 'gpt-4-turbo', messages: [{ role: 'user', content: 'Tell me a long story about dragons, knights, castles and the sea.' }], max_tokens: 20 };
    expectNoProblems('POST /v1/chat/completions', checkChatCompletion(await complete(req), req));
  });

  testKnownDefect('max-tokens-floor', 'keeps completion_tokens ≤ max_tokens when max_tokens is 5', async () => {
    const req: ChatRequest = { model: 'gpt-4', messages: [{ role: 'user', content: 'Hello! Please greet me back.' }], max_tokens: 5 };
    // Only the token count is the defect; a 500 or a malformed answer is something else.
    expectDefectProblems('POST /v1/chat/completions (max_tokens 5)', checkChatCompletion(await complete(req), req), (p) => p.at === 'body.usage.completion_tokens');
  });
});
