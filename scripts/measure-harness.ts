/**
 * What the harness costs: wall time of `npm run e2e` on the smoke tests, against the time FakeAI
 * itself needs from spawn to `/health` ready. Min / median / max over N runs, printed as a table.
 *
 * Usage: npx tsx scripts/measure-harness.ts [--runs N] [--tests PATTERN]
 *   --runs   runs of each measurement (default 5)
 *   --tests  Jest test path pattern for the smoke run (default e2e/health)
 *
 * Two boot figures, because the harness starts every profile (default, auth) in parallel and on a
 * small machine they compete for the cores:
 *   - alone: one server spawned directly (no watchdog, no Jest), /health polled every 5 ms;
 *   - in run: the slowest profile's boot-to-ready as globalSetup reported it during the e2e run.
 * "Harness adds" = e2e wall time − in-run boot: Jest start, config, preflight, spawn, ready lag,
 * the tests themselves, teardown and reports. A reuse-mode run of the same tests (against the lone
 * server, nothing spawned) costs all of that except the lifecycle, so
 * "server lifecycle" = e2e wall − in-run boot − reuse-mode wall: spawn, ready lag and stop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, SERVER_PROFILES, serverEnvironment, VENV_PYTHON } from '../helpers/core/config';
import { probeHealth } from '../helpers/server/readiness';
import { type HarnessCost, measureHarnessCost } from '../helpers/bench/harness-cost';

interface Args {
  runs: number;
  tests: string;
  /** --breakdown: whole runs phase by phase, one column per --config (e2e flags). */
  breakdown: boolean;
  configs: string[];
}

const USAGE = `Usage: npm run measure-harness -- [--runs N] [--tests PATTERN]
       npm run measure-harness -- --breakdown [--runs N] [--config "E2E FLAGS"]... [--tests PATTERN]
  --runs N          runs of each measurement (default 5)
  --tests PATTERN   Jest test path pattern for the smoke run (default e2e/health; with --breakdown: all files)
  --breakdown       time whole npm run e2e runs phase by phase (server boot, tests, per-file cost
                    outside the tests, teardown and reports, CPU): the median of each phase per config
  --config FLAGS    npm run e2e flags of one column, e.g. --config "--workers 1" --config "" (default: "")
Prints min / median / max of npm run e2e's wall time against FakeAI's own boot-to-ready.`;

/** A usage mistake: exit 2 with the usage, like npm run e2e and npm run bench. */
class UsageError extends Error {}

function parseArgs(argv: string[]): Args | 'help' {
  const args: Args = { runs: 5, tests: 'e2e/health', breakdown: false, configs: [] };
  let testsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') return 'help';
    if (argv[i] === '--breakdown') args.breakdown = true;
    else if (argv[i] === '--config' && argv[i + 1] !== undefined) args.configs.push(argv[++i]);
    else if (argv[i] === '--tests' && argv[i + 1] !== undefined) {
      args.tests = argv[++i];
      testsGiven = true;
    } else if (argv[i] === '--runs') args.runs = Number(argv[++i]);
    else throw new UsageError(`unknown or incomplete argument "${argv[i]}"`);
  }
  if (!Number.isInteger(args.runs) || args.runs < 1) throw new UsageError('--runs must be a whole number ≥ 1');
  if (args.configs.length > 0 && !args.breakdown) throw new UsageError('--config goes with --breakdown');
  if (args.breakdown && !testsGiven) args.tests = '';
  if (args.configs.length === 0) args.configs.push('');
  return args;
}

async function freePort(): Promise<number> {
  const { default: getPort } = await import('get-port');
  return getPort({ host: '127.0.0.1' });
}

/**
 * One server alone: spawn → first /health with ready: true. While it runs, `during` gets its URL
 * (the reuse-mode run borrows it), then it is stopped.
 */
async function bootAlone(during: (url: string) => Promise<void>): Promise<number> {
  const port = await freePort();
  const env = serverEnvironment(SERVER_PROFILES[0]);
  const t0 = performance.now();
  const child = spawn(VENV_PYTHON, ['-m', 'fakeai', 'server', '--host', '127.0.0.1', '--port', String(port)], { env, stdio: 'ignore' });
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before ready`);
      if ((await probeHealth(url, 1000)).ready) break;
      await new Promise((r) => setTimeout(r, 5));
      if (performance.now() - t0 > 60_000) throw new Error('server not ready within 60 s');
    }
    const bootMs = performance.now() - t0;
    await during(url);
    return bootMs;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** One `npm run e2e` on the smoke tests: wall time and the slowest boot-to-ready globalSetup printed. */
async function e2eRun(tests: string, i: number, reuseUrl?: string): Promise<{ wallMs: number; bootMs: number }> {
  const reportsDir = path.join('reports', 'measure', `run-${i}${reuseUrl ? '-reuse' : ''}`);
  const t0 = performance.now();
  const child = spawn('npm', ['run', '--silent', 'e2e', '--', '--reports-dir', reportsDir, '--', tests], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...(reuseUrl ? { E2E_URL: reuseUrl } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`npm run e2e exited ${code}:\n${output.slice(-3000)}`);
  const boots = [...output.matchAll(/ready in (\d+) ms/g)].map((m) => Number(m[1]));
  if (reuseUrl) return { wallMs, bootMs: 0 };
  if (boots.length === 0) throw new Error(`no "ready in N ms" line in the run's output:\n${output.slice(-2000)}`);
  return { wallMs, bootMs: Math.max(...boots) };
}

