/**
 * Seeded invalid-input generator for request bodies. From a route's declared request schema and a
 * valid body, it derives bodies that break exactly one rule — a wrong type, a missing required
 * field, a number out of range, an oversize string, an unknown enum value, or a body that is not an
 * object — at the top level or inside nested objects and array items, and keeps only those the same
 * schema rejects (checked with the contract validator), so a case can never be "invalid" by our
 * guess alone. The same seed always yields the same cases.
 */
import type { Contract, JsonSchema } from './contract';

export type InvalidKind = 'not-an-object' | 'missing-required' | 'wrong-type' | 'out-of-range' | 'oversize' | 'unknown-enum';

export interface InvalidCase {
  route: string;
  kind: InvalidKind;
  /** The field broken as a path ("model", "messages[0].role"), or "" for the body itself. */
  field: string;
  body: unknown;
  /** What the document says the server should reject, in words. */
  description: string;
}

/**
 * How deep nested cases reach, counted in containers below the body: `messages[0].tool_calls[0]`
 * is four. Deep enough for every nesting FakeAI 0.3.2 declares that matters (a message's content
 * part, a tool's function); it also stops recursive schemas.
 */
export const MAX_NESTED_DEPTH = 4;

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each route gets its own stream, so adding a route does not change another route's cases. */
export function routeSeed(seed: number, route: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < route.length; i++) h = Math.imul(h ^ route.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** At most `max` of `all`, a seeded shuffle keyed by `stream` (reproducible with E2E_SEED). */
export function seededPick<T>(all: readonly T[], seed: number, stream: string, max: number): T[] {
  const out = [...all];
  const rand = seededRandom(routeSeed(seed, stream));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, max);
}

/** The non-null branches of a property schema, $refs resolved. */
export function branches(contract: Contract, schema: JsonSchema | undefined): JsonSchema[] {
  const s = contract.resolveRef(schema);
  if (!s) return [];
  const alts = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (alts) return alts.flatMap((b) => branches(contract, b)).filter((b) => b.type !== 'null');
  return [s];
}

export function typesOf(bs: JsonSchema[]): Set<string> {
  const out = new Set<string>();
  for (const b of bs) {
    const t = b.type;
    if (Array.isArray(t)) t.forEach((x) => out.add(String(x)));
    else if (typeof t === 'string') out.add(t);
    else if (b.enum || b.const !== undefined) out.add('string');
    else out.add('any');
  }
  if (out.has('integer')) out.add('number');
  return out;
}

/**
 * A value of a JSON type none of the branches accepts. Booleans and numeric strings are avoided:
 * pydantic's lax mode coerces them, which would make a "wrong type" a valid input.
 */
function wrongValue(types: Set<string>): unknown {
  if (types.has('any')) return undefined;
  const candidates: [string, unknown][] = [
    ['object', { e2e: 'wrong type' }],
    ['array', ['e2e', 'wrong type']],
    ['string', 'e2e wrong type'],
    ['number', 12345.5],
  ];
  const hit = candidates.find(([t]) => !types.has(t));
  return hit?.[1];
}

export function rangeValue(bs: JsonSchema[]): { value: number; rule: string } | undefined {
  for (const b of bs) {
    const int = b.type === 'integer';
    if (typeof b.maximum === 'number') return { value: int ? Math.floor(b.maximum) + 1 : b.maximum + 1, rule: `maximum ${b.maximum}` };
    if (typeof b.exclusiveMaximum === 'number') return { value: b.exclusiveMaximum, rule: `exclusiveMaximum ${b.exclusiveMaximum}` };
    if (typeof b.minimum === 'number') return { value: int ? Math.ceil(b.minimum) - 1 : b.minimum - 1, rule: `minimum ${b.minimum}` };
    if (typeof b.exclusiveMinimum === 'number') return { value: b.exclusiveMinimum, rule: `exclusiveMinimum ${b.exclusiveMinimum}` };
  }
  return undefined;
}

function oversizeValue(bs: JsonSchema[]): { value: unknown; rule: string } | undefined {
  for (const b of bs) {
    if (typeof b.maxLength === 'number') return { value: 'x'.repeat(b.maxLength + 1), rule: `maxLength ${b.maxLength}` };
    if (typeof b.maxItems === 'number') return { value: Array.from({ length: b.maxItems + 1 }, () => 'x'), rule: `maxItems ${b.maxItems}` };
  }
  return undefined;
}

export function hasEnum(bs: JsonSchema[]): boolean {
  return bs.length > 0 && bs.every((b) => Array.isArray(b.enum) || b.const !== undefined);
}

