/**
 * Compiled validators loaded once per Jest worker instead of once per test file.
 *
 * Jest gives every test file its own module registry, so each file compiled and ran again the same
 * Ajv standalone modules (validator-cache.ts: 2.6 MB for FakeAI's document; openai-spec.ts: one file
 * per OpenAI schema): in a full run 170 loads and 47 MB of source, half of everything the workers
 * compiled. A validator is a pure function of its input, so the test environment (which lives
 * outside the sandbox and stays for all of a worker's files) hands each file a loader that `require`s
 * the module once per worker with Node's own loader (`shareValidatorsWith`). A test file reads it
 * through `requireValidators`, which falls back to the file's own `require` without that loader (unit
 * tests, a fixture project) or when the module is not known to be realm-safe.
 *
 * The outer module is another realm (its own Object, Array, Error). What the test sees must not
 * show it, so every validator is wrapped in a function of the test's realm that hands back
 * `errors` rebuilt from this realm's objects: `toStrictEqual`, `instanceof Array`, Jest's printing
 * and the report's JSON see exactly what a validator loaded in the file would give
 * (helpers/__tests__/shared-validators.test.ts compares the two). Realm-safe means the generated code
 * requires nothing but `ucs2length` and ajv-formats' formats: both work on strings and numbers. A
 * module requiring anything else — `equal` above all, which compares `constructor`s and would call
 * an object from the test's realm unequal to the same object literal of the outer one — is loaded
 * in the file as before.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';

/** The sandbox global's property the environment sets; a Symbol.for key is the same in both realms. */
const LOADER = Symbol.for('fakeai-e2e.shared-validators');

type OuterLoader = (file: string) => unknown;

export type Validator = ((data: unknown, ...rest: unknown[]) => boolean) & { errors?: ErrorObject[] | null };

/** What generated code may require and still run in another realm than its data's. */
const REALM_SAFE = [/(?:^|[\\/])ajv[\\/]dist[\\/]runtime[\\/]ucs2length(?:\.js)?$/, /(?:^|[\\/])ajv-formats[\\/]dist[\\/]formats(?:\.js)?$/];

/** Every `require("…")` of a generated module, in order. */
export function requiresOf(source: string): string[] {
  return [...source.matchAll(/require\(("(?:[^"\\]|\\.)*")\)/g)].map((m) => JSON.parse(m[1]) as string);
}

export function realmSafe(source: string): boolean {
  return requiresOf(source).every((id) => REALM_SAFE.some((re) => re.test(id)));
}

/** Outside the sandbox: a module's exports per file, or null for one that must load in the file. */
const outerModules = new Map<string, unknown>();

function loadOutside(file: string): unknown {
  if (!outerModules.has(file)) {
    let mod: unknown = null;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if (realmSafe(readFileSync(file, 'utf8'))) mod = require(file);
    } catch {
      // Whatever failed here (a helper this loader cannot resolve) the file's own require reports.
    }
    outerModules.set(file, mod);
  }
  return outerModules.get(file);
}

/** Called by the test environment, outside the sandbox, with the test file's global. */
export function shareValidatorsWith(sandboxGlobal: object): void {
  (sandboxGlobal as Record<symbol, OuterLoader>)[LOADER] = loadOutside;
}

/** Values already of this realm (the validated data itself, in verbose errors) stay as they are. */
function ofThisRealm(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

/**
 * An outer-realm value rebuilt from this realm's objects. Schema constants (an error's `schema`,
 * `parentSchema`, `allowedValues`) are the same outer object on every call: the memo gives them one
 * copy too, so they keep their identity as they did in the file. Errors are fresh on every call.
 */
function toLocal(v: unknown, memo: WeakMap<object, unknown>): unknown {
  if (v === null || typeof v !== 'object' || ofThisRealm(v)) return v;
  if (memo.has(v)) return memo.get(v);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    memo.set(v, out);
    for (const x of v) out.push(toLocal(x, memo));
    return out;
  }
  if (Object.prototype.toString.call(v) !== '[object Object]') return v;
  const out: Record<string, unknown> = {};
  memo.set(v, out);
  for (const k of Object.keys(v)) out[k] = toLocal((v as Record<string, unknown>)[k], memo);
  return out;
}

/** An error the outer realm threw (a stack overflow on deep data), as this realm's same class. */
function localError(e: unknown): unknown {
  if (!(e && typeof e === 'object') || e instanceof Error || !('message' in e)) return e;
  const outer = e as Error;
  const Ctor = (globalThis as unknown as Record<string, unknown>)[outer.name];
  const local = typeof Ctor === 'function' && (Ctor === Error || Ctor.prototype instanceof Error) ? new (Ctor as ErrorConstructor)(outer.message) : new Error(outer.message);
  local.name = outer.name;
  local.stack = outer.stack;
  return local;
}

const memo = new WeakMap<object, unknown>();

function localValidator(outer: Validator): Validator {
  const local: Validator = function validate(this: unknown, data: unknown, ...rest: unknown[]): boolean {
    let ok: boolean;
    try {
      ok = outer.call(this, data, ...rest);
    } catch (e) {
      throw localError(e);
    }
    local.errors = toLocal(outer.errors, memo) as ErrorObject[] | null | undefined;
    return ok;
  };
  return local;
}

/** A module's exports as the file sees them: each validator wrapped, the module object of this realm. */
function localExports(outer: unknown): unknown {
  if (typeof outer === 'function') {
    // A one-schema module: `module.exports = validate; module.exports.default = validate`.
    const fn = localValidator(outer as Validator);
    if ((outer as { default?: unknown }).default === outer) (fn as { default?: unknown }).default = fn;
    return fn;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(outer as Record<string, unknown>)) out[k] = typeof v === 'function' ? localValidator(v as Validator) : toLocal(v, memo);
  return out;
}

const views = new Map<string, unknown>();

/**
 * A generated validator module: loaded once per worker when the environment shares it, otherwise
 * with `fallback` (the caller's own require, as before). One view per file and module.
 */
export function requireValidators(file: string, fallback: (file: string) => unknown): unknown {
  const hit = views.get(file);
  if (hit !== undefined) return hit;
  const loader = (globalThis as Record<symbol, OuterLoader | undefined>)[LOADER];
  const outer = loader?.(file);
  const view = outer === undefined || outer === null ? fallback(file) : localExports(outer);
  views.set(file, view);
  return view;
}
