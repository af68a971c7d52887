/**
 * A test file that needs the machine to itself while other files run in other workers. The
 * timing-fidelity checks compare FakeAI's streaming delays with its settings: on 2 cores, three
 * other workers hammering their own servers at the same moment add tens of ms to every wake-up,
 * which is our own load, not FakeAI's behaviour. Such a file says so with an `@e2e-exclusive`
 * docblock; the test environment then, for that file:
 *   - takes the run's one exclusive lock (waiting while another file holds it), and
 *   - waits until no other worker is inside a test or a beforeAll/afterAll;
 * while every other worker, before each test or beforeAll/afterAll, marks itself busy and waits
 * while another worker holds the lock. Both sides write their own file first and look at the
 * other's second, so at least one of them always sees the other: no test slips past a holder.
 *
 * Files in the run dir: `exclusive/lock` (holder's slot and pid), `exclusive/busy-<slot>` (pid).
 * A holder or busy worker that died is ignored (its pid is gone), so a crashed worker cannot
 * block the run.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pidAlive } from './run-dir';

const POLL_MS = 10;
/** Longer than any test may take (the per-request timeout is 15 s, the longest test timeout 20 s). */
const WAIT_LIMIT_MS = 120_000;


function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split(' ').pop());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + WAIT_LIMIT_MS; !done(); ) {
    if (Date.now() > deadline) throw new Error(`Waited ${WAIT_LIMIT_MS / 1000} s for ${what}.`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * A lock file held by one live process: created exclusively (O_EXCL) with the holder's pid, taken
 * over when its holder died, removed by its holder.
 */
export class FileLock {
  constructor(
    readonly file: string,
    private readonly pid = process.pid,
    private readonly label = String(pid),
  ) {}

  /** The holder, if it is another live process. */
  otherHolder(): number | undefined {
    const pid = readPid(this.file);
    return pid !== undefined && pid !== this.pid && pidAlive(pid) ? pid : undefined;
  }

  async acquire(what: string): Promise<void> {
    mkdirSync(path.dirname(this.file), { recursive: true });
    await until(() => {
      try {
        writeFileSync(this.file, `${this.label} ${this.pid}`, { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      // A lock whose holder died is stale: removed here, taken on the next try.
      const pid = readPid(this.file);
      if (pid !== undefined && !pidAlive(pid)) rmSync(this.file, { force: true });
      return false;
    }, `${what} (${this.file})`);
  }

  release(): void {
    if (readPid(this.file) === this.pid) rmSync(this.file, { force: true });
  }
}

/**
 * A run-wide server that several test files use (a profile with more than one `usedBy` file, as
 * `deep-prompts`) is talked to and watched by one file at a time: each such file holds the
 * server's lease from before its first test to after its last. Cheaper on two cores than a copy
 * per worker (each FakeAI boot costs ~0.8 s of CPU); the price is a worker waiting when two of its
 * files would have run at once. Leases are taken in name order, so two files never wait on each other.
 */
export class ServerLeases {
  private readonly locks: FileLock[];

  constructor(runDir: string, servers: readonly string[], pid = process.pid) {
    this.locks = [...servers].sort().map((name) => new FileLock(path.join(runDir, 'leases', name), pid));
  }

  async acquire(): Promise<void> {
    for (const lock of this.locks) await lock.acquire(`the file using server "${path.basename(lock.file)}" to finish`);
  }

  release(): void {
    for (const lock of this.locks) lock.release();
  }
}

export class ExclusiveGate {
  private readonly dir: string;
  private readonly lock: FileLock;
  private readonly busy: string;
  private depth = 0;

  constructor(runDir: string, slot: number, private readonly pid = process.pid) {
    this.dir = path.join(runDir, 'exclusive');
    this.lock = new FileLock(path.join(this.dir, 'lock'), pid, String(slot));
    this.busy = path.join(this.dir, `busy-${slot}`);
  }

  private otherHolder(): number | undefined {
    return this.lock.otherHolder();
  }

  /** Before a test or a beforeAll/afterAll: marks this worker busy, once no other worker holds the lock. */
  async enter(): Promise<void> {
    if (this.depth++ > 0) return;
    mkdirSync(this.dir, { recursive: true });
    for (;;) {
      writeFileSync(this.busy, String(this.pid));
      if (this.otherHolder() === undefined) return;
      rmSync(this.busy, { force: true });
      await until(() => this.otherHolder() === undefined, `a file that needs the machine to itself (@e2e-exclusive) to finish (${this.dir})`);
    }
  }

  /** After the test or hook that entered. */
  leave(): void {
    if (this.depth === 0) return;
    if (--this.depth === 0) rmSync(this.busy, { force: true });
  }

  /** Before an @e2e-exclusive file: the lock, then every other worker idle. */
  async acquire(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    await this.lock.acquire('the exclusive lock another file holds');
    await until(() => this.othersBusy().length === 0, `the tests running in other workers to finish (${this.dir})`);
  }

  release(): void {
    this.lock.release();
  }

  private othersBusy(): number[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => n.startsWith('busy-') && n !== path.basename(this.busy))
      .flatMap((n) => {
        const pid = readPid(path.join(this.dir, n));
        return pid !== undefined && pidAlive(pid) ? [pid] : [];
      });
  }
}
