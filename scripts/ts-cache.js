// TypeScript → CommonJS with esbuild, cached on disk. Used by scripts/register.js (how `npm run e2e`
// loads its .ts files); plain JavaScript because it is what loads the TypeScript.
//
// Why a cache: without one, every run compiled the ~60 .ts files the CLI, Jest's global hooks and
// the reporter load, one blocking esbuild call each (~0.28 s of CPU on the critical path of a
// health-only run, measured with --cpu-prof; esbuild-register has no cache). The key covers this
// file, esbuild's version, the path and the source, so an edit or an upgrade recompiles.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync, version } = require('esbuild');

const DEFAULT_CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'fakeai-e2e-register');
const SELF = fs.readFileSync(__filename);

function cacheFile(source, filename, cacheDir = DEFAULT_CACHE_DIR) {
  const key = createHash('sha256').update(SELF).update(version).update(filename).update('\0').update(source).digest('hex');
  return path.join(cacheDir, `${key}.js`);
}

/** The compiled code for `source` (the contents of `filename`), from the cache when it is there. */
function compile(source, filename, cacheDir = DEFAULT_CACHE_DIR) {
  const cached = cacheFile(source, filename, cacheDir);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // Not cached yet: compile below.
  }
  const { code } = transformSync(source, { loader: 'ts', format: 'cjs', target: `node${process.versions.node}`, sourcefile: filename, sourcemap: 'inline', sourcesContent: false });
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: a concurrent run never reads half a file.
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cached);
  } catch {
    // A read-only tree still runs, uncached.
  }
  return code;
}

module.exports = { compile, cacheFile, DEFAULT_CACHE_DIR };
