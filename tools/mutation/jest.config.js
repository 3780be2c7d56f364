// The jest configuration StrykerJS runs (stryker.config.mjs): the project's own, minus what a mutant
// cannot change. The end-to-end suites run a bundle in a child process, so no mutant is ever attributed
// to them: they are left out, and with them the global setup that builds the bundle. `src` is a root so
// that jest's --findRelatedTests sees the mutated file. Coverage is Stryker's business here.
import base from '../../jest.config.js'

export default {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/__tests__', '<rootDir>/src'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/e2e/', '<rootDir>/__tests__/bundle\\.test\\.ts$'],
  globalSetup: undefined,
  collectCoverage: false,
  // In band, in Stryker's own worker: no jest worker processes started for every mutant (a quarter less
  // CPU per run measured); Stryker already runs two of these side by side.
  maxWorkers: 1,
  // Loads only the test files that hold a mutant's covering tests (see the file).
  runner: '<rootDir>/tools/mutation/covering-files-runner.js',
  coverageThreshold: undefined
}
