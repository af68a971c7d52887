// Jest transformer: TypeScript → CommonJS with esbuild (already a dependency, for the config loader).
// Why not ts-jest: it loads the TypeScript compiler in every Jest process, even with a warm cache;
// esbuild's transform costs ~1 ms a file. Type errors are `npm run typecheck`'s job, not the runner's,
// and no test uses jest.mock (esbuild does not hoist it). Measured figures are in docs/libraries.md.
const { transformSync, version } = require('esbuild');
const { createHash } = require('node:crypto');

const THIS_FILE = require('node:fs').readFileSync(__filename);

module.exports = {
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256').update(THIS_FILE).update(version).update(sourcePath).update('\0').update(sourceText).digest('hex');
  },
  process(sourceText, sourcePath) {
    const { code, map } = transformSync(sourceText, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcefile: sourcePath,
      sourcemap: 'external',
      sourcesContent: false,
      // Like ts-jest's CommonJS output: import() becomes require(). Jest's module sandbox only
      // supports a native dynamic import with --experimental-vm-modules; Node 20's require(esm)
      // loads ESM-only execa/get-port in global hooks either way.
      supported: { 'dynamic-import': false },
    });
    return { code, map };
  },
};
