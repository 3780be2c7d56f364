import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, readActionYaml } from '../tools/runner/run-action.js'
import { VERSION } from '../src/version.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = readActionYaml()

/** Rows of the Markdown table that follows `## <heading>`, as arrays of cells. */
function table(heading: string): string[][] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
  return section
    .split('\n')
    .filter(line => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1)
    .map(line =>
      line
        .slice(1, -1)
        .split('|')
        .map(cell => cell.trim())
    )
}

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '').replace(/^''$/, '')

describe('README and action.yml', () => {
  it('list the same inputs, in the same order, with the same defaults', () => {
    const rows = table('Inputs')
    expect(rows.map(r => unquote(r[0]!))).toEqual(Object.keys(action.inputs ?? {}))
    expect(rows.map(r => [unquote(r[0]!), unquote(r[1]!)])).toEqual(
      Object.entries(action.inputs ?? {}).map(([name, spec]) => [name, spec.required ? '(required)' : spec.default])
    )
  })

  it('list the same outputs, in the same order', () => {
    expect(table('Outputs').map(r => unquote(r[0]!))).toEqual(Object.keys(action.outputs ?? {}))
  })

  it('describe every input and output in action.yml', () => {
    for (const spec of [...Object.values(action.inputs ?? {}), ...Object.values(action.outputs ?? {})]) {
      expect((spec as { description?: string }).description?.length).toBeGreaterThan(10)
    }
  })

  it('run the bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('show the demo and test commands first', () => {
    const tryIt = readme.split('\n## Try it\n')[1]!.split('\n## ')[0]!
    expect(tryIt).toContain('npm ci && npm run demo')
    expect(tryIt).toContain('npm ci && npm test')
  })

  it('keep the version sent in the User-Agent equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(VERSION).toBe(pkg.version)
  })
})
