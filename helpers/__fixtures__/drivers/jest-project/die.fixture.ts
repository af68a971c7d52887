// Kills the default server through the dies_mid_run stub's /die route, waits for the harness's
// exit marker, and passes: only globalTeardown can fail this run.
import { existsSync } from 'node:fs';
import { server } from '../../../core/harness-env';

test('asks the server to die and sees the exit marker appear', async () => {
  const info = server();
  await fetch(`${info.baseUrl}/die`).catch(() => undefined);
  const marker = info.exitMarkerFile!;
  while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 20));
}, 20_000);
