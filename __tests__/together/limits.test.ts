import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { TogetherError } from '../../src/together/errors.js'
import { formatLimit, idleLimit, timeLimit } from '../../src/together/limits.js'
import { MAX_TIMER_MS } from '../../src/util/timer.js'

beforeEach(() => {
  jest.useFakeTimers()
})
afterEach(() => {
  jest.useRealTimers()
})

describe('timeLimit', () => {
  it('aborts its signal with a timeout TogetherError carrying the message once the time has passed', () => {
    const limit = timeLimit(1000, 'GET /x got no answer within 1s')
    jest.advanceTimersByTime(999)
    expect(limit.signal.aborted).toBe(false)
    jest.advanceTimersByTime(1)
    expect(limit.signal.reason).toBeInstanceOf(TogetherError)
    expect(limit.signal.reason).toMatchObject({ kind: 'timeout', message: 'GET /x got no answer within 1s' })
  })

  it('leaves no timer pending once cleared, and never aborts afterwards', () => {
    const limit = timeLimit(1000, 'x')
    limit.clear()
    expect(jest.getTimerCount()).toBe(0)
    jest.advanceTimersByTime(5000)
    expect(limit.signal.aborted).toBe(false)
  })

  it('ends a bound longer than a Node timer holds at that limit, not after 1 ms', () => {
    const limit = timeLimit(MAX_TIMER_MS * 4, 'x')
    jest.advanceTimersByTime(1000)
    expect(limit.signal.aborted).toBe(false)
    jest.advanceTimersByTime(MAX_TIMER_MS)
    expect(limit.signal.aborted).toBe(true)
  })
})

describe('idleLimit', () => {
  it('runs only once armed, and each touch pushes the bound back', () => {
    const limit = idleLimit(100, 'GET /x stalled: no data for 1s')
    jest.advanceTimersByTime(500)
    expect(limit.signal.aborted).toBe(false)
    limit.arm()
    jest.advanceTimersByTime(60)
    limit.touch()
    jest.advanceTimersByTime(60)
    expect(limit.signal.aborted).toBe(false)
    jest.advanceTimersByTime(40)
    expect(limit.signal.reason).toMatchObject({ kind: 'timeout', message: 'GET /x stalled: no data for 1s' })
  })

  it('leaves no timer pending once cleared, and a touch before arming starts nothing', () => {
    const limit = idleLimit(100, 'x')
    limit.touch()
    expect(jest.getTimerCount()).toBe(0)
    limit.arm()
    limit.clear()
    expect(jest.getTimerCount()).toBe(0)
    jest.advanceTimersByTime(1000)
    expect(limit.signal.aborted).toBe(false)
  })
})

describe('formatLimit', () => {
  it.each([
    [0, '1s'],
    [1, '1s'],
    [1000, '1s'],
    [1001, '2s'],
    [59_001, '1m 00s'],
    [119_999, '2m 00s'],
    [120_000, '2m 00s'],
    [10 * 60_000, '10m 00s'],
    [90 * 60_000 + 20_000, '1h 30m']
  ])('words %j ms as %s', (ms, text) => {
    expect(formatLimit(ms)).toBe(text)
  })
})
