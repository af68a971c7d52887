/**
 * Allowed exceptions (helpers/logs/allowance-rules.ts, ALLOWED_EXCEPTIONS in helpers/ledger/allowances.ts): refused at
 * config load when they name an unknown defect or file, excused only where they say, and stale
 * when a full run never needed them.
 */
import { judge, permittingPlace, stalePlaces, staleText, wholeSuiteSelected } from '../logs/allowance-rules';
import { ConfigError, loadConfig, PROJECT_ROOT } from '../core/config';
import { ALLOWED_EXCEPTIONS, type AllowedException, allowanceProblems } from '../ledger/allowances';
import { defectTestName, knownDefect } from '../ledger/known-defects';
import type { Finding } from '../logs/log-watcher';
import type { FindingRecord } from '../core/run-records';

const rate: AllowedException = {
  pattern: /KeyError: 'rate'/,
  defect: 'metrics-prometheus-keyerror',
  reason: 'test',
  provokedBy: [{ file: 'e2e/metrics-endpoints.test.ts' }, { file: 'e2e/metrics-consistency.test.ts', tests: ['snapshot, '] }],
};
const finding = (text: string) => ({ text }) as Finding;
const defectName = (name: string) => defectTestName(knownDefect('metrics-prometheus-keyerror'), name);

describe('at config load', () => {
  test('the shipped allowlist is valid: known defects, existing files', () => {
    expect(allowanceProblems(ALLOWED_EXCEPTIONS, PROJECT_ROOT)).toEqual([]);
    expect(() => loadConfig({}, false)).not.toThrow();
  });

  test('an allowance for an unknown defect id is a configuration error', () => {
    const bad = { ...rate, defect: 'metrics-prometheus-keyerorr' };
    expect(() => loadConfig({}, false, [bad])).toThrow(ConfigError);
    expect(() => loadConfig({}, false, [bad])).toThrow(/unknown known-defect id "metrics-prometheus-keyerorr"/);
  });

  test.each([
    ['a file that does not exist', { ...rate, provokedBy: [{ file: 'e2e/metrics-endpoint.test.ts' }] }, /test file e2e\/metrics-endpoint\.test\.ts does not exist/],
    ['no file at all', { ...rate, provokedBy: [] }, /names no test file/],
    ['an empty tests list', { ...rate, provokedBy: [{ file: 'e2e/health.test.ts', tests: [] }] }, /empty tests list/],
  ])('%s is a configuration error', (_what, bad, message) => {
    expect(() => loadConfig({}, false, [bad])).toThrow(message);
  });
});

describe('where an allowance excuses its exception', () => {
  test("with no tests listed: the file's tests of the allowance's defect, and no other test of that file", () => {
    expect(permittingPlace(rate, { file: 'e2e/metrics-endpoints.test.ts', test: `area ${defectName('GET /metrics/prometheus')}` })).toBeDefined();
    expect(permittingPlace(rate, { file: 'e2e/metrics-endpoints.test.ts', test: 'area GET /metrics answers' })).toBeUndefined();
    const otherDefect = defectTestName(knownDefect('dashboard-html-missing'), 'x');
    expect(permittingPlace(rate, { file: 'e2e/metrics-endpoints.test.ts', test: otherDefect })).toBeUndefined();
  });

  test('with tests listed: the tests whose full name contains one of them', () => {
    expect(permittingPlace(rate, { file: 'e2e/metrics-consistency.test.ts', test: 'metrics consistency snapshot, 5 plain completions' })).toBeDefined();
    expect(permittingPlace(rate, { file: 'e2e/metrics-consistency.test.ts', test: `metrics consistency ${defectName('x')}` })).toBeUndefined();
  });

  test('the same test name in a file it does not name is not excused', () => {
    expect(permittingPlace(rate, { file: 'e2e/api-metrics.test.ts', test: defectName('GET /metrics/prometheus') })).toBeUndefined();
  });

  test('when only the file is known (between two of its tests), a file it names is enough', () => {
    expect(permittingPlace(rate, { file: 'e2e/metrics-consistency.test.ts' })).toBeDefined();
    expect(permittingPlace(rate, { file: 'e2e/health.test.ts' })).toBeUndefined();
  });

  test('judge: excused when any origin is permitted; otherwise the matching allowances are named; a non-matching text is neither', () => {
    const f = finding("KeyError: 'rate'");
    const here = { file: 'e2e/metrics-endpoints.test.ts', test: defectName('x') };
    const there = { file: 'e2e/health.test.ts', test: 'health x' };
    expect(judge(f, [rate], [there, here]).excusedBy).toEqual({ allowance: rate, origin: here });
    expect(judge(f, [rate], [there])).toEqual({ elsewhere: [rate] });
    expect(judge(f, [rate], [])).toEqual({ elsewhere: [rate] });
    expect(judge(finding("KeyError: 'other'"), [rate], [here])).toEqual({ elsewhere: [] });
  });
});

