import { checkDetailedHealth, checkHealth } from '../helpers/checks/health';
import { expectNoProblems } from '../helpers/core/problems';
import { server } from '../helpers/core/harness-env';
import { createHttp } from '../helpers/core/http';
import { expectDefectProblems, testKnownDefect } from '../helpers/checks/known-defect-test';

describe('health', () => {
  /** When this file first saw the server healthy: it has been up at least since then. */
  let healthySince = 0;

  test('GET /health answers 200 with status "healthy", ready: true and an ISO timestamp', async () => {
    const res = await createHttp(server().baseUrl).get('/health');
    expectNoProblems('GET /health', checkHealth(res));
    healthySince = Date.now() / 1000;
  });

  test('GET /health/detailed answers 200 with a self-consistent summary (rates ≥ 0, error rate in [0, 100], status that fits it)', async () => {
    const sentAtS = Date.now() / 1000;
    const res = await createHttp(server().baseUrl).get('/health/detailed');
    expectNoProblems('GET /health/detailed', checkDetailedHealth(res, { sentAtS, receivedAtS: Date.now() / 1000 }));
  });

  testKnownDefect('detailed-health-uptime-zero', 'GET /health/detailed reports an uptime at least as long as the server has been seen healthy', async () => {
    const since = healthySince || Date.now() / 1000;
    const sentAtS = Date.now() / 1000;
    const res = await createHttp(server().baseUrl).get('/health/detailed');
    const problems = checkDetailedHealth(res, { sentAtS, receivedAtS: Date.now() / 1000, minUptimeS: sentAtS - since });
    expectDefectProblems('GET /health/detailed', problems, (p) => p.at === 'body.uptime_seconds');
  });
});
