/**
 * The OpenAI document's hash names its cache directory (helpers/api/openai-spec.ts). It is
 * remembered by the YAML file's identity so a run need not read and hash 3 MB; these tests say when
 * the remembered hash may be used and when the content must be read again.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SETTLED_MS, SOURCE_HASH_FILE, sourceHash } from '../api/openai-spec';

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('the OpenAI document hash, remembered by file identity', () => {
  let dir: string;
  let yaml: string;
  let cache: string;
  // A clock past the settling time: the file counts as settled.
  const later = () => Date.now() + 10 * SETTLED_MS;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'openai-spec-hash-'));
    yaml = path.join(dir, 'openapi.yml');
    cache = path.join(dir, 'cache');
    writeFileSync(yaml, 'openapi: 3.1.0\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('an unchanged file is not read again: the remembered hash is its content hash', () => {
    expect(sourceHash(yaml, cache, later())).toEqual({ hash: sha('openapi: 3.1.0\n'), from: 'content' });
    expect(sourceHash(yaml, cache, later())).toEqual({ hash: sha('openapi: 3.1.0\n'), from: 'identity' });
  });

  test('a file rewritten with the same size is hashed again, even when its mtime is set back', () => {
    // A whole-second mtime, so the replacement below can be given exactly the same one.
    utimesSync(yaml, 1_700_000_000, 1_700_000_000);
    sourceHash(yaml, cache, later());
    const before = sourceHash(yaml, cache, later());
    expect(before.from).toBe('identity');
    // As pip may leave it: other content, same length, the old mtime.
    const replacement = path.join(dir, 'new.yml');
    writeFileSync(replacement, 'openapi: 3.1.1\n');
    utimesSync(replacement, 1_700_000_000, 1_700_000_000);
    renameSync(replacement, yaml);
    expect(sourceHash(yaml, cache, later())).toEqual({ hash: sha('openapi: 3.1.1\n'), from: 'content' });
    expect(before.hash).not.toBe(sha('openapi: 3.1.1\n'));
  });

  test('a file edited in place is hashed again', () => {
    sourceHash(yaml, cache, later());
    writeFileSync(yaml, 'openapi: 3.1.2\n');
    // The edit may fall in the same clock tick as the first hash; a new mtime says it did not.
    utimesSync(yaml, new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    expect(sourceHash(yaml, cache, later())).toEqual({ hash: sha('openapi: 3.1.2\n'), from: 'content' });
  });

  test('a file changed moments ago is hashed but not remembered (it may change again unseen)', () => {
    expect(sourceHash(yaml, cache).from).toBe('content');
    expect(sourceHash(yaml, cache).from).toBe('content');
    expect(require('node:fs').existsSync(path.join(cache, SOURCE_HASH_FILE))).toBe(false);
  });

  test('another file at another path does not get the remembered hash', () => {
    sourceHash(yaml, cache, later());
    const other = path.join(dir, 'other.yml');
    writeFileSync(other, 'openapi: 3.1.0\n');
    expect(sourceHash(other, cache, later()).from).toBe('content');
  });

  test('a damaged memory is ignored and rewritten', () => {
    require('node:fs').mkdirSync(cache, { recursive: true });
    writeFileSync(path.join(cache, SOURCE_HASH_FILE), '{not json');
    expect(sourceHash(yaml, cache, later())).toEqual({ hash: sha('openapi: 3.1.0\n'), from: 'content' });
    expect(sourceHash(yaml, cache, later()).from).toBe('identity');
  });
});
