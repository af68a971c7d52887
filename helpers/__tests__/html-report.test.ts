/**
 * The HTML report in a real browser: a Chromium found by helpers/__fixtures__/find-chromium.ts
 * (scripts/install-chromium installs Debian's; .ci/run does and requires it), headless, with every
 * non-file request blocked, so "self-contained" is checked, not assumed. Without a browser the
 * check is skipped with its reason in its name and on stderr, never silently.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { sampleInput, sampleSnapshot } from '../__fixtures__/reporting-project/sample-run';
import { PROJECT_ROOT } from '../core/config';
import { renderHtml, writeHtmlReport } from '../reporting/html-report';
import { buildReportModel } from '../reporting/report-model';
import { planBrowserCheck } from '../__fixtures__/find-chromium';

const BROWSER = planBrowserCheck();
const SCREENSHOT = path.join(PROJECT_ROOT, 'reports', 'e2e-report-screenshot.png');

if (BROWSER.action === 'skip') {
  // Jest's summary only counts skips: the reason goes where a newcomer reads it.
  process.stderr.write(`\nfakeai-e2e: ${BROWSER.reason}\n`);
}

describe('HTML report', () => {
  it('contains no external URL and escapes names taken from the run', () => {
    const snapshot = sampleSnapshot();
    snapshot.tests[0].name = '<script>alert(1)</script>';
    const html = renderHtml(buildReportModel(sampleInput({ snapshot })));
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toContain('<script>alert(1)</script>');
  });
});

const describeBrowser = BROWSER.action === 'skip' ? describe.skip : describe;
const browserTitle = BROWSER.action === 'skip' ? `HTML report in headless Chromium (${BROWSER.reason})` : 'HTML report in headless Chromium';

describeBrowser(browserTitle, () => {
  let browser: BrowserContext;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-html-'));
  const file = path.join(dir, 'e2e-report.html');

  beforeAll(async () => {
    if (BROWSER.action !== 'run') throw new Error(BROWSER.reason);
    const snapshot = sampleSnapshot();
    snapshot.tests[1].name = '<script>window.__injected = true</script>';
    writeHtmlReport(buildReportModel(sampleInput({ snapshot })), file);
    // An empty profile directory: Playwright passes it as --user-data-dir.
    browser = await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'fakeai-e2e-chromium-')), {
      executablePath: BROWSER.path,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000); // a bound on a hung browser, not a speed requirement

  afterAll(async () => {
    await browser?.close();
  });

  it('renders the charts, makes no network request, and saves a screenshot', async () => {
    const page = await browser.newPage();
    const external: string[] = [];
    const errors: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://')) return route.continue();
      external.push(url);
      return route.abort();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);

    const latency = page.locator('#chart-latency svg');
    const box = await latency.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(box?.height).toBeGreaterThan(100);
    // One bar per request, each actually drawn (non-zero rendered height).
    const heights = await page.$$eval('#chart-latency rect.datum', (rects) => rects.map((r) => r.getBoundingClientRect().height));
    expect(heights).toHaveLength(20);
    expect(heights.every((h) => h > 0)).toBe(true);
    // TTFT per model: one box per model that streamed.
    expect(await page.locator('#chart-ttft g.datum').count()).toBe(5);
    expect(await page.locator('#chart-histogram rect.datum').count()).toBeGreaterThan(1);

    expect(await page.textContent('#verdict')).toMatch(/^✗ FAILED/);
    expect(await page.evaluate(() => (globalThis as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    await page.fill('#req-filter', 'claude-3-opus');
    expect(await page.locator('#requests tbody tr:visible').count()).toBe(4);

    expect(external).toEqual([]);
    expect(errors).toEqual([]);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  }, 60_000); // a bound on a hung browser, not a speed requirement
});
