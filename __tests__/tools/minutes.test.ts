import { describe, expect, it } from '@jest/globals'
import { runnerMinutes } from '../../tools/bench/minutes.js'

describe('runnerMinutes', () => {
  it('bills a 4 h wait in the job whole, and 17 one-minute reporter runs every 15 minutes', () => {
    expect(runnerMinutes(4)).toEqual({ batchHours: 4, inJob: 241, reporter: 17, reporterRuns: 17 })
  })

  it('cannot wait 24 h in a hosted job; the reporter takes 97 minutes', () => {
    expect(runnerMinutes(24)).toEqual({ batchHours: 24, inJob: undefined, reporter: 97, reporterRuns: 97 })
  })

  it('rounds a reporter run that takes over a minute up to two', () => {
    expect(runnerMinutes(1, 15, 61).reporter).toBe(10)
  })
})
