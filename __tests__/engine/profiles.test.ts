import { describe, expect, it } from '@jest/globals'
import { PROFILES } from '../../tools/bench/profiles.js'
import { adaptive, fixedInterval } from '../../tools/bench/virtual.js'

// The polling policy on the benchmark's job profiles, in virtual time: deterministic counts, no clock.
const POLL = 30_000

describe.each(PROFILES.map(p => [p.name, p] as const))('polling a %s batch', (_name, profile) => {
  it.each([3 * 60_000 + 11_000, 40 * 60_000 + 7_000, 5 * 3_600_000 + 23_000])(
    'over %i ms costs at most 10 %% more requests than fixed-interval polling, and never notices later',
    async duration => {
      const ours = await adaptive(profile, duration, POLL)
      const fixed = fixedInterval(duration, POLL)
      expect(ours.requests).toBeLessThanOrEqual(Math.ceil(fixed.requests * 1.1))
      // A profile whose progress says when it will end must be noticed within 3 s, whatever fixed polling does.
      expect(ours.delayMs).toBeLessThanOrEqual(profile.informative ? 3000 : Math.max(fixed.delayMs, 3000))
    }
  )
})
