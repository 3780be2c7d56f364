import { describe, expect, it } from '@jest/globals'
import { MAX_TIMER_MS, timerDelay } from '../../src/util/timer.js'

describe('timerDelay', () => {
  it('is what a Node timer holds: 2^31-1 ms at most', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1)
  })

  it.each([
    [0, 1],
    [-5, 1],
    [1500, 1500],
    [2 ** 31 - 1, 2 ** 31 - 1],
    [25 * 86_400_000, 2 ** 31 - 1]
  ])('takes %i ms as %i', (ms, delay) => {
    expect(timerDelay(ms)).toBe(delay)
  })
})
