/**
 * Test tiers: unit (pure), infra (CDK + cdk-nag), integration (real emulators), e2e (HTTP on the local
 * runtime), browser (the buyer's journey through the demo shop in Chromium).
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  // @middy/core ships ES modules only; Jest on Node 20 loads CommonJS, so it is compiled like our code.
  '/node_modules/@middy/core/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true } }],
};
const tier = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@middy/core/)'],
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
    tier('browser', {
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    }),
  ],
};
