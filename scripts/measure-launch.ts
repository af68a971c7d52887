/**
 * Spawn against preload: the servers of a full run (3 worker slots, so 8 FakeAI) started at once,
 * time until the last is ready, and the CPU the whole start cost (runner, watchdogs or launcher,
 * servers). The modes alternate, each round in a fresh process: the launcher's preload is counted,
 * and load from other work on the machine falls on both alike. Prints each round and the medians.
 *
 * Usage: npx tsx scripts/measure-launch.ts [--rounds N] [--slots N] [--requests N] [--against DIR]
 *   --requests N  after ready, N chat completions to each server, and the servers' CPU for them
 *   --against DIR preload here against preload in another checkout (e.g. /work/main): each round
 *                 also runs DIR/scripts/measure-launch.ts's own child, so DIR's launcher is measured
 *                 with DIR's code, and nothing in DIR is written but its preload cache
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LaunchMode, SERVER_PROFILES, serverEnvironment, VENV_PYTHON } from '../helpers/core/config';
import { planServers } from '../helpers/jest/global-setup';
import { startFakeAI, type StartedFakeAI } from '../helpers/server/fakeai-server';
import { closeLaunchers } from '../helpers/server/launcher';

/** utime + stime of one process, from /proc (0 when it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function child(mode: LaunchMode, slots: number, requests: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-measure-launch-'));
  const t0 = performance.now();
  const servers: StartedFakeAI[] = await Promise.all(
    planServers(SERVER_PROFILES, slots).map((plan) => {
      const logFile = path.join(dir, `${plan.name}.log`);
      writeFileSync(logFile, '');
      return startFakeAI({ name: plan.name, python: VENV_PYTHON, env: serverEnvironment(plan.profile), logFile, startupTimeoutMs: 60_000, killGraceMs: 2000, launch: mode });
    }),
  );
  const allReadyMs = performance.now() - t0;
  // The servers' own CPU at ready, and after the same requests to each: does a forked server serve as cheaply?
  const serverCpu = () => servers.reduce((sum, s) => sum + cpuSeconds(s.pid), 0);
  const cpuAtReady = serverCpu();
  for (const s of servers) {
    for (let k = 0; k < requests; k++) {
      await fetch(`${s.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-e2e-test-key-0001' },
        body: JSON.stringify({ model: 'openai/gpt-oss-120b', messages: [{ role: 'user', content: `hello ${k}` }], max_tokens: 20 }),
      }).then((r) => r.text());
    }
  }
  const cpuAfterRequests = serverCpu();
  const launches = [...new Set(servers.map((s) => `${s.launch}${s.ownPreload?.modules ? ` +${s.ownPreload.modules} own` : ''}`))].join(',');
  await Promise.all(servers.map((s) => s.stop()));
  // Waited for, so this process reaps the launcher and /usr/bin/time counts its CPU and its forks'.
  await closeLaunchers();
  process.stdout.write(`${JSON.stringify({ servers: servers.length, allReadyMs: Math.round(allReadyMs), launches, serversCpuAtReady: cpuAtReady, serversCpuForRequests: cpuAfterRequests - cpuAtReady })}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    void child(argv[1] as LaunchMode, Number(argv[2]), Number(argv[3]));
    return;
  }
  const opt = (name: string, dflt: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
  const rounds = opt('--rounds', 5);
  const slots = opt('--slots', 3);
  const requests = opt('--requests', 0);
  const against = argv.includes('--against') ? path.resolve(argv[argv.indexOf('--against') + 1]) : undefined;
  // A variant: its label, the script whose child runs it (its own checkout's code), the mode.
  const variants: { label: string; script: string; cwd: string; mode: LaunchMode }[] = against
    ? [
        { label: 'preload', script: __filename, cwd: process.cwd(), mode: 'preload' },
        { label: `preload@${path.basename(against)}`, script: path.join(against, 'scripts', 'measure-launch.ts'), cwd: against, mode: 'preload' },
      ]
    : (['spawn', 'preload'] as const).map((mode) => ({ label: mode, script: __filename, cwd: process.cwd(), mode }));
  const results = Object.fromEntries(variants.map((v) => [v.label, { readyMs: [] as number[], cpuS: [] as number[], serverCpuS: [] as number[], servers: 0 }]));
  process.stdout.write(`${new Date().toISOString()} · load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} · ${os.cpus().length} cores\n`);
  for (let i = 1; i <= rounds; i++) {
    // Alternate which variant goes first, so neither always runs right after the other.
    const order = i % 2 ? variants : [...variants].reverse();
    for (const { label, script, cwd, mode } of order) {
      const run = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, '--import', 'tsx', script, '--child', mode, String(slots), String(requests)], { encoding: 'utf8', cwd });
      const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(run.stderr);
      if (run.status !== 0 || !cpu) throw new Error(`round ${i} ${label} failed (${run.status}):\n${run.stderr.slice(-2000)}`);
      const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as { servers: number; allReadyMs: number; launches: string; serversCpuAtReady: number; serversCpuForRequests: number };
      const cpuS = Number(cpu[1]) + Number(cpu[2]);
      results[label].readyMs.push(r.allReadyMs);
      results[label].cpuS.push(cpuS);
      results[label].serverCpuS.push(r.serversCpuAtReady);
      results[label].servers = r.servers;
      const perFork = r.serversCpuAtReady / r.servers;
      process.stdout.write(`round ${i} ${label.padEnd(12)} ${r.servers} servers ready in ${r.allReadyMs} ms, CPU ${cpuS.toFixed(2)} s (servers ${r.serversCpuAtReady.toFixed(2)} s at ready, ${perFork.toFixed(3)} s each${requests ? `, +${r.serversCpuForRequests.toFixed(2)} s for ${requests} requests each` : ''}) (${r.launches}) · load ${os.loadavg()[0].toFixed(2)}\n`);
    }
  }
  for (const { label } of variants) {
    const m = results[label];
    process.stdout.write(`${label.padEnd(12)} median all-ready ${median(m.readyMs)} ms, CPU ${median(m.cpuS).toFixed(2)} s, servers at ready ${median(m.serverCpuS).toFixed(2)} s (${(median(m.serverCpuS) / m.servers).toFixed(3)} s per server), over ${rounds} rounds\n`);
  }
}

main();
