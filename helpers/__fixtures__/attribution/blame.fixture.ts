// Run against the traceback_on_request stub. Which tests fail, and with what, is asserted by
// helpers/__tests__/attribution.test.ts; the expectations here only check the HTTP side.
import { readFileSync } from 'node:fs';
import { server } from '../../core/harness-env';

const get = async (p: string) => (await fetch(`${server().baseUrl}${p}`)).status;

describe('one test at a time', () => {
  test.skip('skipped (its window must not stay open)', () => undefined);

  test('innocent before', async () => {
    expect(await get('/health')).toBe(200);
  });

  test('triggers a traceback after its response', async () => {
    expect(await get('/boom?tag=T1&delay_ms=5')).toBe(200);
  });

  test('innocent after', async () => {
    expect(await get('/health')).toBe(200);
  });

  test('triggers a traceback written line by line', async () => {
    expect(await get('/boom?tag=T2&style=lines')).toBe(200);
  });

  test('triggers an exception in a thread', async () => {
    expect(await get('/boom?tag=T3&style=thread')).toBe(200);
  });

  test('triggers an allowed exception', async () => {
    expect(await get('/boom?tag=ALLOWED-ON-PURPOSE')).toBe(200);
  });
});

describe('a write later than the quiet period', () => {
  test('triggers a traceback 300 ms after its response', async () => {
    expect(await get('/boom?tag=LATE&delay_ms=300')).toBe(200);
  });

  test('is running when the late traceback lands', async () => {
    await new Promise((r) => setTimeout(r, 600));
  });
});

describe('two tests at once', () => {
  test.concurrent('concurrent trigger', async () => {
    expect(await get('/boom?tag=T4')).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
  });

  test.concurrent('concurrent bystander', async () => {
    await new Promise((r) => setTimeout(r, 400));
    expect(await get('/health')).toBe(200);
  });
});

describe('outside any test', () => {
  afterAll(async () => {
    // An exception in a hook belongs to no test: globalTeardown must fail the run for it.
    await get('/boom?tag=BETWEEN');
    const logFile = server().logFile!;
    const deadline = Date.now() + 5000;
    while (!readFileSync(logFile, 'utf8').includes('boom BETWEEN') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
  });

  test('last innocent test', async () => {
    expect(await get('/health')).toBe(200);
  });
});
