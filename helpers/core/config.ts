/**
 * The one reader of user input. Flags (scripts/e2e.ts) become E2E_* variables; this module turns
 * E2E_* variables into a frozen, validated HarnessConfig that setup, tests and reporters share.
 *
 * Two namespaces, kept apart on purpose: E2E_* belongs to this suite and never reaches the server;
 * FAKEAI_* belongs to FakeAI (0.3.2 reads every FAKEAI_* variable as a setting) and is passed to the
 * server untouched.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ALLOWED_EXCEPTIONS, allowanceProblems, type AllowedException } from '../ledger/allowances';
import { newRunId, RUN_FILES, RUN_ID_SYNTAX, runDirOf, serverLogPath } from './run-dir';

/**
 * Default quiet period before a test's part of a server log is scanned. Chosen from measurements
 * (docs/log-attribution.md, "Measured figures"; helpers/__fixtures__/attribution/measure-log-lag.ts).
 */
export const DEFAULT_LOG_QUIET_MS = 25;
export const DEFAULT_KEEP_RUNS = 10;
/**
 * FakeAI answers /health in ~1-5 ms; under two CPU hogs on 2 cores the slowest probe seen was far
 * below a second (docs/reliability.md), so 5 s of silence is a hang, not load.
 */
export const DEFAULT_HANG_AFTER_S = 5;

/** What the exploration may add to a default run (issue: at most 5 s on top of npm run e2e). */
export const DEFAULT_EXPLORE_BUDGET = '5s';

/**
 * --explore-budget: a duration, or zero ("0", "0s") for no generated cases at all; undefined when it
 * is neither. Zero is for timing the rest of the suite: the properties are then skipped, saying so,
 * and the exploration file's fixed part (its reproducers) still runs.
 */
export function parseExploreBudget(text: string): number | undefined {
  if (/^0+(\.0+)?\s*(ms|s|m|h)?$/.test(text.trim())) return 0;
  return parseDuration(text);
}

/** "5s", "2m", "1.5m", "300ms" or plain seconds → ms; undefined when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(m[1]) * unit);
  return ms > 0 ? ms : undefined;
}

/**
 * Test files run at once by default. Much of a file's time is waiting on FakeAI (generation and
 * upload sleeps), not CPU. On 2 cores 3 was the best of 1–4 until the launcher and the per-worker
 * validators cut each worker's and server's CPU; since then 4 is (docs/performance.md, "Four workers").
 */
export const DEFAULT_WORKERS = 4;

/**
 * How a server is started: `preload` forks it from one launcher that imported FakeAI's third-party
 * modules once (helpers/server/launcher.py); `spawn` runs `python -m fakeai server` afresh under
 * the watchdog. Preload falls back to spawn, saying why, when its launcher cannot be used.
 */
export const LAUNCH_MODES = ['preload', 'spawn'] as const;
export type LaunchMode = (typeof LAUNCH_MODES)[number];
/** --log-wait: what ends a test's log window (helpers/logs/server-log.ts waitForQuiet). */
export const LOG_WAITS = ['rest', 'quiet'] as const;
export type LogWait = (typeof LOG_WAITS)[number];

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const VENV_PYTHON = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');

