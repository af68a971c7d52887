/**
 * Holds one exchange to OpenAI's own document (openai-spec.ts): the JSON response against the
 * operation's schema for that status, every SSE event of a stream against the route's
 * text/event-stream schema, and the JSON body the suite sent against the request schema.
 *
 * What is judged, and why:
 * - Only routes OpenAI defines (openai-routes.ts); FakeAI-only routes are not judged.
 * - Only statuses OpenAI declares for the operation. OpenAI declares success answers (200, a few
 *   201/400/404) and documents errors once for the whole API, so a 422 from a bad-input test has
 *   no schema here; a 2xx OpenAI does not declare (201 where it says 200) is a deviation.
 * - The request only when the server accepted it (2xx): a 4xx answer to a deliberately bad body is
 *   what the bad-input tests are for, while an accepted body OpenAI would refuse proves nothing.
 *
 * A deviation is one (part, route, pointer, rule): array indices in the pointer become `*`, so the
 * same null on 40 responses is one deviation seen 40 times.
 */
import type { ErrorObject } from 'ajv';
import { escapePointer, type OpenAiSpec, type Validator } from './openai-spec';
import { FAKEAI_PREFIX, routesOf, type RouteRef } from './openai-routes';

export type DeviationPart = 'response' | 'stream' | 'request';

export interface Deviation {
  part: DeviationPart;
  /** OpenAI's route, "POST /chat/completions". */
  route: string;
  /** JSON pointer into the body (or the event), indices as `*`; "" is the body itself. */
  pointer: string;
  /** The schema keyword and where it sits, "type #/properties/tool_calls/type". */
  rule: string;
  message: string;
  /** The offending value (or what stood where a required one was missing), short JSON. */
  example: string;
}

export interface ConformanceCheck {
  /** OpenAI's route; null for a FakeAI-only path. */
  route: string | null;
  judged: boolean;
  /** Why it was not judged, when it was not. */
  reason: string | null;
  deviations: Deviation[];
  /** Streams: how many events were validated. */
  events?: number;
}

export const deviationKey = (d: Pick<Deviation, 'part' | 'route' | 'pointer' | 'rule'>): string => `${d.part} ${d.route} ${d.pointer || '(body)'} ${d.rule}`;

const COMPOSITE = new Set(['anyOf', 'oneOf']);
const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
const parentOf = (p: string) => p.slice(0, p.lastIndexOf('/'));

/** The component a schema path starts in ("#/components/schemas/FunctionToolCall"), else "#". */
function variantOf(schemaPath: string): string {
  return /^.*?#\/components\/schemas\/[^/]+/.exec(schemaPath)?.[0] ?? '#';
}

/**
 * Ajv reports every branch of a failed anyOf/oneOf; a reader needs the ones that explain it:
 * - a variant whose discriminator (a const/enum property: `type`, `object`) said "not me" is
 *   dropped, with all its errors when they can be tied to it (its component in the schema path);
 * - a branch's plain mismatch at the union's own place (`type`, `const`, `enum` there: "not an
 *   object", "not null") is dropped, and the union line stays when nothing deeper is left;
 * - the union's own "matches none of the variants" goes once a deeper error explains it.
 * What is left names the real field (`/usage/input_tokens_details` missing, not 20 variants).
 */
