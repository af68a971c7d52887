/**
 * The end of a run: the servers start stopping when the last test file has its result (the
 * reporter, in the runner's process), so FakeAI's shutdown overlaps Jest ending its workers, and
 * globalTeardown awaits that same stop before it scans the logs.
 */
import os from 'node:os';
import path from 'node:path';
import type { Test, TestResult } from '@jest/test-result';
import type { Config } from '@jest/types';
import E2EReporter from '../jest/reporter';
import { stopServers } from '../jest/global-teardown';
import type { SetupState } from '../jest/global-setup';
import type { StartedFakeAI } from '../server/fakeai-server';

const result = (file: string) => ({ testFilePath: file, testResults: [], failureMessage: null }) as unknown as TestResult;
const test = (file: string) => ({ path: file }) as unknown as Test;

describe('the reporter starts the stop after the last file', () => {
  const saved = process.env.E2E_REPORTS_DIR;
  beforeAll(() => {
    // No run dir exists there: the reporter follows no records file.
    process.env.E2E_REPORTS_DIR = path.join(os.tmpdir(), `stop-after-last-file-${process.pid}`, 'none');
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.E2E_REPORTS_DIR;
    else process.env.E2E_REPORTS_DIR = saved;
  });

  const reporterWith = (afterLastFile: () => void) => new E2EReporter({ rootDir: '/project' } as Config.GlobalConfig, { write: () => undefined, afterLastFile });

  it('once every selected file has its result, and not before', () => {
    const after = jest.fn();
    const reporter = reporterWith(after);
    reporter.onRunStart({ numTotalTestSuites: 3 });
    reporter.onTestFileResult(test('/project/e2e/a.test.ts'), result('/project/e2e/a.test.ts'));
    reporter.onTestFileResult(test('/project/e2e/b.test.ts'), result('/project/e2e/b.test.ts'));
    expect(after).not.toHaveBeenCalled();
    reporter.onTestFileResult(test('/project/e2e/c.test.ts'), result('/project/e2e/c.test.ts'));
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('never when files stay without a result (--bail): globalTeardown stops the servers then', () => {
    const after = jest.fn();
    const reporter = reporterWith(after);
    reporter.onRunStart({ numTotalTestSuites: 3 });
    reporter.onTestFileResult(test('/project/e2e/a.test.ts'), result('/project/e2e/a.test.ts'));
    expect(after).not.toHaveBeenCalled();
  });
});

describe('stopping the servers', () => {
  function fakeState(order: string[]): SetupState {
    const server = (name: string) => ({ name, stop: jest.fn(async () => void order.push(`stop ${name}`)) }) as unknown as StartedFakeAI;
    return {
      servers: [server('default'), server('auth')],
      removeSignalHandlers: () => undefined,
      hangWatch: { stop: jest.fn(async () => void order.push('hang watch')) } as unknown as SetupState['hangWatch'],
    };
  }
  const infos = { default: { name: 'default', profile: 'default', baseUrl: 'http://127.0.0.1:1' }, auth: { name: 'auth', profile: 'auth', baseUrl: 'http://127.0.0.1:2' } };

  it('stops the hang watch first, then every server', async () => {
    const order: string[] = [];
    await stopServers(fakeState(order), infos, []);
    expect(order[0]).toBe('hang watch');
    expect(order.slice(1).sort()).toEqual(['stop auth', 'stop default']);
  });

  it('only once: the teardown awaits the stop the reporter started', async () => {
    const order: string[] = [];
    const state = fakeState(order);
    const early = stopServers(state, infos, []);
    const teardown = stopServers(state, infos, []);
    expect(teardown).toBe(early);
    await teardown;
    expect(order).toHaveLength(3);
    for (const s of state.servers) expect(s.stop).toHaveBeenCalledTimes(1);
  });
});
