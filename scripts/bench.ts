/**
 * `npm run bench`: latency, timing fidelity, load, server memory/CPU and (optionally) harness cost of
 * FakeAI, written as a versioned JSON result plus an HTML report, compared against --baseline.
 * Servers are started through the harness's own lifecycle (helpers/server/fakeai-server.ts) and always
 * stopped in `finally`; their watchdog takes them down even if this process is killed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, serverEnvironment } from '../helpers/core/config';
import { parseCliArgs, UsageError } from '../helpers/core/cli-args';
import { isHarnessError } from '../helpers/core/errors';
import { startFakeAI, type StartedFakeAI } from '../helpers/server/fakeai-server';
import { fakeaiVersionLabel } from '../helpers/server/server-version';
import { runFidelity, type TimingServer } from '../helpers/bench/fidelity-scenario';
import { measureHarnessCost } from '../helpers/bench/harness-cost';
import { renderHtml } from '../helpers/bench/html-report';
import { runLatency } from '../helpers/bench/latency-scenario';
import { runLoad } from '../helpers/bench/load-scenario';
import { runMemoryRounds } from '../helpers/bench/memory-scenario';
import { BENCH_OPTIONS, benchSettings, benchUsage } from '../helpers/bench/options';
import { startSampler } from '../helpers/bench/proc-stats';
import { compareRuns, type MetricSamples } from '../helpers/bench/regression';
import { type BenchResult, machineFacts, readBaseline, RESULT_SCHEMA, RESULT_VERSION } from '../helpers/bench/result';
import { renderText } from '../helpers/bench/text-report';
import { PLANS } from '../helpers/bench/plans';

/** Timing settings of the servers the bench starts; the first (all zero) also carries latency/load/memory. */
const TIMING_SERVERS = [
  { ttftMs: 0, itlMs: 0 },
  { ttftMs: 50, itlMs: 5 },
  { ttftMs: 200, itlMs: 20 },
];

function timingEnv(t: { ttftMs: number; itlMs: number }): Record<string, string> {
  return {
    FAKEAI_GENERATION__TTFT_MS: String(t.ttftMs),
    FAKEAI_GENERATION__ITL_MS: String(t.itlMs),
    FAKEAI_GENERATION__TTFT_VARIANCE_PERCENT: '10',
    FAKEAI_GENERATION__ITL_VARIANCE_PERCENT: '10',
  };
}

