/** Test tiers: unit (pure), infra (CDK + cdk-nag), integration (real emulators), e2e (HTTP on the local runtime). */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const tier = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    tier('unit'),
    tier('infra'),
    tier('integration', {
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    }),
    tier('e2e', {
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    }),
  ],
};
