/**
 * Holds responses (and the requests we build) to the OpenAPI 3.1 document the server publishes
 * about itself. Pure: give it the parsed /openapi.json, ask it about one exchange.
 *
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, so the whole document is registered with Ajv2020
 * under one $id and every operation's schema is compiled as a $ref into it: `#/components/...`
 * references then resolve inside the same document without any rewriting.
 */
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';

export type JsonSchema = Record<string, unknown>;

export interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** One way an exchange breaks the document: where, which rule, and what the rule said. */
export interface Violation {
  /** "POST /v1/files" — method and path template. */
  route: string;
  /** JSON pointer into the response (or request) body; "" is the body itself. */
  pointer: string;
  /** The schema rule that failed, as a pointer into the document's schema plus the keyword. */
  rule: string;
  message: string;
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;
const DOC_ID = 'openapi.json';

/** "/v1/files/{file_id}" → a pointer-safe token, per RFC 6901. */
function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

interface CompiledRoute {
  method: string;
  template: string;
  regex: RegExp;
  /** Parameters may span "/": FastAPI's `{x:path}` is published as plain `{x}` (fakeai/app.py:507). */
  loose: RegExp;
  /** Literal characters in the template: the most literal match wins, as in FastAPI's own order. */
  specificity: number;
}

// strict: false — OpenAPI adds keywords JSON Schema does not know (discriminator, example, …).
export const AJV_OPTIONS = { strict: false, allErrors: true, validateFormats: true, verbose: true } as const;

/** An Ajv holding the whole document under DOC_ID; `extra` adds options (validator-cache.ts: code.source). */
export function documentAjv(doc: OpenApiDocument, extra: ConstructorParameters<typeof Ajv2020>[0] = {}): Ajv2020 {
  // Required here, not imported: a test file whose validators all come precompiled
  // (validator-cache.ts) never loads Ajv's compiler (~80 modules per file).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const Ajv = (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ajv = new Ajv({ ...AJV_OPTIONS, ...extra });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID } as object);
  return ajv;
}

/** The Ajv reference of the schema at `pointer` in the document. */
export function schemaRef(pointer: string): string {
  return `${DOC_ID}#${pointer}`;
}

function requestPointer(method: string, template: string): string {
  return `/paths/${escapePointer(template)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`;
}

function responsePointer(method: string, template: string, key: string): string {
  return `/paths/${escapePointer(template)}/${method.toLowerCase()}/responses/${key}/content/${escapePointer('application/json')}/schema`;
}

/** Every schema Contract validates against: each JSON request body and each JSON response. */
export function schemaPointers(doc: OpenApiDocument): string[] {
  const out: string[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
      if (op.requestBody?.content?.['application/json']?.schema) out.push(requestPointer(method, template));
      for (const [key, res] of Object.entries(op.responses ?? {})) {
        if (res.content?.['application/json']?.schema) out.push(responsePointer(method, template, key));
      }
    }
  }
  return out;
}

export class Contract {
  /** Made on the first schema `precompiled` lacks: registering the document alone costs ~0.1 s. */
  private ajv: Ajv2020 | undefined;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routeTable: CompiledRoute[] = [];

