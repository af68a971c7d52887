/**
 * Driver for the lifecycle self-tests: starts one server through startFakeAI and narrates what
 * happens as JSON lines on stdout, so a test in another process can assert on it.
 *
 * Usage: tsx start-server.ts '<json DriverSpec>'
 * The spec's `then` says what to do once the server is ready:
 *   stop  — stop it and report how;
 *   hold  — report the pids and wait for a signal (the test kills this driver);
 *   die   — GET /die, then report the unasked-for exit;
 *   stop-midway — start stopping, and once the server itself has exited (what it forked may still
 *           be running out the grace period) report the group and wait for a signal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { startFakeAI, type StartOptions } from '../../server/fakeai-server';
import { isAlive, liveGroupMembers } from '../../server/process-group';

interface DriverSpec extends StartOptions {
  then: 'stop' | 'hold' | 'die' | 'stop-midway';
}

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...event, t: Date.now() })}\n`);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as DriverSpec;
  const t0 = Date.now();
  emit({ event: 'starting' });
  let server;
  try {
    server = await startFakeAI(spec);
  } catch (e) {
    const err = e as Error & { code?: string };
    emit({ event: 'error', code: err.code ?? null, message: err.message, elapsedMs: Date.now() - t0 });
    return;
  }
  const { stop, exited, ...facts } = server;
  emit({ event: 'ready', ...facts, groupMembers: liveGroupMembers(server.groupId) });
  if (spec.then === 'stop') {
    emit({ event: 'stopped', ...(await stop()) });
  } else if (spec.then === 'die') {
    await fetch(`${server.baseUrl}/die`).catch(() => undefined);
    const exit = await exited;
    emit({ event: 'exited', ...exit, marker: existsSync(spec.exitMarkerFile ?? '') ? JSON.parse(readFileSync(spec.exitMarkerFile!, 'utf8')) : null });
    emit({ event: 'stopped', ...(await stop()) });
  } else if (spec.then === 'stop-midway') {
    void stop();
    while (isAlive(server.pid)) await new Promise((r) => setTimeout(r, 10));
    emit({ event: 'stopping', groupMembers: liveGroupMembers(server.groupId) });
    setInterval(() => undefined, 60_000);
  } else {
    // Keep the event loop alive until the test signals us.
    setInterval(() => undefined, 60_000);
  }
}

void main();
