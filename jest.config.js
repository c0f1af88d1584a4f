/**
 * Unit tests run first-class; conformance tests start real erl nodes over loopback. The global
 * setup probes the OTP installations once; the global teardown ends the run with the line naming
 * the OTPs (and Elixir) the conformance suites ran against, and fails it under CI=true when one
 * is missing.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
