/**
 * `npm run bench` flags. The shared ones (--host, --port, --python, --timeout, --kill-grace,
 * --no-color) come from config.ts's OPTIONS table so they mean the same as for `npm run e2e`;
 * the bench's own are declared here, each with an E2E_BENCH_* variable, and parsed by the same
 * parseCliArgs().
 */
import path from 'node:path';
import { OPTIONS, type OptionSpec, PROJECT_ROOT } from '../core/config';

const SHARED = new Set(['--host', '--port', '--python', '--timeout', '--kill-grace', '--no-color']);

export const BENCH_OPTIONS: readonly OptionSpec[] = [
  ...OPTIONS.filter((o) => SHARED.has(o.flag)),
  { flag: '--quick', env: 'E2E_BENCH_QUICK', default: 'off', description: 'Fewer samples and shorter levels: under a minute (the CI setting).' },
  { flag: '--out', arg: 'FILE', env: 'E2E_BENCH_OUT', default: 'reports/bench-<timestamp>.json', description: 'Result JSON path; reports/bench-latest.json is always written too.' },
  { flag: '--html', arg: 'FILE', env: 'E2E_BENCH_HTML', default: 'reports/bench-report.html', description: 'Self-contained HTML bench report path.' },
  { flag: '--baseline', arg: 'FILE', env: 'E2E_BENCH_BASELINE', default: '(no comparison)', description: 'An earlier result JSON to compare against (medians of repeats, spread-aware).' },
  { flag: '--fail-on-regression', env: 'E2E_BENCH_FAIL_ON_REGRESSION', default: 'off', description: 'Exit 1 when --baseline finds a regression.' },
  { flag: '--harness-cost', env: 'E2E_BENCH_HARNESS_COST', default: 'off', description: 'Also time one `npm run e2e` phase by phase (adds its run time).' },
];

export interface BenchSettings {
  quick: boolean;
  out: string;
  latestOut: string;
  html: string;
  baseline: string | undefined;
  failOnRegression: boolean;
  harnessCost: boolean;
}

const on = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

export function benchSettings(env: NodeJS.ProcessEnv, now: Date): BenchSettings {
  const reports = path.join(PROJECT_ROOT, 'reports');
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return {
    quick: on(env.E2E_BENCH_QUICK),
    out: env.E2E_BENCH_OUT ? path.resolve(env.E2E_BENCH_OUT) : path.join(reports, `bench-${stamp}.json`),
    latestOut: path.join(reports, 'bench-latest.json'),
    html: env.E2E_BENCH_HTML ? path.resolve(env.E2E_BENCH_HTML) : path.join(reports, 'bench-report.html'),
    baseline: env.E2E_BENCH_BASELINE ? path.resolve(env.E2E_BENCH_BASELINE) : undefined,
    failOnRegression: on(env.E2E_BENCH_FAIL_ON_REGRESSION),
    harnessCost: on(env.E2E_BENCH_HARNESS_COST),
  };
}

export function benchUsage(): string {
  const rows = BENCH_OPTIONS.map((o) => ({ left: o.arg ? `${o.flag} ${o.arg}` : o.flag, o }));
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  const lines = [
    'Usage: npm run bench -- [flags]',
    '',
    'Measures FakeAI: latency per model and mode, timing fidelity (TTFT/ITL configured vs measured),',
    'load at several concurrency levels, server memory and CPU. Writes a JSON result and an HTML report.',
    '',
  ];
  for (const { left, o } of rows) {
    lines.push(`  ${left.padEnd(width)}${o.description}`, `  ${''.padEnd(width)}env ${o.env}; default ${o.default}`);
  }
  lines.push(`  ${'--help, -h'.padEnd(width)}Show this help.`, '',
    'Exit codes: 0 done (findings are reported, not fatal); 1 regression with --fail-on-regression;',
    '            2 usage or setup error.');
  return lines.join('\n');
}
