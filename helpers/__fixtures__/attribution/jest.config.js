// A fixture Jest project for the log-attribution self-tests (helpers/__tests__/attribution.test.ts):
// the REAL globalSetup/globalTeardown and test environment, against stub servers put on PYTHONPATH
// by the driver. Tests are named *.fixture.ts so the unit project never picks them up.
const path = require('node:path');

const jestDir = path.resolve(__dirname, '..', '..', 'jest');

module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.fixture.ts'],
  transform: { '^.+\\.ts$': path.join(jestDir, 'esbuild-transform.js') },
  globalSetup: path.join(jestDir, 'global-setup.ts'),
  globalTeardown: path.join(jestDir, 'global-teardown.ts'),
  testEnvironment: path.join(jestDir, 'environment.ts'),
  // Only matters with workers (concurrent-*.fixture.ts; the other fixtures run --runInBand): Jest
  // otherwise runs a few files its cache calls fast in band. Far above a worker's size: never recycles.
  workerIdleMemoryLimit: '2GB',
  testEnvironmentOptions: {
    // Generous on purpose: this checks WHO gets blamed, not how short the quiet period can be,
    // and the machine running it may be busy.
    // (cost.fixture.ts, which measures the default, unsets it through FIXTURE_DEFAULT_QUIET=1.)
    logQuietMs: process.env.FIXTURE_DEFAULT_QUIET ? undefined : 100,
    // Allowed in one test of blame.fixture.ts only; elsewhere.fixture.ts provokes it where it is not.
    // The defect id must exist (it is checked): any real one serves.
    allowedExceptions: [
      {
        pattern: 'boom ALLOWED-ON-PURPOSE',
        defect: 'batches-service-missing',
        reason: 'fixture: a test provokes it on purpose',
        provokedBy: [{ file: 'helpers/__fixtures__/attribution/blame.fixture.ts', tests: ['triggers an allowed exception'] }],
      },
    ],
  },
};
