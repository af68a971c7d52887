import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/config';
import { KNOWN_DEFECTS } from '../ledger/known-defects';
import { ROUTE_EXCLUSIONS } from '../ledger/route-exclusions';
import { DEFECT_RELEASES, defectExpectation, exclusionsFor, LEDGER_RELEASES, ledgerStanding, PINNED_RELEASE, releasesWith } from '../ledger/releases';
import { splitStale } from '../logs/allowance-rules';
import { ALLOWED_EXCEPTIONS } from '../ledger/allowances';
import { useKnownDefectFixtureRun } from '../__fixtures__/known-defect-fixture-run';

const pypi = (version: string | null) => ({ version, fromIndex: true, source: 'pypi' });

describe('which builds the ledger speaks for', () => {
  test('a listed release installed from PyPI is that release; the pinned venv too', () => {
    expect(ledgerStanding(pypi('0.3.1'))).toEqual({ kind: 'release', version: '0.3.1' });
    expect(ledgerStanding({ version: '0.3.2', fromIndex: true, source: 'pinned' })).toEqual({ kind: 'release', version: '0.3.2' });
  });

  test('the same version from a checkout or a wheel, an unlisted release, no metadata, a reused server: unknown, saying why', () => {
    expect(ledgerStanding({ version: '0.3.2', fromIndex: false, source: 'checkout' })).toMatchObject({ kind: 'unknown', why: expect.stringMatching(/source checkout/) });
    expect(ledgerStanding({ version: '0.3.2', fromIndex: false, source: 'archive' })).toMatchObject({ kind: 'unknown', why: expect.stringMatching(/file or URL/) });
    expect(ledgerStanding(pypi('0.0.5'))).toMatchObject({ kind: 'unknown', why: expect.stringMatching(/0\.0\.5 is not in the ledger/) });
    expect(ledgerStanding(pypi(null))).toMatchObject({ kind: 'unknown', why: expect.stringMatching(/no fakeai package metadata/) });
    expect(ledgerStanding({ version: null, fromIndex: false, source: 'reused' })).toMatchObject({ kind: 'unknown' });
  });

  test('no build record (fixture runs from before builds existed) judges the pinned release', () => {
    expect(ledgerStanding(undefined)).toEqual({ kind: 'release', version: PINNED_RELEASE });
  });
});

describe('what a known defect expects on a build', () => {
  const floor = KNOWN_DEFECTS.find((d) => d.id === 'max-tokens-floor')!;
  const breaks = KNOWN_DEFECTS.find((d) => d.id === 'stream-context-length-breaks-stream')!;

  test('on a release that has it: the expected failure, with that release\'s own evidence line', () => {
    expect(defectExpectation(floor, { kind: 'release', version: '0.3.2' })).toEqual({ expect: 'defect', evidence: floor.evidence });
    expect(defectExpectation(floor, { kind: 'release', version: '0.3.1' })).toEqual({ expect: 'defect', evidence: 'fakeai/fakeai_service.py:1791' });
  });

  test('on a release verified not to have it: absent; on an unknown build or an unverified release: unknown', () => {
    expect(defectExpectation(breaks, { kind: 'release', version: '0.3.1' })).toEqual({ expect: 'absent' });
    expect(defectExpectation(floor, { kind: 'unknown', why: 'a checkout' })).toEqual({ expect: 'unknown', why: 'a checkout' });
    expect(defectExpectation(floor, { kind: 'release', version: '0.3.1' }, {})).toMatchObject({ expect: 'unknown', why: expect.stringMatching(/not verified max-tokens-floor on 0\.3\.1/) });
  });

  test('every ledger entry names a known defect and a listed release, with evidence shaped fakeai/<file>.py:<line> or null', () => {
    const ids = new Set(KNOWN_DEFECTS.map((d) => d.id));
    for (const [id, perRelease] of Object.entries(DEFECT_RELEASES)) {
      expect([id, ids.has(id)]).toEqual([id, true]);
      for (const [v, e] of Object.entries(perRelease)) {
        expect([id, LEDGER_RELEASES.includes(v)]).toEqual([id, true]);
        if (e !== null) expect(e).toMatch(/^fakeai\/[\w/]+\.py:\d+$/);
      }
    }
  });

  test('every known defect says what it does on every listed release (verified, not assumed)', () => {
    const unverified = KNOWN_DEFECTS.flatMap((d) => LEDGER_RELEASES.filter((v) => defectExpectation(d, { kind: 'release', version: v }).expect === 'unknown').map((v) => `${d.id} on ${v}`));
    expect(unverified).toEqual([]);
  });

  test('a defect read in another release (evidenceIn) is not claimed for the pinned one', () => {
    for (const d of KNOWN_DEFECTS.filter((k) => k.evidenceIn)) expect([d.id, releasesWith(d)]).toEqual([d.id, [d.evidenceIn]]);
  });
});

