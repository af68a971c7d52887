// Run against the hangs_mid_run stub with a short --hang-after (the driver sets E2E_HANG_AFTER):
// a stall shorter than the threshold is survived; then a request blocks the server's event loop
// for good, and every test after it must fail at once instead of waiting out its timeout.
import { server } from '../../core/harness-env';

describe('server stalls and recovers', () => {
  test('a stall below the threshold is not a hang', async () => {
    expect((await fetch(`${server().baseUrl}/stall?ms=1500`)).status).toBe(200);
  }, 20_000);

  test('answers afterwards', async () => {
    expect((await fetch(`${server().baseUrl}/health`)).status).toBe(200);
  });
});

describe('server hangs mid-run', () => {
  test('blocks the event loop', async () => {
    await fetch(`${server().baseUrl}/block`);
  }, 60_000);

  test('would wait 30 s for nothing', async () => {
    await new Promise((r) => setTimeout(r, 30_000));
  }, 60_000);
});

describe('a later file part', () => {
  test('also fails at once', async () => {
    await new Promise((r) => setTimeout(r, 30_000));
  }, 60_000);
});
