// Run against the harmless_errors stub: every request prints lines containing "error" and
// "Errors/sec". Nothing may fail.
import { server } from '../../core/harness-env';

describe('harmless lines', () => {
  for (const n of [1, 2, 3]) {
    test(`request ${n} prints harmless lines`, async () => {
      const res = await fetch(`${server().baseUrl}/harmless`);
      expect(res.status).toBe(200);
    });
  }
});
