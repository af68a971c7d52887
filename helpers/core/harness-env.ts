/**
 * The contract between globalSetup and the tests. globalSetup runs in Jest's parent process and its
 * `process.env` is inherited by the tests (in-band and in workers alike); `globalThis` is not, so
 * everything the tests need travels here as one JSON variable, validated on the way in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { claimWorkerSlot } from './worker-slot';

export const HARNESS_ENV_VAR = 'E2E_HARNESS';
/** The handoff as globalSetup wrote it, kept in the run dir for tools that read a finished run. */
export const HARNESS_FILE = 'harness.json';

/** A finished run's handoff, from its run dir; null when it has none (setup failed) or it is damaged. */
export function readHarnessFile(runDir: string): HarnessEnv | null {
  try {
    return HarnessEnvSchema.parse(JSON.parse(readFileSync(path.join(runDir, HARNESS_FILE), 'utf8')));
  } catch {
    return null;
  }
}
/**
 * How many test files the run selected, set by the sequencer (helpers/jest/sequencer.ts) in Jest's
 * process before globalSetup, which starts no more server slots than that.
 */
export const SELECTED_FILES_VAR = 'E2E_SELECTED_FILE_COUNT';

const ServerInfoSchema = z.object({
  /** Unique in the run: the profile's name, with "-w<slot>" for a worker's own copy beyond the first. */
  name: z.string(),
  /** The profile it runs (config.ts SERVER_PROFILES); what a test asks server() for. Defaults to name. */
  profile: z.string().optional(),
  /**
   * The worker slot that owns it (helpers/core/worker-slot.ts): only that worker's tests talk to it
   * and are watched in its log. Absent: one server for the whole run, talked to only by `usedBy`.
   */
  slot: z.number().int().positive().optional(),
  /** For a server without a slot: the test files (relative to the project root) that use it. */
  usedBy: z.array(z.string()).optional(),
  baseUrl: z.string().url(),
  /** False when the suite reuses a server it did not start. */
  spawned: z.boolean(),
  pid: z.number().int().optional(),
  /** Combined stdout+stderr of the server (or the tailed log of a reused one); absent if not watched. */
  logFile: z.string().optional(),
  /** Byte offset in logFile where this run's part begins (a reused server's log has older lines). */
  logStart: z.number().int().nonnegative(),
  /** Written by the parent when the server exits unexpectedly: JSON {code, signal, at}. */
  exitMarkerFile: z.string().optional(),
  /** Written by the hang watch when the server stopped answering (helpers/server/hang-watch.ts). */
  hangMarkerFile: z.string().optional(),
  /** The hang watch's threshold for this server; absent when the server is not watched. */
  hangAfterMs: z.number().optional(),
  command: z.array(z.string()).optional(),
  /** How the server was started: preload (forked from the launcher) or spawn (helpers/server/launcher.ts). */
  launch: z.enum(['preload', 'spawn']).optional(),
  fakeaiVersion: z.string().optional(),
  bootToReadyMs: z.number().optional(),
  /** FAKEAI_* settings this server was started with. */
  settings: z.record(z.string()).default({}),
});

/**
 * Which FakeAI build the run judges (helpers/server/build-spec.ts fills it in): the version from the
 * interpreter's package metadata and where pip got it, so every report can name it.
 */
export const BuildIdentitySchema = z.object({
  /** importlib.metadata.version("fakeai"); null when no distribution is installed or the server is reused. */
  version: z.string().nullable(),
  /** How it was installed: `--fakeai 0.3.1 → pip install …`, `npm install (.venv, …)`, `--python …`, reuse. */
  installedBy: z.string(),
  source: z.enum(['pypi', 'checkout', 'archive', 'pip', 'pinned', 'interpreter', 'reused']),
  /** pip's record of a non-index install (PEP 610 direct_url.json): a directory, an archive URL, a VCS URL. */
  origin: z.string().nullable(),
  /** Git commit of a checkout or VCS install ("+dirty": local changes). */
  commit: z.string().nullable(),
  /** File name of a wheel or sdist install. */
  archive: z.string().nullable(),
  /** Installed from a package index (no direct_url.json): only then is it "the release" of that version. */
  fromIndex: z.boolean(),
  python: z.string().nullable(),
  /**
   * A hash of the installed fakeai package's .py files (path, size, mtime) and the interpreter;
   * null when it could not be read. What helpers/api/openapi.ts keys kept documents by.
   */
  fingerprint: z.string().nullable().optional(),
});
export type BuildIdentity = z.infer<typeof BuildIdentitySchema>;

