/** @jest-config-loader esbuild-register */
// A stand-in e2e project for the CLI's self-tests (helpers/__tests__/cli-run.test.ts): the real CLI
// runs it via `npm run e2e -- ... -- --config <this file> <case>`, with no server and no network.
import path from 'node:path';
import type { Config } from 'jest';

const config: Config = {
  projects: [
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testMatch: ['<rootDir>/cases/*.fixture.ts'],
      transform: { '^.+\\.ts$': path.resolve(__dirname, '../../jest/esbuild-transform.js') },
      globalSetup: '<rootDir>/global-setup.ts',
      globalTeardown: '<rootDir>/global-teardown.ts',
      testEnvironment: 'node',
    },
  ],
};

export default config;
