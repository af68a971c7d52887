/**
 * Capabilities, as the server itself declares them: a `describe` block that needs routes the
 * server's /openapi.json does not list is skipped with that reason (one skip record naming the
 * missing routes and the build), or, with --strict, fails. Decided at collection time, so a build
 * without /v1/threads never gets a request built on a thread it could not create.
 */
import { loadConfig } from '../core/config';
import { server, type ServerInfo } from '../core/harness-env';
import { skippedTest } from '../core/skipped-test';
import { fakeaiVersionOf, isServed, loadOpenApiSync, type OpenApiDoc } from './openapi';

/** The routes of `needed` ("POST /v1/assistants", templates allowed) the document does not list. */
export function unservedRoutes(doc: OpenApiDoc, needed: readonly string[]): string[] {
  return needed.filter((r) => {
    const [method, path] = r.split(' ');
    return !isServed(doc, method, path);
  });
}

export type CapabilityDecision = { run: true } | { run: false; reason: string; fail: boolean };

/** Whether a block needing `needed` runs here, and if not, why — and whether that is a failure (--strict). */
export function capabilityDecision(doc: OpenApiDoc, needed: readonly string[], who: Pick<ServerInfo, 'fakeaiVersion'> & { spawned?: boolean }, strict: boolean): CapabilityDecision {
  const missing = unservedRoutes(doc, needed);
  if (missing.length === 0) return { run: true };
  const shown = missing.length > 3 ? `${missing.slice(0, 3).join(', ')} and ${missing.length - 3} more` : missing.join(', ');
  return { run: false, reason: `not served by fakeai ${fakeaiVersionOf(who)}: ${shown} ${missing.length === 1 ? 'is' : 'are'} not in its /openapi.json`, fail: strict };
}

/**
 * `describe(title, body)` when the default server serves every route in `needed`; otherwise one
 * skipped test saying which routes are missing (--strict: one failing test saying the same).
 */
export function describeIfServed(title: string, needed: readonly string[], body: () => void, serverName = 'default'): void {
  const who = server(serverName);
  const decision = capabilityDecision(loadOpenApiSync(who.baseUrl), needed, who, loadConfig().strict);
  if (decision.run) {
    describe(title, body);
    return;
  }
  const { reason } = decision;
  describe(title, () => {
    if (decision.fail) {
      test(`every test of "${title}" — ${reason} (--strict)`, () => {
        throw new Error(`${title}: expected these routes to be served (--strict / E2E_STRICT=1), but they are ${reason}`);
      });
    } else {
      skippedTest(title, `every test of "${title}"`, reason);
    }
  });
}
