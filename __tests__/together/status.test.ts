import { describe, expect, it } from '@jest/globals'
import { classifyStatus, normalizeStatus } from '../../src/together/status.js'

describe('classifyStatus', () => {
  it.each([
    ['COMPLETED', 'final', 'COMPLETED'],
    ['completed', 'final', 'COMPLETED'],
    [' Failed ', 'final', 'FAILED'],
    ['EXPIRED', 'final', 'EXPIRED'],
    ['CANCELLED', 'final', 'CANCELLED'],
    ['CANCELED', 'final', 'CANCELLED'],
    ['VALIDATING', 'waiting', 'VALIDATING'],
    ['IN_PROGRESS', 'waiting', 'IN_PROGRESS'],
    ['CANCELING', 'waiting', 'CANCELING'],
    ['PAUSED', 'unknown', 'PAUSED'],
    ['', 'unknown', ''],
    [null, 'unknown', ''],
    [undefined, 'unknown', '']
  ])('classifies %j as %s (%s)', (raw, kind, status) => {
    expect(classifyStatus(raw)).toEqual({ kind, status })
  })

  it('normalises the American spelling of cancelled', () => {
    expect(normalizeStatus('canceled')).toBe('CANCELLED')
  })
})