/** `npm run e2e -- --help`: npm, tsx and the CLI's argument parsing, nothing else. */
async function launcherOnly(): Promise<number> {
  const t0 = performance.now();
  const child = spawn('npm', ['run', '--silent', 'e2e', '--', '--help'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  await once(child, 'close');
  return performance.now() - t0;
}

function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, max: s[s.length - 1] };
}

function row(label: string, xs: number[]): string {
  const { min, median, max } = stats(xs);
  const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(8);
  return `| ${label.padEnd(44)} | ${f(min)} | ${f(median)} | ${f(max)} |`;
}

function machine(runs: number, what: string, loadBefore: number): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; ${runs} runs, ${what}; 1-min load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after.`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Whole runs, phase by phase, configs interleaved so a slow spell on a shared machine hits all alike. */
async function breakdown(args: Args): Promise<void> {
  const loadBefore = os.loadavg()[0];
  const split = (flags: string) => flags.split(/\s+/).filter(Boolean);
  const runs: HarnessCost[][] = args.configs.map(() => []);
  for (let i = 1; i <= args.runs; i++) {
    for (const [c, flags] of args.configs.entries()) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'measure-harness-'));
      try {
        const cost = await measureHarnessCost(dir, split(flags), args.tests ? [args.tests] : []);
        runs[c].push(cost);
        process.stderr.write(`run ${i}/${args.runs} [${flags || 'defaults'}]: ${cost['total wall time']} ms wall, exit ${cost['e2e exit code']}\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const phases = Object.keys(runs[0][0]).filter((k) => k !== 'e2e exit code');
  const cell = (c: number, phase: string) => {
    const xs = runs[c].map((r) => r[phase]).filter((v): v is number => typeof v === 'number');
    // A row of names (the tests whose window stayed open): every distinct answer, not a median.
    const texts = [...new Set(runs[c].map((r) => r[phase]).filter((v): v is string => typeof v === 'string'))];
    if (xs.length === 0) return texts.length > 0 ? texts.join(' / ') : '—';
    const m = median(xs);
    return phase.includes('at once') ? m.toFixed(2) : `${(m / 1000).toFixed(2)} s`;
  };
  const exits = args.configs.map((_, c) => runs[c].map((r) => r['e2e exit code']).join(' '));
  process.stdout.write(
    [
      '',
      machine(args.runs, `tests ${args.tests ? `"${args.tests}"` : 'all'}; medians`, loadBefore),
      '',
      `| phase | ${args.configs.map((f) => `\`${f || '(defaults)'}\``).join(' | ')} |`,
      `|---|${args.configs.map(() => '---').join('|')}|`,
      ...phases.map((ph) => `| ${ph.startsWith(' ') ? `↳ ${ph.trim()}` : ph} | ${args.configs.map((_, c) => cell(c, ph)).join(' | ')} |`),
      `| exit codes | ${exits.join(' | ')} |`,
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.breakdown) return breakdown(args);
  // A shared machine's load skews every figure: print it with them.
  const loadBefore = os.loadavg()[0];
  const alone: number[] = [];
  const wall: number[] = [];
  const inRun: number[] = [];
  const added: number[] = [];
  const launcher: number[] = [];
  const reuse: number[] = [];
  const lifecycle: number[] = [];
  // Interleaved, so a slow spell on a shared machine hits both measurements alike.
  for (let i = 1; i <= args.runs; i++) {
    alone.push(await bootAlone(async (url) => void reuse.push((await e2eRun(args.tests, i, url)).wallMs)));
    launcher.push(await launcherOnly());
    const r = await e2eRun(args.tests, i);
    wall.push(r.wallMs);
    inRun.push(r.bootMs);
    added.push(r.wallMs - r.bootMs);
    lifecycle.push(r.wallMs - r.bootMs - reuse.at(-1)!);
    process.stderr.write(`run ${i}/${args.runs}: boot alone ${alone.at(-1)!.toFixed(0)} ms, e2e ${r.wallMs.toFixed(0)} ms, in-run boot ${r.bootMs} ms, reuse-mode e2e ${reuse.at(-1)!.toFixed(0)} ms\n`);
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      '',
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; ${args.runs} runs, tests "${args.tests}"; 1-min load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after.`,
      '',
      '| measurement | min | median | max |',
      '|---|---|---|---|',
      row('FakeAI boot → ready, one server alone', alone),
      row('FakeAI boot → ready in the run (slowest profile)', inRun),
      row('`npm run e2e` wall time', wall),
      row('harness adds (wall − in-run boot)', added),
      row('  of which `npm run e2e -- --help` (launcher)', launcher),
      row('`npm run e2e` reusing a running server', reuse),
      row('server lifecycle (wall − boot − reuse wall)', lifecycle),
      '',
    ].join('\n'),
  );
}

main().catch((e: Error) => {
  process.stderr.write(`measure-harness: ${e.message}\n`);
  if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
