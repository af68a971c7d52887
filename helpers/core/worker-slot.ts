/**
 * Which worker slot's servers a Jest worker uses. globalSetup starts one copy of each per-worker
 * server per slot (as many slots as workers, or selected files if fewer); each worker claims one
 * slot the first time it asks and keeps it for its life, so no two files running at the same time
 * share a server or a log, and a test's window of a log holds only its own requests.
 *
 * A claim, not JEST_WORKER_ID itself: Jest spreads files over its workers round-robin, so with 4
 * workers and 2 files any two of workers 1–4 may get them, while only 2 slots were started. The
 * claim is a file created exclusively (O_EXCL) per slot, holding the worker id: atomic across
 * processes, and found again by a worker Jest restarted under the same id.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SLOTS_DIR = 'slots';

function claimFile(runDir: string, slot: number): string {
  return path.join(runDir, SLOTS_DIR, `slot-${slot}`);
}

function holder(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The slot (1..slots) of the worker `workerId` (JEST_WORKER_ID; in band it is "1"). With one slot
 * every worker gets it without a claim: a run of one slot runs in band.
 */
export function claimWorkerSlot(runDir: string, slots: number, workerId: string | undefined): number {
  if (slots <= 1) return 1;
  const id = workerId ?? '1';
  for (let slot = 1; slot <= slots; slot++) if (holder(claimFile(runDir, slot)) === id) return slot;
  mkdirSync(path.join(runDir, SLOTS_DIR), { recursive: true });
  for (let slot = 1; slot <= slots; slot++) {
    try {
      writeFileSync(claimFile(runDir, slot), id, { flag: 'wx' });
      return slot;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const held = Array.from({ length: slots }, (_, i) => `${i + 1}: worker ${holder(claimFile(runDir, i + 1)) ?? '?'}`).join(', ');
  throw new Error(
    `Invariant: worker ${id} found no free server slot (${held}). globalSetup started ${slots} slot(s) for this run; ` +
      'more Jest workers ran files than it planned for (--maxWorkers passed to Jest directly? use --workers).',
  );
}
