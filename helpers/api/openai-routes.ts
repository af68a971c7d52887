/**
 * Which OpenAI route each FakeAI route claims to be. FakeAI serves OpenAI's API under /v1
 * (`POST /v1/chat/completions`), OpenAI's document lists it without the prefix
 * (`POST /chat/completions`, its server URL carries the /v1). Path parameters are matched by
 * position, not by name: FakeAI's `/v1/files/{file_id}` and OpenAI's `/files/{file_id}` are the
 * same route, and so would be `{id}` against `{file_id}`.
 *
 * A FakeAI route OpenAI does not define (metrics, dashboards, /v1/text/generation, …) is
 * "FakeAI-only": listed in the report, never judged against OpenAI.
 */
export const FAKEAI_PREFIX = '/v1';

export interface RouteRef {
  method: string;
  path: string;
}

export interface RouteMapping {
  /** FakeAI's route, "POST /v1/chat/completions". */
  fakeai: string;
  /** OpenAI's route, "POST /chat/completions"; null for a FakeAI-only route. */
  openai: string | null;
}

const isParam = (segment: string) => /^\{[^}]+\}$/.test(segment);

/** Literal segments equal, parameters at the same positions; names do not matter. */
function sameShape(fakeaiRest: string, openaiPath: string): boolean {
  const a = fakeaiRest.split('/');
  const b = openaiPath.split('/');
  if (a.length !== b.length) return false;
  return a.every((seg, i) => (isParam(seg) ? isParam(b[i]) : !isParam(b[i]) && seg === b[i]));
}

/** OpenAI's path for one FakeAI route, or null when OpenAI defines no such route and method. */
export function mapToOpenAi(route: RouteRef, openaiRoutes: readonly RouteRef[]): string | null {
  if (!route.path.startsWith(`${FAKEAI_PREFIX}/`)) return null;
  const rest = route.path.slice(FAKEAI_PREFIX.length);
  const method = route.method.toUpperCase();
  const hit = openaiRoutes.find((o) => o.method.toUpperCase() === method && sameShape(rest, o.path));
  return hit ? hit.path : null;
}

/** Every FakeAI route with its OpenAI counterpart (or null), in FakeAI's order. */
export function mapRoutes(fakeaiRoutes: readonly RouteRef[], openaiRoutes: readonly RouteRef[]): RouteMapping[] {
  return fakeaiRoutes.map((r) => {
    const openai = mapToOpenAi(r, openaiRoutes);
    return { fakeai: `${r.method.toUpperCase()} ${r.path}`, openai: openai === null ? null : `${r.method.toUpperCase()} ${openai}` };
  });
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/** The (method, path) pairs of an OpenAPI document's `paths`. */
export function routesOf(doc: { paths: Record<string, Record<string, unknown>> }): RouteRef[] {
  return Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops)
      .filter((m) => METHODS.has(m.toLowerCase()))
      .map((m) => ({ method: m.toUpperCase(), path: p })),
  );
}
