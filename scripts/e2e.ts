/**
 * `npm run e2e -- [flags] [-- jest args]`: flags → E2E_* env → loadConfig() → Jest's runCLI,
 * in-process, with the e2e project, --workers Jest workers, our sequencer and our reporters. Exit codes CI can trust:
 * 0 every test passed, 1 a test failed (or the server logged an unexpected exception),
 * 2 usage or setup error (no test result to speak of).
 *
 * In-process rather than a child `jest`: a globalSetup error reaches us as the very object that
 * was thrown, code field included, instead of a exit status 1 that looks like a test failure.
 *
 * Run by plain node with scripts/register.js (`npm run e2e`), which only compiles .ts files (esbuild,
 * cached on disk) and leaves module resolution alone. Not under tsx: its resolver hooks break the ESM-only packages
 * (execa → unicorn-magic, "No exports main defined") that globalSetup imports inside Jest, so the
 * script refuses tsx up front rather than report a confusing SETUP_FAILED.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError, loadConfig, PROJECT_ROOT, SERVER_PROFILES, serverEnvironment, type HarnessConfig } from '../helpers/core/config';
import { startLauncherEarly } from '../helpers/server/launcher';
import { parseCliArgs, usage, UsageError, type ParsedArgs } from '../helpers/core/cli-args';
import { isHarnessError } from '../helpers/core/errors';
import { ancestors, launcherChain, watchLaunchers } from '../helpers/server/launcher-watch';
import { parseBuildSpec } from '../helpers/server/build-spec';
import { BUILD_HINT_VAR, checkBuildImports, ensureBuild, hintFor } from '../helpers/server/build-install';
import { palette, stripAnsi } from '../helpers/reporting/colours';
import type { FinaliseInput } from '../helpers/reporting/finalise';
import { finishRun } from '../helpers/core/run-dir';
import { projectJestConfigJson } from './lib/jest-config-inline';
import { type JestArgvSelection, jestWorkerOptions, type JestWorkerOptions, type TestPathPatternsClass } from '../helpers/core/test-selection';

const REPORTER = path.join(PROJECT_ROOT, 'helpers', 'jest', 'reporter.ts');
const SEQUENCER = path.join(PROJECT_ROOT, 'helpers', 'jest', 'sequencer.ts');
const HOOK_PREFIX = /^Jest: Got error running global(Setup|Teardown) - .*?, reason: /s;

function out(s: string): void {
  process.stdout.write(`${s}\n`);
}
function err(s: string): void {
  process.stderr.write(`${s}\n`);
}

function parse(argv: string[]): ParsedArgs | number {
  try {
    const parsed = parseCliArgs(argv);
    if (parsed.help) {
      out(usage());
      return 0;
    }
    return parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${usage()}`);
    return 2;
  }
}

function configure(parsed: ParsedArgs): HarnessConfig | number {
  Object.assign(process.env, parsed.env);
  let config: HarnessConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`${e.message}\nRun "npm run e2e -- --help" for the flags and their variables.`);
    return 2;
  }
  // Fix the decisions loadConfig made, so globalSetup, the tests and the reporter (each calling
  // loadConfig again) agree: one seed, one colour choice.
  process.env.E2E_SEED = String(config.seed);
  process.env.E2E_RUN_ID = config.runId;
  process.env.E2E_COLOR = config.color ? '1' : '0';
  if (!config.color) silenceJestColours();
  return config;
}

/**
 * Keeps Jest's own output (failure diffs, "Running one project") free of escape codes. FORCE_COLOR=0
 * reaches child processes; in this process it may come too late: supports-color reads FORCE_COLOR
 * once, when first loaded, and anything loaded before configure() ran (with esbuild-register as
 * the loader, its `debug` dependency did) fixes the level. Jest's chalk shares that module, so its
 * level is set directly.
 */
function silenceJestColours(): void {
  process.env.FORCE_COLOR = '0';
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('chalk') as { level: number }).level = 0;
  } catch {
    // No chalk: then nothing of Jest's colours its output either.
  }
}

function banner(config: HarnessConfig): void {
  if (config.quiet) return;
  const p = palette(config.color);
  const target = config.reuseUrl
    ? `testing the running server at ${config.reuseUrl}`
    : config.fakeaiSpec
      ? `starting FakeAI build "${config.fakeaiSpec}" with ${path.relative(process.cwd(), config.python)}`
      : `starting FakeAI with ${config.python} (${config.pythonSource})`;
  const rel = path.relative(process.cwd(), config.runDir);
  out(p.bold('fakeai-e2e') + ` · ${target}${config.shard ? ` · shard ${config.shard}` : ''}`);
  out(`seed ${config.seed}${config.seedWasGiven ? '' : ` (replay with --seed ${config.seed})`} · reports in ${rel.startsWith('..') || path.isAbsolute(rel) ? config.runDir : rel || '.'}`);
}

