// StrykerJS over the decision code. `npm run mutation` runs it once per area (tools/mutation/run.ts sets
// MUTATION_AREA) and checks each area's scores; `npm run mutation -- verdict` runs one area. Without
// MUTATION_AREA (`npx stryker run`), it mutates all four areas at once. See CONTRIBUTING.md.
const AREAS = ['verdict', 'result-files', 'engine', 'sanitize']
const area = process.env.MUTATION_AREA
if (area !== undefined && !AREAS.includes(area)) {
  throw new Error(`MUTATION_AREA must be one of ${AREAS.join(', ')}; got '${area}'.`)
}
const name = area ?? 'mutation'

export default {
  mutate: (area ? [area] : AREAS).map(folder => `src/${folder}/**/*.ts`),
  testRunner: 'jest',
  // The tests are ES modules run by ts-jest: jest needs Node's VM modules in Stryker's worker too.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { configFile: 'tools/mutation/jest.config.js', enableFindRelatedTests: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  // Two cores: two test runners, and two TypeScript checkers (Stryker gives checkers half the
  // concurrency; they are busy only until every mutant is checked).
  concurrency: 4,
  // Jest in band keeps every test file's modules in the runner's memory: a fresh runner every 40 mutants.
  maxTestRunnerReuse: 40,
  // A re-run tests only the mutants whose code or covering tests changed. Each area's file is committed.
  incremental: true,
  incrementalFile: area ? `tools/mutation/incremental/${area}.json` : 'reports/mutation/incremental.json',
  // A busy machine makes a slow run look like an endless loop: wait longer before calling a timeout, and
  // longer than jest's own testTimeout (30 s), so that a mutant that leaves a test hanging fails it.
  timeoutMS: 45000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowEmojis: false, logTests: false },
  // The score counting uncovered mutants as survivors; tools/mutation/scores.ts also checks the share
  // of covered mutants killed (95%).
  thresholds: { high: 95, low: 90, break: 90 },
  // One sandbox folder per area, so that areas can run side by side (each run deletes its own).
  tempDirName: `.stryker-tmp/${name}`,
  ignorePatterns: ['.stryker-tmp', 'dist', 'coverage', 'reports', '.test-bundle', 'docs', 'examples', '.github']
}
