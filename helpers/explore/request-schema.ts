/**
 * What a route's request schema in /openapi.json allows for one property: its numeric range, its
 * enum, whether it is declared at all. The generators take every bound from here, so a server
 * whose schema narrows (or drops) an option narrows (or drops) what is generated.
 */
import type { Contract, JsonSchema } from '../api/contract';

export interface NumberRange {
  min: number;
  max: number;
  integer: boolean;
}

/** A request-body schema of one route, with $refs resolved on the way down. */
export class RequestSchema {
  readonly properties: Record<string, JsonSchema>;
  readonly required: readonly string[];

  constructor(
    private readonly contract: Contract,
    readonly route: string,
  ) {
    const [method, template] = route.split(' ');
    const schema = contract.resolveRef(contract.requestSchema(method, template));
    if (!schema || typeof schema.properties !== 'object') throw new Error(`${route}: /openapi.json declares no JSON request body with properties; the explorer cannot generate for it`);
    this.properties = schema.properties as Record<string, JsonSchema>;
    this.required = (schema.required as string[] | undefined) ?? [];
  }

  has(prop: string): boolean {
    return prop in this.properties;
  }

  /** The non-null alternatives of a property ("X | null" is anyOf [X, null] in FastAPI's output). */
  private branches(prop: string): JsonSchema[] {
    const s = this.contract.resolveRef(this.properties[prop]);
    if (!s) return [];
    const alts = Array.isArray(s.anyOf) ? (s.anyOf as JsonSchema[]) : [s];
    return alts.map((a) => this.contract.resolveRef(a)!).filter((a) => a && a.type !== 'null');
  }

  /** The numeric range declared for `prop`, or undefined when it is not a number; open ends get `fallback`. */
  range(prop: string, fallback: { min: number; max: number }): NumberRange | undefined {
    const n = this.branches(prop).find((b) => b.type === 'integer' || b.type === 'number');
    if (!n) return undefined;
    const lo = typeof n.minimum === 'number' ? n.minimum : typeof n.exclusiveMinimum === 'number' ? n.exclusiveMinimum + (n.type === 'integer' ? 1 : 1e-9) : fallback.min;
    const hi = typeof n.maximum === 'number' ? n.maximum : typeof n.exclusiveMaximum === 'number' ? n.exclusiveMaximum - (n.type === 'integer' ? 1 : 1e-9) : fallback.max;
    return { min: Math.max(lo, fallback.min), max: Math.min(hi, fallback.max), integer: n.type === 'integer' };
  }

  /** The string enum declared for `prop` (directly or in one of its alternatives), or []. */
  enumOf(prop: string): string[] {
    for (const b of this.branches(prop)) {
      if (b.type === 'string' && Array.isArray(b.enum)) return b.enum as string[];
      if (typeof b.const === 'string') return [b.const];
    }
    return [];
  }

  /** The enum of a property of an object schema the property refers to (response_format → type). */
  nestedEnums(prop: string, inner: string): string[] {
    const out: string[] = [];
    for (const b of this.branches(prop)) {
      const p = this.contract.resolveRef((b.properties as Record<string, JsonSchema> | undefined)?.[inner]);
      if (!p) continue;
      if (Array.isArray(p.enum)) out.push(...(p.enum as string[]));
      if (typeof p.const === 'string') out.push(p.const);
    }
    return [...new Set(out)];
  }

  /** The roles a Message may take (from the Role enum the messages' items refer to). */
  itemEnum(prop: string, inner: string): string[] {
    for (const b of this.branches(prop)) {
      const items = this.contract.resolveRef(b.items as JsonSchema | undefined);
      const p = this.contract.resolveRef((items?.properties as Record<string, JsonSchema> | undefined)?.[inner]);
      if (p && Array.isArray(p.enum)) return p.enum as string[];
    }
    return [];
  }
}