  /**
   * `precompiled`: validators by schema pointer, compiled earlier from this same document with
   * AJV_OPTIONS (validator-cache.ts); any schema it lacks is compiled here.
   */
  constructor(
    readonly doc: OpenApiDocument,
    private readonly precompiled: Readonly<Record<string, ValidateFunction>> = {},
  ) {
    if (!doc || typeof doc !== 'object' || !doc.paths) throw new Error('Contract: not an OpenAPI document (no "paths")');
    if (!/^3\.1\./.test(String(doc.openapi))) throw new Error(`Contract: expected OpenAPI 3.1.x, got "${doc.openapi}"`);
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
        const source = (param: string) =>
          template
            .split(/(\{[^}]+\})/)
            .map((part) => (/^\{[^}]+\}$/.test(part) ? param : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
            .join('');
        this.routeTable.push({
          method: method.toUpperCase(),
          template,
          regex: new RegExp(`^${source('([^/]+)')}$`),
          loose: new RegExp(`^${source('(.+)')}$`),
          specificity: template.replace(/\{[^}]+\}/g, '').length,
        });
      }
    }
  }

  /** Every (method, template) the document declares, in document order. */
  routes(): { method: string; template: string }[] {
    return this.routeTable.map(({ method, template }) => ({ method, template }));
  }

  /** The template a concrete request path belongs to, or undefined when the document has none. */
  match(method: string, concretePath: string): string | undefined {
    const pathOnly = concretePath.split('?')[0];
    let hits = this.routeTable.filter((r) => r.method === method.toUpperCase() && r.regex.test(pathOnly));
    if (hits.length === 0) hits = this.routeTable.filter((r) => r.method === method.toUpperCase() && r.loose.test(pathOnly));
    hits.sort((a, b) => b.specificity - a.specificity);
    return hits[0]?.template;
  }

  operation(method: string, template: string): OpenApiOperation | undefined {
    return this.doc.paths[template]?.[method.toLowerCase()];
  }

  /** The JSON request-body schema, $refs left in place (resolve with resolveRef). */
  requestSchema(method: string, template: string): JsonSchema | undefined {
    return this.operation(method, template)?.requestBody?.content?.['application/json']?.schema;
  }

  /** Follows `#/components/...` references until a schema that is not a bare $ref. */
  resolveRef(schema: JsonSchema | undefined): JsonSchema | undefined {
    let s = schema;
    for (let depth = 0; s && typeof s.$ref === 'string' && depth < 20; depth++) {
      const ref = s.$ref as string;
      if (!ref.startsWith('#/')) throw new Error(`Contract: cannot resolve non-local $ref "${ref}"`);
      s = ref
        .slice(2)
        .split('/')
        .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], this.doc) as JsonSchema | undefined;
    }
    return s;
  }

  /** Validates a body the suite is about to send against the declared request schema. */
  checkRequest(method: string, template: string, body: unknown): Violation[] {
    const route = `${method.toUpperCase()} ${template}`;
    const op = this.operation(method, template);
    if (!op) return [{ route, pointer: '', rule: 'paths', message: 'route is not in the document' }];
    if (!this.requestSchema(method, template)) return [];
    return this.run(route, requestPointer(method, template), body);
  }

  /**
   * Validates one response. A status the operation does not declare, or a media type its
   * declaration does not list, is itself a violation: the document does not allow it.
   */
  checkResponse(method: string, template: string, status: number, contentType: string | null | undefined, body: unknown): Violation[] {
    const route = `${method.toUpperCase()} ${template}`;
    const op = this.operation(method, template);
    if (!op) return [{ route, pointer: '', rule: 'paths', message: 'route is not in the document' }];
    const responses = op.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) {
      return [{ route, pointer: '', rule: `responses`, message: `status ${status} is not declared (declared: ${Object.keys(responses).join(', ') || 'none'})` }];
    }
    const content = responses[key].content;
    if (!content) return [];
    const type = mediaType(contentType);
    if (!content[type]) {
      return [{ route, pointer: '', rule: `responses/${key}/content`, message: `media type "${type || '(none)'}" is not declared (declared: ${Object.keys(content).join(', ')})` }];
    }
    if (!content[type].schema || type !== 'application/json') return [];
    return this.run(route, responsePointer(method, template, key), body);
  }

  private run(route: string, schemaPointer: string, body: unknown): Violation[] {
    let validate = Object.hasOwn(this.precompiled, schemaPointer) ? this.precompiled[schemaPointer] : this.compiled.get(schemaPointer);
    if (!validate) {
      this.ajv ??= documentAjv(this.doc);
      validate = this.ajv.compile({ $ref: schemaRef(schemaPointer) });
      this.compiled.set(schemaPointer, validate);
    }
    if (validate(body)) return [];
    return collapse(validate.errors ?? []).map((e) => ({
      route,
      pointer: e.instancePath,
      rule: ruleOf(e),
      message: describe(e),
    }));
  }
}

/**
 * anyOf over "X | null" reports one error per branch plus the anyOf itself; keep the anyOf line and
 * the deepest errors, so a message names the real field instead of three branch failures.
 */
function collapse(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    const k = `${e.instancePath}|${e.keyword}|${e.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out.slice(0, 20);
}

/** "type of EmbeddingRequest.model" reads better than a pointer through $refs; keep both. */
function ruleOf(e: ErrorObject): string {
  const title = (e.parentSchema as { title?: unknown } | undefined)?.title;
  return `${e.keyword}${typeof title === 'string' ? ` (${title})` : ''} ${e.schemaPath}`;
}

function describe(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `missing required property "${String(params.missingProperty)}"`;
  if (e.keyword === 'additionalProperties') return `unexpected property "${String(params.additionalProperty)}"`;
  if (e.keyword === 'enum') return `${e.message}: ${JSON.stringify(params.allowedValues)}`;
  if (e.keyword === 'const') return `must equal ${JSON.stringify(params.allowedValue)}`;
  return e.message ?? e.keyword;
}

/** One block a test failure can show: every violation with route, pointer and rule. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations
    .map((v) => `  ${v.route}  at ${v.pointer === '' ? '(body)' : v.pointer}: ${v.message}  [rule ${v.rule}]`)
    .join('\n');
}
