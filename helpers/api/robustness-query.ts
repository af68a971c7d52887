/**
 * Seeded invalid query strings. For a route's declared query parameters it derives queries that
 * break exactly one parameter — a required one left out, a value of the wrong type, a number out of
 * range, an oversize string, a value outside an enum — on top of a query that fills every required
 * parameter with its minimal value. A case is kept only when the document rejects it, checked with
 * Ajv the way a server reads a query: every value arrives as a string and is coerced to the declared
 * type (`coerceTypes`), so "0" is a number below `minimum: 1` and "e2e-not-a-integer" is no integer.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type { Contract, JsonSchema } from './contract';
import { branches, hasEnum, type InvalidKind, minimalValue, rangeValue, seededPick, typesOf } from './robustness';

export interface QueryCase {
  route: string;
  kind: Exclude<InvalidKind, 'not-an-object'>;
  /** The query parameter broken. */
  param: string;
  query: Record<string, string>;
  description: string;
}

interface QueryParam {
  name: string;
  required: boolean;
  schema: JsonSchema;
  /** Pointer of the parameter's schema inside the document. */
  pointer: string;
}

const DOC_ID = 'openapi.json';

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The query parameters `METHOD template` declares with a schema, in document order. */
export function queryParams(contract: Contract, method: string, template: string): QueryParam[] {
  const params = contract.operation(method, template)?.parameters ?? [];
  return params.flatMap((p, i) =>
    p.in === 'query' && p.schema
      ? [{ name: p.name, required: p.required === true, schema: p.schema, pointer: `/paths/${escapePointer(template)}/${method.toLowerCase()}/parameters/${i}/schema` }]
      : [],
  );
}

/** One coercing validator per document (the contract's own Ajv must not coerce: it checks bodies). */
const validators = new WeakMap<object, { ajv: Ajv2020; compiled: Map<string, ValidateFunction> }>();

/**
 * Whether the document rejects `query` for `METHOD template`: a required parameter missing, or a
 * value that, coerced to its declared type, breaks its schema.
 */
export function queryRejected(contract: Contract, method: string, template: string, query: Record<string, string>): boolean {
  let v = validators.get(contract.doc);
  if (!v) {
    const ajv = new Ajv2020({ strict: false, coerceTypes: true, allErrors: false });
    ajv.addSchema({ ...contract.doc, $id: DOC_ID } as object);
    v = { ajv, compiled: new Map() };
    validators.set(contract.doc, v);
  }
  const params = queryParams(contract, method, template);
  const key = `${method.toUpperCase()} ${template}`;
  let validate = v.compiled.get(key);
  if (!validate) {
    validate = v.ajv.compile({
      type: 'object',
      required: params.filter((p) => p.required).map((p) => p.name),
      properties: Object.fromEntries(params.map((p) => [p.name, { $ref: `${DOC_ID}#${p.pointer}` }])),
    });
    v.compiled.set(key, validate);
  }
  // Coercion rewrites the data it checks: hand it a copy.
  return !validate({ ...query });
}

/** Every single-parameter break of the minimal valid query the document rejects, in document order. */
export function allQueryCases(contract: Contract, method: string, template: string): QueryCase[] {
  const route = `${method.toUpperCase()} ${template}`;
  const params = queryParams(contract, method, template);
  const base: Record<string, string> = {};
  for (const p of params.filter((x) => x.required)) {
    const v = minimalValue(contract, p.schema);
    if (v === undefined || (v !== null && typeof v === 'object')) return [];
    base[p.name] = String(v);
  }
  const out: QueryCase[] = [];
  const withParam = (name: string, value: string) => ({ ...base, [name]: value });
  for (const p of params) {
    if (p.required) {
      const rest = { ...base };
      delete rest[p.name];
      out.push({ route, kind: 'missing-required', param: p.name, query: rest, description: `required query parameter "${p.name}" left out` });
    }
    const bs = branches(contract, p.schema);
    const types = typesOf(bs);
    // In a query every value is text: only a declared non-string type can be broken by type.
    if (!types.has('string') && !types.has('any') && !types.has('array')) {
      const wanted = [...types].filter((t) => t !== 'number' || !types.has('integer')).join('-or-');
      const wrong = `e2e-not-a-${wanted}`;
      out.push({ route, kind: 'wrong-type', param: p.name, query: withParam(p.name, wrong), description: `"${p.name}=${wrong}" (wrong type)` });
    }
    const range = rangeValue(bs);
    if (range) out.push({ route, kind: 'out-of-range', param: p.name, query: withParam(p.name, String(range.value)), description: `"${p.name}=${range.value}" breaks ${range.rule}` });
    const maxLength = bs.map((b) => b.maxLength).find((m): m is number => typeof m === 'number');
    if (maxLength !== undefined) out.push({ route, kind: 'oversize', param: p.name, query: withParam(p.name, 'x'.repeat(maxLength + 1)), description: `"${p.name}" breaks maxLength ${maxLength}` });
    if (hasEnum(bs)) out.push({ route, kind: 'unknown-enum', param: p.name, query: withParam(p.name, 'e2e-not-a-valid-value'), description: `"${p.name}" given a value outside its enum` });
  }
  return out.filter((c) => queryRejected(contract, method, template, c.query));
}

/** At most `max` query cases for a route, from a seeded stream of their own (reproducible with E2E_SEED). */
export function queryCases(contract: Contract, method: string, template: string, seed: number, max = 3): QueryCase[] {
  return seededPick(allQueryCases(contract, method, template), seed, `query ${method.toUpperCase()} ${template}`, max);
}
