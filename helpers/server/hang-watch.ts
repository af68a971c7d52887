/**
 * Hang detection for spawned servers: a dead server already fails the remaining tests at once (its
 * exit marker); a server that stops answering must too, and say where it is stuck.
 *
 * startHangWatch() runs the probes in a worker thread (hang-watch-worker.js says why); what it
 * finds travels as files in the run dir, like the exit marker, because the test environment may
 * live in another module registry or process:
 *   server-<name>.silent     a probe has been unanswered for 1 s (removed when one is answered)
 *   server-<name>.hang.json  hung: {at, silentMs, hangAfterMs, pid, stackDump, dumpProblem}
 * The rest of this module is pure: reading those files and putting the diagnosis into words.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface HangTarget {
  name: string;
  pid: number;
  baseUrl: string;
  logFile: string;
  exitMarkerFile: string;
  hangMarkerFile: string;
  silentFile: string;
}

export interface HangMarker {
  at: string;
  silentMs: number;
  hangAfterMs: number;
  pid: number;
  /** faulthandler's dump of every thread, most recent call first; null when none could be had. */
  stackDump: string | null;
  dumpProblem: string | null;
}

export interface HangWatchOptions {
  hangAfterMs: number;
  probeEveryMs?: number;
  silentAfterMs?: number;
  /** How long to wait for faulthandler's dump to reach the log after SIGUSR1. */
  dumpWaitMs?: number;
  onHang?: (name: string) => void;
}

export interface HangWatch {
  /**
   * Ends every probe; resolves once the worker has exited — 'exited' when it ended by itself (the
   * normal way, within a probe's cancel), 'terminated' when it had to be cut off after 1 s (it cost
   * every run that second at teardown before the worker closed its port). Call before stopping the servers.
   */
  stop(): Promise<'exited' | 'terminated'>;
}

const WORKER = path.join(__dirname, 'hang-watch-worker.js');

export function silentFileOf(hangMarkerFile: string): string {
  return hangMarkerFile.replace(/\.hang\.json$/, '.silent');
}

export function startHangWatch(targets: readonly HangTarget[], opts: HangWatchOptions): HangWatch {
  if (targets.length === 0) return { stop: async () => 'exited' };
  const worker = new Worker(WORKER, {
    workerData: {
      targets,
      hangAfterMs: opts.hangAfterMs,
      probeEveryMs: opts.probeEveryMs ?? 500,
      silentAfterMs: Math.min(opts.silentAfterMs ?? 1000, opts.hangAfterMs),
      dumpWaitMs: opts.dumpWaitMs ?? 2000,
    },
  });
  // The run must never wait on its watcher to exit.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (m: { hung?: string; error?: string }) => {
    if (m.hung) opts.onHang?.(m.hung);
    if (m.error) process.stderr.write(`fakeai-e2e: the hang watch failed and is off for the rest of the run: ${m.error}\n`);
  });
  worker.on('error', (e) => process.stderr.write(`fakeai-e2e: the hang watch failed and is off for the rest of the run: ${e.message}\n`));
  let stopping: Promise<'exited' | 'terminated'> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        let terminated = false;
        // Held while stopping: with the worker and the timer both unref'd, a process with nothing
        // else pending (a run whose only server died, so the worker was already ending) exited
        // right here, code 0, before teardown could report the death.
        worker.ref();
        worker.postMessage('stop');
        const t = setTimeout(() => {
          terminated = true;
          void worker.terminate();
        }, 1000);
        await exited;
        clearTimeout(t);
        return terminated ? 'terminated' : 'exited';
      })();
      return stopping;
    },
  };
}

export function readHangMarker(file: string | undefined): HangMarker | undefined {
  if (!file || !existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as HangMarker;
  } catch {
    // Caught mid-write: it exists, so the verdict is in; the details are not readable yet.
    return { at: '', silentMs: 0, hangAfterMs: 0, pid: 0, stackDump: null, dumpProblem: 'the hang marker was being written' };
  }
}

export interface Frame {
  file: string;
  line: number;
  func: string;
}

export interface ThreadStack {
  header: string;
  current: boolean;
  /** Most recent call first, as faulthandler prints them. */
  frames: Frame[];
}

export function parseStackDump(dump: string): ThreadStack[] {
  const threads: ThreadStack[] = [];
  for (const line of dump.split('\n')) {
    const head = /^(Current thread|Thread) (0x[0-9a-f]+)/.exec(line);
    if (head) {
      threads.push({ header: line.replace(/:$/, ''), current: head[1] === 'Current thread', frames: [] });
      continue;
    }
    const f = /^ {2}File "(.*)", line (\d+) in (.*)$/.exec(line);
    if (f && threads.length > 0) threads[threads.length - 1].frames.push({ file: f[1], line: Number(f[2]), func: f[3] });
  }
  return threads;
}

/**
 * Where the server is stuck, as file:line: the innermost frame outside Python's own library of
 * the thread that received the signal (the main thread: the event loop), else its innermost frame.
 */
export function blockingFrame(threads: readonly ThreadStack[]): Frame | undefined {
  const main = threads.find((t) => t.current) ?? threads[0];
  if (!main || main.frames.length === 0) return undefined;
  const stdlib = /[\\/]lib[\\/]python\d+\.\d+[\\/](?!site-packages)/;
  return main.frames.find((f) => !stdlib.test(f.file)) ?? main.frames[0];
}

/** The failure text: what hung, since when, where it is stuck, every thread's stack, the log tail. */
export function hangMessage(name: string, marker: HangMarker, logFile: string | undefined, tail: readonly string[]): string {
  const secs = (marker.silentMs / 1000).toFixed(1);
  const lines = [`server ${name} hung: no answer to GET /health for ${secs} s (threshold ${(marker.hangAfterMs / 1000).toFixed(1)} s, --hang-after)${marker.at ? ` at ${marker.at}` : ''}; it was stopped and the remaining tests fail at once.`];
  if (marker.stackDump) {
    const at = blockingFrame(parseStackDump(marker.stackDump));
    if (at) lines.push(`Stuck at ${at.file}:${at.line} in ${at.func}`);
    lines.push(`Python stacks of all its threads (faulthandler, taken before it was stopped):`, ...marker.stackDump.split('\n').map((l) => `  | ${l}`));
  } else {
    lines.push(`No stack dump: ${marker.dumpProblem ?? 'unknown reason'}.`);
  }
  if (logFile) {
    lines.push(tail.length > 0 ? `Last ${tail.length} lines of ${logFile}:` : `Its log ${logFile} is empty.`, ...tail.map((l) => `  | ${l}`));
  }
  return lines.join('\n');
}
