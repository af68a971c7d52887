import { Contract, formatViolations } from '../api/contract';
import { DOC, VALID_CREATE, VALID_THING } from './contract-fixture';

const contract = new Contract(DOC);

describe('contract: matching a request path to its route', () => {
  test('a concrete path finds its template, literal segments winning over parameters', () => {
    expect(contract.match('GET', '/v1/things/abc')).toBe('/v1/things/{thing_id}');
    expect(contract.match('GET', '/v1/things/special')).toBe('/v1/things/special');
    expect(contract.match('GET', '/images/xyz.png?x=1')).toBe('/images/{image_id}.png');
  });

  test('a parameter may span slashes when nothing else matches (FastAPI {x:path})', () => {
    expect(contract.match('GET', '/v1/things/org/model')).toBe('/v1/things/{thing_id}');
  });

  test('an unknown path or method matches nothing', () => {
    expect(contract.match('GET', '/v2/nothing')).toBeUndefined();
    expect(contract.match('DELETE', '/v1/things/abc')).toBeUndefined();
  });

  test('refuses a document that is not OpenAPI 3.1', () => {
    expect(() => new Contract({ ...DOC, openapi: '3.0.3' })).toThrow(/3\.1/);
    expect(() => new Contract({} as never)).toThrow(/paths/);
  });
});

describe('contract: responses', () => {
  test('a response the schema allows has no violations', () => {
    expect(contract.checkResponse('GET', '/v1/things/{thing_id}', 200, 'application/json', VALID_THING)).toEqual([]);
    expect(contract.checkResponse('GET', '/v1/things', 200, 'application/json; charset=utf-8', { data: [VALID_THING] })).toEqual([]);
  });

  test('a wrong type names the route, the JSON pointer and the schema rule', () => {
    const v = contract.checkResponse('GET', '/v1/things/{thing_id}', 200, 'application/json', { ...VALID_THING, size: 'big' });
    expect(v).toEqual([expect.objectContaining({ route: 'GET /v1/things/{thing_id}', pointer: '/size' })]);
    expect(v[0].rule).toMatch(/^type/);
    expect(formatViolations(v)).toContain('GET /v1/things/{thing_id}  at /size');
  });

  test('a missing required field, a wrong const and a value below minimum are each reported', () => {
    const { size: _size, ...noSize } = VALID_THING;
    expect(contract.checkResponse('GET', '/v1/things/{thing_id}', 200, 'application/json', noSize)[0].message).toBe('missing required property "size"');
    expect(contract.checkResponse('GET', '/v1/things/{thing_id}', 200, 'application/json', { ...VALID_THING, object: 'other' })[0].message).toBe('must equal "thing"');
    expect(contract.checkResponse('GET', '/v1/things/{thing_id}', 200, 'application/json', { ...VALID_THING, size: -1 })[0].rule).toMatch(/^minimum/);
  });

  test('errors deep in a $ref-ed list item point at the item', () => {
    const v = contract.checkResponse('GET', '/v1/things', 200, 'application/json', { data: [VALID_THING, { ...VALID_THING, note: 5 }] });
    expect(v.map((x) => x.pointer)).toContain('/data/1/note');
  });

  test('an undeclared status or media type is itself a violation', () => {
    expect(contract.checkResponse('GET', '/v1/things/{thing_id}', 404, 'application/json', {})[0].message).toMatch(/status 404 is not declared/);
    expect(contract.checkResponse('GET', '/images/{image_id}.png', 200, 'image/png', Buffer.alloc(1))[0].message).toMatch(/media type "image\/png" is not declared/);
  });

  test('a declared error status is validated against its own schema', () => {
    expect(contract.checkResponse('POST', '/v1/things', 422, 'application/json', { detail: [] })).toEqual([]);
    expect(contract.checkResponse('POST', '/v1/things', 422, 'application/json', { detail: 'text' })).toHaveLength(1);
  });
});

describe('contract: requests', () => {
  test('a body that matches the request schema passes, one that does not is reported', () => {
    expect(contract.checkRequest('POST', '/v1/things', VALID_CREATE)).toEqual([]);
    const v = contract.checkRequest('POST', '/v1/things', { ...VALID_CREATE, colour: 'blue' });
    expect(v).toEqual([expect.objectContaining({ pointer: '/colour' })]);
  });

  test('resolveRef follows component references', () => {
    expect(contract.resolveRef({ $ref: '#/components/schemas/Colour' })).toEqual({ type: 'string', enum: ['red', 'green'] });
  });
});
