// `node -r ./scripts/register.js scripts/e2e.ts` (what `npm run e2e` runs): .ts files load through
// esbuild with an on-disk cache (scripts/ts-cache.js). Only compiles; module resolution stays
// Node's own, which is why this and not tsx (whose resolver breaks ESM-only execa inside Jest's
// globalSetup: docs/reports.md, "How the CLI and its reports work").
const fs = require('node:fs');
const Module = require('node:module');
const { compile } = require('./ts-cache');

Module._extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(compile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
// Stack traces point into the .ts sources.
process.setSourceMapsEnabled(true);