/** Every single-value break a field's schema allows us to derive, with its words ("given …"). */
function valueBreaks(contract: Contract, schema: JsonSchema | undefined): { kind: InvalidKind; value: unknown; what: string }[] {
  const bs = branches(contract, schema);
  const out: { kind: InvalidKind; value: unknown; what: string }[] = [];
  const wrong = wrongValue(typesOf(bs));
  if (wrong !== undefined) out.push({ kind: 'wrong-type', value: wrong, what: `given ${JSON.stringify(wrong)} (wrong type)` });
  const range = rangeValue(bs);
  if (range) out.push({ kind: 'out-of-range', value: range.value, what: `= ${range.value} breaks ${range.rule}` });
  const big = oversizeValue(bs);
  if (big) out.push({ kind: 'oversize', value: big.value, what: `breaks ${big.rule}` });
  if (hasEnum(bs)) out.push({ kind: 'unknown-enum', value: 'e2e-not-a-valid-value', what: 'given a value outside its enum' });
  return out;
}

type Segment = string | number;

/** ["messages", 0, "role"] → "messages[0].role". */
export function pathText(path: readonly Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function getAt(body: unknown, path: readonly Segment[]): unknown {
  return path.reduce<unknown>((node, seg) => (node !== null && typeof node === 'object' ? (node as Record<Segment, unknown>)[seg] : undefined), body);
}

const REMOVE = Symbol('remove');

/** A copy of `body` with the value at `path` replaced (or removed); the parents must exist. */
function setAt(body: unknown, path: readonly Segment[], value: unknown): unknown {
  const copy = structuredClone(body);
  const parent = getAt(copy, path.slice(0, -1)) as Record<Segment, unknown>;
  const last = path[path.length - 1];
  if (value === REMOVE) delete parent[last];
  else parent[last] = value;
  return copy;
}

/**
 * The smallest value a schema accepts, built from its required parts, or undefined when we cannot
 * tell (a pattern, a format, an open schema). Only used to reach nested fields the valid body leaves
 * out; the body it goes into is checked against the document before anything is derived from it.
 */
export function minimalValue(contract: Contract, schema: JsonSchema | undefined, depth = 0): unknown {
  const s = contract.resolveRef(schema);
  if (!s || depth > MAX_NESTED_DEPTH + 2) return undefined;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const alts = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (alts) {
    for (const b of alts) {
      if (contract.resolveRef(b)?.type === 'null') continue;
      const v = minimalValue(contract, b, depth + 1);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  const type = s.type ?? (s.properties ? 'object' : undefined);
  if (type === 'object') {
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    const out: Record<string, unknown> = {};
    for (const name of (s.required ?? []) as string[]) {
      const v = minimalValue(contract, props[name], depth + 1);
      if (v === undefined) return undefined;
      out[name] = v;
    }
    return out;
  }
  if (type === 'array') {
    // One item, so that item [0] exists to break.
    const item = minimalValue(contract, s.items as JsonSchema | undefined, depth + 1);
    return item === undefined ? undefined : Array.from({ length: Math.max(1, Number(s.minItems ?? 0)) }, () => structuredClone(item));
  }
  if (type === 'string') return s.pattern || s.format ? undefined : 'e2e'.padEnd(Number(s.minLength ?? 0), 'x');
  if (type === 'integer' || type === 'number') {
    const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 1;
    return typeof s.maximum === 'number' && s.maximum < min ? s.maximum : type === 'integer' ? Math.ceil(min) : min;
  }
  if (type === 'boolean') return true;
  return undefined;
}

/** The object branch `value` was built for: its required fields are there and its consts match. */
function objectBranchFor(contract: Contract, schema: JsonSchema | undefined, value: Record<string, unknown>): JsonSchema | undefined {
  return branches(contract, schema).find((b) => {
    if (b.type !== 'object' && !b.properties) return false;
    if (!((b.required ?? []) as string[]).every((r) => r in value)) return false;
    return Object.entries((b.properties ?? {}) as Record<string, JsonSchema>).every(([k, p]) => {
      const r = contract.resolveRef(p);
      if (!(k in value) || !r) return true;
      if (r.const !== undefined) return r.const === value[k];
      return Array.isArray(r.enum) ? r.enum.includes(value[k]) : true;
    });
  });
}

function itemSchemaOf(contract: Contract, schema: JsonSchema | undefined): JsonSchema | undefined {
  return branches(contract, schema).find((b) => b.type === 'array' && b.items)?.items as JsonSchema | undefined;
}

/** Every single-rule break of `base` the schema of `METHOD template` rejects, in schema order. */
export function allInvalidCases(contract: Contract, method: string, template: string, base: Record<string, unknown>): InvalidCase[] {
  const route = `${method.toUpperCase()} ${template}`;
  const schema = contract.resolveRef(contract.requestSchema(method, template));
  if (!schema) return [];
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as string[];
  const out: InvalidCase[] = [{ route, kind: 'not-an-object', field: '', body: [base], description: 'a JSON array where the body must be an object' }];

  for (const field of required) {
    out.push({ route, kind: 'missing-required', field, body: setAt(base, [field], REMOVE), description: `required field "${field}" left out` });
  }
  for (const [field, propSchema] of Object.entries(props)) {
    for (const b of valueBreaks(contract, propSchema)) out.push({ route, kind: b.kind, field, body: setAt(base, [field], b.value), description: `"${field}" ${b.what}` });
  }
  // Keep only what the document itself rejects: a case the schema allows is not an invalid input.
  return out.filter((c) => contract.checkRequest(method, template, c.body).length > 0);
}

/**
 * Every single-rule break BELOW the top level: inside the objects and array items the schema
 * declares, down to MAX_NESTED_DEPTH. Nested objects the valid body leaves out are filled with
 * their minimal value first (when the document accepts the body so filled), so a declared nested
 * field is reached even when the valid body does not use it. Kept only when the document rejects it.
 */
export function allNestedInvalidCases(contract: Contract, method: string, template: string, base: Record<string, unknown>): InvalidCase[] {
  const route = `${method.toUpperCase()} ${template}`;
  const schema = contract.resolveRef(contract.requestSchema(method, template));
  if (!schema) return [];
  const out: InvalidCase[] = [];
  const valid = (body: unknown) => contract.checkRequest(method, template, body).length === 0;

  /** Breaks the fields of the object at `path` (matched to `objectSchema`), then goes below them. */
  const intoObject = (body: unknown, path: Segment[], objectSchema: JsonSchema) => {
    const value = getAt(body, path) as Record<string, unknown>;
    const props = (objectSchema.properties ?? {}) as Record<string, JsonSchema>;
    const name = pathText(path);
    if (path.length > 0) {
      for (const field of (objectSchema.required ?? []) as string[]) {
        out.push({ route, kind: 'missing-required', field: `${name}.${field}`, body: setAt(body, [...path, field], REMOVE), description: `required field "${name}.${field}" left out` });
      }
      for (const [field, propSchema] of Object.entries(props)) {
        for (const b of valueBreaks(contract, propSchema)) out.push({ route, kind: b.kind, field: `${name}.${field}`, body: setAt(body, [...path, field], b.value), description: `"${name}.${field}" ${b.what}` });
      }
      // A map such as metadata declares its values' schema, not their names: break an existing entry.
      const extra = objectSchema.additionalProperties;
      const key = Object.keys(value).find((k) => !(k in props));
      if (isRecord(extra) && key !== undefined) {
        for (const b of valueBreaks(contract, extra)) out.push({ route, kind: b.kind, field: `${name}.${key}`, body: setAt(body, [...path, key], b.value), description: `"${name}.${key}" ${b.what}` });
      }
    }
    if (path.length >= MAX_NESTED_DEPTH) return;
    for (const [field, propSchema] of Object.entries(props)) {
      const here = [...path, field];
      let withField = body;
      if (value[field] === undefined) {
        const filled = minimalValue(contract, propSchema);
        if (filled === null || typeof filled !== 'object') continue;
        withField = setAt(body, here, filled);
        if (!valid(withField)) continue;
      }
      into(withField, here, propSchema);
    }
  };

  /** Goes into the object or array at `path`, whose declared schema is `schema`. */
  const into = (body: unknown, path: Segment[], schema: JsonSchema) => {
    const value = getAt(body, path);
    if (isRecord(value)) {
      const branch = objectBranchFor(contract, schema, value);
      if (branch) intoObject(body, path, branch);
    } else if (Array.isArray(value) && value.length > 0) {
      const items = itemSchemaOf(contract, schema);
      if (!items) return;
      const first = [...path, 0];
      const name = pathText(first);
      for (const b of valueBreaks(contract, items)) out.push({ route, kind: b.kind, field: name, body: setAt(body, first, b.value), description: `"${name}" ${b.what}` });
      if (first.length < MAX_NESTED_DEPTH) into(body, first, items);
    }
  };

  intoObject(base, [], schema);
  return out.filter((c) => !valid(c.body));
}

/** At most `max` top-level cases for a route, picked by the seeded generator (reproducible with E2E_SEED). */
export function invalidCases(contract: Contract, method: string, template: string, base: Record<string, unknown>, seed: number, max = 5): InvalidCase[] {
  return seededPick(allInvalidCases(contract, method, template, base), seed, `${method.toUpperCase()} ${template}`, max);
}

/** At most `max` nested cases for a route, from a stream of their own (the top-level pick is unchanged). */
export function nestedInvalidCases(contract: Contract, method: string, template: string, base: Record<string, unknown>, seed: number, max = 5): InvalidCase[] {
  return seededPick(allNestedInvalidCases(contract, method, template, base), seed, `nested ${method.toUpperCase()} ${template}`, max);
}
