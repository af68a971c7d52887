import { Contract } from '../api/contract';
import { allInvalidCases, invalidCases, routeSeed, seededRandom } from '../api/robustness';
import { DOC, VALID_CREATE } from './contract-fixture';

const contract = new Contract(DOC);

describe('robustness: generated invalid bodies', () => {
  const cases = allInvalidCases(contract, 'POST', '/v1/things', VALID_CREATE);
  const kinds = (field: string) => cases.filter((c) => c.field === field).map((c) => c.kind).sort();

  test('every generated body is rejected by the route\'s own request schema', () => {
    expect(cases.length).toBeGreaterThan(5);
    for (const c of cases) expect([c.description, contract.checkRequest('POST', '/v1/things', c.body).length > 0]).toEqual([c.description, true]);
  });

  test('derives each kind from the schema: missing required, wrong type, out of range, oversize, unknown enum, not an object', () => {
    expect(kinds('')).toEqual(['not-an-object']);
    expect(kinds('name')).toEqual(['missing-required', 'oversize', 'wrong-type']);
    expect(kinds('size')).toEqual(['missing-required', 'out-of-range', 'wrong-type']);
    expect(kinds('colour')).toEqual(['unknown-enum', 'wrong-type']);
  });

  test('a field that accepts anything yields no "wrong type" case', () => {
    expect(kinds('anything')).toEqual([]);
  });

  test('wrong types avoid values pydantic would coerce (booleans, numeric strings)', () => {
    for (const c of cases.filter((x) => x.kind === 'wrong-type')) {
      const v = (c.body as Record<string, unknown>)[c.field];
      expect(typeof v === 'boolean' || (typeof v === 'string' && /^\d/.test(v))).toBe(false);
    }
  });

  test('a case the schema would accept is dropped, not sent as "invalid"', () => {
    // A base body that already breaks nothing but has no required fields: removing nothing is never generated.
    const loose = new Contract({ ...DOC, components: { schemas: { ...DOC.components!.schemas, CreateThing: { type: 'object', properties: { anything: {} } } } } });
    expect(allInvalidCases(loose, 'POST', '/v1/things', {}).map((c) => c.kind)).toEqual(['not-an-object']);
  });
});

describe('robustness: seeding', () => {
  test('the same seed picks the same cases; a different seed a different selection', () => {
    const a = invalidCases(contract, 'POST', '/v1/things', VALID_CREATE, 42, 3);
    const b = invalidCases(contract, 'POST', '/v1/things', VALID_CREATE, 42, 3);
    expect(a).toEqual(b);
    expect(a).toHaveLength(3);
    const others = [1, 2, 3, 4, 5].map((s) => JSON.stringify(invalidCases(contract, 'POST', '/v1/things', VALID_CREATE, s, 3)));
    expect(new Set([JSON.stringify(a), ...others]).size).toBeGreaterThan(1);
  });

  test('the generator is deterministic and route seeds differ per route', () => {
    const r1 = seededRandom(7);
    const r2 = seededRandom(7);
    expect([r1(), r1(), r1()]).toEqual([r2(), r2(), r2()]);
    expect(routeSeed(7, 'POST /a')).not.toBe(routeSeed(7, 'POST /b'));
  });
});
