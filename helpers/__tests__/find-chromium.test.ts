/**
 * A fresh machine passes `npm test`: the browser check runs where a Chromium is found, is skipped
 * with its reason and the command that enables it where none is, and fails where CI requires it.
 */
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../core/config';
import { planBrowserCheck } from '../__fixtures__/find-chromium';

const only = (...present: string[]) => (p: string) => present.includes(p);

describe('finding a Chromium', () => {
  test('uses CHROMIUM_PATH when it exists', () => {
    expect(planBrowserCheck({ env: { CHROMIUM_PATH: '/opt/c' }, exists: only('/opt/c', '/usr/bin/chromium') })).toEqual({ action: 'run', path: '/opt/c', source: 'CHROMIUM_PATH' });
  });

  test('does not fall back to another browser when CHROMIUM_PATH names a missing one: it says so', () => {
    const plan = planBrowserCheck({ env: { CHROMIUM_PATH: '/opt/missing' }, exists: only('/usr/bin/chromium') });
    expect(plan).toEqual({ action: 'skip', reason: expect.stringContaining('CHROMIUM_PATH names /opt/missing, which does not exist') });
  });

  test('then the distribution package, then the browser playwright-core keeps in its cache', () => {
    expect(planBrowserCheck({ env: {}, exists: only('/usr/bin/chromium-browser') })).toMatchObject({ action: 'run', path: '/usr/bin/chromium-browser' });
    expect(planBrowserCheck({ env: {}, exists: only('/cache/chrome'), bundled: () => '/cache/chrome' })).toMatchObject({ action: 'run', path: '/cache/chrome', source: "playwright-core's own browser" });
  });

  test('with none anywhere, skips with the reason and the one command that enables it', () => {
    const plan = planBrowserCheck({ env: {}, exists: () => false, bundled: () => '/cache/chrome' });
    expect(plan.action).toBe('skip');
    expect(plan.action !== 'run' && plan.reason).toMatch(/no Chromium found .*; run scripts\/install-chromium to enable it/);
  });

  test('with none and E2E_REQUIRE_BROWSER set (as .ci/run sets it), fails instead of skipping', () => {
    expect(planBrowserCheck({ env: { E2E_REQUIRE_BROWSER: '1' }, exists: () => false, bundled: () => undefined })).toMatchObject({ action: 'fail' });
    expect(planBrowserCheck({ env: { E2E_REQUIRE_BROWSER: '0' }, exists: () => false, bundled: () => undefined })).toMatchObject({ action: 'skip' });
  });
});

describe('the browser self-test without a browser', () => {
  const runHtmlTest = (env: Record<string, string>) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JEST_') && k !== 'E2E_REQUIRE_BROWSER'));
    return spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--selectProjects', 'unit', '--ci', 'helpers/__tests__/html-report.test.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...clean, NO_COLOR: '1', FORCE_COLOR: '0', CHROMIUM_PATH: '/nonexistent/chromium', ...env },
      encoding: 'utf8',
      timeout: 90_000,
    });
  };

  test('passes, reporting the check as skipped with why and how to enable it', () => {
    const r = runHtmlTest({});
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('fakeai-e2e: browser check skipped: CHROMIUM_PATH names /nonexistent/chromium, which does not exist; run scripts/install-chromium to enable it');
    expect(r.stderr).toMatch(/Tests: {7}1 skipped, 1 passed, 2 total/);
  }, 100_000);

  test('fails when the browser is required (CI)', () => {
    const r = runHtmlTest({ E2E_REQUIRE_BROWSER: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the HTML-report browser check is required here (E2E_REQUIRE_BROWSER) but CHROMIUM_PATH names /nonexistent/chromium');
  }, 100_000);
});
