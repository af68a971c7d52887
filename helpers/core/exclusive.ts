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

const POLL_MS = 10;
/** Longer than any test may take (the per-request timeout is 15 s, the longest test timeout 20 s). */
const WAIT_LIMIT_MS = 120_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split(' ').pop());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export class ExclusiveGate {
  private readonly dir: string;
  private readonly lock: string;
  private readonly busy: string;
  private depth = 0;

  constructor(runDir: string, private readonly slot: number, private readonly pid = process.pid) {
    this.dir = path.join(runDir, 'exclusive');
    this.lock = path.join(this.dir, 'lock');
    this.busy = path.join(this.dir, `busy-${slot}`);
  }

  /** The lock's holder, if it is another live worker. */
  private otherHolder(): number | undefined {
    const pid = readPid(this.lock);
    return pid !== undefined && pid !== this.pid && alive(pid) ? pid : undefined;
  }

  private async until(done: () => boolean, what: string): Promise<void> {
    for (const deadline = Date.now() + WAIT_LIMIT_MS; !done(); ) {
      if (Date.now() > deadline) throw new Error(`Waited ${WAIT_LIMIT_MS / 1000} s for ${what} (${this.dir}).`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Before a test or a beforeAll/afterAll: marks this worker busy, once no other worker holds the lock. */
  async enter(): Promise<void> {
    if (this.depth++ > 0) return;
    mkdirSync(this.dir, { recursive: true });
    for (;;) {
      writeFileSync(this.busy, String(this.pid));
      if (this.otherHolder() === undefined) return;
      rmSync(this.busy, { force: true });
      await this.until(() => this.otherHolder() === undefined, 'a file that needs the machine to itself (@e2e-exclusive) to finish');
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
    await this.until(() => {
      try {
        writeFileSync(this.lock, `${this.slot} ${this.pid}`, { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      // A lock whose holder died is stale: removed here, taken on the next try.
      const pid = readPid(this.lock);
      if (pid !== undefined && !alive(pid)) rmSync(this.lock, { force: true });
      return false;
    }, 'the exclusive lock another file holds');
    await this.until(() => this.othersBusy().length === 0, 'the tests running in other workers to finish');
  }

  release(): void {
    if (readPid(this.lock) === this.pid) rmSync(this.lock, { force: true });
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
        return pid !== undefined && alive(pid) ? [pid] : [];
      });
  }
}
