/**
 * Jest globalTeardown, a thin adapter: stop every spawned server (in parallel), then fail the run
 * for what the tests could not see — a server that died unasked, and exceptions in the server logs
 * that no test was running to own. Throwing here exits 1 even under --forceExit.
 *
 * Runs after passing and failing runs alike; on Ctrl-C / SIGTERM the handlers from globalSetup
 * stop the servers instead, and on SIGKILL the watchdog does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type SuiteSelection, splitStale, stalePlaces, staleText, wholeSuiteSelected } from '../logs/allowance-rules';
import { ledgerStanding } from '../ledger/releases';
import { findUnattributedExceptions, serverGoneMessage } from '../logs/attribution';
import { readHangMarker } from '../server/hang-watch';
import { closeLaunchers } from '../server/launcher';
import { ALLOWED_EXCEPTIONS, type AllowedException, type AllowedPlace } from '../ledger/allowances';
import { logTail } from '../core/errors';
import { profileOf, readHarnessEnv, type ServerInfo } from '../core/harness-env';
import { loadConfig, type ServerProfile } from '../core/config';
import { probeHealth } from '../server/readiness';
import { appendRecord, readRecords, recordsOfKind } from '../core/run-records';
import { SETUP_STATE_KEY, type SetupState } from './global-setup';
import { openAiConformanceOf, conformanceStanding } from '../api/openai-conformance-report';

/** The part of the project config teardown reads (Jest's second argument). */
interface ProjectPart {
  testPathIgnorePatterns?: string[];
  testEnvironmentOptions?: { allowedExceptions?: { pattern: string; flags?: string; defect: string; reason: string; provokedBy: AllowedPlace[] }[] };
}

/** How long a server whose profile expects a deadlock gets to answer /health before it counts as deadlocked. */
export const DEADLOCK_PROBE_MS = 250;

/**
 * The servers among `names` whose profile expects a test to deadlock them (`hangExpected`) and
 * that indeed do not answer /health within DEADLOCK_PROBE_MS. Such a server cannot act on SIGTERM
 * (its event loop is stuck), so waiting the kill grace for it only cost every run 2 s: it is
 * killed at once. One that answers — the defect fixed, or never provoked — stops gracefully like
 * the others, its shutdown lines scanned.
 */
export async function deadlockedAsExpected(
  names: readonly string[],
  infos: Readonly<Record<string, Pick<ServerInfo, 'name' | 'profile' | 'baseUrl'>>>,
  profiles: readonly Pick<ServerProfile, 'name' | 'hangExpected'>[] = loadConfig().profiles,
  probeMs = DEADLOCK_PROBE_MS,
): Promise<Set<string>> {
  const expecting = new Set(profiles.filter((p) => p.hangExpected).map((p) => p.name));
  const candidates = names.filter((n) => infos[n] !== undefined && expecting.has(profileOf(infos[n])));
  const silent = await Promise.all(candidates.map(async (n) => !(await probeHealth(infos[n].baseUrl, probeMs)).answer.startsWith('HTTP ')));
  return new Set(candidates.filter((_, i) => silent[i]));
}

/**
 * Stops the hang watch, then every server (each on its own: the others stop while a deadlock suspect
 * is still being probed), then the launchers — once: a second call returns the first call's promise.
 * globalTeardown awaits it; the reporter starts it when the last test file's result arrives
 * (stopServersAfterLastFile), so FakeAI's shutdown (~0.2 s: uvicorn's 0.1 s tick, then a fixed 0.1 s
 * sleep) overlaps Jest ending its workers instead of following it.
 */
export function stopServers(state: SetupState, servers: Readonly<Record<string, Pick<ServerInfo, 'name' | 'profile' | 'baseUrl'>>>, profiles?: readonly Pick<ServerProfile, 'name' | 'hangExpected'>[]): Promise<void> {
  state.stopping ??= (async () => {
    // Before the stop, or stopping servers would look like servers that stopped answering.
    await state.hangWatch.stop();
    await Promise.allSettled(state.servers.map(async (s) => s.stop((await deadlockedAsExpected([s.name], servers, profiles)).has(s.name) ? { killGraceMs: 0 } : undefined)));
    await closeLaunchers();
  })();
  return state.stopping;
}