// The 0.3.1 evidence lines against 0.3.1's own source, when this machine has it (npm run e2e -- --fakeai 0.3.1 installs it).
const site031 = path.join(PROJECT_ROOT, '.venv-builds', 'pypi-0.3.1', 'lib', 'python3.11', 'site-packages');
(existsSync(site031) ? test : test.skip)(
  `each 0.3.1 evidence line holds its defect's quoted text in fakeai 0.3.1's source${existsSync(site031) ? '' : ' — skipped: .venv-builds/pypi-0.3.1 is not installed (run npm run e2e -- --fakeai 0.3.1 once)'}`,
  () => {
    for (const d of KNOWN_DEFECTS.filter((k) => k.evidenceText)) {
      const e = DEFECT_RELEASES[d.id]?.['0.3.1'];
      if (!e) continue;
      const [file, line] = e.split(':');
      const text = readFileSync(path.join(site031, file), 'utf8').split('\n')[Number(line) - 1];
      expect(`${d.id}: ${text}`).toContain(d.evidenceText!);
    }
  },
);

describe('route exclusions follow their defect\'s releases', () => {
  const exclusions = [{ route: 'GET /a', reason: 'r', defect: 'stream-context-length-breaks-stream' }, { route: 'GET /b', reason: 'r', defect: 'max-tokens-floor' }, { route: 'GET /c', reason: 'no defect' }];

  test('on a release verified not to have the defect the route is no longer excluded; elsewhere it stays', () => {
    expect(exclusionsFor(exclusions, { kind: 'release', version: '0.3.1' }, KNOWN_DEFECTS).map((e) => e.route)).toEqual(['GET /b', 'GET /c']);
    expect(exclusionsFor(exclusions, { kind: 'release', version: '0.3.2' }, KNOWN_DEFECTS).map((e) => e.route)).toEqual(['GET /a', 'GET /b', 'GET /c']);
    expect(exclusionsFor(exclusions, { kind: 'unknown', why: 'a checkout' }, KNOWN_DEFECTS)).toHaveLength(3);
  });

  test('every real exclusion names a known defect', () => {
    for (const e of ROUTE_EXCLUSIONS) expect([e.route, KNOWN_DEFECTS.some((d) => d.id === e.defect)]).toEqual([e.route, true]);
  });
});