/** One user-settable option: its flag, its variable, and what it does. --help and docs/configuration.md (generated) use this table. */
export interface OptionSpec {
  flag: string;
  /** Name of the value in --help, absent for boolean switches. */
  arg?: string;
  env: string;
  default: string;
  description: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { flag: '--host', arg: 'HOST', env: 'E2E_URL', default: '(spawn a server)', description: 'Test a server that is already running on HOST (with --port); nothing is spawned.' },
  { flag: '--port', arg: 'PORT', env: 'E2E_URL', default: '(spawn a server)', description: 'Port of a running server (host defaults to 127.0.0.1). E2E_URL=http://HOST:PORT is the same.' },
  { flag: '--server-log', arg: 'FILE', env: 'E2E_SERVER_LOG', default: '(not watched)', description: "With --host/--port: tail that server's log file from its current end to catch exceptions." },
  { flag: '--python', arg: 'PATH', env: 'E2E_PYTHON', default: '.venv/bin/python, else python3', description: 'Python interpreter that has fakeai installed (with --fakeai: the interpreter its venv is made from).' },
  { flag: '--fakeai', arg: 'SPEC', env: 'E2E_FAKEAI', default: '(the pinned 0.3.2 in .venv)', description: 'FakeAI build to test: a PyPI version (0.3.1), a source checkout (a directory), a wheel, or anything pip accepts; installed into .venv-builds/<key>/ and cached.' },
  { flag: '--timeout', arg: 'SECONDS', env: 'E2E_STARTUP_TIMEOUT', default: '45', description: 'How long a spawned server may take to answer /health with ready: true.' },
  { flag: '--request-timeout', arg: 'SECONDS', env: 'E2E_REQUEST_TIMEOUT', default: '15', description: 'Per-request timeout; a hanging request fails its test instead of hanging the run.' },
  { flag: '--strict', env: 'E2E_STRICT', default: 'off', description: 'Endpoints the server does not serve fail instead of being skipped with a reason.' },
  { flag: '--quiet', env: 'E2E_QUIET', default: 'off', description: 'Only the final summary and failures.' },
  { flag: '--verbose', env: 'E2E_VERBOSE', default: 'off', description: 'Also echo the server log and request details, and list every served route in the summary.' },
  { flag: '--no-color', env: 'NO_COLOR', default: 'colour on a TTY', description: 'No ANSI colours (also off when NO_COLOR is set or output is not a TTY).' },
  { flag: '--reports-dir', arg: 'DIR', env: 'E2E_REPORTS_DIR', default: 'reports', description: 'Parent of the run directories: each run writes into DIR/runs/<run id>/, and DIR/latest points at the newest.' },
  { flag: '--keep-runs', arg: 'N', env: 'E2E_KEEP_RUNS', default: String(DEFAULT_KEEP_RUNS), description: 'How many run directories to keep under DIR/runs/ (older ones are removed; a run still in progress never is).' },
  { flag: '--json', arg: 'FILE', env: 'E2E_JSON', default: '<run dir>/e2e-report.json', description: 'JSON report path.' },
  { flag: '--junit', arg: 'FILE', env: 'E2E_JUNIT', default: '<run dir>/junit.xml', description: 'JUnit XML report path.' },
  { flag: '--html', arg: 'FILE', env: 'E2E_HTML', default: '<run dir>/e2e-report.html', description: 'Self-contained HTML report path.' },
  { flag: '--hang-after', arg: 'SECONDS', env: 'E2E_HANG_AFTER', default: String(DEFAULT_HANG_AFTER_S), description: 'A spawned server that answers no /health probe for this long is hung: its thread stacks are dumped, it is stopped, and the remaining tests fail at once. 0 turns the watch off (a server paused in a debugger).' },
  { flag: '--shard', arg: 'I/N', env: 'E2E_SHARD', default: '(whole suite)', description: 'Run shard I of N (Jest --shard, balanced by the last run\'s file durations); merge the shards with npm run merge-reports.' },
  { flag: '--seed', arg: 'N', env: 'E2E_SEED', default: '(random, printed)', description: 'Seed for generated inputs; replays a run.' },
  { flag: '--kill-grace', arg: 'MS', env: 'E2E_KILL_GRACE_MS', default: '2000', description: 'Time between SIGTERM and SIGKILL when stopping a server.' },
  { flag: '--route-floor', arg: 'PERCENT', env: 'E2E_ROUTE_FLOOR', default: '100', description: 'Least share of served routes (minus helpers/ledger/route-exclusions.ts) the API tests must exercise.' },
  { flag: '--explore-budget', arg: 'TIME', env: 'E2E_EXPLORE_BUDGET', default: DEFAULT_EXPLORE_BUDGET, description: 'Time the property-based exploration (e2e/explore-requests.test.ts) may spend generating requests: "5s", "2m", "10m" (nightly); 0 skips the two properties (saying so) and keeps the known-defect reproducers.' },
  { flag: '--explore-path', arg: 'PATH', env: 'E2E_EXPLORE_PATH', default: '(none)', description: "Replay one explored case: the fast-check path printed with a failure (use it with that run's --seed)." },
  { flag: '--workers', arg: 'N', env: 'E2E_WORKERS', default: String(DEFAULT_WORKERS), description: 'Test files run at once, each worker with its own servers and logs (1: one file at a time); never more Jest workers than the files selected. A reused server (--host/--port) always runs 1.' },
  { flag: '--launch', arg: 'MODE', env: 'E2E_LAUNCH', default: 'preload', description: 'How servers start: preload (fork each from one launcher that imported FakeAI\'s libraries once; spawn when it cannot) or spawn (a fresh `python -m fakeai server` each).' },
  { flag: '--log-wait', arg: 'MODE', env: 'E2E_LOG_WAIT', default: 'rest', description: "What closes a test's part of a server log: rest (as soon as the server is seen with nothing left to do, read from /proc; else after --log-quiet) or quiet (after --log-quiet always)." },
  { flag: '--log-quiet', arg: 'MS', env: 'E2E_LOG_QUIET_MS', default: String(DEFAULT_LOG_QUIET_MS), description: "After each test, how long a server log must stay still before the test's part of it is scanned for exceptions." },
];

