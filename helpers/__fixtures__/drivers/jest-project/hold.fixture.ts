// Reaches the server, says so in a file, then waits for the runner to be signalled.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readHarnessEnv, server } from '../../../core/harness-env';

test('holds the run open until the runner is signalled', async () => {
  const res = await fetch(`${server().baseUrl}/health`);
  expect(res.status).toBe(200);
  writeFileSync(path.join(readHarnessEnv().runDir, 'holding'), String(process.pid));
  await new Promise(() => undefined);
}, 120_000);
