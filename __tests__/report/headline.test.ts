import { describe, expect, it } from '@jest/globals'
import { pendingDescription, statusHeadline, type CommentRow } from '../../src/report/headline.js'

const row = (
  batchId: string,
  icon: CommentRow['icon'],
  status: string,
  patch: Partial<CommentRow> = {}
): CommentRow => ({
  batchId,
  icon,
  status,
  reason: '',
  ...patch
})

describe('commit status descriptions', () => {
  it('says what the step waits for', () => {
    expect(pendingDescription(['b1'])).toBe('Waiting for Together batch b1')
    expect(pendingDescription(['a', 'b'])).toBe('Waiting for 2 Together batches')
  })

  it('says a batch passed with its status and counts, in the words of the comment headline', () => {
    expect(statusHeadline([row('b1', '✅', 'COMPLETED', { requests: { ok: 998, failed: 2 } })])).toBe(
      'Passed · COMPLETED · 998 ok, 2 failed requests'
    )
    expect(statusHeadline([row('b1', '✅', 'COMPLETED')])).toBe('Passed · COMPLETED')
    expect(statusHeadline([row('b1', '✅', 'CANCELLED')])).toBe('Passed · CANCELLED')
  })

  it('says why one batch failed, and counts several', () => {
    const reason = 'x'.repeat(500)
    // Whole: the GitHub adapter fits every description to GitHub's limit, after redaction.
    expect(statusHeadline([row('b1', '❌', 'FAILED', { failedOn: 'fail-on', reason })])).toBe(
      `Failed on fail-on status: ${reason}`
    )
    expect(statusHeadline([row('a', '✅', 'COMPLETED'), row('b', '✅', 'COMPLETED')])).toBe(
      'Passed · 2 batches: 2 completed, 0 failed, 0 running'
    )
    expect(
      statusHeadline([row('a', '✅', 'COMPLETED'), row('b', '❌', 'EXPIRED', { failedOn: 'fail-on' })], 'max-cost')
    ).toBe('Failed on fail-on status, max-cost · 2 batches: 1 completed, 1 failed (EXPIRED 1), 0 running')
  })
})
