/** Jest runs the TypeScript sources as ESM through ts-jest (see DEVELOPMENT in README). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  collectCoverageFrom: ['src/**/*.ts', '!src/index.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 90, statements: 90, functions: 90, branches: 80 } },
  // Checks the Node version, then builds the bundle the end-to-end suites run (see the file).
  globalSetup: '<rootDir>/__tests__/global-setup.mjs',
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
  testTimeout: 30000,
  // The end-to-end suites mostly wait on child processes: two workers keep the whole run short on 2 cores.
  maxWorkers: 2
}