/**
 * Called by the reporter in the runner's process once every selected file has its result: no test
 * will talk to a server again, so the stop can start now. A run whose files do not all report (a
 * --bail) stops in globalTeardown as before; a run without servers (a fixture project, a reused
 * server) has nothing to stop.
 */
export function stopServersAfterLastFile(): void {
  const state = (globalThis as Record<string, unknown>)[SETUP_STATE_KEY] as SetupState | undefined;
  if (!state) return;
  let servers: Record<string, ServerInfo>;
  try {
    servers = readHarnessEnv().servers;
  } catch {
    return;
  }
  // Its outcome is globalTeardown's to report: it awaits the same promise.
  stopServers(state, servers).catch(() => undefined);
}

/** Jest's default testPathIgnorePatterns: the e2e project sets none, so any other value narrowed the run. */
const DEFAULT_IGNORE = ['/node_modules/'];

export default async function globalTeardown(globalConfig?: SuiteSelection, projectConfig?: ProjectPart): Promise<void> {
  const state = (globalThis as Record<string, unknown>)[SETUP_STATE_KEY] as SetupState | undefined;
  const harness = readHarnessEnv();
  const problems: string[] = [];
  if (state) {
    state.removeSignalHandlers();
    await stopServers(state, harness.servers);
    delete (globalThis as Record<string, unknown>)[SETUP_STATE_KEY];
  }
  // The exit marker, not the exit itself, tells who died unasked: stop() (here, or from a signal
  // handler) marks its exits as asked-for before it sends a signal.
  for (const info of Object.values(harness.servers)) {
    if (readHangMarker(info.hangMarkerFile)) {
      problems.push(`FakeAI ${serverGoneMessage(info)}`);
      continue;
    }
    if (!info.exitMarkerFile || !existsSync(info.exitMarkerFile)) continue;
    const exit = JSON.parse(readFileSync(info.exitMarkerFile, 'utf8')) as { code: number | null; signal: string | null };
    problems.push(
      `FakeAI server "${info.name}" exited during the run (code=${exit.code} signal=${exit.signal}).\n` +
        `Last 20 lines of ${info.logFile}:\n${logTail(info.logFile, 20, info.logStart).replace(/^/gm, '  | ')}`,
    );
  }

  // The environment's own entries (the self-test fixture project sets some) count here too.
  const extra = (projectConfig?.testEnvironmentOptions?.allowedExceptions ?? []).map((a) => ({ ...a, pattern: new RegExp(a.pattern, a.flags) }));
  const allowed: AllowedException[] = [...ALLOWED_EXCEPTIONS, ...extra];
  // After the stop: the logs are final, shutdown lines included.
  const message = await findUnattributedExceptions(harness, allowed);
  if (message) problems.push(message);

  // A stale allowance is only known when every test ran and every log was watched: a narrowed run
  // may not have run the test that provokes it, and an unwatched log has no findings at all.
  const watched = Object.values(harness.servers).every((s) => s.logFile);
  if (watched && wholeSuiteSelected(globalConfig, projectConfig?.testPathIgnorePatterns, DEFAULT_IGNORE)) {
    const stale = stalePlaces(allowed, recordsOfKind(readRecords(harness.runDir), 'finding'));
    const { fatal, notOnThisBuild } = splitStale(stale, ledgerStanding(harness.build));
    for (const s of notOnThisBuild) {
      appendRecord(harness.runDir, { kind: 'allowance-unused', defect: s.allowance.defect, pattern: s.allowance.pattern.source, file: s.place.file, why: s.why });
    }
    if (fatal.length > 0) problems.push(staleText(fatal));
  }
  // OpenAI conformance: a deviation the ledger lacks fails any run; a ledger entry that did not
  // occur fails only a whole-suite run on the pinned build (elsewhere it is reported, not judged).
  const whole = wholeSuiteSelected(globalConfig, projectConfig?.testPathIgnorePatterns, DEFAULT_IGNORE);
  const conformance = openAiConformanceOf(harness.runDir, readRecords(harness.runDir), whole && conformanceStanding(harness).pinned);
  if (conformance) problems.push(...conformance.problems);
  if (problems.length > 0) throw new Error(problems.join('\n\n'));
}