describe('stale allowances', () => {
  const seen = (file: string, allowed = true): FindingRecord => ({ kind: 'finding', server: 'default', tests: ['t'], headline: 'h', text: 't', allowed, defect: rate.defect, file, at: '' });

  test('a place that excused something in the run is not stale; one that excused nothing is', () => {
    const stale = stalePlaces([rate], [seen('e2e/metrics-endpoints.test.ts')]);
    expect(stale).toEqual([{ allowance: rate, place: rate.provokedBy[1] }]);
    expect(staleText(stale)).toContain("/KeyError: 'rate'/ (known defect metrics-prometheus-keyerror) in e2e/metrics-consistency.test.ts");
  });

  test('a finding that was not excused does not make its allowance used', () => {
    expect(stalePlaces([rate], [seen('e2e/metrics-endpoints.test.ts', false), seen('e2e/metrics-consistency.test.ts')])).toHaveLength(1);
  });

  const whole = { testNamePattern: undefined, testPathPatterns: { isSet: () => false }, nonFlagArgs: [] };
  test('are judged only when the whole suite was selected', () => {
    expect(wholeSuiteSelected(whole, ['/node_modules/'], ['/node_modules/'])).toBe(true);
  });

  test.each([
    ['-t', { ...whole, testNamePattern: 'health' }, undefined],
    ['a path pattern', { ...whole, testPathPatterns: { isSet: () => true } }, undefined],
    ['a path argument', { ...whole, nonFlagArgs: ['e2e/health'] }, undefined],
    ['--onlyFailures', { ...whole, onlyFailures: true }, undefined],
    ['--shard', { ...whole, shard: { shardIndex: 1, shardCount: 2 } }, undefined],
    ['--onlyChanged', { ...whole, onlyChanged: true }, undefined],
    ['--testPathIgnorePatterns', whole, ['/node_modules/', 'api-']],
    ['no global config', undefined, undefined],
  ])('not after a run narrowed by %s', (_by, g, ignore) => {
    expect(wholeSuiteSelected(g, ignore ?? ['/node_modules/'], ['/node_modules/'])).toBe(false);
  });
});

describe('a server-thread race no test provokes (place ANYWHERE)', () => {
  const race = ALLOWED_EXCEPTIONS.find((a) => a.defect === 'metrics-printer-race')!;
  // As FakeAI 0.3.2's printer thread writes it (provoked outside the suite with the same class).
  const printerTraceback = [
    'Exception in thread Thread-4 (_print_metrics_periodically):',
    'Traceback (most recent call last):',
    '  File "/usr/lib/python3.11/threading.py", line 1045, in _bootstrap_inner',
    '    self.run()',
    '  File "/v/site-packages/fakeai/metrics.py", line 763, in _print_metrics_periodically',
    '    self._print_current_metrics()',
    '  File "/v/site-packages/fakeai/metrics.py", line 767, in _print_current_metrics',
    '    metrics = self.get_metrics()',
    '  File "/v/site-packages/fakeai/metrics.py", line 466, in get_metrics',
    '    for endpoint, window in self._metrics[metric_type].items():',
    'RuntimeError: dictionary changed size during iteration',
  ].join('\n');

  test('its exact traceback is excused in any test of any file, and outside every test', () => {
    expect(judge(finding(printerTraceback), [race], [{ file: 'e2e/health.test.ts', test: 'health any test' }]).excusedBy?.allowance).toBe(race);
    expect(judge(finding(printerTraceback), [race], []).excusedBy?.origin).toEqual({ file: '*' });
  });

  test('the same RuntimeError from a request handler, or another thread, is not excused', () => {
    const handler = `ERROR - Request 1 failed: boom\nTraceback (most recent call last):\n  File "/v/site-packages/fakeai/metrics.py", line 466, in get_metrics\nRuntimeError: dictionary changed size during iteration`;
    const otherThread = printerTraceback.replace('(_print_metrics_periodically)', '(_stream_loop)');
    expect(judge(finding(handler), [race], []).excusedBy).toBeUndefined();
    expect(judge(finding(otherThread), [race], []).excusedBy).toBeUndefined();
  });

  test('it is never stale (a run may rightly not meet it), and its place permits every test', () => {
    expect(stalePlaces([race], [])).toEqual([]);
    expect(permittingPlace(race, { file: 'e2e/health.test.ts', test: 't' })).toEqual({ file: '*' });
  });
});
