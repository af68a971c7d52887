// A fixture Jest project for helpers/__tests__/stream-counting-defects.test.ts: the three
// "ignores streams" defect checks inside the real testKnownDefect, without servers (the driver sets
// E2E_HARNESS itself). *.fixture.ts so no other project picks it up.
const path = require('node:path');

module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.fixture.ts'],
  transform: { '^.+\\.ts$': path.resolve(__dirname, '..', '..', 'jest', 'esbuild-transform.js') },
};
