/**
 * Parallel files without shared logs: how globalSetup plans a server slot per worker, how a worker
 * claims its slot, and which servers a test talks to and is watched in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVER_PROFILES, type ServerProfile } from '../core/config';
import { HARNESS_ENV_VAR, type HarnessEnv, readHarnessEnv, server, serversOfSlot, writeHarnessEnv } from '../core/harness-env';
import { claimWorkerSlot } from '../core/worker-slot';
import { perWorker, planServers, slotsForRun } from '../jest/global-setup';
import { exclusiveFirst, isExclusiveFile, sharedServerGroups, spreadApart } from '../jest/sequencer';

const profile = (name: string, usedBy?: string[]): ServerProfile => ({ name, description: name, env: {}, ...(usedBy ? { usedBy } : {}) });

describe('planning server slots', () => {
  test('one slot per worker, but never more than the files selected', () => {
    expect(slotsForRun(3, 23)).toBe(3);
    expect(slotsForRun(3, 2)).toBe(2);
    expect(slotsForRun(3, 1)).toBe(1);
    expect(slotsForRun(3, undefined)).toBe(3);
    expect(slotsForRun(undefined, 5)).toBe(1);
    expect(slotsForRun(4, 0)).toBe(1);
  });

  test('a profile every file uses gets a copy per slot; a profile of named files one server (shared ones are leased)', () => {
    expect(perWorker(profile('default'))).toBe(true);
    expect(perWorker(profile('shared', ['e2e/a.test.ts', 'e2e/b.test.ts']))).toBe(false);
    expect(perWorker(profile('auth', ['e2e/auth.test.ts']))).toBe(false);
  });

  test('slot 1 keeps the profile name (server.log stays where it was); later copies are named by slot', () => {
    const plan = planServers([profile('default'), profile('auth', ['e2e/auth.test.ts'])], 3);
    expect(plan.map((p) => [p.name, p.slot])).toEqual([
      ['default', 1],
      ['default-w2', 2],
      ['default-w3', 3],
      ['auth', undefined],
    ]);
  });

  test("the suite's own profiles: only default is per worker", () => {
    expect(SERVER_PROFILES.filter(perWorker).map((p) => p.name)).toEqual(['default']);
  });
});

describe('claiming a worker slot', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'worker-slots-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('each worker gets its own slot, whatever its id, and keeps it', () => {
    expect(claimWorkerSlot(dir, 2, '4')).toBe(1);
    expect(claimWorkerSlot(dir, 2, '1')).toBe(2);
    expect(claimWorkerSlot(dir, 2, '4')).toBe(1);
    expect(claimWorkerSlot(dir, 2, '1')).toBe(2);
  });

  test('a worker more than the slots fails loudly instead of sharing a server', () => {
    claimWorkerSlot(dir, 2, '1');
    claimWorkerSlot(dir, 2, '2');
    expect(() => claimWorkerSlot(dir, 2, '3')).toThrow(/worker 3 found no free server slot \(1: worker 1, 2: worker 2\)/);
  });

  test('with one slot every worker gets it without a claim', () => {
    expect(claimWorkerSlot(dir, 1, '1')).toBe(1);
    expect(claimWorkerSlot(dir, 1, '7')).toBe(1);
  });
});

describe('which servers a worker sees', () => {
  const info = (name: string, extra: object) => ({ name, baseUrl: `http://127.0.0.1:1/${name}`, spawned: true, logStart: 0, settings: {}, ...extra });
  let dir: string;
  let harness: HarnessEnv;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'worker-slots-'));
    harness = {
      runDir: dir,
      seed: 1,
      slots: 2,
      servers: {
        default: info('default', { profile: 'default', slot: 1 }),
        'default-w2': info('default-w2', { profile: 'default', slot: 2 }),
        auth: info('auth', { profile: 'auth', usedBy: ['e2e/auth.test.ts'] }),
      },
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("a test file is watched in its own slot's servers and the run-wide servers it uses, never another slot's", () => {
    expect(Object.values(serversOfSlot(harness, 2, 'e2e/auth.test.ts')).map((s) => s.name)).toEqual(['default-w2', 'auth']);
    expect(Object.values(serversOfSlot(harness, 1, 'e2e/health.test.ts')).map((s) => s.name)).toEqual(['default']);
  });

  test('server(profile) answers the copy of the worker that asks', () => {
    const env: NodeJS.ProcessEnv = {};
    writeHarnessEnv(harness, env);
    expect(server('default', { ...env, JEST_WORKER_ID: '3' }).name).toBe('default');
    expect(server('default', { ...env, JEST_WORKER_ID: '1' }).name).toBe('default-w2');
    expect(server('default', { ...env, JEST_WORKER_ID: '3' }).name).toBe('default');
    expect(server('auth', { ...env, JEST_WORKER_ID: '1' }).name).toBe('auth');
    expect(() => server('timing', { ...env, JEST_WORKER_ID: '1' })).toThrow(/no server of profile "timing" was started \(have: default, auth\)/);
  });

  test('a run without slots (the handoff of earlier runs and fixtures) is one slot', () => {
    const env: NodeJS.ProcessEnv = {};
    writeHarnessEnv({ runDir: dir, seed: 1, servers: { default: info('default', {}) } }, env);
    expect(server('default', { ...env, JEST_WORKER_ID: '2' }).name).toBe('default');
  });
});

describe('reading the handoff', () => {
  const info = { name: 'default', baseUrl: 'http://127.0.0.1:1', spawned: true, logStart: 0, settings: {} };

  test('read again, it is the same value, a fresh object each time', () => {
    const env: NodeJS.ProcessEnv = {};
    writeHarnessEnv({ runDir: '/tmp/x', seed: 1, servers: { default: info } }, env);
    const first = readHarnessEnv(env);
    const again = readHarnessEnv(env);
    expect(again).toStrictEqual(first);
    expect(again).not.toBe(first);
    again.servers.default.name = 'changed';
    expect(readHarnessEnv(env).servers.default.name).toBe('default');
  });

  test('a value zod completes (a default) or refuses is parsed every time, not taken as written', () => {
    const { settings: _settings, ...noSettings } = info;
    const env: NodeJS.ProcessEnv = { [HARNESS_ENV_VAR]: JSON.stringify({ runDir: '/tmp/x', seed: 1, servers: { default: noSettings } }) };
    expect(readHarnessEnv(env).servers.default.settings).toEqual({});
    expect(readHarnessEnv(env).servers.default.settings).toEqual({});
    writeHarnessEnv({ runDir: '/tmp/x', seed: 1, servers: { default: info } }, env);
    readHarnessEnv(env);
    const bad: NodeJS.ProcessEnv = { [HARNESS_ENV_VAR]: JSON.stringify({ runDir: '/tmp/x', seed: 'one', servers: {} }) };
    expect(() => readHarnessEnv(bad)).toThrow();
    expect(() => readHarnessEnv(bad)).toThrow();
  });
});

describe('ordering files that share a leased server', () => {
  test('the files of a profile with several users form one group; one-file profiles and default none', () => {
    const groups = sharedServerGroups([profile('default'), profile('auth', ['e2e/auth.test.ts']), profile('deep', ['e2e/a.test.ts', 'e2e/b.test.ts'])]);
    expect([...groups]).toEqual([
      ['e2e/a.test.ts', 'deep'],
      ['e2e/b.test.ts', 'deep'],
    ]);
  });

  test('a file is held back while another of its group is among the last `gap` placed, order otherwise kept', () => {
    const group = (x: string) => (x.startsWith('g') ? 'g' : undefined);
    expect(spreadApart(['g1', 'g2', 'a', 'b', 'c', 'd'], group, 3)).toEqual(['g1', 'a', 'b', 'c', 'g2', 'd']);
    expect(spreadApart(['a', 'g1', 'b', 'g2'], group, 3)).toEqual(['a', 'g1', 'b', 'g2']);
    // Not enough others to keep them apart: the held one still comes, last.
    expect(spreadApart(['g1', 'g2', 'a'], group, 3)).toEqual(['g1', 'a', 'g2']);
    expect(spreadApart(['a', 'b'], group, 3)).toEqual(['a', 'b']);
  });
});

describe('a file that needs the machine to itself', () => {
  test('is recognised by its @e2e-exclusive docblock, and only by it', () => {
    expect(isExclusiveFile(path.join(__dirname, '..', '..', 'e2e', 'timing-fidelity.test.ts'))).toBe(true);
    expect(isExclusiveFile(path.join(__dirname, '..', '..', 'e2e', 'health.test.ts'))).toBe(false);
    expect(isExclusiveFile(path.join(__dirname, 'no-such-file.ts'))).toBe(false);
  });

  test('goes first, the others keeping their order', () => {
    expect(exclusiveFirst(['slow', 'shared-a', 'timing', 'fast'], (f) => f === 'timing')).toEqual(['timing', 'slow', 'shared-a', 'fast']);
    expect(exclusiveFirst(['a', 'b'], () => false)).toEqual(['a', 'b']);
  });
});
