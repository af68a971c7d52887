/**
 * Which Chromium the HTML-report browser self-test drives, and what to do when there is none.
 *
 * Looked for in order: CHROMIUM_PATH (when set, only there: a path the user named and that is
 * missing is a mistake to report, not a cue to use another browser), the distribution's package
 * (/usr/bin/chromium, /usr/bin/chromium-browser), then the browser playwright-core would use from
 * its own cache (`npx playwright-core install chromium` puts one there).
 *
 * None found: the check is skipped with its reason and the one command that enables it — unless
 * E2E_REQUIRE_BROWSER is set (.ci/run sets it), where a missing browser fails, so CI can never stop
 * running the check without anyone noticing.
 */
import { existsSync } from 'node:fs';

export const ENABLE_COMMAND = 'scripts/install-chromium';
const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export type BrowserPlan = { action: 'run'; path: string; source: string } | { action: 'skip' | 'fail'; reason: string };

export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  exists?: (p: string) => boolean;
  /** Where playwright-core keeps its own Chromium; undefined when it cannot say. */
  bundled?: () => string | undefined;
}

function playwrightChromium(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('playwright-core') as typeof import('playwright-core')).chromium.executablePath();
  } catch {
    return undefined;
  }
}

export function planBrowserCheck(opts: FindOptions = {}): BrowserPlan {
  const env = opts.env ?? process.env;
  const exists = opts.exists ?? existsSync;
  const required = Boolean(env.E2E_REQUIRE_BROWSER) && env.E2E_REQUIRE_BROWSER !== '0';
  let reason: string;
  if (env.CHROMIUM_PATH) {
    if (exists(env.CHROMIUM_PATH)) return { action: 'run', path: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH' };
    reason = `CHROMIUM_PATH names ${env.CHROMIUM_PATH}, which does not exist`;
  } else {
    const system = SYSTEM_PATHS.find((p) => exists(p));
    if (system) return { action: 'run', path: system, source: 'distribution package' };
    const bundled = (opts.bundled ?? playwrightChromium)();
    if (bundled && exists(bundled)) return { action: 'run', path: bundled, source: "playwright-core's own browser" };
    reason = `no Chromium found (CHROMIUM_PATH unset; not at ${SYSTEM_PATHS.join(' or ')}; playwright-core has none${bundled ? ` at ${bundled}` : ''})`;
  }
  const enable = `run ${ENABLE_COMMAND} to enable it (or set CHROMIUM_PATH)`;
  return required
    ? { action: 'fail', reason: `the HTML-report browser check is required here (E2E_REQUIRE_BROWSER) but ${reason}: ${enable}` }
    : { action: 'skip', reason: `browser check skipped: ${reason}; ${enable}` };
}
