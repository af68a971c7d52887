/**
 * The CLI end to end, against the fixture project in helpers/__fixtures__/reporting-project (no
 * server, no network): exit codes, colour, live lines, and the artifacts CI consumes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { PROJECT_ROOT } from '../core/config';
import { latestRunDir } from '../core/run-dir';
import { REPORT_SCHEMA } from '../reporting/json-report';
import { parseJunit } from '../reporting/junit-check';

const FIXTURE_CONFIG = path.join(PROJECT_ROOT, 'helpers', '__fixtures__', 'reporting-project', 'jest.config.ts');

interface Run {
  code: number | null;
  output: string;
  dir: string;
}

function run(flags: string[], fixtureCase: string, env: Record<string, string> = {}): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-cli-'));
  const args = [path.join(PROJECT_ROOT, 'scripts', 'e2e.ts'), '--reports-dir', dir, ...flags, '--', '--config', FIXTURE_CONFIG, fixtureCase];
  // As `npm run e2e` starts it: plain node with scripts/register.js.
  const child = spawn(process.execPath, ['-r', path.join(PROJECT_ROOT, 'scripts', 'register.js'), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  // The reports are in the run's own directory under the root: `latest` names it.
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output, dir: latestRunDir(dir) ?? dir })));
}

const read = (dir: string, name: string) => readFileSync(path.join(dir, name), 'utf8');

describe('e2e CLI exit codes and output', () => {
  let passing: Run;
  let failing: Run;
  let setupError: Run;
  let coloured: Run;
  let leftover: Run;
  let quiet: Run;

  beforeAll(async () => {
    // Two at a time: the machine has two cores.
    [passing, failing] = await Promise.all([run(['--no-color'], 'passing', { E2E_COLOR: '1' }), run(['--no-color'], 'failing', { FORCE_COLOR: '1' })]);
    [setupError, coloured] = await Promise.all([run([], 'passing', { FIXTURE_SETUP: 'fail' }), run([], 'passing', { E2E_COLOR: '1' })]);
    [leftover, quiet] = await Promise.all([run(['--no-color'], 'passing', { FIXTURE_TEARDOWN: 'leftover' }), run(['--quiet', '--no-color'], 'failing')]);
  }, 120_000);

  it('exits 0 when every test passes', () => {
    expect({ code: passing.code, tail: passing.output.slice(-300) }).toMatchObject({ code: 0 });
    expect(passing.output).toMatch(/✓ ALL TESTS PASSED \(2\/2\), 1 skipped\n/);
  });

  it('exits 1 when a test fails, and shows the failure', () => {
    expect(failing.code).toBe(1);
    expect(failing.output).toContain('● fixture failure › a request that fails');
    expect(failing.output).toMatch(/✗ FAILED: 1 of 2 tests failed\n/);
  });

  it('exits 2 on a setup error and prints it as one paragraph, without Jest\'s prefix or a stack', () => {
    expect(setupError.code).toBe(2);
    expect(setupError.output).toContain('Setup error (NEVER_READY)');
    expect(setupError.output).toContain('did not answer /health with ready: true within 45 s (fixture). Raise --timeout.');
    expect(setupError.output).not.toMatch(/Got error running globalSetup|\n\s+at /);
    expect(setupError.output).toContain('✗ SETUP ERROR (NEVER_READY): no tests ran');
  });

  it('exits 1 when globalTeardown finds an exception outside any test, and reports it everywhere', () => {
    expect(leftover.code).toBe(1);
    expect(leftover.output).toMatch(/✗ RuntimeError: background task crashed\n\s+default, outside any test/);
    expect(leftover.output).toMatch(/✗ FAILED: 1 unexpected server exception, teardown failed\n/);
    const report = JSON.parse(read(leftover.dir, 'e2e-report.json'));
    expect(report.exceptions.map((e: { headline: string }) => e.headline)).toEqual(['RuntimeError: background task crashed']);
    expect(report.teardownError).toMatch(/appeared outside any test/);
    expect(read(leftover.dir, 'e2e-report.html')).toContain('RuntimeError: background task crashed');
  });

  it('prints no escape character with --no-color, even when E2E_COLOR=1 or FORCE_COLOR=1 ask for colour', () => {
    expect(passing.output).not.toContain('\u001b');
    expect(failing.output).not.toContain('\u001b');
  });

  it('does colour the same run when colour is asked for (the check above can fail)', () => {
    expect(coloured.code).toBe(0);
    expect(coloured.output).toContain('\u001b[');
  });

  it('prints a header per capability and a line per request as it completes', () => {
    expect(passing.output).toMatch(/── passing cases\/passing\.fixture\.ts ─+\n/);
    expect(passing.output).toContain('  [1/2] NORMAL | gpt-4 ... OK 0.123s  40 tokens');
    expect(passing.output).toContain('  [2/2] STREAM | claude-3-opus ... OK 0.231s  48 tokens');
    // A test's request lines come before its own result line.
    expect(passing.output.indexOf('[2/2] STREAM')).toBeLessThan(passing.output.indexOf('✓ fixture load records two requests'));
  });

  it('prints only failures (under their file\'s header) and the summary with --quiet: no banner, passing tests or Jest\'s project line', () => {
    expect(quiet.code).toBe(1);
    expect(quiet.output).toContain('[1/1] NORMAL | gpt-4 ... FAIL 500');
    expect(quiet.output).toContain('✗ fixture failure a request that fails');
    expect(quiet.output).toContain('FINAL TEST REPORT');
    expect(quiet.output).not.toMatch(/Running one project|✓ fixture failure|^fakeai-e2e ·|^seed /m);
    // The same run without --quiet does print them (the check above can fail).
    expect(failing.output).toMatch(/Running one project/);
  });

  it('prints the seed', () => {
    expect(passing.output).toMatch(/seed \d+/);
  });

  it('writes a JSON report that validates against its schema, on success, failure and setup error', () => {
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(REPORT_SCHEMA);
    for (const r of [passing, failing, setupError]) {
      const report = JSON.parse(read(r.dir, 'e2e-report.json'));
      expect(validate(report) ? [] : validate.errors).toEqual([]);
      expect(report.exitCode).toBe(r.code);
    }
  });

  it('reports route coverage from the openapi.json and route records the run left, and none when no API test ran', () => {
    const report = JSON.parse(read(passing.dir, 'e2e-report.json'));
    expect(report.routeCoverage).toMatchObject({ counted: 4, exercised: 2, websocket: 2, missing: ['GET /v1/models', 'WS /metrics/stream'] });
    expect(report.apiRoutes).toMatchObject({ exercised: 1, websocket: 1, undocumented: 0 });
    // The CLI was given a test path ("passing"): a selection, so the unexercised routes are only counted.
    expect(report.routeCoverage.selection).toBe(true);
    expect(passing.output).toMatch(/Coverage:\s+2\/4 served routes exercised \(50\.0 %, floor 100 %\) \(a selection of tests\)\n/);
    expect(passing.output).toContain('only selected tests ran: --verbose lists the 2 routes they did not exercise');
    expect(passing.output).not.toContain('NOT exercised');
    expect(JSON.parse(read(failing.dir, 'e2e-report.json')).routeCoverage).toBeNull();
  });

  it('writes a junit.xml that counts the same tests as Jest', () => {
    for (const r of [passing, failing]) {
      const report = JSON.parse(read(r.dir, 'e2e-report.json'));
      const junit = parseJunit(read(r.dir, 'junit.xml'));
      expect(junit.testcases).toBe(report.totals.tests);
      expect(junit.declaredTests).toBe(report.totals.tests);
      expect(junit.failures).toBe(report.totals.failed);
    }
    expect(passing.output).not.toContain('warning: ');
  });
});

describe('a run that stops before its verdict', () => {
  test('exits 2 saying so, never 0, when a hook awaits what nothing will settle', async () => {
    const stalled = await run(['--no-color'], 'passing', { FIXTURE_TEARDOWN: 'stall' });
    expect(stalled.output).toContain('fakeai-e2e: internal error: the run stopped before it finished');
    expect(stalled.code).toBe(2);
  }, 60_000);
});
