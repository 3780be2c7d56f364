// The order StrykerJS's jest runs test files in (tools/mutation/jest.config.js). Jest stops at the first
// failing file (Stryker bails), so a mutant is killed sooner when the unit tests of the area it was
// made in run first: those files, smallest first, then the rest of the decision code's tests, then the
// others. Jest's own order (slowest first) would load the whole app's tests before the unit test that
// fails. Plain JavaScript for jest to load as is.
import { statSync } from 'node:fs'

const AREAS = ['verdict', 'result-files', 'engine', 'sanitize']

function rank(path) {
  const at = path.replaceAll('\\', '/')
  const area = process.env.MUTATION_AREA
  if (area && at.includes(`/__tests__/${area}/`)) return 0
  return AREAS.some(a => at.includes(`/__tests__/${a}/`)) ? 1 : 2
}

export default class AreaFirstSequencer {
  sort(tests) {
    const size = test => statSync(test.path, { throwIfNoEntry: false })?.size ?? 0
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || size(a) - size(b) || a.path.localeCompare(b.path))
  }

  shard(tests) {
    return tests
  }

  allFailedTests(tests) {
    return tests
  }

  cacheResults() {}
}