export function explainErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const compositeAt = new Set(errors.filter((e) => COMPOSITE.has(e.keyword)).map((e) => e.instancePath));
  const shallow = (e: ErrorObject) => e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'enum';
  const rejected: { at: string; variant: string }[] = [];
  for (const e of errors) {
    if ((e.keyword === 'const' || e.keyword === 'enum') && compositeAt.has(parentOf(e.instancePath))) {
      rejected.push({ at: parentOf(e.instancePath), variant: variantOf(e.schemaPath) });
    }
  }
  let kept = errors.filter((e) => !rejected.some((r) => r.variant !== '#' && r.variant === variantOf(e.schemaPath) && under(e.instancePath, r.at)));
  kept = kept.filter((e) => !(shallow(e) && compositeAt.has(e.instancePath)));
  kept = kept.filter((e) => !((e.keyword === 'const' || e.keyword === 'enum') && compositeAt.has(parentOf(e.instancePath))));
  kept = kept.filter((e) => !COMPOSITE.has(e.keyword) || !kept.some((o) => !COMPOSITE.has(o.keyword) && under(o.instancePath, e.instancePath)));
  // Nested unions inside one failed union: keep only the outermost line for a place.
  kept = kept.filter((e) => !COMPOSITE.has(e.keyword) || !kept.some((o) => o !== e && COMPOSITE.has(o.keyword) && o.instancePath !== e.instancePath && under(e.instancePath, o.instancePath)));
  const seen = new Set<string>();
  return kept.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${e.schemaPath}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function valueAt(body: unknown, pointer: string): unknown {
  if (pointer === '') return body;
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), body);
}

