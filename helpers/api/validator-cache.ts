/**
 * Compiled schema validators for one /openapi.json, kept on disk. Compiling FakeAI's document with
 * Ajv was the largest CPU cost of a run: every test file (its own module registry) compiled the
 * schemas it used again, ~0.2–1 s of CPU per API file. Here the whole document is compiled once
 * into Ajv "standalone" code (plain JavaScript, same options, same error objects) and written to
 * node_modules/.cache/fakeai-e2e-ajv/, named by a hash of the document, Ajv's version and the
 * options: a new FakeAI document or Ajv gets a new file, an unchanged one is only loaded (~50 ms).
 *
 * Two workers missing the same file both compile it and both write it (to a temporary name, then
 * renamed): the contents are the same, and no reader sees half a file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020';
import { PROJECT_ROOT } from '../core/config';
import { AJV_OPTIONS, documentAjv, type OpenApiDocument, schemaPointers, schemaRef } from './contract';
import { requireValidators } from './shared-validators';

export const DEFAULT_VALIDATOR_CACHE = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'fakeai-e2e-ajv');
/** Bumped when the generated file's shape changes. */
const FORMAT = 1;

export type Validators = Readonly<Record<string, ValidateFunction>>;

function ajvVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('ajv/package.json') as { version: string }).version;
}

export function validatorFile(doc: OpenApiDocument, cacheDir = DEFAULT_VALIDATOR_CACHE): string {
  const key = createHash('sha256').update(JSON.stringify({ FORMAT, ajv: ajvVersion(), options: AJV_OPTIONS, doc })).digest('hex').slice(0, 32);
  return path.join(cacheDir, `openapi-${key}.js`);
}

/** Compiles every schema of the document into one module's source, exported by schema pointer. */
export function compileValidators(doc: OpenApiDocument): string {
  // Only on a cache miss: Ajv's compiler is ~80 modules a test file need not load otherwise.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  const ajv = documentAjv(doc, { code: { source: true } });
  const pointers = schemaPointers(doc);
  // Each as the same `{ $ref }` wrapper Contract compiles, so error objects (schemaPath included)
  // are exactly the ones a validator compiled on the spot gives.
  pointers.forEach((p, i) => ajv.addSchema({ $ref: schemaRef(p) }, `validator-${i}`));
  const source = standaloneCode(ajv, Object.fromEntries(pointers.map((p, i) => [p, `validator-${i}`])));
  // Ajv's runtime helpers (ajv/dist/runtime/…, ajv-formats) by absolute path: the file then loads
  // from any cache directory, not only from one inside this project's node_modules.
  return source.replace(/require\("([^"]+)"\)/g, (_, id: string) => `require(${JSON.stringify(require.resolve(id))})`);
}

/** The document's validators by schema pointer, from the cache, compiled and cached on a miss. */
export function cachedValidators(doc: OpenApiDocument, cacheDir = DEFAULT_VALIDATOR_CACHE): Validators {
  const file = validatorFile(doc, cacheDir);
  if (!existsSync(file)) {
    const source = compileValidators(doc);
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, source);
    renameSync(tmp, file);
  }
  // Once per worker when the test environment shares it (shared-validators.ts), else in this file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return requireValidators(file, (f) => require(f)) as Validators;
}
