import { describe, expect, it } from '@jest/globals'
import { MAX_RETRY_DELAY_MS, retryDelay } from '../../src/util/backoff.js'
import { MIN_GAP_MS, nextCheck } from '../../src/engine/next-check.js'

describe('retryDelay', () => {
  it('grows exponentially with jitter and is capped', () => {
    expect(retryDelay(1, () => 0)).toBe(500)
    expect(retryDelay(1, () => 0.998)).toBe(999)
    expect(retryDelay(3, () => 0)).toBe(2000)
    expect(retryDelay(30, () => 0.999)).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS)
  })

  it('never backs off longer than the poll interval', () => {
    expect(retryDelay(10, () => 0.999, undefined, 5000)).toBeLessThanOrEqual(5000)
    expect(retryDelay(10, () => 0, undefined, 5000)).toBe(2500)
  })

  it('waits at least as long as the server asked, within the cap', () => {
    expect(retryDelay(1, () => 0, 9000, 1000)).toBe(9000)
    expect(retryDelay(1, () => 0, 9000)).toBe(9000)
    expect(retryDelay(1, () => 0, 3_600_000)).toBe(MAX_RETRY_DELAY_MS)
  })
})

describe('nextCheck', () => {
  const P = 30_000
  it('polls at the interval without a prediction, or while the finish is far', () => {
    expect(nextCheck({ now: 0, pollIntervalMs: P, state: { nearStreak: 3 } })).toEqual({
      delayMs: P,
      state: { nearStreak: 0 }
    })
    expect(nextCheck({ now: 0, pollIntervalMs: P, etaAt: 600_000, state: { nearStreak: 0 } }).delayMs).toBe(P)
  })

  it('treats a target exactly one interval away as far: polls at the interval and keeps no streak', () => {
    expect(nextCheck({ now: 0, pollIntervalMs: P, etaAt: P - 1000, state: { nearStreak: 0 } })).toEqual({
      delayMs: P,
      state: { nearStreak: 0 }
    })
  })

  it('lands one check just after a predicted finish that is closer than the interval', () => {
    const decision = nextCheck({ now: 0, pollIntervalMs: P, etaAt: 12_000, state: { nearStreak: 0 } })
    expect(decision.delayMs).toBe(13_000)
    expect(decision.state.nearStreak).toBe(1)
  })

  it('backs off from 2 s to the interval when the prediction keeps missing', () => {
    let state = { nearStreak: 1 }
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      const decision = nextCheck({ now: 100_000 + i, pollIntervalMs: P, etaAt: 99_000, state })
      delays.push(decision.delayMs)
      state = decision.state
    }
    expect(delays).toEqual([MIN_GAP_MS, 4000, 8000, 16_000, P, P])
  })

  it('never checks more often than every 2 s, nor less often than the interval', () => {
    for (const etaAt of [-50_000, 0, 500, 1500, 2500, 29_000, 31_000, 1e9]) {
      for (const nearStreak of [0, 1, 2, 7]) {
        const { delayMs } = nextCheck({ now: 0, pollIntervalMs: P, etaAt, state: { nearStreak } })
        expect(delayMs).toBeGreaterThanOrEqual(MIN_GAP_MS)
        expect(delayMs).toBeLessThanOrEqual(P)
      }
    }
  })
})
