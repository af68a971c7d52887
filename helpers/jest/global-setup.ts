// PLACEHOLDER (lead, to be replaced by the server-lifecycle work): spawns the default server only.
import { mkdirSync, openSync } from 'node:fs';
import { loadConfig, serverEnvironment } from '../config';
import { writeHarnessEnv } from '../harness-env';

export default async function globalSetup(): Promise<void> {
  const { execa } = await import('execa');
  const { default: getPort } = await import('get-port');
  const config = loadConfig();
  mkdirSync(config.reportsDir, { recursive: true });
  const port = await getPort({ host: '127.0.0.1' });
  const fd = openSync(config.serverLogFile, 'a');
  const profile = config.profiles[0];
  const child = execa(config.python, ['-m', 'fakeai', 'server', '--host', '127.0.0.1', '--port', String(port)], {
    env: serverEnvironment(profile), extendEnv: false, stdout: fd as never, stderr: fd as never, reject: false,
  });
  (globalThis as Record<string, unknown>).__E2E_CHILD__ = child;
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + config.startupTimeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${baseUrl}/health`);
      if (r.ok && ((await r.json()) as { ready?: unknown }).ready === true) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('server never ready');
    await new Promise((r) => setTimeout(r, 50));
  }
  writeHarnessEnv({ runDir: config.reportsDir, seed: config.seed, servers: { default: { name: 'default', baseUrl, spawned: true, pid: child.pid, logFile: config.serverLogFile, logStart: 0, settings: {} } } });
}
