// Shared by orphan-a/b.fixture.ts, driven by helpers/__tests__/cleanup-workers.test.ts: each of two files, in its own Jest worker,
// reaches the server, leaves its pid in the run dir, then waits for good — until the runner is
// SIGKILLed and the worker must end with it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readHarnessEnv, server } from '../../core/harness-env';

export function holdForever(name: string): void {
  test(`${name} holds its worker in a test until the runner is killed`, async () => {
    expect((await fetch(`${server().baseUrl}/health`)).status).toBe(200);
    writeFileSync(path.join(readHarnessEnv().runDir, `holding-${name}`), String(process.pid));
    await new Promise(() => undefined);
  }, 120_000);
}