const bool = z
  .string()
  .optional()
  .transform((v) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false');

const seconds = (name: string, dflt: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return dflt * 1000;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} must be a positive number of seconds, got "${v}"` });
        return z.NEVER;
      }
      return Math.round(n * 1000);
    });

const EnvSchema = z.object({
  E2E_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^https?:\/\/[^/]+/.test(v), {
      message: 'E2E_URL must look like http://HOST:PORT',
    }),
  E2E_SERVER_LOG: z.string().optional(),
  E2E_PYTHON: z.string().optional(),
  E2E_FAKEAI: z.string().optional(),
  E2E_STARTUP_TIMEOUT: seconds('E2E_STARTUP_TIMEOUT', 45),
  E2E_REQUEST_TIMEOUT: seconds('E2E_REQUEST_TIMEOUT', 15),
  E2E_STRICT: bool,
  E2E_QUIET: bool,
  E2E_VERBOSE: bool,
  NO_COLOR: z.string().optional(),
  E2E_COLOR: z.string().optional(),
  E2E_REPORTS_DIR: z.string().optional(),
  E2E_RUN_ID: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || RUN_ID_SYNTAX.test(v), { message: 'E2E_RUN_ID must be letters, digits, ".", "_" or "-"' }),
  E2E_KEEP_RUNS: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (/^\d+$/.test(v) && Number(v) >= 1), { message: 'E2E_KEEP_RUNS must be a whole number, at least 1 (the run itself)' }),
  // 0 turns the watch off: a server paused in a debugger must not be killed as hung.
  E2E_HANG_AFTER: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return DEFAULT_HANG_AFTER_S * 1000;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `E2E_HANG_AFTER must be a number of seconds (0 turns the hang watch off), got "${v}"` });
        return z.NEVER;
      }
      return Math.round(n * 1000);
    }),
  E2E_SHARD: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (/^(\d+)\/(\d+)$/.test(v) && Number(v.split('/')[0]) >= 1 && Number(v.split('/')[0]) <= Number(v.split('/')[1])), {
      message: 'E2E_SHARD must be I/N with 1 <= I <= N, e.g. 1/2',
    }),
  E2E_JSON: z.string().optional(),
  E2E_JUNIT: z.string().optional(),
  E2E_HTML: z.string().optional(),
  E2E_SEED: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^\d+$/.test(v), { message: 'E2E_SEED must be a whole number' }),
  E2E_EXPLORE_BUDGET: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || parseExploreBudget(v) !== undefined, { message: 'E2E_EXPLORE_BUDGET must be a duration such as 5s, 90s, 2m or 10m, or 0 for none' }),
  E2E_EXPLORE_PATH: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^([a-z]+\/)?\d+(:\d+)*$/.test(v), { message: 'E2E_EXPLORE_PATH must be a property and fast-check path such as short/12:0:3 (printed with a failure)' }),
  E2E_LOG_QUIET_MS: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (/^\d+$/.test(v) && Number(v) > 0), { message: 'E2E_LOG_QUIET_MS must be a positive whole number of milliseconds' }),
  E2E_ROUTE_FLOOR: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (/^\d+(\.\d+)?$/.test(v) && Number(v) <= 100), { message: 'E2E_ROUTE_FLOOR must be a percentage from 0 to 100' }),
  E2E_WORKERS: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 16), { message: 'E2E_WORKERS must be a whole number from 1 to 16' }),
  E2E_LAUNCH: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (LAUNCH_MODES as readonly string[]).includes(v), { message: `E2E_LAUNCH must be one of ${LAUNCH_MODES.join(', ')}` }),
  E2E_LOG_WAIT: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (LOG_WAITS as readonly string[]).includes(v), { message: `E2E_LOG_WAIT must be one of ${LOG_WAITS.join(', ')}` }),
  E2E_KILL_GRACE_MS: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^\d+$/.test(v), { message: 'E2E_KILL_GRACE_MS must be a whole number of milliseconds' }),
});

/**
 * A server the harness starts. `env` holds FAKEAI_* settings layered over the defaults and the
 * user's own FAKEAI_* variables (the user's win over DEFAULT_FAKEAI_ENV, the profile's win over both).
 */
export interface ServerProfile {
  name: string;
  description: string;
  env: Record<string, string>;
  /**
   * The test files (relative to the project root) that talk to this server. When set, globalSetup
   * starts it only if the run selects one of them: on a small machine every extra FakeAI booting
   * in parallel slows the others. Absent: always started.
   */
  usedBy?: readonly string[];
  /**
   * Set (to the known defect's id) when a test hangs this server on purpose: the hang watch
   * leaves it alone, or it would fail every test after the one that hangs it.
   */
  hangExpected?: string;
}

/**
 * FakeAI settings the harness applies unless the user set the same variable: simulated latency
 * off, so a run costs traffic rather than sleeps. Names are FakeAI 0.3.2's nested settings
 * (fakeai/config/generation.py).
 */
export const DEFAULT_FAKEAI_ENV: Readonly<Record<string, string>> = {
  FAKEAI_GENERATION__TTFT_MS: '0',
  FAKEAI_GENERATION__ITL_MS: '0',
  FAKEAI_GENERATION__RESPONSE_DELAY: '0',
  FAKEAI_GENERATION__RANDOM_DELAY: 'false',
};

export const AUTH_TEST_KEY = 'sk-e2e-test-key-0001';

export const SERVER_PROFILES: readonly ServerProfile[] = [
  { name: 'default', description: 'FakeAI with its defaults, simulated latency off', env: {} },
  {
    name: 'auth',
    description: 'FakeAI requiring an API key',
    env: {
      FAKEAI_AUTH__REQUIRE_API_KEY: 'true',
      FAKEAI_AUTH__API_KEYS: JSON.stringify([AUTH_TEST_KEY]),
    },
    usedBy: ['e2e/auth.test.ts'],
  },
  {
    // GET /metrics/by-model deadlocks FakeAI 0.3.2 for good once a model has been used (known defect
    // by-model-deadlock): that test gets a server of its own so the rest of the suite keeps one.
    name: 'isolated',
    description: 'FakeAI for a known defect that hangs the server; only e2e/metrics-by-model.test.ts talks to it',
    env: {},
    usedBy: ['e2e/metrics-by-model.test.ts'],
    hangExpected: 'by-model-deadlock',
  },
  {
    // A prompt over ~1000 tokens that FakeAI accepts leaves a chain that deep in its KV-cache prefix
    // tree, and GET /kv-cache/metrics recurses down it until RecursionError, for the rest of the
    // server's life (known defect kv-cache-stats-recursion). Tests that send such prompts (0.3.1
    // accepts even an oversize one) get a server of their own, so the others' /kv-cache/metrics keeps working.
    name: 'deep-prompts',
    description: 'FakeAI for the tests that send prompts over ~1000 tokens (bad input, the KV-cache view); they break its /kv-cache/metrics',
    env: {},
    usedBy: ['e2e/bad-input.test.ts', 'e2e/api-metrics.test.ts'],
  },
  {
    // The explorer reads counters before and after each case, so nothing else may talk to its
    // server; and some valid requests poison a server for good (a prompt of ~1000 tokens breaks
    // /kv-cache/metrics: known defect kv-cache-stats-recursion), which must not reach other files.
    name: 'explore',
    description: 'FakeAI for the property-based exploration only (exact counter deltas per case; cases may poison it)',
    env: {},
    usedBy: ['e2e/explore-requests.test.ts'],
  },
  {
    // Streaming latency on, to check FakeAI waits what it is configured to (e2e/timing-fidelity.test.ts
    // reads these numbers back from the server's settings). The jitter is set, not left to FakeAI's
    // default, because the tolerance is derived from it.
    name: 'timing',
    description: 'FakeAI with streaming latency on (TTFT 200 ms, ITL 20 ms, ±10 %) for the timing-fidelity test',
    env: {
      FAKEAI_GENERATION__TTFT_MS: '200',
      FAKEAI_GENERATION__ITL_MS: '20',
      FAKEAI_GENERATION__TTFT_VARIANCE_PERCENT: '10',
      FAKEAI_GENERATION__ITL_VARIANCE_PERCENT: '10',
    },
    usedBy: ['e2e/timing-fidelity.test.ts'],
  },
];


export interface HarnessConfig {
  /** Set when the suite tests a running server instead of spawning its own. */
  reuseUrl: string | undefined;
  /** Log file of a reused server, tailed from its current end. */
  reuseServerLog: string | undefined;
  python: string;
  /** Where python came from, for messages. */
  pythonSource: '--python/E2E_PYTHON' | 'project .venv' | 'python3 on PATH' | '--fakeai';
  /** --fakeai / E2E_FAKEAI: the build to install and test (helpers/server/build-spec.ts); undefined: the interpreter above. */
  fakeaiSpec: string | undefined;
  startupTimeoutMs: number;
  requestTimeoutMs: number;
  killGraceMs: number;
  /** --launch: how servers start (helpers/server/launcher.ts). */
  launch: LaunchMode;
  /** Route coverage floor in percent (helpers/api/route-coverage.ts). */
  routeFloor: number;
  /** Test files run at once (Jest workers), each with its own per-worker servers; 1 with a reused server. */
  workers: number;
  /** Quiet period before a test's log range is scanned (helpers/logs/server-log.ts waitForQuiet). */
  logQuietMs: number;
  /** --log-wait: whether a server seen at rest ends that period early (helpers/server/server-rest.ts). */
  logWait: LogWait;
  strict: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
  /** --reports-dir: the parent of runs/ and latest (helpers/core/run-dir.ts). */
  reportsRoot: string;
  /** Unique per run, fixed by the first loadConfig() (the CLI) through E2E_RUN_ID. */
  runId: string;
  /** This run's own directory: every file the run writes goes here unless a flag names another place. */
  runDir: string;
  keepRuns: number;
  /** Liveness threshold for spawned servers (helpers/server/hang-watch.ts); 0 = not watched. */
  hangAfterMs: number;
  /** Jest's --shard value, "i/n", or undefined for the whole suite. */
  shard: string | undefined;
  serverLogFile: string;
  jsonReport: string;
  junitReport: string;
  htmlReport: string;
  seed: number;
  seedWasGiven: boolean;
  /** Time budget of the exploration in ms (--explore-budget); 0: no generated cases, the properties are skipped with that reason. */
  exploreBudgetMs: number;
  /** A fast-check path to replay (--explore-path), with the run's seed. */
  explorePath: string | undefined;
  profiles: readonly ServerProfile[];
  allowedExceptions: readonly AllowedException[];
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Reads E2E_* (and NO_COLOR) from `env`; throws ConfigError with every problem listed. */
/**
 * The last configuration read from process.env, by what it was read from. Tests call loadConfig()
 * for nearly every request (a timeout, a path), and each call parsed the whole environment with zod
 * and checked every allowance's files on disk (~0.25 ms). Only a run's settled configuration is
 * remembered: its run id and seed fixed (the CLI fixes both), so nothing in it is drawn at random.
 */
let remembered: { key: string; config: Readonly<HarnessConfig> } | undefined;

function rememberKey(env: NodeJS.ProcessEnv, isTTY: boolean, allowedExceptions: readonly AllowedException[]): string | undefined {
  if (env !== process.env || allowedExceptions !== ALLOWED_EXCEPTIONS || !env.E2E_RUN_ID || !env.E2E_SEED) return undefined;
  const read = Object.keys(env)
    .filter((k) => k.startsWith('E2E_') || k === 'NO_COLOR')
    .sort()
    .map((k) => `${k}=${env[k]}`);
  // Relative paths (E2E_SERVER_LOG, E2E_JSON, ...) resolve against the working directory.
  return [String(isTTY), process.cwd(), ...read].join('\0');
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  isTTY = Boolean(process.stdout.isTTY),
  allowedExceptions: readonly AllowedException[] = ALLOWED_EXCEPTIONS,
): Readonly<HarnessConfig> {
  const key = rememberKey(env, isTTY, allowedExceptions);
  if (key !== undefined && remembered?.key === key) return remembered.config;
  const config = readConfig(env, isTTY, allowedExceptions);
  if (key !== undefined) remembered = { key, config };
  return config;
}

function readConfig(env: NodeJS.ProcessEnv, isTTY: boolean, allowedExceptions: readonly AllowedException[]): Readonly<HarnessConfig> {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  // Before anything starts: an allowance for a defect that does not exist would be a dead entry.
  const allowanceLines = allowanceProblems(allowedExceptions, PROJECT_ROOT);
  if (allowanceLines.length > 0) {
    throw new ConfigError(`Invalid ALLOWED_EXCEPTIONS (helpers/ledger/allowances.ts):\n${allowanceLines.map((l) => `  ${l}`).join('\n')}`);
  }
  const e = parsed.data;
  const reportsRoot = path.resolve(PROJECT_ROOT, e.E2E_REPORTS_DIR || 'reports');
  const runId = e.E2E_RUN_ID || newRunId();
  const runDir = runDirOf(reportsRoot, runId);
  const inRun = (p: string | undefined, name: string) => (p ? path.resolve(p) : path.join(runDir, name));

  let python: string;
  let pythonSource: HarnessConfig['pythonSource'];
  if (e.E2E_PYTHON && env.E2E_FAKEAI_BUILD) {
    // The runner installed the --fakeai build and pointed E2E_PYTHON at its venv.
    python = e.E2E_PYTHON;
    pythonSource = '--fakeai';
  } else if (e.E2E_PYTHON) {
    python = e.E2E_PYTHON;
    pythonSource = '--python/E2E_PYTHON';
  } else if (existsSync(VENV_PYTHON)) {
    python = VENV_PYTHON;
    pythonSource = 'project .venv';
  } else {
    python = 'python3';
    pythonSource = 'python3 on PATH';
  }

  const seedWasGiven = Boolean(e.E2E_SEED);
  const seed = seedWasGiven ? Number(e.E2E_SEED) : Math.floor(Math.random() * 2 ** 31);

  // Colour: explicit E2E_COLOR=0/1 (set by --no-color or the CLI) wins, then NO_COLOR, then TTY.
  let color = isTTY;
  if (e.NO_COLOR !== undefined && e.NO_COLOR !== '') color = false;
  if (e.E2E_COLOR === '0') color = false;
  if (e.E2E_COLOR === '1') color = true;

  return Object.freeze({
    reuseUrl: e.E2E_URL ? e.E2E_URL.replace(/\/+$/, '') : undefined,
    reuseServerLog: e.E2E_SERVER_LOG ? path.resolve(e.E2E_SERVER_LOG) : undefined,
    python,
    pythonSource,
    fakeaiSpec: e.E2E_FAKEAI || undefined,
    startupTimeoutMs: e.E2E_STARTUP_TIMEOUT,
    requestTimeoutMs: e.E2E_REQUEST_TIMEOUT,
    killGraceMs: e.E2E_KILL_GRACE_MS ? Number(e.E2E_KILL_GRACE_MS) : 2000,
    launch: (e.E2E_LAUNCH || 'preload') as LaunchMode,
    routeFloor: e.E2E_ROUTE_FLOOR ? Number(e.E2E_ROUTE_FLOOR) : 100,
    // A reused server is one server: concurrent files would share its log, and attribution with it.
    workers: e.E2E_URL ? 1 : e.E2E_WORKERS ? Number(e.E2E_WORKERS) : DEFAULT_WORKERS,
    logQuietMs: e.E2E_LOG_QUIET_MS ? Number(e.E2E_LOG_QUIET_MS) : DEFAULT_LOG_QUIET_MS,
    logWait: (e.E2E_LOG_WAIT || 'rest') as LogWait,
    strict: e.E2E_STRICT,
    quiet: e.E2E_QUIET,
    verbose: e.E2E_VERBOSE,
    color,
    reportsRoot,
    runId,
    runDir,
    keepRuns: e.E2E_KEEP_RUNS ? Number(e.E2E_KEEP_RUNS) : DEFAULT_KEEP_RUNS,
    hangAfterMs: e.E2E_HANG_AFTER,
    shard: e.E2E_SHARD || undefined,
    serverLogFile: serverLogPath(runDir, 'default'),
    jsonReport: inRun(e.E2E_JSON, RUN_FILES.json),
    junitReport: inRun(e.E2E_JUNIT, RUN_FILES.junit),
    htmlReport: inRun(e.E2E_HTML, RUN_FILES.html),
    seed,
    seedWasGiven,
    exploreBudgetMs: parseExploreBudget(e.E2E_EXPLORE_BUDGET || DEFAULT_EXPLORE_BUDGET)!,
    explorePath: e.E2E_EXPLORE_PATH || undefined,
    profiles: SERVER_PROFILES,
    allowedExceptions,
  });
}

/**
 * The environment a spawned FakeAI gets: the runner's environment without any E2E_* variable,
 * harness defaults for FAKEAI_* the user did not set, then the profile's own settings.
 */
export function serverEnvironment(profile: ServerProfile, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || k.startsWith('E2E_')) continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(DEFAULT_FAKEAI_ENV)) {
    if (!Object.keys(env).some((u) => u.toUpperCase() === k)) out[k] = v;
  }
  Object.assign(out, profile.env);
  out.PYTHONUNBUFFERED = '1';
  return out;
}
