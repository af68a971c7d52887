/** @jest-config-loader esbuild-register */
// The docblock above loads this file with esbuild-register instead of ts-node: about 0.9 s faster
// per run (measured in shared/HARNESS_FACTS.md) and no ts-node dependency.
import type { Config } from 'jest';

const transform: Config['transform'] = {
  // esbuild, not ts-jest: see the transformer's header for why and docs/libraries.md for the figures.
  '^.+\\.ts$': '<rootDir>/helpers/jest/esbuild-transform.js',
};

const config: Config = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/helpers', '<rootDir>/scripts'],
      testMatch: ['<rootDir>/helpers/**/__tests__/**/*.test.ts', '<rootDir>/scripts/**/__tests__/**/*.test.ts'],
    },
    {
      displayName: 'e2e',
      transform,
      // Only the specs' folder is crawled: the default root (the whole project, node_modules and
      // .venv included) cost ~0.4 s per run in Jest's file crawl.
      roots: ['<rootDir>/e2e'],
      testMatch: ['<rootDir>/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/helpers/jest/global-setup.ts',
      globalTeardown: '<rootDir>/helpers/jest/global-teardown.ts',
      testEnvironment: '<rootDir>/helpers/jest/environment.ts',
      setupFilesAfterEnv: ['<rootDir>/helpers/jest/observe-exchanges.ts'],
    },
  ],
};

export default config;
