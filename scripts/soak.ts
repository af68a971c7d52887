/**
 * `npm run soak -- [--runs N] [--deadline SECONDS] [--hog] [-- e2e flags]`: the suite N times in a
 * row (default 20), each as `npm run e2e` would run it, then per-test flake counts and the spread
 * of the run times. Bounded: no run starts once the deadline cannot fit another one (judged by the
 * slowest run so far), and a run still going at the deadline is stopped (SIGTERM: the runner stops
 * its servers). --hog adds one busy-loop process per CPU beside the runs, killed at the end
 * whatever happens; each also exits by itself once this process is gone.
 *
 * Exit codes: 0 every run passed, 1 a run failed (flaky or broken tests listed), 2 usage error.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../helpers/core/config';
import { newRunId, runDirOf, RUN_FILES } from '../helpers/core/run-dir';
import { renderSoak, type SoakRun, summariseSoak } from '../helpers/reporting/soak';

const USAGE = `Usage: npm run soak -- [--runs N] [--deadline SECONDS] [--hog] [-- e2e flags]

Runs the e2e suite N times in a row (default 20) and prints per-test flake counts and the
spread of the run times. --deadline bounds the whole soak (default 120 s per run). --hog runs one
busy-loop process per CPU beside it. Anything after "--" goes to each npm run e2e.`;

/** A whole run takes ~40 s alone here; three times that per run before the deadline stops the soak. */
const DEFAULT_S_PER_RUN = 120;

/** A busy loop that checks every ~10^7 turns whether its parent is still there. */
const HOG = `const p = Number(process.argv[1]); let i = 0;
for (;;) { if (++i % 1e7 === 0) { if (process.ppid !== p) process.exit(0); try { process.kill(p, 0); } catch { process.exit(0); } } }`;

interface Options {
  runs: number;
  deadlineMs: number;
  hog: boolean;
  e2eArgs: string[];
}

function parse(argv: string[]): Options | string {
  const sep = argv.indexOf('--');
  const own = sep === -1 ? argv : argv.slice(0, sep);
  const e2eArgs = sep === -1 ? [] : argv.slice(sep + 1);
  let runs = 20;
  let deadlineS: number | undefined;
  let hog = false;
  for (let i = 0; i < own.length; i++) {
    const [flag, inline] = own[i].split('=');
    const value = () => inline ?? own[++i];
    if (flag === '--runs') runs = Number(value());
    else if (flag === '--deadline') deadlineS = Number(value());
    else if (flag === '--hog') hog = true;
    else if (flag === '--help' || flag === '-h') return USAGE;
    else return `Unknown flag "${flag}".\n\n${USAGE}`;
  }
  if (!Number.isInteger(runs) || runs < 1) return `--runs must be a whole number, at least 1.\n\n${USAGE}`;
  if (deadlineS !== undefined && !(deadlineS > 0)) return `--deadline must be a positive number of seconds.\n\n${USAGE}`;
  return { runs, deadlineMs: (deadlineS ?? runs * DEFAULT_S_PER_RUN) * 1000, hog, e2eArgs };
}

function startHogs(): ChildProcess[] {
  return os.cpus().map(() => spawn(process.execPath, ['-e', HOG, String(process.pid)], { stdio: 'ignore' }));
}

/** The e2e run in progress, for the signal handler: it must not outlive the soak. */
let current: ChildProcess | undefined;

function runOnce(index: number, args: string[], reportsRoot: string, remainingMs: number): Promise<SoakRun> {
  const runId = `${newRunId()}-soak${index}`;
  const t0 = Date.now();
  const child = spawn(process.execPath, ['-r', path.join(PROJECT_ROOT, 'scripts', 'register.js'), path.join(PROJECT_ROOT, 'scripts', 'e2e.ts'), '--quiet', '--no-color', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, E2E_RUN_ID: runId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  current = child;
  let tail = '';
  const keep = (c: Buffer) => (tail = (tail + c.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGTERM'), remainingMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      const json = path.join(runDirOf(reportsRoot, runId), RUN_FILES.json);
      let tests: Record<string, string> = {};
      let verdictLine = tail.trim().split('\n').slice(-3).join(' | ');
      if (existsSync(json)) {
        const report = JSON.parse(readFileSync(json, 'utf8')) as { verdictLine: string; tests: { file: string; name: string; status: string }[] };
        tests = Object.fromEntries(report.tests.map((t) => [`${t.file} › ${t.name}`, t.status]));
        verdictLine = report.verdictLine;
      }
      resolve({ index, exitCode: code, wallMs: Date.now() - t0, tests, verdictLine });
    }),
  );
}

async function main(argv: string[]): Promise<number> {
  const opts = parse(argv);
  if (typeof opts === 'string') {
    process.stderr.write(`${opts}\n`);
    return opts === USAGE ? 0 : 2;
  }
  // Where the runs' reports land, as the runs will compute it (their flags may move it).
  const reportsDirFlag = opts.e2eArgs.findIndex((a) => a === '--reports-dir' || a.startsWith('--reports-dir='));
  const reportsRoot = reportsDirFlag === -1 ? loadConfig().reportsRoot : path.resolve(PROJECT_ROOT, opts.e2eArgs[reportsDirFlag].split('=')[1] ?? opts.e2eArgs[reportsDirFlag + 1]);
  const hogs = opts.hog ? startHogs() : [];
  const killHogs = () => hogs.forEach((h) => h.exitCode === null && h.signalCode === null && h.kill('SIGKILL'));
  process.on('exit', killHogs);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killHogs();
      // The run stops its own servers on SIGTERM; the soak waits for that, then goes.
      if (current && current.exitCode === null && current.signalCode === null) {
        current.once('close', () => process.exit(130));
        current.kill('SIGTERM');
      } else process.exit(130);
    });
  }
  const deadline = Date.now() + opts.deadlineMs;
  const runs: SoakRun[] = [];
  let stoppedEarly: string | null = null;
  try {
    for (let i = 1; i <= opts.runs; i++) {
      const slowest = Math.max(0, ...runs.map((r) => r.wallMs));
      const remaining = deadline - Date.now();
      if (remaining <= slowest) {
        stoppedEarly = `the --deadline (${opts.deadlineMs / 1000} s) left ${Math.round(remaining / 1000)} s, less than the slowest run (${Math.round(slowest / 1000)} s), before run ${i} of ${opts.runs}`;
        break;
      }
      const r = await runOnce(i, opts.e2eArgs, reportsRoot, remaining);
      runs.push(r);
      process.stderr.write(`[soak ${i}/${opts.runs}] exit ${r.exitCode} in ${(r.wallMs / 1000).toFixed(1)} s · ${r.verdictLine}\n`);
    }
  } finally {
    killHogs();
  }
  const summary = summariseSoak(runs);
  process.stdout.write(renderSoak(summary, { hog: opts.hog, stoppedEarly, date: new Date().toISOString() }));
  return summary.failedRuns > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`soak: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
