/**
 * `npm run e2e -- [flags] [-- jest args]`: flags → E2E_* env → loadConfig() → Jest's runCLI,
 * in-process, with the e2e project, in band, and our reporters. Exit codes CI can trust:
 * 0 every test passed, 1 a test failed (or the server logged an unexpected exception),
 * 2 usage or setup error (no test result to speak of).
 *
 * In-process rather than a child `jest`: a globalSetup error reaches us as the very object that
 * was thrown, code field included, instead of a exit status 1 that looks like a test failure.
 *
 * Not under tsx, though: tsx's resolver hooks break the ESM-only packages (execa → unicorn-magic,
 * "No exports main defined") that globalSetup imports. So when started by tsx (npm run e2e), the
 * script validates its arguments (fast usage errors, --help) and then re-runs itself once under
 * plain node with esbuild-register, which only compiles .ts files and leaves resolution alone.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, PROJECT_ROOT, type HarnessConfig } from '../helpers/config';
import { parseCliArgs, usage, UsageError, type ParsedArgs } from '../helpers/cli-args';
import { isHarnessError } from '../helpers/errors';
import { palette } from '../helpers/reporting/colours';
import { clearRunFiles, finaliseRun, type FinaliseInput } from '../helpers/reporting/finalise';

const REPORTER = path.join(PROJECT_ROOT, 'helpers', 'jest', 'reporter.ts');
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
  // loadConfig again) agree: one seed, one colour choice. FORCE_COLOR=0 also keeps Jest's own
  // failure formatting (chalk) free of escape codes.
  process.env.E2E_SEED = String(config.seed);
  process.env.E2E_COLOR = config.color ? '1' : '0';
  if (!config.color) process.env.FORCE_COLOR = '0';
  return config;
}

function banner(config: HarnessConfig): void {
  if (config.quiet) return;
  const p = palette(config.color);
  const target = config.reuseUrl ? `testing the running server at ${config.reuseUrl}` : `starting FakeAI with ${config.python} (${config.pythonSource})`;
  const rel = path.relative(process.cwd(), config.reportsDir);
  out(p.bold('fakeai-e2e') + ` · ${target}`);
  out(`seed ${config.seed}${config.seedWasGiven ? '' : ` (replay with --seed ${config.seed})`} · reports in ${rel.startsWith('..') || path.isAbsolute(rel) ? config.reportsDir : rel || '.'}`);
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
  const full = { ...argv, selectProjects: ['e2e'], runInBand: true, reporters: [[REPORTER, {}], junit] as unknown as string[] };
  const testNamePattern = typeof argv.testNamePattern === 'string' ? argv.testNamePattern : null;
  try {
    const { results } = await runCLI(full, [PROJECT_ROOT]);
    return { harnessError: null, teardownError: null, testNamePattern, jestSuccess: results.success };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/^Jest: Got error running globalTeardown/.test(msg)) {
      // globalTeardown's errors are reports (what died, what was logged), not bugs: no stack.
      return { harnessError: null, teardownError: hookMessage(e, false), testNamePattern, jestSuccess: null };
    }
    const code = isHarnessError(e) ? e.code : /^Jest: Got error running globalSetup/.test(msg) ? 'SETUP_FAILED' : 'JEST_ERROR';
    return { harnessError: { code, message: hookMessage(e) }, teardownError: null, testNamePattern, jestSuccess: null };
  }
}

const UNDER_TSX = process.execArgv.some((a) => a.includes('tsx'));

/** Re-runs this script under node + esbuild-register, forwarding signals, and returns its exit code. */
function reexec(argv: string[]): Promise<number> {
  const child = spawn(process.execPath, ['-r', require.resolve('esbuild-register'), __filename, ...argv], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 1) : 1));
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const parsed = parse(argv);
  if (typeof parsed === 'number') return parsed;
  const config = configure(parsed);
  if (typeof config === 'number') return config;
  if (UNDER_TSX) return reexec(argv);
  banner(config);
  clearRunFiles(config);
  const startedAt = Date.now();
  const ran = await runJest(config, parsed.jestArgs);
  if (typeof ran === 'number') return ran;
  const { model, text } = finaliseRun({ config, startedAt, ...ran });
  out(text);
  return model.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    err(`fakeai-e2e: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(2);
  },
);
