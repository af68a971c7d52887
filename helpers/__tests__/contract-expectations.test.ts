import { expectConforms, type Exchange } from '../api/api-driver';
import { shapeOf } from '../api/openai-client';

const ok: Exchange = {
  method: 'GET', path: '/v1/things/1', template: '/v1/things/{thing_id}', status: 200, contentType: 'application/json',
  data: { id: '1' }, raw: Buffer.from('{"id":"1"}'), headers: {}, durationMs: 1, violations: [], requestViolations: [],
};

describe('expectConforms', () => {
  test('passes an exchange with the expected status and no violations', () => {
    expect(() => expectConforms(ok)).not.toThrow();
    expect(() => expectConforms([ok, ok])).not.toThrow();
  });

  test('fails on a wrong status, a response violation or a request violation, naming each', () => {
    expect(() => expectConforms({ ...ok, status: 500 })).toThrow(/GET \/v1\/things\/1 → 500: expected status 200/);
    const v = { route: 'GET /v1/things/{thing_id}', pointer: '/id', rule: 'type (Thing) #/type', message: 'must be integer' };
    expect(() => expectConforms({ ...ok, violations: [v] })).toThrow(/response breaks \/openapi.json:\n.*at \/id: must be integer/);
    expect(() => expectConforms({ ...ok, requestViolations: [v] })).toThrow(/the suite sent a body the document does not allow/);
  });
});

describe('shapeOf (SDK vs HTTP comparison)', () => {
  test('equal for the same keys and types whatever the values', () => {
    expect(shapeOf({ a: 'x', b: [1, 2], c: null })).toEqual(shapeOf({ c: null, b: [9], a: 'y' }));
  });
  test('differs when a field is missing, renamed or of another type', () => {
    expect(shapeOf({ a: 'x' })).not.toEqual(shapeOf({ a: 'x', b: 1 }));
    expect(shapeOf({ a: 'x' })).not.toEqual(shapeOf({ a: 1 }));
    expect(shapeOf({ a: [{ t: 'x' }] })).not.toEqual(shapeOf({ a: [{ text: 'x' }] }));
  });
});
