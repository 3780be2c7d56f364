import { describe, expect, it } from '@jest/globals'
import { emptyTally } from '../../src/result-files/tally.js'
import { exceeds, needsResults, parsePolicy, policyText, type PolicyText } from '../../src/verdict/policy.js'

const policyOf = (text: Partial<PolicyText>) =>
  parsePolicy({ failOn: '', maxFailedRequests: '', maxCost: '', batchDiscount: '', ...text })
const gateOf = (text: string) => policyOf({ maxFailedRequests: text }).requestGate

describe('max-failed-requests', () => {
  it.each([
    ['', undefined],
    ['0', { count: 0 }],
    [' 25 ', { count: 25 }],
    ['2%', { percent: 2 }],
    ['2.5 %', { percent: 2.5 }],
    ['2.55%', { percent: 2.55 }],
    ['12%', { percent: 12 }],
    ['100%', { percent: 100 }],
    ['0%', { percent: 0 }],
    ['120', { count: 120 }]
  ])('parses %j', (text, gate) => {
    expect(gateOf(text)).toEqual(gate)
  })

  it.each(['-1', 'lots', '150%', '2.5', 'x5%', '5%x', '5%%', '5x', 'x5', '1.%', '.5%', '100.5%', '2.5.1%'])(
    'rejects %j with the expected forms',
    text => {
      expect(() => gateOf(text)).toThrow(
        `Invalid max-failed-requests '${text}'. Expected a number of requests (e.g. 0 or 25) or a percentage`
      )
    }
  )

  it('compares counts and percentages of all requests', () => {
    const tally = { succeeded: 98, failed: 2, codes: new Map([['rate_limit', { count: 2, example: 'x' }]]) }
    expect(exceeds(tally, { count: 2 })).toBe(false)
    expect(exceeds(tally, { count: 1 })).toBe(true)
    expect(exceeds(tally, { percent: 2 })).toBe(false)
    expect(exceeds(tally, { percent: 1.5 })).toBe(true)
    expect(exceeds(emptyTally(), { percent: 0 })).toBe(false)
  })

  it('counts a share of all requests, succeeded and failed, against a percentage', () => {
    // 1 failed of 3 is 33.3%: over 30%, within 34%. Counting failed alone (100%) or succeeded alone (50%) would differ.
    const tally = { succeeded: 2, failed: 1, codes: new Map() }
    expect(exceeds(tally, { percent: 30 })).toBe(true)
    expect(exceeds(tally, { percent: 34 })).toBe(false)
    // Exactly at the limit passes: 1 of 4 is 25%.
    expect(exceeds({ succeeded: 3, failed: 1, codes: new Map() }, { percent: 25 })).toBe(false)
    expect(exceeds({ succeeded: 0, failed: 1, codes: new Map() }, { percent: 99.9 })).toBe(true)
  })
})

describe('batch-discount and max-cost inputs', () => {
  it.each([
    ['', undefined],
    ['50', 50],
    [' 12.5% ', 12.5],
    ['0', 0],
    ['100%', 100],
    ['100', 100],
    ['12.25', 12.25],
    ['7 %', 7]
  ])('reads batch-discount %j as %j', (text, value) => {
    expect(policyOf({ batchDiscount: text }).batchDiscount).toBe(value)
  })

  it.each(['-5', '101', 'half', '50 percent', '50x', 'x50', '50%%', '100.5', '.5', '5.', '5.5.5'])(
    'rejects batch-discount %j',
    text => {
      expect(() => policyOf({ batchDiscount: text }).batchDiscount).toThrow(
        `Invalid batch-discount '${text}'. Expected a percentage from 0 to 100`
      )
    }
  )

  it.each([
    ['', undefined],
    ['25', 25],
    ['$2.50', 2.5],
    ['$ 3', 3],
    [' 0.005 ', 0.005],
    ['1000000', 1000000],
    ['0', 0]
  ])('reads max-cost %j as %j', (text, value) => {
    expect(policyOf({ maxCost: text }).maxCost).toBe(value)
  })

  it.each(['-1', '10 USD', '1e3', 'ten', 'x5', '5$', '$$5', '.5', '5.', '1.2.3'])('rejects max-cost %j', text => {
    expect(() => policyOf({ maxCost: text }).maxCost).toThrow(
      `Invalid max-cost '${text}'. Expected an amount in US dollars`
    )
  })

  it('rejects a max-cost too large to be a number', () => {
    expect(() => policyOf({ maxCost: '9'.repeat(400) })).toThrow(/^Invalid max-cost '9+…'\. Expected an amount/)
  })
})

describe('fail-on', () => {
  it('reads statuses in any case, CANCELED as CANCELLED, comma or space separated', () => {
    expect([...policyOf({ failOn: 'failed, canceled EXPIRED' }).failOn]).toEqual(['FAILED', 'CANCELLED', 'EXPIRED'])
    expect(policyOf({ failOn: '' }).failOn.size).toBe(0)
  })

  it.each(['COMPLETED', 'DONE'])('rejects %j', word => {
    expect(() => policyOf({ failOn: word })).toThrow(`Invalid fail-on status '${word}'.`)
  })
})

describe('a policy written back as text', () => {
  it.each([
    { failOn: 'FAILED,EXPIRED', maxFailedRequests: '2.5%', maxCost: '0.0000001', batchDiscount: '50' },
    { failOn: '', maxFailedRequests: '0', maxCost: '1234567.5', batchDiscount: '' },
    { failOn: 'CANCELLED', maxFailedRequests: '', maxCost: '', batchDiscount: '12.5%' }
  ])('reads back to the same policy: %j', text => {
    const policy = parsePolicy(text)
    expect(parsePolicy(policyText(policy))).toEqual(policy)
  })

  it('asks for result files only when a gate, a limit or a discount needs them', () => {
    expect(needsResults(policyOf({ failOn: 'FAILED' }))).toBe(false)
    expect(needsResults(policyOf({ maxFailedRequests: '0' }))).toBe(true)
    expect(needsResults(policyOf({ maxCost: '5' }))).toBe(true)
    expect(needsResults(policyOf({ batchDiscount: '50' }))).toBe(true)
  })
})

describe('the parsed policy', () => {
  it('holds no request gate and no discount when their inputs are empty, not keys set to undefined', () => {
    const policy = policyOf({ failOn: 'FAILED' })
    expect(Object.keys(policy).sort()).toEqual(['failOn'])
    expect(Object.keys(policyOf({ maxFailedRequests: '3', batchDiscount: '50' })).sort()).toEqual([
      'batchDiscount',
      'failOn',
      'requestGate'
    ])
  })
})
