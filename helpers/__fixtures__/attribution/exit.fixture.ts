// Run against the dies_mid_run stub: the first test kills the server; the second would wait 30 s
// if the environment let its body run.
import { server } from '../../core/harness-env';

describe('server exits mid-run', () => {
  test('kills the server', async () => {
    expect((await fetch(`${server().baseUrl}/die`)).status).toBe(200);
  });

  test('would wait 30 s for nothing', async () => {
    await new Promise((r) => setTimeout(r, 30_000));
  }, 60_000);
});
