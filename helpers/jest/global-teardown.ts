/**
 * Jest globalTeardown, a thin adapter: stop every spawned server (in parallel), then fail the run
 * for what the tests could not see — a server that died unasked, and exceptions in the server logs
 * that no test was running to own. Throwing here exits 1 even under --forceExit.
 *
 * Runs after passing and failing runs alike; on Ctrl-C / SIGTERM the handlers from globalSetup
 * stop the servers instead, and on SIGKILL the watchdog does.
 */
import { findUnattributedExceptions } from '../attribution';
import { ALLOWED_EXCEPTIONS } from '../config';
import { logTail } from '../errors';
import { readHarnessEnv } from '../harness-env';
import { SETUP_STATE_KEY, type SetupState } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>)[SETUP_STATE_KEY] as SetupState | undefined;
  const problems: string[] = [];
  if (state) {
    state.removeSignalHandlers();
    // Who died unasked must be read before stop(), which would make every exit look asked-for.
    const died = await Promise.all(
      state.servers.map(async (s) => {
        const exit = await Promise.race([s.exited, Promise.resolve(undefined)]);
        return exit ? { s, exit } : undefined;
      }),
    );
    await Promise.allSettled(state.servers.map((s) => s.stop()));
    for (const d of died) {
      if (!d) continue;
      problems.push(
        `FakeAI server "${d.s.name}" exited during the run (code=${d.exit.code} signal=${d.exit.signal}).\n` +
          `Last 20 lines of ${d.s.logFile}:\n${logTail(d.s.logFile, 20, d.s.logStart).replace(/^/gm, '  | ')}`,
      );
    }
    delete (globalThis as Record<string, unknown>)[SETUP_STATE_KEY];
  }

  // After the stop: the logs are final, shutdown lines included.
  const message = await findUnattributedExceptions(readHarnessEnv(), ALLOWED_EXCEPTIONS);
  if (message) problems.push(message);
  if (problems.length > 0) throw new Error(problems.join('\n\n'));
}
