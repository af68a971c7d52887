/**
 * @jest-environment <rootDir>/helpers/jest/environment.ts
 *
 * Validators a Jest worker loads once, outside the test file's realm (helpers/api/shared-validators.ts),
 * must judge exactly as the same module loaded in the file: same verdicts, and error objects equal
 * down to their prototypes (`toStrictEqual`), which is what Jest prints and compares. This file runs
 * in the e2e test environment itself, so the loader under test is the one every e2e file gets.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import { PROJECT_ROOT } from '../core/config';
import { Contract, type JsonSchema, type OpenApiDocument, schemaPointers } from '../api/contract';
import { OpenAiSpec, type OpenAiDocument } from '../api/openai-spec';
import { realmSafe, requiresOf, requireValidators, type Validator } from '../api/shared-validators';
import { cachedValidators, validatorFile } from '../api/validator-cache';

const LOADER = Symbol.for('fakeai-e2e.shared-validators');
const outerLoader = () => (globalThis as unknown as Record<symbol, ((file: string) => unknown) | undefined>)[LOADER];

/** Whether every object reachable from `v` is made of this realm's Object and Array. */
function ofThisRealm(v: unknown, seen = new Set<unknown>()): boolean {
  if (v === null || typeof v !== 'object' || seen.has(v)) return true;
  seen.add(v);
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype) return false;
  return Object.values(v).every((x) => ofThisRealm(x, seen));
}

const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });

/** Every keyword family the generated code has a branch for, plus the two runtime helpers it requires. */
const DOC: OpenApiDocument = {
  openapi: '3.1.0',
  paths: {
    '/v1/items': {
      post: {
        requestBody: json({ $ref: '#/components/schemas/CreateItem' }),
        responses: { '200': json({ $ref: '#/components/schemas/Item' }) },
      },
    },
    '/v1/trees': { get: { responses: { '200': json({ $ref: '#/components/schemas/Tree' }) } } },
  },
  components: {
    schemas: {
      Item: {
        type: 'object',
        title: 'Item',
        required: ['id', 'object', 'created', 'kind'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^item-[0-9a-f]+$' },
          object: { const: 'item' },
          created: { type: 'string', format: 'date-time' },
          url: { type: 'string', format: 'uri' },
          email: { type: 'string', format: 'email' },
          name: { type: 'string', maxLength: 4, minLength: 1 },
          kind: { type: 'string', enum: ['a', 'b'] },
          score: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          tags: { type: 'array', items: { type: 'string' }, maxItems: 2, uniqueItems: true },
          owner: { anyOf: [{ $ref: '#/components/schemas/Owner' }, { type: 'null' }] },
          shape: {
            oneOf: [
              { type: 'object', required: ['type', 'r'], properties: { type: { const: 'circle' }, r: { type: 'integer' } } },
              { type: 'object', required: ['type', 'w'], properties: { type: { const: 'square' }, w: { type: 'integer' } } },
            ],
          },
        },
      },
      Owner: { type: 'object', title: 'Owner', required: ['name'], properties: { name: { type: 'string' } } },
      CreateItem: { type: 'object', required: ['kind'], properties: { kind: { type: 'string', enum: ['a', 'b'] }, n: { type: 'integer', minimum: 1 } } },
      Tree: { type: 'object', required: ['v'], properties: { v: { type: 'integer' }, kids: { type: 'array', items: { $ref: '#/components/schemas/Tree' } } } },
    },
  },
};

const ITEM = { id: 'item-1f', object: 'item', created: '2026-12-06T05:00:00Z', kind: 'a', name: 'ab', tags: ['x'], owner: null, shape: { type: 'circle', r: 2 } };
const BAD_ITEMS: unknown[] = [
  ITEM,
  { ...ITEM, id: 'nope', object: 'other', created: 'yesterday', url: 'not a uri', email: 'x@', name: '𝒜𝒜𝒜𝒜𝒜', kind: 'c', score: 0 },
  { ...ITEM, tags: ['x', 'x', 'y'], owner: { nick: 1 }, shape: { type: 'triangle' }, surprise: true },
  { ...ITEM, shape: { type: 'circle', r: 'big', w: 1 } },
  { object: 'item' },
  [ITEM],
  null,
  'item',
];
const ITEM_POINTER = '/paths/~1v1~1items/post/responses/200/content/application~1json/schema';
const TREE_POINTER = '/paths/~1v1~1trees/get/responses/200/content/application~1json/schema';

