/**
 * The exclusive gate (helpers/core/exclusive.ts): a file that needs the machine to itself waits for
 * the other workers' running tests, and they wait for it. Two gates in one process stand for two
 * workers (distinct pids are given, one of them this process's so it counts as alive).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExclusiveGate, ServerLeases } from '../core/exclusive';

/** A pid that is certainly not running: a child that already exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
/** Whether `p` settles within `ms` (false: it is still waiting). */
async function settled(p: Promise<unknown>, ms = 100): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a file that needs the machine to itself', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'exclusive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('waits until the test running in another worker is done', async () => {
    const other = new ExclusiveGate(dir, 2, process.ppid);
    await other.enter();
    const holder = new ExclusiveGate(dir, 1, process.pid);
    const acquired = holder.acquire();
    expect(await settled(acquired)).toBe(false);
    other.leave();
    expect(await settled(acquired, 2000)).toBe(true);
    holder.release();
  });

  test("holds the other workers' next tests until it is released", async () => {
    const holder = new ExclusiveGate(dir, 1, process.ppid);
    await holder.acquire();
    const other = new ExclusiveGate(dir, 2, process.pid);
    const entered = other.enter();
    expect(await settled(entered)).toBe(false);
    // Its own tests are not held.
    expect(await settled(holder.enter())).toBe(true);
    holder.leave();
    holder.release();
    expect(await settled(entered, 2000)).toBe(true);
    expect(existsSync(path.join(dir, 'exclusive', 'busy-2'))).toBe(true);
    other.leave();
    expect(existsSync(path.join(dir, 'exclusive', 'busy-2'))).toBe(false);
  });

  test('a second exclusive file waits for the first', async () => {
    const first = new ExclusiveGate(dir, 1, process.ppid);
    await first.acquire();
    const second = new ExclusiveGate(dir, 2, process.pid);
    const acquired = second.acquire();
    expect(await settled(acquired)).toBe(false);
    first.release();
    expect(await settled(acquired, 2000)).toBe(true);
    second.release();
  });

  test('a holder or busy worker that died blocks nobody', async () => {
    const dead = deadPid();
    const gone = new ExclusiveGate(dir, 1, dead);
    await gone.acquire();
    await gone.enter();
    writeFileSync(path.join(dir, 'exclusive', 'busy-3'), String(dead));
    const alive = new ExclusiveGate(dir, 2, process.pid);
    expect(await settled(alive.enter(), 2000)).toBe(true);
    alive.leave();
    expect(await settled(new ExclusiveGate(dir, 4, process.pid).acquire(), 2000)).toBe(true);
  });
});

describe('a server several files use, leased to one file at a time', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'leases-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a second file waits until the first releases it; a file using another server does not', async () => {
    const first = new ServerLeases(dir, ['deep-prompts'], process.ppid);
    await first.acquire();
    const second = new ServerLeases(dir, ['deep-prompts'], process.pid);
    const acquired = second.acquire();
    expect(await settled(acquired)).toBe(false);
    expect(await settled(new ServerLeases(dir, ['other'], process.pid).acquire())).toBe(true);
    first.release();
    expect(await settled(acquired, 2000)).toBe(true);
    second.release();
    expect(existsSync(path.join(dir, 'leases', 'deep-prompts'))).toBe(false);
  });

  test('a lease whose holder died is taken over', async () => {
    await new ServerLeases(dir, ['deep-prompts'], deadPid()).acquire();
    expect(await settled(new ServerLeases(dir, ['deep-prompts'], process.pid).acquire(), 2000)).toBe(true);
  });
});
