import { describe, expect, it } from '@jest/globals'
import { boolean, choice, INPUT_DEFAULTS, InputError, parsed, withDefaults } from '../../src/inputs/reader.js'
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

describe('choice', () => {
  const read = (value: string) => () => value

  it('reads one of the choices, case and surrounding spaces ignored', () => {
    expect(choice(read(' Track '), 'mode', ['wait', 'track', 'report'], 'wait, track or report')).toBe('track')
  })

  it('refuses another value with an InputError that quotes it and says what is expected', () => {
    expect(() => choice(read('ignore'), 'if-no-api-key', ['fail', 'skip'], 'fail or skip')).toThrow(
      new InputError("Invalid if-no-api-key 'ignore'. Expected fail or skip.")
    )
    expect(() => choice(read('x'.repeat(60)), 'mode', ['wait'], 'wait')).toThrow(`'${'x'.repeat(50)}…'`)
  })
})

describe('boolean', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['false', false],
    [' FALSE ', false]
  ])('reads %j as %s', (raw, value) => {
    expect(boolean(() => raw, 'cancel-on-abort')).toBe(value)
  })

  it('refuses anything else, quoting up to 100 characters', () => {
    expect(() => boolean(() => 'yes', 'pr-comment')).toThrow("Invalid pr-comment 'yes'. Expected true or false.")
    expect(() => boolean(() => 'y'.repeat(120), 'pr-comment')).toThrow(`'${'y'.repeat(100)}…'`)
  })
})

describe('parsed', () => {
  it('returns what the parser returns, and turns what it throws into an InputError with the same message', () => {
    expect(parsed(() => 42)).toBe(42)
    const fail = () =>
      parsed(() => {
        throw new Error('Invalid HTTPS_PROXY value.')
      })
    expect(fail).toThrow(InputError)
    expect(fail).toThrow(/^Invalid HTTPS_PROXY value\.$/)
  })
})