describe('compiled validators shared by every test file of a worker', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shared-validators-'));
    cachedValidators(DOC, dir);
    file = validatorFile(DOC, dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('are loaded by the test environment outside this realm, once per worker', () => {
    const loader = outerLoader();
    expect(typeof loader).toBe('function');
    const outer = loader!(file) as Record<string, Validator>;
    expect(loader!(file)).toBe(outer);
    // Another realm's function: this is the loader under test, not this file's own require.
    expect(Object.getPrototypeOf(outer[ITEM_POINTER])).not.toBe(Function.prototype);
    expect(Object.keys(outer).sort()).toEqual(schemaPointers(DOC).sort());
  });

  test('give the same verdicts and strictly equal error objects as the module loaded in the file', () => {
    const shared = requireValidators(file, () => {
      throw new Error('the environment should have shared this module');
    }) as Record<string, Validator>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const local = require(file) as Record<string, Validator>;
    let failures = 0;
    for (const body of BAD_ITEMS) {
      const ok = local[ITEM_POINTER](body);
      expect(shared[ITEM_POINTER](body)).toBe(ok);
      expect(shared[ITEM_POINTER].errors).toStrictEqual(local[ITEM_POINTER].errors);
      if (!ok) {
        failures++;
        expect(shared[ITEM_POINTER].errors).toBeInstanceOf(Array);
        expect(ofThisRealm(shared[ITEM_POINTER].errors)).toBe(true);
      }
    }
    expect(failures).toBe(BAD_ITEMS.length - 1);
    // verbose errors point at the caller's own data, as before: the same object, not a copy.
    const body = { ...ITEM, owner: { nick: 1 } };
    shared[ITEM_POINTER](body);
    expect(shared[ITEM_POINTER].errors!.some((e) => e.data === body.owner)).toBe(true);
  });

  test('raw, the outer realm shows through its errors (what the wrapping hides), although Jest calls them equal', () => {
    const outer = (outerLoader()!(file) as Record<string, Validator>)[ITEM_POINTER];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const local = (require(file) as Record<string, Validator>)[ITEM_POINTER];
    const bad = BAD_ITEMS[1];
    outer(bad);
    local(bad);
    expect(outer.errors).toStrictEqual(local.errors);
    expect(outer.errors).not.toBeInstanceOf(Array);
    expect(ofThisRealm(outer.errors)).toBe(false);
    expect(ofThisRealm(local.errors)).toBe(true);
  });

  test('judge responses through Contract exactly as validators compiled on the spot', () => {
    const fresh = new Contract(DOC);
    const shared = new Contract(DOC, cachedValidators(DOC, dir));
    for (const body of BAD_ITEMS) {
      expect(shared.checkResponse('POST', '/v1/items', 200, 'application/json', body)).toStrictEqual(fresh.checkResponse('POST', '/v1/items', 200, 'application/json', body));
    }
    for (const sent of [{ kind: 'a' }, { kind: 'z', n: 0 }, {}]) expect(shared.checkRequest('POST', '/v1/items', sent)).toStrictEqual(fresh.checkRequest('POST', '/v1/items', sent));
  });

  test('throw what the file would: a stack overflow is this realm\'s RangeError', () => {
    const shared = (requireValidators(file, require) as Record<string, Validator>)[TREE_POINTER];
    let deep: { v: number; kids: unknown[] } = { v: 0, kids: [] };
    for (let i = 0; i < 200_000; i++) deep = { v: i, kids: [deep] };
    expect(shared({ v: 1, kids: [{ v: 2 }] })).toBe(true);
    expect(() => shared(deep)).toThrow(RangeError);
  });

  test('one-schema modules (OpenAI\'s, openai-spec.ts) judge and report as when compiled in the file', () => {
    // Inside node_modules/.cache like the real one: its modules require Ajv's helpers by package name.
    const specDir = mkdtempSync(path.join(PROJECT_ROOT, 'node_modules', '.cache', 'shared-validators-test-'));
    const doc = { ...DOC, info: { version: '1' } } as unknown as OpenAiDocument;
    const info = { dir: specDir, version: '1', syncedAt: null };
    const compiledHere = new OpenAiSpec(info, doc).validator(ITEM_POINTER);
    const fromCache = new OpenAiSpec(info, doc).validator(ITEM_POINTER);
    expect(Object.getPrototypeOf(compiledHere)).toBe(Function.prototype);
    expect(fromCache).not.toBe(compiledHere);
    try {
      expect(Object.getPrototypeOf(outerLoader()!(path.join(specDir, 'validators', readdirSync(path.join(specDir, 'validators'))[0])))).not.toBe(Function.prototype);
      for (const body of BAD_ITEMS) {
        expect(fromCache(body)).toBe(compiledHere(body));
        expect(fromCache.errors).toStrictEqual(compiledHere.errors);
        expect(ofThisRealm(fromCache.errors)).toBe(true);
      }
    } finally {
      rmSync(specDir, { recursive: true, force: true });
    }
  });
});

describe('which generated modules may be shared', () => {
  test('only those requiring nothing but ucs2length and ajv-formats\' formats', () => {
    const formats = require.resolve('ajv-formats/dist/formats');
    expect(realmSafe(`require("${require.resolve('ajv/dist/runtime/ucs2length')}");require("${formats}")`)).toBe(true);
    expect(realmSafe('require("ajv/dist/runtime/ucs2length");require("ajv-formats/dist/formats")')).toBe(true);
    expect(realmSafe('require("ajv/dist/runtime/equal")')).toBe(false);
    expect(realmSafe('require("ajv/dist/runtime/ucs2length");require("fast-deep-equal")')).toBe(false);
    expect(requiresOf('a=require("x\\"y");b=require("z")')).toEqual(['x"y', 'z']);
  });

  test('an object-valued enum (Ajv\'s equal) stays in the file: across realms it would reject an equal object', () => {
    const ajv = new Ajv2020({ code: { source: true } });
    const validate = ajv.compile({ enum: [{ a: 1 }] });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shared-validators-equal-'));
    try {
      const file = path.join(dir, 'equal.js');
      // By absolute path, as validator-cache.ts writes them: the file lives outside node_modules' reach.
      writeFileSync(file, standaloneCode(ajv, validate).replace(/require\("([^"]+)"\)/g, (_, id: string) => `require(${JSON.stringify(require.resolve(id))})`));
      expect(outerLoader()!(file)).toBeNull();
      const loaded = requireValidators(file, require) as Validator;
      expect(Object.getPrototypeOf(loaded)).toBe(Function.prototype);
      expect(loaded({ a: 1 })).toBe(true);
      // Why: the same object made in another realm is "not equal" to the schema's.
      expect(loaded(vm.runInNewContext('({ a: 1 })'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
