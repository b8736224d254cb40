// ts-jest in ESM mode; type checking is done by `tsc --noEmit` in `npm test`, so isolatedModules keeps this fast.
export default {
  // Node, with a temporary folder per test file that is removed when the file is done (test/support/test-environment.mjs).
  testEnvironment: '<rootDir>/test/support/test-environment.mjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The transform cache belongs to the checkout, not /tmp (where .ci/run counts what a run leaves).
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  // test/chaos is the slow fault and load suite: npm run test:chaos (jest.chaos.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/chaos/'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 60000,
  maxWorkers: 2,
};