const HarnessEnvSchema = z.object({
  runDir: z.string(),
  seed: z.number().int(),
  /** Worker slots with servers of their own (helpers/core/worker-slot.ts); absent: 1, one file at a time. */
  slots: z.number().int().positive().optional(),
  servers: z.record(ServerInfoSchema),
  /** Absent in fixture runs that predate builds: they judge the pinned release. */
  build: BuildIdentitySchema.optional(),
});

export type ServerInfo = z.infer<typeof ServerInfoSchema>;
export type HarnessEnv = z.infer<typeof HarnessEnvSchema>;

export function writeHarnessEnv(value: HarnessEnv, env: NodeJS.ProcessEnv = process.env): void {
  env[HARNESS_ENV_VAR] = JSON.stringify(HarnessEnvSchema.parse(value));
}

/**
 * The last value found to be its own parse (what writeHarnessEnv writes): zod would give back the
 * same JSON, so reading it again is only JSON.parse. A test file calls this dozens of times (every
 * server() call), and the zod parse was most of a worker's zod time.
 */
let fixedPoint: string | undefined;

export function readHarnessEnv(env: NodeJS.ProcessEnv = process.env): HarnessEnv {
  const raw = env[HARNESS_ENV_VAR];
  if (!raw) {
    throw new Error(`Invariant: ${HARNESS_ENV_VAR} not set — run the e2e tests via "npm run e2e", which starts the servers.`);
  }
  if (raw === fixedPoint) return JSON.parse(raw) as HarnessEnv;
  const value = HarnessEnvSchema.parse(JSON.parse(raw));
  if (JSON.stringify(value) === raw) fixedPoint = raw;
  return value;
}

export function profileOf(info: Pick<ServerInfo, 'name' | 'profile'>): string {
  return info.profile ?? info.name;
}

/**
 * The servers one worker slot sees, by profile: its own copy of each per-worker profile, and the
 * run-wide ones. `file` (relative to the project root) narrows the run-wide ones to those it uses —
 * what the test environment watches; without it, every run-wide one — what server() can return.
 */
export function serversOfSlot(harness: HarnessEnv, slot: number, file?: string): Record<string, ServerInfo> {
  const out: Record<string, ServerInfo> = {};
  for (const info of Object.values(harness.servers)) {
    const own = info.slot === undefined ? file === undefined || !info.usedBy || info.usedBy.includes(file) : info.slot === slot;
    if (own) out[profileOf(info)] = info;
  }
  return out;
}

/**
 * The named server when this run started it, else the default one: reuse mode (--host/--port) has
 * only the running server, and a test that merely prefers a server of its own runs there. Either
 * way the copy of the worker running the test (see server()).
 */
export function serverOrDefault(name: string, env: NodeJS.ProcessEnv = process.env): ServerInfo {
  const harness = readHarnessEnv(env);
  return serversOfSlot(harness, claimWorkerSlot(harness.runDir, harness.slots ?? 1, env.JEST_WORKER_ID))[name] ?? server('default', env);
}

/**
 * The server of profile `name` this test talks to: in a run with several workers, the copy of the
 * worker running it (its slot, claimed in helpers/core/worker-slot.ts). Call it inside a test, a
 * hook or at module load of a test file: never from globalSetup.
 */
export function server(name = 'default', env: NodeJS.ProcessEnv = process.env): ServerInfo {
  const harness = readHarnessEnv(env);
  const mine = serversOfSlot(harness, claimWorkerSlot(harness.runDir, harness.slots ?? 1, env.JEST_WORKER_ID));
  const info = mine[name];
  if (!info) {
    throw new Error(`Invariant: no server of profile "${name}" was started (have: ${Object.keys(mine).join(', ')}).`);
  }
  return info;
}
