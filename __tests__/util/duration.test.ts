import { describe, expect, it } from '@jest/globals'
import { formatDuration, parseDuration } from '../../src/util/duration.js'

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['45m', 2_700_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1h 30m 15s', 5_415_000],
    ['1d', 86_400_000],
    ['300', 300_000],
    ['1.5', 1500],
    ['500ms', 500],
    ['2M', 120_000],
    ['0', 0]
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', 'abc', '-5', '5x', '30m2h', 'h', '1.5h', '10 minutes', 'm5'])('rejects %j', text => {
    expect(parseDuration(text)).toBeUndefined()
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [400, '0s'],
    [45_000, '45s'],
    [185_000, '3m 05s'],
    [7_620_000, '2h 07m'],
    [-5, '0s']
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})
