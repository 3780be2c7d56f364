import { describe, expect, it } from '@jest/globals'
import { INPUT_DEFAULTS, withDefaults } from '../../src/inputs/defaults.js'
import { readActionYaml } from '../../tools/runner/run-action.js'

const inputs = readActionYaml().inputs ?? {}

describe('INPUT_DEFAULTS', () => {
  it("holds every non-empty default of action.yml, equal to it (github-token's is an expression)", () => {
    const fromYaml = Object.fromEntries(
      Object.entries(inputs)
        .map(([name, spec]) => [name, spec.default ?? ''] as const)
        .filter(([, value]) => value !== '' && !value.startsWith('${{'))
    )
    expect(INPUT_DEFAULTS).toEqual(fromYaml)
  })
})

describe('withDefaults', () => {
  const read = withDefaults(
    name => ({ timeout: '', 'fail-on': '  ', 'poll-interval': '5s', 'max-cost': '' })[name] ?? ''
  )

  it('reads an empty input, or one of spaces, as its action.yml default', () => {
    expect(read('timeout')).toBe('5h45m')
    expect(read('fail-on')).toBe('FAILED,EXPIRED,CANCELLED')
  })

  it('keeps a value that is set, and an empty one whose default is empty', () => {
    expect(read('poll-interval')).toBe('5s')
    expect(read('max-cost')).toBe('')
  })
})