describe('allowances a build never triggers', () => {
  const stale = ALLOWED_EXCEPTIONS.filter((a) => a.defect === 'stream-context-length-breaks-stream' || a.defect === 'files-unknown-id-500').map((a) => ({ allowance: a, place: a.provokedBy[0] }));

  test('on a release that has the defect: stale for real (fatal)', () => {
    const { fatal, notOnThisBuild } = splitStale(stale, { kind: 'release', version: '0.3.2' });
    expect(fatal.map((s) => s.allowance.defect).sort()).toEqual(['files-unknown-id-500', 'stream-context-length-breaks-stream']);
    expect(notOnThisBuild).toEqual([]);
  });

  test('on a release the ledger says lacks it, or an unknown build: reported, not fatal', () => {
    const on031 = splitStale(stale, { kind: 'release', version: '0.3.1' });
    expect(on031.fatal.map((s) => s.allowance.defect)).toEqual(['files-unknown-id-500']);
    expect(on031.notOnThisBuild.map((s) => [s.allowance.defect, s.why])).toEqual([['stream-context-length-breaks-stream', expect.stringMatching(/0\.3\.1 does not have/)]]);
    expect(splitStale(stale, { kind: 'unknown', why: 'a checkout' }).fatal).toEqual([]);
  });
});

describe('testKnownDefect on builds (fixture Jest project)', () => {
  const run = useKnownDefectFixtureRun('known-defect-builds', { build: { version: '0.3.3.dev0', installedBy: 'test', source: 'checkout', origin: '/src/fakeai', commit: 'abc123+dirty', archive: null, fromIndex: false, python: null } });

  test('an unknown build whose defect no longer reproduces: passes, reported FIXED with the evidence', () => {
    expect(run.outcome('unknown fixed').status).toBe('passed');
    const fixed = run.records().filter((r) => r.kind === 'fixed');
    expect(fixed.map((r) => (r as { test: string }).test)).toEqual([expect.stringContaining('unknown fixed'), expect.stringContaining('run: the check passes')]);
    expect(fixed[0]).toMatchObject({ id: 'max-tokens-floor', evidence: 'fakeai/fakeai_service.py:1818', seen: expect.stringMatching(/passed/) });
  });

  test('a defect the pinned release already fixed (0.3.1\'s) passing on an unknown build is no news: passes, not FIXED', () => {
    expect(run.outcome('unknown old fix').status).toBe('passed');
    expect(run.records().filter((r) => r.kind === 'fixed' && (r as { id: string }).id === 'context-length-not-checked')).toEqual([]);
  });

  test('the same fixed defect on a release the ledger says has it: red, as today', () => {
    expect(run.outcome('release fixed').status).toBe('failed');
    expect(run.outcome('release fixed').message).toMatch(/Failing test passed even though it was supposed to fail/);
  });

  test('the defect still showing passes on both; another error is red on an unknown build too', () => {
    expect(run.outcome('unknown still').status).toBe('passed');
    expect(run.outcome('release still').status).toBe('passed');
    expect(run.outcome('unknown other').status).toBe('failed');
    expect(run.outcome('unknown other').message).toMatch(/reason other than defect max-tokens-floor[\s\S]*TypeError/);
  });

  test('a defect the ledger says a release does not have is an ordinary test there', () => {
    expect(run.outcome('absent ok').status).toBe('passed');
    expect(run.outcome('absent broken').status).toBe('failed');
    expect(run.outcome('absent broken').message).not.toMatch(/known FakeAI defect/);
  });

  test('the standing comes from the harness handoff when not given: a checkout build is unknown', () => {
    expect(run.outcome('run: the check passes').status).toBe('passed');
    expect(run.ranCount()).toBe(9);
  });
});

describe('testKnownDefect on an unknown build with --strict (fixture Jest project)', () => {
  const run = useKnownDefectFixtureRun('known-defect-builds', {
    build: { version: '0.3.3.dev0', installedBy: 'test', source: 'checkout', origin: '/src/fakeai', commit: null, archive: null, fromIndex: false, python: null },
    env: { E2E_STRICT: '1' },
  });

  test('a FIXED defect fails, saying FIXED and that --strict fails it', () => {
    expect(run.outcome('run: the check passes').status).toBe('failed');
    expect(run.outcome('run: the check passes').message).toMatch(/FIXED: known defect max-tokens-floor \(fakeai\/fakeai_service\.py:1818\) no longer reproduces[\s\S]*--strict/);
  });
});
