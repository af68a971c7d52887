/**
 * Measures how long after a client has its answer the server's traceback reaches the log: the
 * figure that sets DEFAULT_QUIET_MS in helpers/logs/server-log.ts. Run: npx tsx <this file> [N]
 *
 * Two servers: uvicorn + FastAPI (the venv FakeAI runs on) failing after `data: [DONE]`, and the
 * traceback_on_request stub. Each request is sent alone; the log size is polled with statSync in a
 * tight loop from the moment the client has its answer until the file grows.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { VENV_PYTHON } from '../../core/config';

const HERE = __dirname;
const N = Number(process.argv[2] ?? 100);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function ready(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} never answered /health`);
}

/** Reads the body until `until` appears, then returns (without waiting for the connection to end). */
async function request(url: string, until: string): Promise<void> {
  const res = await fetch(url);
  const reader = res.body!.getReader();
  let seen = '';
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) return;
    seen += Buffer.from(value!).toString();
    if (seen.includes(until)) { void reader.cancel().catch(() => undefined); return; }
  }
}

function lagAfter(logFile: string, before: number): number {
  const t0 = performance.now();
  while (statSync(logFile).size === before) {
    if (performance.now() - t0 > 2000) return Infinity;
  }
  return performance.now() - t0;
}

async function measure(name: string, argv: string[], env: NodeJS.ProcessEnv, reqPath: string, until: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'log-lag-'));
  const logFile = path.join(dir, 'server.log');
  const fd = openSync(logFile, 'a');
  const port = await freePort();
  const child = spawn(argv[0], [...argv.slice(1), '--host', '127.0.0.1', '--port', String(port)], { env: { ...process.env, ...env, PYTHONUNBUFFERED: '1' }, stdio: ['ignore', fd, fd] });
  try {
    const base = `http://127.0.0.1:${port}`;
    await ready(base);
    const lags: number[] = [];
    for (let i = 0; i < N; i++) {
      // Let the previous traceback finish landing before taking the size.
      let size = statSync(logFile).size;
      for (let still = 0; still < 20; ) { await new Promise((r) => setTimeout(r, 1)); const s = statSync(logFile).size; still = s === size ? still + 1 : 0; size = s; }
      await request(`${base}${reqPath}`, until);
      lags.push(lagAfter(logFile, size));
    }
    lags.sort((a, b) => a - b);
    const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))].toFixed(2);
    console.log(`${name}: n=${N} lag ms min ${q(0)} median ${q(0.5)} p95 ${q(0.95)} p99 ${q(0.99)} max ${q(1)}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  await measure('uvicorn+FastAPI, error after [DONE]', [VENV_PYTHON, '-m', 'uvicorn', 'asgi_after_done:app', '--app-dir', HERE, '--no-access-log'], {}, '/stream', '[DONE]');
  await measure('traceback_on_request stub', [VENV_PYTHON, '-m', 'fakeai', 'server'], { PYTHONPATH: path.join(HERE, '..', 'stub-servers', 'traceback_on_request') }, '/boom', '}');
}

void main();