/** The one paragraph a hook error deserves: its message, without Jest's prefix or our stack. */
function hookMessage(e: unknown, stackIfUnknown = true): string {
  const msg = e instanceof Error ? e.message : String(e);
  const clean = msg.replace(HOOK_PREFIX, '');
  // A harness error is a known situation, fully described by its message; anything else is a bug
  // in a hook and its stack is the useful part.
  return !stackIfUnknown || isHarnessError(e) || !(e instanceof Error) || !e.stack ? clean : `${clean}\n${e.stack.split('\n').slice(1, 8).join('\n')}`;
}

async function runJest(config: HarnessConfig, jestArgs: string[]): Promise<Omit<FinaliseInput, 'config' | 'startedAt'> | number> {
  // Required only now: FORCE_COLOR must be set before Jest's chalk is loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runCLI, buildArgv } = require('jest') as typeof import('jest');
  let argv: Awaited<ReturnType<typeof buildArgv>>;
  try {
    argv = await buildArgv(jestArgs);
  } catch (e) {
    err(`Bad Jest arguments after "--": ${(e as Error).message}`);
    return 2;
  }
  const junit = ['jest-junit', { outputDirectory: path.dirname(config.junitReport), outputName: path.basename(config.junitReport), suiteName: 'fakeai-e2e', ancestorSeparator: ' › ', addFileAttribute: 'true' }];
  // Jest's 5 s default fails a test of many requests (api-robustness sends ~250) on a busy machine
  // while each of its requests is still inside its own timeout. Each request times out after
  // --request-timeout; a test gets twice that, so load slows a test down and a hang still fails it.
  // A test's own longer timeout (timing-fidelity's) wins, and -- --testTimeout N overrides this.
  const testTimeout = argv.testTimeout ?? config.requestTimeoutMs * 2;
  const shard = config.shard ? { shard: config.shard } : {};
  // Jest reads jest.config.ts through an uncached esbuild-register unless handed the config (scripts/lib/jest-config-inline.ts).
  const inlineConfig = argv.config === undefined ? projectJestConfigJson(PROJECT_ROOT) : null;
  const full = { ...argv, ...(inlineConfig ? { config: inlineConfig } : {}), ...shard, selectProjects: ['e2e'], testTimeout, ...(argv.runInBand ? { runInBand: true } : workerOptions(config, argv)), testSequencer: SEQUENCER, reporters: [[REPORTER, {}], junit] as unknown as string[] };
  const testNamePattern = typeof argv.testNamePattern === 'string' ? argv.testNamePattern : null;
  // Test paths or -t: only some tests run, so a route nobody exercised says little about the suite.
  const selected = testNamePattern !== null || (argv._ ?? []).length > 0 || (argv.testPathPatterns ?? []).length > 0;
  const restoreStdout = config.quiet ? dropProjectLine() : () => undefined;
  try {
    const { results } = await runCLI(full, [PROJECT_ROOT]);
    return { harnessError: null, teardownError: null, testNamePattern, selected, jestSuccess: results.success };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/^Jest: Got error running globalTeardown/.test(msg)) {
      // globalTeardown's errors are reports (what died, what was logged), not bugs: no stack.
      return { harnessError: null, teardownError: hookMessage(e, false), testNamePattern, selected, jestSuccess: null };
    }
    const code = isHarnessError(e) ? e.code : /^Jest: Got error running globalSetup/.test(msg) ? 'SETUP_FAILED' : 'JEST_ERROR';
    return { harnessError: { code, message: hookMessage(e) }, teardownError: null, testNamePattern, selected, jestSuccess: null };
  } finally {
    restoreStdout();
  }
}

/** --workers as Jest options, capped by the files the arguments select (helpers/core/test-selection.ts). */
function workerOptions(config: HarnessConfig, argv: JestArgvSelection): JestWorkerOptions {
  return jestWorkerOptions(config.workers, argv, jestTestPathPatterns(), PROJECT_ROOT, process.cwd());
}

/** Jest's own TestPathPatterns: the copy jest-config builds the run's patterns with. */
function jestTestPathPatterns(): TestPathPatternsClass {
  return (createRequire(require.resolve('jest-config'))('@jest/pattern') as { TestPathPatterns: TestPathPatternsClass }).TestPathPatterns;
}

/**
 * --quiet means the summary and failures only, but runCLI announces the project it selected
 * ("Running one project: e2e") on stdout with no option to stop it. Drops that one write and
 * passes everything else through; returns the function that restores stdout.
 */
function dropProjectLine(): () => void {
  const original = process.stdout.write;
  const restore = () => {
    process.stdout.write = original;
  };
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk === 'string' && /^Running (one project|\d+ projects):/.test(stripAnsi(chunk))) {
      restore();
      return true;
    }
    return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  return restore;
}

/**
 * `kill -9` of npm leaves this runner orphaned under npm's `sh -c`: stop as on SIGTERM (servers
 * stopped, then exit), rather than run on unseen. See helpers/server/launcher-watch.ts.
 */
function stopWhenNpmDies(): void {
  if (process.env.npm_lifecycle_event === undefined) return;
  watchLaunchers(launcherChain(ancestors()), (pid) => {
    // The terminal or pipe npm shared with us may be gone too: a failed write must not throw.
    process.stderr.on('error', () => undefined);
    err(`fakeai-e2e: the npm process that started this run (pid ${pid}) is gone; stopping the servers and exiting.`);
    process.kill(process.pid, 'SIGTERM');
  });
}