async function pythonVersion(python: string): Promise<string | null> {
  const { execa } = await import('execa');
  const r = await execa(python, ['-c', 'import platform; print(platform.python_version())'], { reject: false, timeout: 20_000 });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseCliArgs(process.argv.slice(2), BENCH_OPTIONS);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\nRun "npm run bench -- --help" for the flags.\n`);
      return 2;
    }
    throw e;
  }
  if (parsed.help) {
    process.stdout.write(`${benchUsage()}\n`);
    return 0;
  }
  Object.assign(process.env, parsed.env);
  const config = loadConfig();
  const startedAt = new Date();
  const settings = benchSettings(process.env, startedAt);
  const plan = settings.quick ? PLANS.quick : PLANS.full;
  // Read the baseline first: a bad --baseline should fail in a second, not after the whole run.
  const base = settings.baseline ? readBaseline(settings.baseline) : undefined;
  const paint = (s: string, tone: 'bad' | 'good' | 'dim') =>
    config.color ? `\x1b[${tone === 'bad' ? '31' : tone === 'good' ? '32' : '2'}m${s}\x1b[0m` : s;
  const t0 = performance.now();
  const tty = Boolean(process.stderr.isTTY);
  const progress = (msg: string) => {
    const line = `[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}`;
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  const loadAvgStart = os.loadavg()[0];
  const benchDir = path.join(config.reportsRoot, 'bench');
  mkdirSync(benchDir, { recursive: true });

  const started: StartedFakeAI[] = [];
  const stopAll = () => Promise.all(started.map((s) => s.stop()));
  const onSignal = () => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const notes: string[] = [];
  const findings: string[] = [];
  const metrics: MetricSamples[] = [];
  let result: BenchResult;
  try {
    let mainUrl: string;
    let mainServer: StartedFakeAI | undefined;
    let timingServers: TimingServer[] = [];
    if (config.reuseUrl) {
      mainUrl = config.reuseUrl;
      notes.push(`--host/--port: measured the running server at ${mainUrl}; timing fidelity (needs servers with known settings) and server memory/CPU (needs its PID) were skipped.`);
    } else {
      progress(`starting ${TIMING_SERVERS.length} FakeAI servers`);
      // Started one after another: on two shared cores, parallel Python imports only slow each other.
      for (const t of TIMING_SERVERS) {
        const name = `bench-ttft${t.ttftMs}-itl${t.itlMs}`;
        const s = await startFakeAI({
          name, python: config.python, env: serverEnvironment({ name, description: 'bench timing server', env: timingEnv(t) }),
          logFile: path.join(benchDir, `${name}.log`), startupTimeoutMs: config.startupTimeoutMs, killGraceMs: config.killGraceMs,
        });
        started.push(s);
        timingServers.push({ ...t, baseUrl: s.baseUrl });
      }
      mainServer = started[0];
      mainUrl = mainServer.baseUrl;
    }
    const sampler = mainServer ? startSampler(mainServer.pid, plan.rssSampleMs, Date.now()) : undefined;

    const latency = await runLatency(mainUrl, plan.latency, progress);
    metrics.push(...latency.metrics);
    for (const l of latency.results) if (l.errors) findings.push(`latency ${l.model} ${l.mode}: ${l.errors}/${l.requests} requests failed (${l.firstError})`);

    let fidelity = null;
    if (timingServers.length) {
      const f = await runFidelity(timingServers, mainUrl, plan.fidelity, progress);
      fidelity = f.result;
      metrics.push(...f.metrics);
      findings.push(...f.result.findings);
    }

    const load = await runLoad(mainUrl, plan.load, progress);
    metrics.push(...load.metrics);
    for (const l of load.result.levels) if (l.errors) findings.push(`load concurrency ${l.concurrency}: ${l.errors}/${l.requests} errors`);

    const memory = mainServer ? await runMemoryRounds(mainUrl, mainServer.pid, plan.memory, progress) : null;
    for (const sr of memory?.series ?? []) if (sr.verdict.verdict === 'growing') findings.push(`server memory with ${sr.prompts} prompts: ${sr.verdict.reason}`);
    sampler?.sampleNow();
    sampler?.stop();

    progress('stopping servers');
    await stopAll();
    started.length = 0;

    let harness = null;
    if (settings.harnessCost) {
      progress('timing one npm run e2e');
      harness = await measureHarnessCost(benchDir);
    } else {
      notes.push('harness cost not measured (add --harness-cost to time one npm run e2e phase by phase)');
    }

    const fakeaiVersion = mainServer?.fakeaiVersion ?? null;
    result = {
      schema: RESULT_SCHEMA, version: RESULT_VERSION, startedAt: startedAt.toISOString(), durationMs: performance.now() - t0,
      mode: settings.quick ? 'quick' : 'full',
      machine: machineFacts(await pythonVersion(config.python), fakeaiVersion, loadAvgStart),
      target: { spawned: Boolean(mainServer), baseUrl: mainUrl, bootToReadyMs: mainServer?.bootToReadyMs ?? null },
      latency: latency.results, fidelity, load: load.result, memory, rssTimeline: sampler?.samples ?? [], harness, metrics,
      comparison: null, findings, notes,
    };
    if (fakeaiVersion === null) notes.push(`FakeAI version ${fakeaiVersionLabel({ spawned: Boolean(mainServer), fakeaiVersion })}`);
    if (result.machine.loadAvgStart > result.machine.cores * 0.7) {
      notes.push(`the machine was busy (load average ${result.machine.loadAvgStart.toFixed(2)} on ${result.machine.cores} cores): figures are noisier than on an idle machine`);
    }
  } finally {
    process.stderr.write(tty ? '\n' : '');
    await stopAll();
  }

  if (settings.baseline && base) {
    const cmp = compareRuns(base.metrics, result.metrics);
    result.comparison = { baselineFile: settings.baseline, baselineStartedAt: base.startedAt, ...cmp };
    for (const c of cmp.comparisons) if (c.verdict === 'regression') findings.push(`regression ${c.key}: ${c.reason}`);
    // The rule's noise comes from repeats within each run; a different machine load between the two
    // runs is noise it cannot see, so say when the runs were made under visibly different load.
    const cores = result.machine.cores;
    if (base.loadAvg !== null && Math.abs(base.loadAvg - result.machine.loadAvgStart) > 0.5 * cores) {
      result.notes.push(`baseline ran at load average ${base.loadAvg.toFixed(2)}, this run at ${result.machine.loadAvgStart.toFixed(2)} (${cores} cores): differences may be the machine, not FakeAI`);
    }
  }

  for (const file of [settings.out, settings.latestOut]) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  }
  mkdirSync(path.dirname(settings.html), { recursive: true });
  writeFileSync(settings.html, renderHtml(result));
  process.stdout.write(`${renderText(result, paint)}\n\nresult: ${settings.out}\nlatest: ${settings.latestOut}\nreport: ${settings.html}\n`);
  return settings.failOnRegression && (result.comparison?.regressions ?? 0) > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`\n${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(isHarnessError(e) || (e instanceof Error && e.message.startsWith('--baseline')) ? 2 : 1);
  },
);
