/**
 * Compiled validators cached on disk (helpers/api/validator-cache.ts) must judge exactly as the
 * schemas compiled in the test would: same verdicts, same violations, on good and bad bodies.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Contract, schemaPointers } from '../api/contract';
import { cachedValidators, validatorFile } from '../api/validator-cache';
import { DOC, VALID_CREATE, VALID_THING } from './contract-fixture';

describe('validators compiled once and cached on disk', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'validator-cache-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('cover every JSON request and response schema of the document', () => {
    const validators = cachedValidators(DOC, dir);
    expect(Object.keys(validators).sort()).toEqual(schemaPointers(DOC).sort());
    expect(schemaPointers(DOC).length).toBeGreaterThan(3);
  });

  test('give the same violations as schemas compiled on the spot, for good and bad bodies', () => {
    const fresh = new Contract(DOC);
    const cached = new Contract(DOC, cachedValidators(DOC, dir));
    const { size: _size, ...noSize } = VALID_THING;
    const bodies = [VALID_THING, { ...VALID_THING, size: 'big' }, noSize, { ...VALID_THING, object: 'other' }, { ...VALID_THING, size: -1 }];
    for (const body of bodies) {
      expect(cached.checkResponse('GET', '/v1/things/{thing_id}', 200, 'application/json', body)).toEqual(fresh.checkResponse('GET', '/v1/things/{thing_id}', 200, 'application/json', body));
    }
    expect(cached.checkResponse('GET', '/v1/things/{thing_id}', 200, 'application/json', { ...VALID_THING, size: 'big' })).toEqual([
      expect.objectContaining({ route: 'GET /v1/things/{thing_id}', pointer: '/size' }),
    ]);
    expect(cached.checkRequest('POST', '/v1/things', VALID_CREATE)).toEqual([]);
    expect(cached.checkRequest('POST', '/v1/things', {})).toEqual(fresh.checkRequest('POST', '/v1/things', {}));
    expect(cached.checkRequest('POST', '/v1/things', {}).length).toBeGreaterThan(0);
  });

  test('are compiled once: a second use loads the same file, a changed document gets its own', () => {
    const file = validatorFile(DOC, dir);
    const before = statSync(file).mtimeMs;
    cachedValidators(DOC, dir);
    expect(statSync(file).mtimeMs).toBe(before);
    const changed = { ...DOC, info: { title: 'another server', version: '2' } };
    expect(validatorFile(changed, dir)).not.toBe(file);
    cachedValidators(changed, dir);
    expect(readdirSync(dir).filter((f) => f.endsWith('.js'))).toHaveLength(2);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
