// Run against the traceback_on_request stub. The exception this test provokes is allowed, but only
// in blame.fixture.ts (jest.config.js): here it must fail the test, naming where it is allowed.
import { server } from '../../core/harness-env';

describe('an allowed exception in another file', () => {
  test('triggers an allowed exception', async () => {
    expect((await fetch(`${server().baseUrl}/boom?tag=ALLOWED-ON-PURPOSE`)).status).toBe(200);
  });
});
