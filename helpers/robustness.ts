/**
 * Seeded invalid-input generator. From a route's declared request schema and a valid body, it
 * derives bodies that break exactly one rule — a wrong type, a missing required field, a number
 * out of range, an oversize string, an unknown enum value, or a body that is not an object — and
 * keeps only those the same schema rejects (checked with the contract validator), so a case can
 * never be "invalid" by our guess alone. The same seed always yields the same cases.
 */
import type { Contract, JsonSchema } from './contract';

export type InvalidKind = 'not-an-object' | 'missing-required' | 'wrong-type' | 'out-of-range' | 'oversize' | 'unknown-enum';

export interface InvalidCase {
  route: string;
  kind: InvalidKind;
  /** The top-level field broken, or "" for the body itself. */
  field: string;
  body: unknown;
  /** What the document says the server should reject, in words. */
  description: string;
}

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

/** The non-null branches of a property schema, $refs resolved. */
function branches(contract: Contract, schema: JsonSchema | undefined): JsonSchema[] {
  const s = contract.resolveRef(schema);
  if (!s) return [];
  const alts = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (alts) return alts.flatMap((b) => branches(contract, b)).filter((b) => b.type !== 'null');
  return [s];
}

function typesOf(bs: JsonSchema[]): Set<string> {
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

function rangeValue(bs: JsonSchema[]): { value: number; rule: string } | undefined {
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

function hasEnum(bs: JsonSchema[]): boolean {
  return bs.length > 0 && bs.every((b) => Array.isArray(b.enum) || b.const !== undefined);
}

/** Every single-rule break of `base` the schema of `METHOD template` rejects, in schema order. */
export function allInvalidCases(contract: Contract, method: string, template: string, base: Record<string, unknown>): InvalidCase[] {
  const route = `${method.toUpperCase()} ${template}`;
  const schema = contract.resolveRef(contract.requestSchema(method, template));
  if (!schema) return [];
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as string[];
  const out: InvalidCase[] = [{ route, kind: 'not-an-object', field: '', body: [base], description: 'a JSON array where the body must be an object' }];
  const withField = (field: string, value: unknown) => ({ ...structuredClone(base), [field]: value });

  for (const field of required) {
    const body = structuredClone(base);
    delete body[field];
    out.push({ route, kind: 'missing-required', field, body, description: `required field "${field}" left out` });
  }
  for (const [field, propSchema] of Object.entries(props)) {
    const bs = branches(contract, propSchema);
    const wrong = wrongValue(typesOf(bs));
    if (wrong !== undefined) out.push({ route, kind: 'wrong-type', field, body: withField(field, wrong), description: `"${field}" given ${JSON.stringify(wrong)} (wrong type)` });
    const range = rangeValue(bs);
    if (range) out.push({ route, kind: 'out-of-range', field, body: withField(field, range.value), description: `"${field}" = ${range.value} breaks ${range.rule}` });
    const big = oversizeValue(bs);
    if (big) out.push({ route, kind: 'oversize', field, body: withField(field, big.value), description: `"${field}" breaks ${big.rule}` });
    if (hasEnum(bs)) out.push({ route, kind: 'unknown-enum', field, body: withField(field, 'e2e-not-a-valid-value'), description: `"${field}" given a value outside its enum` });
  }
  // Keep only what the document itself rejects: a case the schema allows is not an invalid input.
  return out.filter((c) => contract.checkRequest(method, template, c.body).length > 0);
}

/** At most `max` cases for a route, picked by the seeded generator (reproducible with E2E_SEED). */
export function invalidCases(contract: Contract, method: string, template: string, base: Record<string, unknown>, seed: number, max = 5): InvalidCase[] {
  const all = allInvalidCases(contract, method, template, base);
  const rand = seededRandom(routeSeed(seed, `${method.toUpperCase()} ${template}`));
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, max);
}
