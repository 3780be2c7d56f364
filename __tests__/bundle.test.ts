import { describe, expect, it } from '@jest/globals'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../tools/runner/run-action.js'

// What a workflow downloads and loads on every run: the bundle stays small and carries one HTTP stack.
// Checked on the bundle globalSetup builds from the current source (so a dependency change shows here
// before dist/ is rebuilt) and on the committed dist/index.js (what ships today).

/** 1.5 MiB; the README's table gives the current size in MiB too. */
const MAX_BYTES = 1.5 * 1024 * 1024

/**
 * One copy of undici is `class Pool extends PoolBase` once: undici 5, 6 and 7 each declare their Pool
 * exactly so, once (lib/pool.js or lib/dispatcher/pool.js), ncc keeps declarations verbatim (no
 * minification), and nothing else declares a class of that name. A second copy (another major pulled
 * in by @actions/http-client, say) makes it 2; a minified or renamed bundle makes it 0: both fail.
 */
const UNDICI_MARKER = /\bclass Pool extends PoolBase\b/g

/** The undici package folders the source map lists, e.g. ['node_modules/undici']: names any extra copy. */
function undiciPackages(bundle: string): string[] {
  const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] }
  const roots = map.sources.map(s => /((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)*node_modules\/undici)\//.exec(s)?.[1])
  return [...new Set(roots.filter(root => root !== undefined))].sort()
}

const TEST_BUNDLE = join(ROOT, '.test-bundle', 'index.js')

it('points the end-to-end suites at the bundle globalSetup built from the current source', () => {
  expect(process.env.ACTION_BUNDLE).toBe(TEST_BUNDLE)
})

describe.each([
  ['the bundle of the current source', TEST_BUNDLE],
  ['the committed dist/index.js', join(ROOT, 'dist', 'index.js')]
])('%s', (_name, bundle) => {
  it(`is at most ${MAX_BYTES} bytes`, () => {
    expect(statSync(bundle).size).toBeLessThanOrEqual(MAX_BYTES)
  })

  it('contains exactly one copy of undici', () => {
    expect(readFileSync(bundle, 'utf8').match(UNDICI_MARKER)?.length ?? 0).toBe(1)
    expect(undiciPackages(bundle)).toEqual(['node_modules/undici'])
  })
})
