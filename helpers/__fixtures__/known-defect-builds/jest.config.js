// A fixture Jest project for helpers/__tests__/ledger-releases.test.ts: testKnownDefect judged by
// the ledger's standing of a build, in real Jest, without servers. *.fixture.ts so no other project picks it up.
const path = require('node:path');

module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.fixture.ts'],
  transform: { '^.+\\.ts$': path.resolve(__dirname, '..', '..', 'jest', 'esbuild-transform.js') },
};
