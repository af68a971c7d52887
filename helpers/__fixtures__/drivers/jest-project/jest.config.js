// A fixture Jest project for the cleanup self-tests: the real globalSetup/globalTeardown, plain
// node environment, tests named *.fixture.ts so the unit project never picks them up.
const path = require('node:path');

const harness = path.resolve(__dirname, '..', '..', '..', 'jest');

module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.fixture.ts'],
  transform: { '^.+\\.ts$': path.join(harness, 'esbuild-transform.js') },
  testEnvironment: 'node',
  globalSetup: path.join(harness, 'global-setup.ts'),
  globalTeardown: path.join(harness, 'global-teardown.ts'),
};
