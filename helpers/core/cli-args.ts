/**
 * Command-line flags → E2E_* variables. The flags themselves are declared once, in config.ts's
 * OPTIONS table; this module only knows the three flags that do not map one-to-one onto a variable
 * (--host and --port combine into E2E_URL; --no-color sets E2E_COLOR=0). Validation of values is
 * loadConfig()'s job, so a value is checked in one place whether it came from a flag or from the
 * environment.
 */
import { OPTIONS, type OptionSpec } from './config';

export class UsageError extends Error {
  readonly code = 'USAGE';
}

export interface ParsedArgs {
  help: boolean;
  /** Variables to merge into process.env before loadConfig(). */
  env: Record<string, string>;
  /** Everything after the separating `--`, handed to Jest untouched. */
  jestArgs: string[];
}

const HELP_FLAGS = new Set(['--help', '-h']);

export function parseCliArgs(argv: readonly string[], options: readonly OptionSpec[] = OPTIONS): ParsedArgs {
  const sep = argv.indexOf('--');
  const own = sep === -1 ? [...argv] : argv.slice(0, sep);
  const jestArgs = sep === -1 ? [] : argv.slice(sep + 1);
  const byFlag = new Map(options.map((o) => [o.flag, o]));
  const env: Record<string, string> = {};
  let help = false;
  let host: string | undefined;
  let port: string | undefined;

  for (let i = 0; i < own.length; i++) {
    const token = own[i];
    if (HELP_FLAGS.has(token)) {
      help = true;
      continue;
    }
    if (!token.startsWith('--')) {
      throw new UsageError(`Unexpected argument "${token}". Arguments for Jest go after a second "--", e.g. npm run e2e -- -- -t health`);
    }
    const eq = token.indexOf('=');
    const flag = eq === -1 ? token : token.slice(0, eq);
    const spec = byFlag.get(flag);
    if (!spec) throw new UsageError(`Unknown flag "${flag}".`);
    let value: string;
    if (spec.arg) {
      if (eq !== -1) value = token.slice(eq + 1);
      else if (i + 1 < own.length && !own[i + 1].startsWith('--')) value = own[++i];
      else throw new UsageError(`${flag} needs a value (${spec.arg}).`);
      if (value === '') throw new UsageError(`${flag} needs a value (${spec.arg}).`);
    } else {
      if (eq !== -1) throw new UsageError(`${flag} is a switch and takes no value.`);
      value = '1';
    }
    if (flag === '--host') host = value;
    else if (flag === '--port') port = value;
    else if (flag === '--no-color') env.E2E_COLOR = '0';
    else env[spec.env] = value;
  }

  if (host !== undefined || port !== undefined) {
    if (port === undefined) throw new UsageError('--host needs --port: which port is the running server on?');
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw new UsageError(`--port must be a whole number from 1 to 65535, got "${port}".`);
    }
    const h = host ?? '127.0.0.1';
    env.E2E_URL = `http://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`;
  }
  return { help, env, jestArgs };
}

/** The --help text: every flag from the OPTIONS table with its variable and default. */
export function usage(options: readonly OptionSpec[] = OPTIONS): string {
  const rows = options.map((o) => ({ left: o.arg ? `${o.flag} ${o.arg}` : o.flag, o }));
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  const lines = [
    'Usage: npm run e2e -- [flags] [-- jest args]',
    '',
    'Runs the FakeAI end-to-end suite: starts FakeAI (or uses a running one), runs the e2e tests,',
    'prints a summary and writes JSON, JUnit and HTML reports.',
    '',
    'Flags (each can also be set through the environment variable shown):',
  ];
  for (const { left, o } of rows) {
    lines.push(`  ${left.padEnd(width)}${o.description}`);
    lines.push(`  ${''.padEnd(width)}env ${o.env}; default ${o.default}`);
  }
  lines.push(
    `  ${'--help, -h'.padEnd(width)}Show this help.`,
    '',
    'Anything after a second "--" goes to Jest, e.g.:  npm run e2e -- --quiet -- -t health',
    '',
    'Exit codes: 0 all tests passed; 1 a test failed or the server logged an unexpected exception;',
    '            2 usage or setup error (bad flag, no Python, server never ready, ...).',
  );
  return lines.join('\n');
}
