/**
 * Setup errors the user can fix. Each carries a `code` (the CLI maps any of them to exit 2) and
 * reads as one paragraph: what happened, the last lines of the server log, what to do.
 *
 * Codes inside, remedies at the edge: the remedy text is built here, from facts the caller passes,
 * so every message names the flag or command that fixes it.
 */
import { existsSync, readFileSync } from 'node:fs';

export const HARNESS_ERROR_CODES = [
  'PYTHON_NOT_FOUND',
  'FAKEAI_NOT_INSTALLED',
  'PORT_IN_USE',
  'EXITED_AT_BOOT',
  'NEVER_READY',
  'SERVER_DIED',
  'REUSED_SERVER_NOT_READY',
  'CONFIG_INVALID',
  'BUILD_INSTALL_FAILED',
  'BUILD_DOES_NOT_IMPORT',
  'OPENAI_SPEC_UNAVAILABLE',
] as const;

export type HarnessErrorCode = (typeof HARNESS_ERROR_CODES)[number];

export class HarnessError extends Error {
  readonly code: HarnessErrorCode;

  constructor(code: HarnessErrorCode, message: string) {
    super(message);
    this.name = 'HarnessError';
    this.code = code;
  }
}

/**
 * True for any error carrying one of our codes. Duck-typed on purpose: Jest rethrows the error from
 * globalSetup as the same object, but it was built in another module registry, so `instanceof`
 * fails there. config.ts's ConfigError (code CONFIG_INVALID) counts too.
 */
export function isHarnessError(e: unknown): e is Error & { code: HarnessErrorCode } {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && (HARNESS_ERROR_CODES as readonly string[]).includes(code);
}

/** The last `n` lines of a log file from byte `start` on, or '' if there is none. */
export function logTail(file: string | undefined, n = 20, start = 0): string {
  if (!file || !existsSync(file)) return '';
  const text = readFileSync(file).subarray(start).toString('utf8');
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

export interface ErrorFacts {
  server: string;
  python: string;
  command?: readonly string[];
  logFile?: string;
  logStart?: number;
  port?: number;
  exit?: { code: number | null; signal: string | null };
  timeoutMs?: number;
  /** Extra detail from the interpreter check, e.g. the OS error. */
  detail?: string;
  url?: string;
}

const INSTALL_HINT =
  'Run "npm install" to create the project\'s .venv with the pinned fakeai==0.3.2 and pillow, or ' +
  'install them into your interpreter ("<python> -m pip install fakeai==0.3.2 pillow") and pass ' +
  '--python / E2E_PYTHON.';

function exitText(exit: ErrorFacts['exit']): string {
  if (!exit) return 'exited';
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function withLog(paragraph: string, facts: ErrorFacts, remedy: string): string {
  const tail = logTail(facts.logFile, 20, facts.logStart ?? 0);
  const log = facts.logFile
    ? tail
      ? `\nLast 20 lines of ${facts.logFile}:\n${tail.replace(/^/gm, '  | ')}\n`
      : `\nThe server log ${facts.logFile} is empty.\n`
    : '\n';
  return `${paragraph}${log}What to do: ${remedy}`;
}

/** Builds the error for `code` from the facts at hand. */
export function harnessError(code: HarnessErrorCode, facts: ErrorFacts): HarnessError {
  const who = `FakeAI server "${facts.server}"`;
  const cmd = facts.command ? ` (${facts.command.join(' ')})` : '';
  const secs = (ms = 0) => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  switch (code) {
    case 'PYTHON_NOT_FOUND':
      return new HarnessError(
        code,
        withLog(
          `Cannot start ${who}: the Python interpreter "${facts.python}" could not be run${facts.detail ? ` (${facts.detail})` : ''}.`,
          facts,
          `point --python / E2E_PYTHON at an interpreter that exists, or run "npm install" to create the project's .venv.`,
        ),
      );
    case 'FAKEAI_NOT_INSTALLED':
      return new HarnessError(
        code,
        withLog(
          `Cannot start ${who}: ${facts.detail ?? '"import fakeai" fails'} in the interpreter "${facts.python}".`,
          facts,
          INSTALL_HINT.replace('<python>', facts.python),
        ),
      );
    case 'PORT_IN_USE':
      return new HarnessError(
        code,
        withLog(
          `Cannot start ${who}: port ${facts.port} on 127.0.0.1 is already in use${facts.exit ? ` (the server ${exitText(facts.exit)} with "address already in use")` : ''}.`,
          facts,
          'stop whatever listens on that port, or leave the port unset so the harness picks a free one; ' +
            'to test the server that is already there, pass --host/--port or E2E_URL instead.',
        ),
      );
    case 'EXITED_AT_BOOT':
      return new HarnessError(
        code,
        withLog(
          `${who} ${exitText(facts.exit)} before it became ready${cmd}.`,
          facts,
          'read the log above for the cause (a missing dependency, a bad FAKEAI_* setting); run the ' +
            'command by hand to reproduce it.',
        ),
      );
    case 'NEVER_READY':
      return new HarnessError(
        code,
        withLog(
          `${who} did not answer GET /health with "ready": true within ${secs(facts.timeoutMs)}${cmd}; it was stopped.`,
          facts,
          'if the machine is just slow, raise --timeout / E2E_STARTUP_TIMEOUT (seconds); otherwise the log above shows where start-up stalled.',
        ),
      );
    case 'SERVER_DIED':
      return new HarnessError(
        code,
        withLog(
          `${who} ${exitText(facts.exit)} while the tests were running.`,
          facts,
          'the log above shows why; the remaining tests cannot run against it.',
        ),
      );
    case 'REUSED_SERVER_NOT_READY':
      return new HarnessError(
        code,
        withLog(
          `The running server at ${facts.url} did not answer GET /health with "ready": true within ${secs(facts.timeoutMs)}${facts.detail ? ` (${facts.detail})` : ''}. Nothing was spawned.`,
          facts,
          'start that server first, or fix --host/--port / E2E_URL; unset them to let the harness spawn its own server.',
        ),
      );
    case 'OPENAI_SPEC_UNAVAILABLE':
      return new HarnessError(code, `${facts.detail ?? "OpenAI's API document is not available."} The servers were stopped.`);
    case 'CONFIG_INVALID':
      return new HarnessError(code, withLog(`Invalid configuration: ${facts.detail ?? ''}`, facts, 'fix the flag or variable named above.'));
    case 'BUILD_INSTALL_FAILED':
    case 'BUILD_DOES_NOT_IMPORT':
      // Built where the facts are (helpers/server/build-install.ts); this path only wraps a detail.
      return new HarnessError(code, withLog(`The FakeAI build could not be prepared: ${facts.detail ?? ''}`, facts, 'read the output above.'));
  }
}
