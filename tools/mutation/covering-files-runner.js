// The jest test runner StrykerJS's jest uses (tools/mutation/jest.config.js). Stryker runs a mutant's
// covering tests by name (`-t`), but jest still loads every test file related to the mutated file, and
// loading is most of a mutant's time. This runner remembers, from a run of all tests (Stryker's dry
// run), which tests each file holds, and then loads only the files that hold a test the name pattern
// matches. A file it has not seen is always run, so a wrong guess costs time, never a kill.
// Plain JavaScript for jest to load as is.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import TestRunner from 'jest-runner'

/** In the root of the sandbox Stryker runs in, for the runners of the later mutants. */
const namesFile = globalConfig => join(globalConfig.rootDir, '.test-names-by-file.json')

/** The file as the runners left it; unreadable (or half written by the other runner): none known. */
function readNames(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return {}
  }
}

export default class CoveringFilesRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    const pattern = this._globalConfig.testNamePattern
    if (!pattern) return this.#recordNames(tests, watcher, options)
    const names = readNames(namesFile(this._globalConfig))
    const wanted = new RegExp(pattern, 'i')
    const holding = tests.filter(test => names[test.path] === undefined || names[test.path].some(n => wanted.test(n)))
    return super.runTests(holding, watcher, options)
  }

  /** Runs every file, and adds the full names of their tests to the file. */
  async #recordNames(tests, watcher, options) {
    const path = namesFile(this._globalConfig)
    const names = readNames(path)
    const off = this.on('test-file-success', ([test, result]) => {
      names[test.path] = result.testResults.map(r => r.fullName)
    })
    try {
      return await super.runTests(tests, watcher, options)
    } finally {
      off()
      writeFileSync(path, JSON.stringify(names))
    }
  }
}
