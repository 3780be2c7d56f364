import { describe, expect, it } from '@jest/globals'
import { withDefaults } from '../../src/inputs/reader.js'
import { duration, hostedLimitWarnings, timeout } from '../../src/inputs/timing.js'

const reader = (inputs: Record<string, string> = {}) => withDefaults(name => inputs[name] ?? '')

describe('timeout', () => {
  it.each(['0.0001', '0.5', '0.999'])('rejects a timeout of %s seconds instead of rounding it to "check once"', raw => {
    expect(() => timeout(reader({ timeout: raw }))).toThrow('Expected 0 (check once) or at least 1s')
  })

  it('accepts a timeout of 0 to check once', () => {
    expect(timeout(reader({ timeout: '0' }))).toBe(0)
  })
})

describe('duration', () => {
  it('rejects durations beyond a year', () => {
    expect(() => duration(reader({ 'poll-interval': '400d' }), 'poll-interval', () => true, 'any')).toThrow(
      "Invalid poll-interval '400d'. Expected at most 365d."
    )
  })

  it('rejects a duration the caller does not allow, saying what it expects', () => {
    const atLeastAnHour = (ms: number) => ms >= 3_600_000
    expect(() => duration(reader({ 'forget-after': '59m' }), 'forget-after', atLeastAnHour, 'at least 1h')).toThrow(
      "Invalid forget-after '59m'. Expected at least 1h."
    )
    expect(duration(reader({ 'forget-after': '1h' }), 'forget-after', atLeastAnHour, 'at least 1h')).toBe(3_600_000)
  })
})

describe('hostedLimitWarnings', () => {
  it('warns when timeout reaches the 6h limit of a job on a GitHub-hosted runner', () => {
    const hosted = { RUNNER_ENVIRONMENT: 'github-hosted' }
    const sixHours = 6 * 3_600_000
    expect(hostedLimitWarnings('wait', sixHours, hosted)).toEqual([
      'timeout 6h 00m is not shorter than the 6h GitHub gives a job on a GitHub-hosted runner: the job would be stopped before cancel-on-timeout, the outputs and the summary. Set timeout to at most 5h45m (the default), or use mode: track for batches that outlast a job.'
    ])
    expect(hostedLimitWarnings('wait', sixHours - 15 * 60_000, hosted)).toEqual([])
    expect(hostedLimitWarnings('wait', sixHours, { RUNNER_ENVIRONMENT: 'self-hosted' })).toEqual([])
    expect(hostedLimitWarnings('track', sixHours, hosted)).toEqual([])
  })
})
