/**
 * Where a run keeps its files: the one module that knows the layout, so every writer and reader
 * asks here instead of joining paths of its own.
 *
 *   <reports root>/                 --reports-dir (default reports/)
 *     runs/<run id>/               one run: logs, records, windows, markers, reports
 *     latest                       symlink to runs/<newest id> (a file naming it where symlinks fail)
 *
 * A run id sorts by start time and is unique per process ("20261206-031500-123-4567": UTC date,
 * time, milliseconds, pid), so two runs started together in one checkout never share a file, and
 * nothing an earlier run left is read as this run's. Old runs are pruned by count, never one still
 * in progress (its run.json names a live pid and no finish time).
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const RUNS_DIR = 'runs';
export const LATEST = 'latest';
export const RUN_INFO_FILE = 'run.json';
/** Per-run file names, for modules that build a path from a run dir they were handed. */
export const RUN_FILES = {
  records: 'records.ndjson',
  windows: 'windows.ndjson',
  apiFilesDone: 'api-files-done.ndjson',
  openapi: 'openapi.json',
  json: 'e2e-report.json',
  junit: 'junit.xml',
  html: 'e2e-report.html',
} as const;

/** What E2E_RUN_ID may hold: a generated id, or any plain name a caller chose (self-tests do). */
export const RUN_ID_SYNTAX = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

let lastStamp = 0;

/** Within one process, a later call never gets an earlier or equal stamp (a millisecond is bumped). */
export function newRunId(now: Date = new Date(), pid: number = process.pid): string {
  const stamp = pid === process.pid ? Math.max(now.getTime(), lastStamp + 1) : now.getTime();
  if (pid === process.pid) lastStamp = stamp;
  const iso = new Date(stamp).toISOString(); // 2026-12-06T03:15:00.123Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${iso.slice(20, 23)}-${pid}`;
}

export function runsRoot(reportsRoot: string): string {
  return path.join(reportsRoot, RUNS_DIR);
}

export function runDirOf(reportsRoot: string, runId: string): string {
  return path.join(runsRoot(reportsRoot), runId);
}

/** The combined stdout+stderr of server `name`: server.log for the default one, server-<name>.log else. */
export function serverLogPath(runDir: string, name: string): string {
  return path.join(runDir, name === 'default' ? 'server.log' : `server-${name}.log`);
}

/** Written by the lifecycle when a server exits unasked; the test environment fails tests on it. */
export function exitMarkerPath(runDir: string, name: string): string {
  return path.join(runDir, `server-${name}.exit.json`);
}

/** Written by the hang watch when a server stopped answering; read like the exit marker. */
export function hangMarkerPath(runDir: string, name: string): string {
  return path.join(runDir, `server-${name}.hang.json`);
}

export function runFile(runDir: string, name: keyof typeof RUN_FILES): string {
  return path.join(runDir, RUN_FILES[name]);
}

export interface RunInfo {
  id: string;
  pid: number;
  startedAt: string;
  finishedAt?: string;
  /** Jest's --shard, "i/n", when the run was one shard of several. */
  shard?: string;
}

export function readRunInfo(runDir: string): RunInfo | undefined {
  try {
    return JSON.parse(readFileSync(path.join(runDir, RUN_INFO_FILE), 'utf8')) as RunInfo;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run whose owner still lives and has not said it finished. A run without run.json is not. */
export function runInProgress(runDir: string): boolean {
  const info = readRunInfo(runDir);
  return info !== undefined && info.finishedAt === undefined && pidAlive(info.pid);
}

/** Run ids under the root, oldest first. */
export function listRuns(reportsRoot: string): string[] {
  const dir = runsRoot(reportsRoot);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * Points `latest` at a run. Written beside and renamed over, so a reader never sees it missing;
 * where symlinks cannot be made (some Windows and network file systems), a file naming the run.
 */
export function pointLatest(reportsRoot: string, runId: string): void {
  const link = path.join(reportsRoot, LATEST);
  const tmp = `${link}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  try {
    symlinkSync(path.join(RUNS_DIR, runId), tmp);
  } catch {
    writeFileSync(tmp, `${path.join(RUNS_DIR, runId)}\n`);
  }
  try {
    renameSync(tmp, link);
  } catch {
    // A directory named "latest" (from before runs/ existed) cannot be renamed over: leave it.
    rmSync(tmp, { force: true });
  }
}

/** The run `latest` points at, or undefined. */
export function latestRunDir(reportsRoot: string): string | undefined {
  const link = path.join(reportsRoot, LATEST);
  try {
    const target = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : readFileSync(link, 'utf8').trim();
    const dir = path.resolve(reportsRoot, target);
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the oldest runs beyond `keep` (the current one always counts as kept). A run still in
 * progress is never removed, so a long run beside many short ones keeps its files.
 * Returns the ids removed.
 */
export function pruneRuns(reportsRoot: string, keep: number, current?: string): string[] {
  const ids = listRuns(reportsRoot).filter((id) => id !== current);
  const budget = Math.max(0, keep - (current ? 1 : 0));
  const removable = ids.slice(0, Math.max(0, ids.length - budget));
  const removed: string[] = [];
  for (const id of removable) {
    const dir = runDirOf(reportsRoot, id);
    if (runInProgress(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(id);
  }
  return removed;
}

/**
 * Creates the run's directory and run.json, points `latest` at it and prunes old runs. Idempotent
 * for one run id: the CLI calls it before Jest, globalSetup again for runs started by plain `jest`.
 */
export function beginRun(opts: { reportsRoot: string; runId: string; keepRuns: number; shard?: string }): string {
  const dir = runDirOf(opts.reportsRoot, opts.runId);
  const fresh = !existsSync(path.join(dir, RUN_INFO_FILE));
  mkdirSync(dir, { recursive: true });
  if (fresh) {
    const info: RunInfo = { id: opts.runId, pid: process.pid, startedAt: new Date().toISOString(), ...(opts.shard ? { shard: opts.shard } : {}) };
    writeFileSync(path.join(dir, RUN_INFO_FILE), JSON.stringify(info));
    pointLatest(opts.reportsRoot, opts.runId);
    pruneRuns(opts.reportsRoot, opts.keepRuns, opts.runId);
  }
  return dir;
}

export function finishRun(runDir: string): void {
  const info = readRunInfo(runDir);
  if (!info) return;
  writeFileSync(path.join(runDir, RUN_INFO_FILE), JSON.stringify({ ...info, finishedAt: new Date().toISOString() }));
}
