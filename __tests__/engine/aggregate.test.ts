import { describe, expect, it } from '@jest/globals'
import { summarize } from '../../src/engine/aggregate.js'
import type { Outcome } from '../../src/engine/types.js'
import { result } from '../helpers/batch-result.js'

const batch = (outcome: Outcome, progress?: number) => result({ outcome, progress })

describe('summarize', () => {
  it('counts nothing and 0 % for no batches', () => {
    expect(summarize([])).toEqual({ total: 0, completed: 0, failed: 0, running: 0, percent: 0 })
  })

  it('counts a completed batch as 100 % done, whatever progress it reported', () => {
    expect(summarize([batch('completed', 40)])).toEqual({ total: 1, completed: 1, failed: 0, running: 0, percent: 100 })
  })

  it.each<Outcome>(['ended-not-completed', 'no-output', 'error'])(
    'counts a batch that ended %s as failed, with no work done',
    outcome => {
      expect(summarize([batch(outcome, 80)])).toEqual({ total: 1, completed: 0, failed: 1, running: 0, percent: 0 })
    }
  )

  it.each<Outcome>(['timed-out', 'aborted', 'pending'])(
    'counts a batch left %s as running, at its last progress',
    outcome => {
      expect(summarize([batch(outcome, 30)])).toEqual({ total: 1, completed: 0, failed: 0, running: 1, percent: 30 })
    }
  )

  it('counts a running batch without a known progress as 0 %', () => {
    expect(summarize([batch('timed-out'), batch('completed')]).percent).toBe(50)
  })

  it('averages the percent over every batch, so one failure keeps the bar short of full', () => {
    const counts = summarize([batch('completed'), batch('completed'), batch('error'), batch('pending', 60)])
    expect(counts).toEqual({ total: 4, completed: 2, failed: 1, running: 1, percent: 65 })
  })
})
