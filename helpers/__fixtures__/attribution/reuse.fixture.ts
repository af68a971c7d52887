// Run against a traceback_on_request stub the DRIVER started (reuse mode: E2E_URL, with or without
// E2E_SERVER_LOG). Its log already holds an old traceback from before the run.
import { server } from '../../core/harness-env';

const get = async (p: string) => (await fetch(`${server().baseUrl}${p}`)).status;

describe('reused server', () => {
  test('innocent', async () => {
    expect(await get('/health')).toBe(200);
  });

  test('triggers a traceback', async () => {
    expect(await get('/boom?tag=REUSED')).toBe(200);
  });
});
