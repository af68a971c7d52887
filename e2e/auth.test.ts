/**
 * Against the second server, started with FAKEAI_AUTH__REQUIRE_API_KEY and one key (profile
 * "auth", helpers/core/config.ts). In reuse mode only the user's server exists: the tests are skipped
 * with that reason, visibly, in Jest's output and in the report.
 */
import { checkChatCompletion, type ChatRequest } from '../helpers/checks/chat-completion';
import { expectNoProblems, problem } from '../helpers/core/problems';
import { checkJsonOk } from '../helpers/checks/response';
import { checkStream } from '../helpers/checks/stream';
import { checkClientError } from '../helpers/checks/response';
import { AUTH_TEST_KEY } from '../helpers/core/config';
import { readHarnessEnv, server } from '../helpers/core/harness-env';
import { createHttp } from '../helpers/core/http';
import { collectStream } from '../helpers/core/sse';
import { skippedTest } from '../helpers/core/skipped-test';

const harness = readHarnessEnv();
const SKIP_REASON = 'no "auth" server: reuse mode (--host/--port) tests only the running server, which the suite cannot restart with API keys required';
const available = harness.servers.auth !== undefined;
const req: ChatRequest = { model: 'gpt-4', messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 50 };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

if (!available) {
  describe('auth', () => skippedTest('auth', 'auth checks', SKIP_REASON));
} else {
  describe('auth (server "auth", API key required)', () => {
    const http = () => createHttp(server('auth').baseUrl);

    test('no key → 401 with a JSON error body', async () => {
      expectNoProblems('no key', checkClientError(await http().post('/v1/chat/completions', req), [401]));
    });

    test('a wrong key → 401 with a JSON error body', async () => {
      expectNoProblems('wrong key', checkClientError(await http().post('/v1/chat/completions', req, { headers: bearer('sk-wrong-key-0000') }), [401]));
    });

    test('a malformed Authorization header (no Bearer, not the key) → 401', async () => {
      expectNoProblems('malformed header', checkClientError(await http().post('/v1/chat/completions', req, { headers: { authorization: 'Basic abc' } }), [401]));
    });

    test('the right key → 200 with a valid completion', async () => {
      expectNoProblems('right key', checkChatCompletion(await http().post('/v1/chat/completions', req, { headers: bearer(AUTH_TEST_KEY) }), req));
    });

    test('the right key, streaming → a valid stream', async () => {
      const sreq: ChatRequest = { ...req, stream: true };
      expectNoProblems('right key, streamed', checkStream(await collectStream(server('auth').baseUrl, sreq, { headers: bearer(AUTH_TEST_KEY) }), sreq));
    });

    test('no key, streaming → 401 before any event (not a broken stream)', async () => {
      const s = await collectStream(server('auth').baseUrl, { ...req, stream: true });
      const problems = s.status === 401 ? [] : [problem('status', '401', s.status)];
      if (s.events.length > 0) problems.push(problem('events', 'none', s.events.length));
      expectNoProblems('no key, streamed', problems);
    });

    test.each(['/health', '/metrics', '/health/detailed', '/kv-cache/metrics'])('%s stays reachable without a key (200 JSON)', async (path) => {
      expectNoProblems(`GET ${path} without a key`, checkJsonOk(await http().get(path)));
    });
  });
}
