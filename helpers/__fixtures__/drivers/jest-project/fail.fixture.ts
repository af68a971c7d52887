import { server } from '../../../core/harness-env';

test('fails on purpose after reaching the server', async () => {
  const res = await fetch(`${server().baseUrl}/health`);
  expect(res.status).toBe(418);
});
