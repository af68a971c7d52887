// Shared by concurrent-a/b.fixture.ts (driven by helpers/__tests__/attribution-concurrent-files.test.ts):
// two files, run by two workers at the same time, each provoking its own exception while the other
// file's test is running too. Markers in the run dir line the two tests up; no sleeps.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readHarnessEnv, server } from '../../core/harness-env';

const mark = (name: string) => writeFileSync(path.join(readHarnessEnv().runDir, `mark-${name}`), String(process.pid));

async function until(done: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done(); ) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const markerOf = (name: string) =>
  until(() => existsSync(path.join(readHarnessEnv().runDir, `mark-${name}`)), `the other file never reached "${name}": the two files did not run at the same time`);

export function concurrentFile(self: 'A' | 'B', other: 'A' | 'B'): void {
  const get = async (p: string) => (await fetch(`${server().baseUrl}${p}`)).status;

  describe(`file ${self}`, () => {
    test(`triggers boom CONC-${self} while file ${other} triggers its own`, async () => {
      mark(`${self}-started`);
      await markerOf(`${other}-started`);
      expect(await get(`/boom?tag=CONC-${self}&delay_ms=20`)).toBe(200);
      const log = server().logFile!;
      await until(() => readFileSync(log, 'utf8').includes(`RuntimeError: request failed: boom CONC-${self}`), `boom CONC-${self} in ${log}`);
      mark(`${self}-logged`);
      // Both tracebacks are in the logs while both tests still run: had the two files shared one
      // log, each test's window would hold both.
      await markerOf(`${other}-logged`);
    });

    test('innocent afterwards', async () => {
      expect(await get('/health')).toBe(200);
    });
  });
}
