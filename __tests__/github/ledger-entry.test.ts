import { describe, expect, it } from '@jest/globals'
import { parseEntry, serializeEntry, type LedgerEntry } from '../../src/github/ledger-entry.js'
import { ENTRY } from '../helpers/github.js'

describe('ledger entries', () => {
  const json = JSON.parse(serializeEntry(ENTRY)) as Record<string, unknown>
  const with_ = (patch: Record<string, unknown>) => JSON.stringify({ ...json, ...patch })

  it.each([
    ['unknown version', with_({ version: 2 })],
    ['sha is not a commit SHA', with_({ sha: 'HEAD' })],
    ['tracked_at is not a time', with_({ tracked_at: 'yesterday' })],
    ['pull_request is not a number', with_({ pull_request: -1 })],
    ['group is not a list of batch IDs', with_({ group: ['../x'] })],
    ['settings.fail_on', with_({ settings: { ...(json.settings as object), fail_on: ['COMPLETED'] } })],
    [
      "Invalid max-failed-requests 'lots'",
      with_({ settings: { ...(json.settings as object), max_failed_requests: 'lots' } })
    ],
    // The inputs refuse 150%, so an entry that records it is invalid, never judged with no gate.
    [
      "Invalid max-failed-requests '150%'",
      with_({ settings: { ...(json.settings as object), max_failed_requests: '150%' } })
    ],
    ["Invalid fail-on status 'DONE'", with_({ settings: { ...(json.settings as object), fail_on: ['DONE'] } })],
    ['settings do not parse', with_({ settings: { ...(json.settings as object), max_cost: 'lots' } })],
    ["Invalid batch-discount '150'", with_({ settings: { ...(json.settings as object), batch_discount: 150 } })],
    ['settings.commit_status', with_({ settings: { ...(json.settings as object), commit_status: 'a\nb' } })],
    ['not a JSON object', '[]'],
    ['too large', 'x'.repeat(70_000)]
  ])('refuses an entry whose %s', (reason, text) => {
    expect(parseEntry('b-1', text)).toContain(reason)
  })

  it('keeps the policy through the file, max-cost and batch-discount included', () => {
    const policy = {
      failOn: new Set(['FAILED', 'EXPIRED'] as const),
      requestGate: { count: 3 },
      maxCost: 2.5,
      batchDiscount: 50
    }
    expect(parseEntry('b-1', serializeEntry({ ...ENTRY, policy }))).toMatchObject({ policy })
    expect(parseEntry('b-1', serializeEntry(ENTRY))).toMatchObject({ policy: ENTRY.policy })
    expect((parseEntry('b-1', serializeEntry(ENTRY)) as LedgerEntry).policy).not.toHaveProperty('maxCost')
  })

  it('drops a run URL that is not a plain link', () => {
    expect(parseEntry('b-1', with_({ run_url: 'javascript:alert(1)' }))).toMatchObject({ runUrl: '' })
    // An entry written before pull_requests was recorded: its one pull request, or none.
    const older = Object.fromEntries(Object.entries(json).filter(([key]) => key !== 'pull_requests'))
    expect(parseEntry('b-1', JSON.stringify({ ...older, pull_request: null }))).toMatchObject({ pullRequests: [] })
    expect(parseEntry('b-1', JSON.stringify({ ...older, pull_request: 4 }))).toMatchObject({ pullRequests: [4] })
    expect(parseEntry('b-1', with_({ pull_requests: [1, '2'] }))).toBe('pull_requests is not a list of numbers')
  })
})
