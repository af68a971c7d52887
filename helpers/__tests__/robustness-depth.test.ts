import Ajv2020 from 'ajv/dist/2020';
import { Contract } from '../api/contract';
import { allInvalidCases, allNestedInvalidCases, MAX_NESTED_DEPTH, minimalValue, nestedInvalidCases } from '../api/robustness';
import { isJsonClientError, robustnessFailures } from '../api/robustness-check';
import { allQueryCases, queryCases, queryParams, queryRejected } from '../api/robustness-query';
import { NESTED_DOC, VALID_ORDER } from './robustness-nested-fixture';

const contract = new Contract(NESTED_DOC);

/** An Ajv of its own, not the contract's: the cases are checked by a validator the generator never used. */
const ajv = new Ajv2020({ strict: false });
ajv.addSchema({ ...NESTED_DOC, $id: 'doc' } as object);
const createOrderAccepts = ajv.compile({ $ref: 'doc#/components/schemas/CreateOrder' });

describe('robustness at depth: generated bodies broken inside nested objects and array items', () => {
  const cases = allNestedInvalidCases(contract, 'POST', '/v1/orders', VALID_ORDER);
  const kindsAt = (field: string) => cases.filter((c) => c.field === field).map((c) => c.kind).sort();

  test('the valid body is valid, and every nested case is rejected by the request schema', () => {
    expect(createOrderAccepts(VALID_ORDER)).toBe(true);
    expect(cases.length).toBeGreaterThan(10);
    for (const c of cases) expect([c.description, createOrderAccepts(c.body)]).toEqual([c.description, false]);
  });

  test('an array item and its fields are broken as the item schema ($ref) says', () => {
    expect(kindsAt('lines[0]')).toEqual(['wrong-type']);
    expect(kindsAt('lines[0].sku')).toEqual(['missing-required', 'oversize', 'wrong-type']);
    expect(kindsAt('lines[0].qty')).toEqual(['missing-required', 'out-of-range', 'wrong-type']);
    expect(kindsAt('lines[0].kind')).toEqual(['unknown-enum', 'wrong-type']);
  });

  test('each case changes exactly the field it names and leaves the rest of the body as it was', () => {
    const c = cases.find((x) => x.field === 'lines[0].kind' && x.kind === 'unknown-enum')!;
    expect(c.body).toEqual({ ...VALID_ORDER, lines: [{ sku: 'ab', qty: 2, kind: 'e2e-not-a-valid-value' }] });
    const missing = cases.find((x) => x.field === 'lines[0].qty' && x.kind === 'missing-required')!;
    expect(missing.body).toEqual({ ...VALID_ORDER, lines: [{ sku: 'ab', kind: 'red' }] });
    expect(VALID_ORDER.lines[0]).toEqual({ sku: 'ab', qty: 2, kind: 'red' });
  });

  test('a nested object the valid body leaves out is filled with its minimal value, then broken', () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    expect([minimalValue(contract, ref('Address')), minimalValue(contract, ref('Line')), minimalValue(contract, ref('Node'))]).toEqual([{ city: 'e2e' }, { sku: 'e2e', qty: 1 }, { name: 'e2e' }]);
    expect(kindsAt('shipping.city')).toEqual(['missing-required', 'wrong-type']);
    expect(kindsAt('shipping.zip')).toEqual(['oversize', 'wrong-type']);
    const c = cases.find((x) => x.field === 'shipping.zip' && x.kind === 'oversize')!;
    expect(c.body).toEqual({ ...VALID_ORDER, shipping: { city: 'e2e', zip: 'xxxxxx' } });
  });

  test('a string map (additionalProperties) has an existing entry broken; an open object yields nothing', () => {
    expect(kindsAt('meta.team')).toEqual(['wrong-type']);
    expect(cases.filter((c) => c.field.startsWith('free'))).toEqual([]);
  });

  test('a recursive schema stops at MAX_NESTED_DEPTH containers', () => {
    const deepest = Math.max(...cases.map((c) => c.field.split(/[.[]/).length));
    // The fields of the container at depth MAX_NESTED_DEPTH are broken; nothing below it.
    expect(deepest).toBe(MAX_NESTED_DEPTH + 1);
    expect(kindsAt('tree.child.name')).toEqual(['missing-required', 'wrong-type']);
    expect(kindsAt('tree.child.child.child.name')).toEqual(['missing-required', 'wrong-type']);
    expect(cases.some((c) => c.field.startsWith('tree.child.child.child.child.'))).toBe(false);
  });

  test('top-level fields are left to the top-level generator: no nested case breaks one', () => {
    expect(cases.filter((c) => !/[.[]/.test(c.field))).toEqual([]);
    expect(allInvalidCases(contract, 'POST', '/v1/orders', VALID_ORDER).every((c) => !/[.[]/.test(c.field))).toBe(true);
  });

  test('a field the schema lets be anything yields no case, so a case the schema allows is never sent', () => {
    const open = new Contract({ ...NESTED_DOC, components: { schemas: { ...NESTED_DOC.components!.schemas, Line: { type: 'object', properties: { sku: {} } } } } });
    const fields = allNestedInvalidCases(open, 'POST', '/v1/orders', { lines: [{ sku: 1 }] }).map((c) => c.field);
    expect(fields.filter((f) => f.startsWith('lines'))).toEqual(['lines[0]']);
  });

  test('a break that another branch of a union accepts is dropped, not sent as "invalid"', () => {
    expect(cases.filter((c) => c.field.startsWith('gift'))).toEqual([]);
  });

  test('bounded and deterministic: at most max cases, the same for the same seed, another pick for another seed', () => {
    const a = nestedInvalidCases(contract, 'POST', '/v1/orders', VALID_ORDER, 42, 4);
    expect(a).toHaveLength(4);
    expect(nestedInvalidCases(contract, 'POST', '/v1/orders', VALID_ORDER, 42, 4)).toEqual(a);
    const others = [1, 2, 3, 4, 5].map((s) => JSON.stringify(nestedInvalidCases(contract, 'POST', '/v1/orders', VALID_ORDER, s, 4)));
    expect(new Set([JSON.stringify(a), ...others]).size).toBeGreaterThan(1);
  });
});

describe('robustness: invalid query parameters', () => {
  const cases = allQueryCases(contract, 'GET', '/v1/orders');
  const kindsOf = (param: string) => cases.filter((c) => c.param === param).map((c) => c.kind).sort();

  test('the validator reads a query as a server does: text coerced to the declared type', () => {
    expect(queryRejected(contract, 'GET', '/v1/orders', { since: '5', limit: '100', order: 'asc', archived: 'true', after: 'x' })).toBe(false);
    expect(queryRejected(contract, 'GET', '/v1/orders', { since: '5', limit: '101' })).toBe(true);
    expect(queryRejected(contract, 'GET', '/v1/orders', { since: '5', limit: '2.5' })).toBe(true);
    expect(queryRejected(contract, 'GET', '/v1/orders', { since: '5', order: 'sideways' })).toBe(true);
    expect(queryRejected(contract, 'GET', '/v1/orders', { limit: '5' })).toBe(true);
  });

  test('only query parameters count (not headers or paths), in document order', () => {
    expect(queryParams(contract, 'GET', '/v1/orders').map((p) => p.name)).toEqual(['limit', 'order', 'since', 'archived', 'after', 'page']);
  });

  test('each kind is derived from the parameter schema; a free string has none', () => {
    expect(kindsOf('limit')).toEqual(['out-of-range', 'wrong-type']);
    expect(kindsOf('order')).toEqual(['unknown-enum']);
    expect(kindsOf('since')).toEqual(['missing-required', 'wrong-type']);
    expect(kindsOf('archived')).toEqual(['wrong-type']);
    expect(kindsOf('after')).toEqual([]);
  });

  test('a value another branch accepts ("101" is text too) is dropped, not sent as "invalid"', () => {
    expect(kindsOf('page')).toEqual([]);
  });

  test('every case keeps the required parameters filled except the one it breaks, and is rejected', () => {
    for (const c of cases) {
      expect(queryRejected(contract, 'GET', '/v1/orders', c.query)).toBe(true);
      if (c.param !== 'since') expect(c.query.since).toBe('1');
      expect(Object.keys(c.query).filter((k) => k !== 'since')).toEqual(c.param === 'since' ? [] : [c.param]);
    }
  });

  test('bounded and deterministic per seed', () => {
    const a = queryCases(contract, 'GET', '/v1/orders', 7, 3);
    expect(a).toHaveLength(3);
    expect(queryCases(contract, 'GET', '/v1/orders', 7, 3)).toEqual(a);
    expect(queryCases(contract, 'POST', '/v1/orders', 7, 3)).toEqual([]);
  });
});

describe('robustness verdict: a JSON 4xx passes; anything else fails and says what was sent', () => {
  const answer = (status: number, contentType: string | null, data: unknown) => ({ status, contentType, data, raw: Buffer.from(Buffer.isBuffer(data) ? data : JSON.stringify(data)) });

  test('422 with a JSON error body passes', () => {
    expect(isJsonClientError(answer(422, 'application/json', { detail: [] }))).toBe(true);
    expect(robustnessFailures([{ sent: 'POST /v1/x [wrong-type]', res: answer(422, 'application/json', { detail: [] }) }])).toEqual([]);
  });

  test('a 5xx fails, even with a JSON body', () => {
    expect(robustnessFailures([{ sent: 'POST /v1/x [wrong-type]', res: answer(500, 'application/json', { error: 'boom' }) }])).toEqual([
      'POST /v1/x [wrong-type] → 500 application/json: {"error":"boom"}',
    ]);
  });

  test('a 4xx whose body is not JSON fails, quoting the body', () => {
    const res = answer(400, 'text/plain', Buffer.from('Bad Request'));
    expect(isJsonClientError(res)).toBe(false);
    expect(robustnessFailures([{ sent: 'GET /v1/y?limit=0 [out-of-range]', res }])).toEqual(['GET /v1/y?limit=0 [out-of-range] → 400 text/plain: Bad Request']);
  });

  test('a 2xx (the invalid input was taken) and a JSON null body fail', () => {
    expect(isJsonClientError(answer(200, 'application/json', { ok: true }))).toBe(false);
    expect(isJsonClientError(answer(422, 'application/json', null))).toBe(false);
  });
});
