/**
 * Driver for the launcher self-tests: starts several servers at once through startFakeAI (so
 * preloaded ones share one launcher, as in a run), reports each as JSON lines, then stops them all.
 *
 * Usage: tsx start-servers.ts '<json {servers: StartOptions[]}>'
 * Events: {event: 'ready', ...facts} per server, or {event: 'error', code, message}; then
 * {event: 'stopped', name, ...} per server; then {event: 'done'}.
 */
import { startFakeAI, type StartOptions, type StartedFakeAI } from '../../server/fakeai-server';

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...event, t: Date.now() })}\n`);
}

async function main(): Promise<void> {
  const { servers } = JSON.parse(process.argv[2]) as { servers: StartOptions[] };
  const started: StartedFakeAI[] = [];
  await Promise.all(
    servers.map(async (spec) => {
      try {
        const server = await startFakeAI(spec);
        started.push(server);
        const { stop, exited, ...facts } = server;
        emit({ event: 'ready', ...facts });
      } catch (e) {
        const err = e as Error & { code?: string };
        emit({ event: 'error', name: spec.name, code: err.code ?? null, message: err.message });
      }
    }),
  );
  for (const s of started) emit({ event: 'stopped', name: s.name, ...(await s.stop()) });
  emit({ event: 'done' });
}

void main();
