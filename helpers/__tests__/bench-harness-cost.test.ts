import { harnessPhases, HarnessRunFacts } from '../bench/harness-cost';

const facts = (over: Partial<HarnessRunFacts> = {}): HarnessRunFacts => ({
  spawnAt: 1_000,
  exitAt: 9_000,
  exitCode: 0,
  jest: { startTime: 5_000, testResults: [{ startTime: 5_100, endTime: 7_000 }, { startTime: 7_000, endTime: 8_500 }] },
  report: { timings: { startedAt: new Date(2_000).toISOString() }, servers: [{ name: 'default', bootToReadyMs: 1_500 }, { name: 'auth', bootToReadyMs: 1_800 }] },
  ...over,
});

describe('harness cost of one e2e run', () => {
  it('splits the wall time into phases that add up', () => {
    const p = harnessPhases(facts());
    expect(p).toMatchObject({
      'npm + tsx + e2e CLI start': 1_000,
      'Jest start + config load + globalSetup (other than boot)': 1_200,
      'server spawn → ready (slowest profile, profiles in parallel)': 1_800,
      'test environment + first transform': 100,
      'tests (first file start → last file end)': 3_400,
      'globalTeardown + reports + exit': 500,
      'total wall time': 8_000,
    });
    // Indented rows break a phase down further, and CPU time is not a share of the wall time.
    const phases = Object.entries(p).filter(([k, v]) => typeof v === 'number' && k !== 'total wall time' && !k.startsWith(' ') && !k.startsWith('CPU'));
    expect(phases.reduce((a, [, v]) => a + (v as number), 0)).toBe(8_000);
  });

  it('splits the files into their tests and the cost around them, and says how many ran at once', () => {
    const p = harnessPhases(
      facts({
        jest: {
          startTime: 5_000,
          testResults: [
            { startTime: 5_100, endTime: 8_500, assertionResults: [{ duration: 1_000 }, { duration: 2_000 }] },
            { startTime: 5_200, endTime: 6_900, assertionResults: [{ duration: 1_500 }, { duration: null }] },
          ],
        },
        cpuMs: 4_200,
      }),
    );
    expect(p['tests (first file start → last file end)']).toBe(3_400);
    expect(p['  sum of test durations (all files)']).toBe(4_500);
    expect(p['  sum of per-file cost outside tests (module load, beforeAll/afterAll, log windows)']).toBe(3_400 + 1_700 - 4_500);
    expect(p['  files at once (sum of file times ÷ span)']).toBe(1.5);
    expect(p['CPU time (user + system, servers included)']).toBe(4_200);
  });

  it('sums the log-window closes per test (its slowest server) and names every test whose window stayed open 1 s or more', () => {
    const windows = [
      { file: 'e2e/a.test.ts', test: 'waits for an exception it never provokes', closeMs: 1_600 },
      { file: 'e2e/a.test.ts', test: 'waits for an exception it never provokes', closeMs: 30 },
      { file: 'e2e/a.test.ts', test: 'closes at once', closeMs: 26, closedBy: 'rest' as const },
      { file: 'e2e/b.test.ts', test: 'closes at once', closeMs: 999, closedBy: 'quiet' as const },
    ];
    const p = harnessPhases(facts({ windows }));
    expect(p['  log-window closes after the tests (sum over tests)']).toBe(1_600 + 26 + 999);
    expect(p['  tests whose window stayed open ≥ 1 s']).toBe('e2e/a.test.ts › waits for an exception it never provokes (1600 ms)');
    expect(harnessPhases(facts({ windows: windows.slice(2) }))['  tests whose window stayed open ≥ 1 s']).toBe('none');
    expect(p['  log windows ended with the server at rest (of all)']).toBe('1 of 4');
    // No windows file (a reused server without a log): nothing is claimed either way.
    expect(harnessPhases(facts())['  tests whose window stayed open ≥ 1 s']).toBeNull();
  });

  it('leaves a phase empty instead of guessing when the e2e report is missing', () => {
    const p = harnessPhases(facts({ report: null }));
    expect(p['npm + tsx + e2e CLI start']).toBeNull();
    expect(p['server spawn → ready (slowest profile, profiles in parallel)']).toBeNull();
  });

  it('refuses contradictory clocks and runs without test files', () => {
    expect(() => harnessPhases(facts({ exitAt: 8_000 }))).toThrow(/out of order/);
    expect(() => harnessPhases(facts({ jest: { startTime: 5_000, testResults: [] } }))).toThrow(/no test files/);
  });
});