function shortJson(v: unknown, max = 100): string {
  if (v === undefined) return '(absent)';
  let s = JSON.stringify(v) ?? String(v);
  // A union no variant accepts: its `type` says which variant the server meant.
  if (s.length > max && v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string') s = `{"type":${JSON.stringify((v as { type: string }).type)},…}`;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `missing required property "${String(p.missingProperty)}"`;
  if (e.keyword === 'additionalProperties') return `unexpected property "${String(p.additionalProperty)}"`;
  if (e.keyword === 'enum') return `must be one of ${JSON.stringify(p.allowedValues)}`;
  if (e.keyword === 'const') return `must equal ${JSON.stringify(p.allowedValue)}`;
  if (COMPOSITE.has(e.keyword)) return `matches none of the ${e.keyword} variants`;
  return e.message ?? e.keyword;
}

/** Ajv errors → deviations of one part of one route. */
export function toDeviations(part: DeviationPart, route: string, errors: readonly ErrorObject[], body: unknown): Deviation[] {
  return explainErrors(errors).map((e) => {
    const missing = e.keyword === 'required' ? String((e.params as { missingProperty?: unknown }).missingProperty) : null;
    const example = missing === null ? shortJson(valueAt(body, e.instancePath)) : `keys ${shortJson(Object.keys((valueAt(body, e.instancePath) as object) ?? {}))}`;
    return {
      part,
      route,
      pointer: `${e.instancePath.replace(/\/\d+(?=\/|$)/g, '/*')}${missing === null ? '' : `/${escapePointer(missing)}`}`,
      rule: `${e.keyword} ${e.schemaPath.replace(/^openai\.json/, '')}`,
      message: messageOf(e),
      example,
    };
  });
}

function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

interface CompiledRoute {
  method: string;
  path: string;
  regex: RegExp;
  literal: number;
}

export class OpenAiConformance {
  private readonly table: CompiledRoute[];

  constructor(private readonly spec: Pick<OpenAiSpec, 'operation' | 'validator'> & { index: { paths: Record<string, Record<string, unknown>> } }) {
    this.table = routesOf(spec.index).map((r) => ({
      ...r,
      regex: new RegExp(`^${r.path.split('/').map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`),
      literal: r.path.replace(/\{[^}]+\}/g, '').length,
    }));
  }

  /** OpenAI's route for a concrete FakeAI request path, e.g. "/v1/files/file-1" → "/files/{file_id}". */
  routeOf(method: string, concretePath: string): RouteRef | undefined {
    const p = concretePath.split('?')[0];
    if (!p.startsWith(`${FAKEAI_PREFIX}/`)) return undefined;
    const rest = p.slice(FAKEAI_PREFIX.length);
    const m = method.toUpperCase();
    return this.table
      .filter((r) => r.method === m && r.regex.test(rest))
      .sort((a, b) => b.literal - a.literal)
      .map(({ method: mm, path }) => ({ method: mm, path }))[0];
  }

  private validate(pointer: string): Validator {
    return this.spec.validator(pointer);
  }

  /** One JSON exchange: the response for its status, and the request body when the server accepted it. */
  checkExchange(method: string, concretePath: string, status: number, contentType: string | null, body: unknown, sent?: unknown): ConformanceCheck {
    const ref = this.routeOf(method, concretePath);
    if (!ref) return { route: null, judged: false, reason: 'FakeAI-only route', deviations: [] };
    const route = `${ref.method} ${ref.path}`;
    const op = this.spec.operation(ref.method, ref.path)!;
    const base = `/paths/${escapePointer(ref.path)}/${ref.method.toLowerCase()}`;
    const deviations: Deviation[] = [];
    const ok = status >= 200 && status < 300;
    const sentJson = op.requestBody?.content?.['application/json']?.schema;
    if (ok && sent !== undefined && sentJson) {
      const v = this.validate(`${base}/requestBody/content/application~1json/schema`);
      if (!v(sent)) deviations.push(...toDeviations('request', route, v.errors ?? [], sent));
    }
    const responses = op.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) {
      const declared2xx = Object.keys(responses).filter((k) => k.startsWith('2'));
      if (ok && declared2xx.length > 0) {
        deviations.push({ part: 'response', route, pointer: '', rule: 'responses (status)', message: `status ${status}; OpenAI declares ${declared2xx.join(', ')}`, example: String(status) });
        return { route, judged: true, reason: null, deviations };
      }
      return { route, judged: deviations.length > 0, reason: `status ${status} has no schema in OpenAI's document`, deviations };
    }
    const content = responses[key].content ?? {};
    const type = mediaType(contentType);
    if (!content[type]?.schema) {
      if (type !== 'application/json') return { route, judged: deviations.length > 0, reason: `${type || 'no media type'}: not a JSON body OpenAI describes`, deviations };
      deviations.push({ part: 'response', route, pointer: '', rule: `responses/${key}/content`, message: `media type application/json; OpenAI declares ${Object.keys(content).join(', ') || 'no body'}`, example: type });
      return { route, judged: true, reason: null, deviations };
    }
    const v = this.validate(`${base}/responses/${key}/content/application~1json/schema`);
    if (!v(body)) deviations.push(...toDeviations('response', route, v.errors ?? [], body));
    return { route, judged: true, reason: null, deviations };
  }

  /** Every JSON event of one SSE stream against the route's event schema; [DONE] is the stream's end. */
  checkStream(method: string, concretePath: string, status: number | null, events: readonly { data: string; done: boolean; json: unknown }[], sent?: unknown): ConformanceCheck {
    const ref = this.routeOf(method, concretePath);
    if (!ref) return { route: null, judged: false, reason: 'FakeAI-only route', deviations: [] };
    const route = `${ref.method} ${ref.path}`;
    const op = this.spec.operation(ref.method, ref.path)!;
    const base = `/paths/${escapePointer(ref.path)}/${ref.method.toLowerCase()}`;
    const deviations = new Map<string, Deviation>();
    const add = (d: Deviation) => deviations.set(deviationKey(d), deviations.get(deviationKey(d)) ?? d);
    const sentJson = op.requestBody?.content?.['application/json']?.schema;
    if (status !== null && status >= 200 && status < 300 && sent !== undefined && sentJson) {
      const v = this.validate(`${base}/requestBody/content/application~1json/schema`);
      if (!v(sent)) toDeviations('request', route, v.errors ?? [], sent).forEach(add);
    }
    const declared = status === null ? undefined : op.responses?.[String(status)]?.content?.['text/event-stream']?.schema;
    if (!declared) return { route, judged: deviations.size > 0, reason: `OpenAI declares no event stream for status ${status}`, deviations: [...deviations.values()] };
    const v = this.validate(`${base}/responses/${status}/content/text~1event-stream/schema`);
    let n = 0;
    for (const e of events) {
      if (e.done) continue;
      n++;
      if (e.json === undefined) add({ part: 'stream', route, pointer: '', rule: 'json', message: 'event data is not JSON', example: shortJson(e.data) });
      else if (!v(e.json)) toDeviations('stream', route, v.errors ?? [], e.json).forEach(add);
    }
    return { route, judged: true, reason: null, deviations: [...deviations.values()], events: n };
  }
}
