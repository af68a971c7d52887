/**
 * Runs on the "isolated" server only: GET /metrics/by-model deadlocks FakeAI 0.3.2 for good once a
 * model has been used (known defect by-model-deadlock), so it must never be called on the server
 * the rest of the suite uses. Tests here run in order: fresh-server checks first, the deadlock last.
 */
import { checkPrometheusBounds, parsePrometheus } from '../helpers/checks/prometheus';
import { expectNoProblems, problem } from '../helpers/core/problems';
import { checkJsonOk, checkStatus } from '../helpers/checks/response';
import { readHarnessEnv, server } from '../helpers/core/harness-env';
import { createHttp } from '../helpers/core/http';
import { expectDefectProblems, testKnownDefect } from '../helpers/checks/known-defect-test';
import { skippedTest } from '../helpers/core/skipped-test';

const harness = readHarnessEnv();
const SKIP_REASON = 'no "isolated" server: reuse mode (--host/--port) has only the running server, and /metrics/by-model would deadlock it (known defect by-model-deadlock)';
/** FakeAI answers these in milliseconds; a second is generous and keeps a deadlock from costing the default 15 s. */
const PROBE_TIMEOUT_MS = 1000;

if (!harness.servers.isolated) {
  const title = 'metrics by model (isolated server)';
  describe(title, () => skippedTest(title, 'metrics by model', SKIP_REASON));
} else {
  describe('metrics by model (isolated server)', () => {
    const http = () => createHttp(server('isolated').baseUrl, { timeoutMs: PROBE_TIMEOUT_MS });

    test('on a fresh server, GET /metrics/prometheus is valid exposition (before any latency exists)', async () => {
      const res = await http().get('/metrics/prometheus');
      const p = parsePrometheus(res.text);
      expectNoProblems('GET /metrics/prometheus (fresh)', [...checkStatus(res, 200), ...p.problems, ...checkPrometheusBounds(p)]);
    });

    test('on a fresh server, GET /metrics/by-model answers 200 with an empty object', async () => {
      const res = await http().get('/metrics/by-model');
      const problems = checkJsonOk(res);
      if (res.json && JSON.stringify(res.data) !== '{}') problems.push(problem('body', '{} (no model used yet)', res.text.slice(0, 200)));
      expectNoProblems('GET /metrics/by-model (fresh)', problems);
    });

    testKnownDefect('by-model-deadlock', 'after a model was used, GET /metrics/by-model lists it and the server keeps answering', async () => {
      const chat = await createHttp(server('isolated').baseUrl).post('/v1/chat/completions', { model: 'gpt-4', messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 30 });
      // A failed chat is not the defect; the deadlock itself shows as no answer (its declared symptom).
      expectDefectProblems('chat request', checkStatus(chat, 200), () => false);
      const res = await http().get<Record<string, unknown>>('/metrics/by-model');
      const problems = checkJsonOk(res);
      if (res.json && !res.data?.['gpt-4']) problems.push(problem('body["gpt-4"]', 'stats for the model just used', res.text.slice(0, 200)));
      const health = await http().get('/health');
      // An answer means no deadlock: whatever is wrong with it is not this defect.
      expectDefectProblems('GET /metrics/by-model after traffic', [...problems, ...checkStatus(health, 200, 'GET /health afterwards')], () => false);
    }, 10_000);
  });
}
