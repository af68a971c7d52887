// Measures what the log watcher costs per test against the real FakeAI (docs/log-attribution.md, "Measured figures"):
// 40 short tests, each sending one request. Run it twice, with this environment and with plain
// `node` (--testEnvironment node), and compare; windows.ndjson also holds each window's closeMs.
import { server } from '../../core/harness-env';

describe('cost per test', () => {
  for (let i = 1; i <= 40; i++) {
    test(`request ${i}`, async () => {
      const path = i % 2 === 0 ? '/health' : '/v1/models';
      expect((await fetch(`${server().baseUrl}${path}`)).status).toBe(200);
    });
  }
});
