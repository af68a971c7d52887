import { buildMatrix, renderMatrixMarkdown, renderMatrixText, testKey, type BuildRun, type RunReport } from '../reporting/matrix';
import { addJunitProperties, runProperties } from '../reporting/junit-properties';
import { parseJunit } from '../reporting/junit-check';

type Test = RunReport['tests'][number];
const test_ = (name: string, status: Test['status'], file = 'e2e/x.test.ts'): Test => ({ file, capability: 'x', name, ancestors: [], title: name, status, durationMs: 1, failureMessages: [], skipReason: null });
const totals = (o: Partial<RunReport['totals']>): RunReport['totals'] => ({ tests: 0, passed: 0, failed: 0, skippedTests: 0, skippedChecks: 0, todo: 0, knownDefects: 0, fixedDefects: 0, fileErrors: 0, exceptions: 0, unexpectedExceptions: 0, ...o });
const routes = (list: string[]) => ({ rows: list.map((route) => ({ route, kind: 'documented' })) }) as unknown as RunReport['routeCoverage'];
const build = (version: string) => ({ version, installedBy: 'test', source: 'pypi' as const, origin: null, commit: null, archive: null, fromIndex: true, python: null });

function report(o: Partial<RunReport>): RunReport {
  return { verdict: 'PASS', verdictLine: '✓', exitCode: 0, totals: totals({}), tests: [], defects: [], servers: [], harnessError: null, timings: { startedAt: null, finishedAt: '', wallMs: 1000, testsMs: null }, fixed: [], ...o } as RunReport;
}

const cannotStart: BuildRun = {
  spec: '0.3.0',
  exitCode: 2,
  dir: '/r/0.3.0',
  report: report({ verdict: 'ERROR', exitCode: 2, build: build('0.3.0'), harnessError: { code: 'BUILD_DOES_NOT_IMPORT', message: "…it does not import: ModuleNotFoundError: No module named 'fakeai.services'\nmore" } }),
};
const older: BuildRun = {
  spec: '0.3.1',
  exitCode: 0,
  dir: '/r/0.3.1',
  report: report({
    build: build('0.3.1'),
    totals: totals({ passed: 2, skippedTests: 1, knownDefects: 1 }),
    routeCoverage: routes(['POST /v1/chat/completions', 'GET /v1/models']),
    tests: [test_('chat answers', 'passed'), test_('oversize is refused [known FakeAI defect context-length-not-checked, fakeai/fakeai_service.py:1635]', 'passed'), test_('assistants every test — skipped: not served by fakeai 0.3.1', 'skipped')],
    defects: [{ kind: 'defect', id: 'context-length-not-checked', test: 'oversize is refused [known FakeAI defect context-length-not-checked, fakeai/fakeai_service.py:1635]', summary: 's', evidence: 'e', at: '' }],
  }),
};
const newer: BuildRun = {
  spec: '../fakeai',
  exitCode: 0,
  dir: '/r/co',
  report: report({
    build: build('0.3.3.dev0'),
    totals: totals({ passed: 3, fixedDefects: 1 }),
    routeCoverage: routes(['POST /v1/chat/completions', 'POST /v1/assistants']),
    tests: [test_('chat answers', 'passed'), test_('oversize is refused [known FakeAI defect context-length-not-checked, fakeai/fakeai_service.py:1635]', 'passed'), test_('assistants every test', 'passed')],
    fixed: [{ kind: 'fixed', id: 'context-length-not-checked', test: 'oversize is refused [known FakeAI defect context-length-not-checked, fakeai/fakeai_service.py:1635]', summary: 's', evidence: 'fakeai/fakeai_service.py:1635', seen: 'the full check passed', at: '' }],
  }),
};

describe('the build matrix', () => {
  const m = buildMatrix([cannotStart, older, newer], new Date('2026-12-06T00:00:00Z'));

  test('a build that cannot start is a column saying why, and does not fail the matrix', () => {
    expect(m.columns[0]).toMatchObject({ result: 'CANNOT START', version: '0.3.0', passed: null, detail: "BUILD_DOES_NOT_IMPORT: …it does not import: ModuleNotFoundError: No module named 'fakeai.services'" });
    expect(m.exitCode).toBe(0);
    expect(renderMatrixText(m)).toMatch(/0\.3\.0: CANNOT START — BUILD_DOES_NOT_IMPORT/);
  });

  test('routes added and removed between consecutive builds that served routes', () => {
    expect(m.routeChanges).toEqual([{ from: '0.3.1', to: '../fakeai', added: ['POST /v1/assistants'], removed: ['GET /v1/models'] }]);
  });

  test('per known defect: which builds show it, and where it is FIXED', () => {
    expect(m.defects).toEqual([{ id: 'context-length-not-checked', summary: 's', on: ['—', 'shows', 'FIXED'] }]);
  });

  test('tests whose outcome differs, matched across builds without the version-dependent parts of their names', () => {
    expect(testKey('a — skipped: not served by fakeai 0.3.1')).toBe('a');
    expect(testKey('b [known FakeAI defect x, fakeai/y.py:1]')).toBe('b');
    expect(m.differingTests.map((t) => [t.test, t.outcomes])).toEqual([
      ['assistants every test', ['—', 'skipped', 'passed']],
      ['oversize is refused', ['—', 'known defect', 'FIXED']],
    ]);
  });

  test('a build that failed its tests, or left no report, fails the matrix', () => {
    const failed: BuildRun = { ...older, report: report({ verdict: 'FAIL', exitCode: 1, totals: totals({ failed: 1 }) }) };
    expect(buildMatrix([failed]).exitCode).toBe(1);
    const none: BuildRun = { spec: 'x', exitCode: 137, dir: '/r/x', report: null, note: 'killed' };
    expect(buildMatrix([none])).toMatchObject({ exitCode: 1, columns: [{ result: 'NO REPORT', detail: 'killed' }] });
  });

  test('the Markdown table has one column per build', () => {
    expect(renderMatrixMarkdown(m).split('\n')[0]).toBe('| build | 0.3.0 | 0.3.1 | ../fakeai |');
  });
});

describe('the build in JUnit properties', () => {
  const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="fakeai-e2e" tests="1" failures="0">\n  <testsuite name="a" tests="1">\n    <testcase classname="a" name="t"></testcase>\n  </testsuite>\n</testsuites>\n';
  const props = runProperties({
    build: { ...build('0.3.3.dev0'), source: 'checkout', origin: '/src/fakeai', commit: 'abc+dirty', fromIndex: false },
    ledger: { standing: 'unknown', version: '0.3.3.dev0', note: 'not a release the ledger covers' },
    fixed: [{ kind: 'fixed', id: 'max-tokens-floor', test: 't', summary: 's', evidence: 'fakeai/fakeai_service.py:1818', seen: 'the full check "<x>" passed', at: '' }],
  });

  test('each testsuite carries the build, its commit, the ledger standing and each FIXED defect, escaped', () => {
    const out = addJunitProperties(xml, props);
    expect(out).toContain('<property name="fakeai.version" value="0.3.3.dev0"/>');
    expect(out).toContain('<property name="fakeai.commit" value="abc+dirty"/>');
    expect(out).toContain('<property name="fakeai.fixed.max-tokens-floor" value="FIXED (was at fakeai/fakeai_service.py:1818): the full check &quot;&lt;x&gt;&quot; passed"/>');
    // Still the same test cases to a strict reader.
    expect(parseJunit(out)).toMatchObject({ testcases: 1, declaredTests: 1 });
  });
});
