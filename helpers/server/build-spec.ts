/**
 * `--fakeai <spec>`: which FakeAI build to test, as the user names it. Pure (no I/O but the one
 * `existsSync` that tells a path from a version): spec → what pip is asked for, and the cache key
 * of the virtualenv that holds it (build-install.ts does the installing).
 *
 * Three kinds, told apart the way a user would: a bare release number is a PyPI version; anything
 * on disk is a source checkout (a directory) or an archive pip can install (a wheel, an sdist);
 * the rest (a VCS URL, `fakeai==0.3.1rc1`, an https archive) goes to pip as written.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BuildIdentity } from '../core/harness-env';

export type BuildKind = 'pypi' | 'checkout' | 'archive' | 'pip';

export interface BuildSpec {
  /** What the user typed. */
  spec: string;
  kind: BuildKind;
  /** The requirement handed to pip: `fakeai==0.3.1`, an absolute path, or the spec itself. */
  requirement: string;
  /** Directory name under .venv-builds/: readable, and unique per spec. */
  key: string;
}

const RELEASE = /^v?\d+(\.\d+){1,3}((a|b|rc|\.post|\.dev)\d+)?$/;

export function parseBuildSpec(spec: string, cwd = process.cwd()): BuildSpec {
  const s = spec.trim();
  if (s === '') throw new Error('--fakeai needs a value: a PyPI version (0.3.1), a source checkout (a directory), or anything pip accepts.');
  const onDisk = path.resolve(cwd, s);
  // A directory named like a version ("./0.3.1") is a checkout only when written as a path.
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
  const looksLikePath = !isUrl && (s.startsWith('.') || s.startsWith('/') || s.startsWith('~') || s.includes(path.sep));
  if (!isUrl && (looksLikePath || !RELEASE.test(s)) && existsSync(onDisk)) {
    const kind: BuildKind = statSync(onDisk).isDirectory() ? 'checkout' : 'archive';
    return { spec: s, kind, requirement: onDisk, key: keyFor(kind, path.basename(onDisk), onDisk) };
  }
  if (RELEASE.test(s)) {
    const version = s.replace(/^v/, '');
    return { spec: s, kind: 'pypi', requirement: `fakeai==${version}`, key: `pypi-${version}` };
  }
  if (looksLikePath) throw new Error(`--fakeai "${s}" looks like a path, but nothing is there (resolved to ${onDisk}).`);
  return { spec: s, kind: 'pip', requirement: s, key: keyFor('pip', s, s) };
}

function keyFor(kind: BuildKind, readable: string, identity: string): string {
  const slug = readable.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'build';
  return `${kind}-${slug}-${createHash('sha256').update(identity).digest('hex').slice(0, 10)}`;
}

export type { BuildIdentity };

/** PEP 610's direct_url.json, the parts we read. */
export interface DirectUrl {
  url?: string;
  dir_info?: { editable?: boolean };
  archive_info?: unknown;
  vcs_info?: { vcs?: string; commit_id?: string; requested_revision?: string };
}

/** Origin, commit and archive name from pip's direct_url.json (null: installed from an index). */
export function originOf(direct: DirectUrl | null): Pick<BuildIdentity, 'origin' | 'commit' | 'archive' | 'fromIndex'> {
  if (!direct || !direct.url) return { origin: null, commit: null, archive: null, fromIndex: true };
  const url = direct.url;
  const commit = direct.vcs_info?.commit_id ?? null;
  const archive = direct.archive_info !== undefined ? decodeURIComponent(url.split('/').pop() ?? url) : null;
  const origin = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  return { origin: direct.vcs_info ? `${direct.vcs_info.vcs ?? 'vcs'}+${url}` : origin, commit, archive, fromIndex: false };
}

/** One line for the setup banner and the summary: "0.3.1 (PyPI, --fakeai 0.3.1)". */
export function buildLabel(b: BuildIdentity): string {
  const version = b.version ?? '(no version metadata)';
  const where: string[] = [];
  if (b.archive) where.push(b.archive);
  else if (b.origin) where.push(b.origin);
  else if (b.fromIndex) where.push('from a package index');
  if (b.commit) where.push(`commit ${b.commit}`);
  return `${version}${where.length ? ` (${where.join(', ')})` : ''} · installed by ${b.installedBy}`;
}