/**
 * --fakeai: installs the build (or finds its cached venv) before Jest starts, then points E2E_PYTHON
 * at it for globalSetup and leaves the install's story in E2E_FAKEAI_BUILD for the reports. A
 * build that cannot be installed or imported is a harness error, reported like a failed setup.
 */
function prepareBuild(config: HarnessConfig): { config: HarnessConfig; error: { code: string; message: string } | null } | number {
  if (!config.fakeaiSpec || process.env[BUILD_HINT_VAR]) return { config, error: null };
  if (config.reuseUrl) {
    err('--fakeai installs and starts a build; --host/--port (E2E_URL) test a server that is already running. Pass one of them.');
    return 2;
  }
  let spec;
  try {
    spec = parseBuildSpec(config.fakeaiSpec);
  } catch (e) {
    err(`${(e as Error).message}\nRun "npm run e2e -- --help" for the flags and their variables.`);
    return 2;
  }
  const say = (line: string) => {
    if (!config.quiet) err(`[fakeai-e2e build] ${line}`);
  };
  try {
    const build = ensureBuild(spec, { root: PROJECT_ROOT, basePython: process.env.E2E_PYTHON || 'python3', log: say });
    process.env.E2E_PYTHON = build.python;
    process.env[BUILD_HINT_VAR] = JSON.stringify(hintFor(build));
    if (build.action !== 'cached') say(`${build.action} in ${(build.ms / 1000).toFixed(1)} s`);
    checkBuildImports(build);
    return { config: loadConfig(), error: null };
  } catch (e) {
    if (!isHarnessError(e)) throw e;
    process.env[BUILD_HINT_VAR] ??= JSON.stringify({ source: spec.kind, installedBy: `--fakeai ${spec.spec} → not installed (${e.code})`, commit: null, installed: false });
    return { config: loadConfig(), error: { code: e.code, message: e.message } };
  }
}

/**
 * The reports' modules (finalise and everything it draws: the JSON, HTML and JUnit writers, route
 * coverage, OpenAI conformance), ~30 ms to load: required after the launcher has started, not
 * before it, so the preload the servers wait for starts that much earlier.
 */
function reporting(): typeof import('../helpers/reporting/finalise') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../helpers/reporting/finalise') as typeof import('../helpers/reporting/finalise');
}

// tsx adds its preflight and loader from node_modules/tsx/dist to node's own arguments.
const UNDER_TSX = process.execArgv.some((a) => /[\\/]tsx[\\/]/.test(a));

async function main(argv: string[]): Promise<number> {
  const parsed = parse(argv);
  if (typeof parsed === 'number') return parsed;
  const config0 = configure(parsed);
  if (typeof config0 === 'number') return config0;
  if (UNDER_TSX) {
    err('scripts/e2e.ts cannot run under tsx (its resolver breaks execa inside Jest\'s globalSetup).\nRun it as "npm run e2e -- ..." or "node -r ./scripts/register.js scripts/e2e.ts ...".');
    return 2;
  }
  stopWhenNpmDies();
  const startedAt = Date.now();
  const prepared = prepareBuild(config0);
  if (typeof prepared === 'number') return prepared;
  const config = prepared.config;
  // As soon as the config allows: the servers wait for the launcher's preload (~0.7 s of one core),
  // and it overlaps Jest's start (helpers/server/launcher.ts says what it gains). Only then the
  // reports' modules load, while it preloads.
  if (!prepared.error && config.launch === 'preload' && !config.reuseUrl) startLauncherEarly(config.python, serverEnvironment(SERVER_PROFILES[0]), config.killGraceMs);
  const { clearRunFiles, finaliseRun } = reporting();
  banner(config);
  clearRunFiles(config);
  if (prepared.error) {
    const { model, text } = finaliseRun({ config, startedAt, harnessError: prepared.error, teardownError: null, testNamePattern: null, jestSuccess: null });
    finishRun(config.runDir);
    out(text);
    return model.exitCode;
  }
  const ran = await runJest(config, parsed.jestArgs);
  if (typeof ran === 'number') {
    finishRun(config.runDir);
    return ran;
  }
  const { model, text } = finaliseRun({ config, startedAt, ...ran });
  finishRun(config.runDir);
  out(text);
  return model.exitCode;
}

// Node ends a process whose event loop has nothing left to wait for, code 0, even while main() is
// still awaiting a promise nothing will settle (a hook waiting on an unref'd handle did exactly
// that: a run that ended mid-teardown with no report looked green). Such an end is a failure.
process.once('beforeExit', () => {
  err('fakeai-e2e: internal error: the run stopped before it finished (Node found nothing left to wait for while the run was still awaiting something: a promise no handle will settle). No verdict was reached; treat this run as failed and report it with the output above.');
  process.exit(2);
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    err(`fakeai-e2e: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(2);
  },
);
