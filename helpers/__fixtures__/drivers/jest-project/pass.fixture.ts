import { server } from '../../../core/harness-env';

test('the default server answers ready', async () => {
  const res = await fetch(`${server().baseUrl}/health`);
  expect(await res.json()).toMatchObject({ ready: true });
});
