/**
 * Jest globalTeardown, a thin adapter: stop every spawned server (in parallel), then fail the run
 * for what the tests could not see — a server that died unasked, and exceptions in the server logs
 * that no test was running to own. Throwing here exits 1 even under --forceExit.
 *
 * Runs after passing and failing runs alike; on Ctrl-C / SIGTERM the handlers from globalSetup
 * stop the servers instead, and on SIGKILL the watchdog does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { findUnattributedExceptions } from '../attribution';
import { ALLOWED_EXCEPTIONS } from '../config';
import { logTail } from '../errors';
import { readHarnessEnv } from '../harness-env';
import { SETUP_STATE_KEY, type SetupState } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>)[SETUP_STATE_KEY] as SetupState | undefined;
  const harness = readHarnessEnv();
  const problems: string[] = [];
  if (state) {
    state.removeSignalHandlers();
    await Promise.allSettled(state.servers.map((s) => s.stop()));
    delete (globalThis as Record<string, unknown>)[SETUP_STATE_KEY];
  }
  // The exit marker, not the exit itself, tells who died unasked: stop() (here, or from a signal
  // handler) marks its exits as asked-for before it sends a signal.
  for (const info of Object.values(harness.servers)) {
    if (!info.exitMarkerFile || !existsSync(info.exitMarkerFile)) continue;
    const exit = JSON.parse(readFileSync(info.exitMarkerFile, 'utf8')) as { code: number | null; signal: string | null };
    problems.push(
      `FakeAI server "${info.name}" exited during the run (code=${exit.code} signal=${exit.signal}).\n` +
        `Last 20 lines of ${info.logFile}:\n${logTail(info.logFile, 20, info.logStart).replace(/^/gm, '  | ')}`,
    );
  }

  // After the stop: the logs are final, shutdown lines included.
  const message = await findUnattributedExceptions(harness, ALLOWED_EXCEPTIONS);
  if (message) problems.push(message);
  if (problems.length > 0) throw new Error(problems.join('\n\n'));
}
