import { describe, expect, it } from '@jest/globals'
import { commentMarker, renderComment, type CommentRow } from '../../src/report/pr-comment-text.js'

const row = (
  batchId: string,
  icon: CommentRow['icon'],
  status = 'COMPLETED',
  patch: Partial<CommentRow> = {}
): CommentRow => ({
  batchId,
  icon,
  status,
  ...(icon === '🔄' ? {} : { requests: { ok: 9, failed: 1 } }),
  reason: '',
  ...patch
})

const RUNS = 'https://github.example/o/r/actions/runs'

/** The batch rows of a comment body, in order. */
const rowsOf = (body: string): string[] => body.split('\n').filter(line => line.includes('<!-- row:'))
/** The line after the title: the verdict in words and the totals. */
const headlineOf = (body: string): string => body.split('\n')[3]!

describe('renderComment', () => {
  it('starts with the marker, and replaces only the rows of the batches it is given', () => {
    const first = renderComment('ctx', [row('b1', '🔄', 'IN_PROGRESS'), row('b2', '🔄', 'IN_PROGRESS')], `${RUNS}/1`)
    expect(first.startsWith(commentMarker('ctx'))).toBe(true)
    const failed = row('b2', '❌', 'FAILED', { failedOn: 'fail-on', reason: 'input file has 3 bad lines' })
    const second = renderComment('ctx', [failed], `${RUNS}/2`, `${first}\n| forged | <!-- row:b9 -->x`)
    expect(rowsOf(second)).toEqual([
      `| ❌ b2 | FAILED | 9 ok, 1 failed |  | input file has 3 bad lines | [run](${RUNS}/2) | <!-- row:v3:b2:fail-on -->`,
      `| 🔄 b1 | IN_PROGRESS |  |  |  | [run](${RUNS}/1) | <!-- row:v3:b1 -->`
    ])
    expect(second).not.toContain('b9')
    // A row carried over keeps what failed its batch.
    const third = renderComment('ctx', [row('b1', '✅', 'COMPLETED')], `${RUNS}/3`, second)
    expect(rowsOf(third)[0]).toBe(
      `| ❌ b2 | FAILED | 9 ok, 1 failed |  | input file has 3 bad lines | [run](${RUNS}/2) | <!-- row:v3:b2:fail-on -->`
    )
  })

  it('says why a row failed, escaped and cut, with its cost', () => {
    const reason = `<script>alert(1)</script> @octocat ${'x'.repeat(400)}`
    const body = renderComment('ctx', [row('b1', '❌', 'FAILED', { failedOn: 'fail-on', reason, cost: 1.5 })], '')
    const [line] = rowsOf(body)
    expect(line).toContain('&#60;script&#62;alert&#40;1&#41;&#60;/script&#62; &#64;octocat')
    expect(line).toContain('| &#36;1.5000 |')
    expect(line).not.toMatch(/<script|@octocat|x{301}/)
  })

  it('keeps a found row only in the form it writes, rewritten from its fields', () => {
    const previous = [
      commentMarker('ctx'),
      // Extra text in a cell, a mention and a link to another repository's run: dropped.
      `| ✅ b-extra | COMPLETED | 1 ok, 0 failed | [run](${RUNS}/3) @octocat | <!-- row:v2:b-extra -->`,
      '| ✅ b-elsewhere | COMPLETED |  | [run](https://evil.example/x/y/actions/runs/4) | <!-- row:v2:b-elsewhere -->',
      '| ✅ b-html | COMPLETED | <img src=x onerror=alert(1)> |  | <!-- row:v2:b-html -->',
      '| 🎉 b-icon | COMPLETED |  |  | <!-- row:v2:b-icon -->',
      '| ❌ b-why | FAILED |  |  | <b>why</b> |  | <!-- row:v3:b-why -->',
      '| ❌ b-cost | FAILED |  | $5 | x |  | <!-- row:v3:b-cost -->',
      // A status that is not a plain word is shown as unknown; the rest of the row is kept.
      `| ❌ b-odd | FAILED&#33;&#33; | 0 ok, 3 failed | [run](${RUNS}/5) | <!-- row:v2:b-odd -->`,
      `| ✅ b-good | COMPLETED | 3 ok, 0 failed | &#36;0.2500 |  | [run](${RUNS}/6) | <!-- row:v3:b-good -->`
    ].join('\n')
    const body = renderComment('ctx', [], `${RUNS}/7`, previous)
    expect(rowsOf(body)).toEqual([
      `| ❌ b-odd | unknown | 0 ok, 3 failed |  |  | [run](${RUNS}/5) | <!-- row:v3:b-odd -->`,
      `| ✅ b-good | COMPLETED | 3 ok, 0 failed | &#36;0.2500 |  | [run](${RUNS}/6) | <!-- row:v3:b-good -->`
    ])
  })

  it('reads the rows of earlier versions after an upgrade, writes them in its own, and carries no hostile one', () => {
    const previous = [
      commentMarker('ctx'),
      // Version 1: a marker without version. Version 2: the same four cells.
      `| ✅ b-old | COMPLETED | 3 ok, 0 failed | [run](${RUNS}/6) | <!-- row:b-old -->`,
      `| 🔄 b-running | IN_PROGRESS |  | [run](${RUNS}/6) | <!-- row:b-running -->`,
      `| ❌ b-v2 | EXPIRED |  | [run](${RUNS}/5) | <!-- row:v2:b-v2 -->`,
      `| ✅ b-mention | COMPLETED | 1 ok, 0 failed | [run](${RUNS}/3) @octocat | <!-- row:b-mention -->`,
      '| ✅ b-html | COMPLETED | <img src=x onerror=alert(1)> |  | <!-- row:b-html -->',
      '| ✅ b-elsewhere | COMPLETED |  | [run](https://evil.example/x/y/actions/runs/4) | <!-- row:b-elsewhere -->',
      `| ✅ b-deeper | COMPLETED |  | [run](${RUNS}/6/../../../../evil/actions/runs/4) | <!-- row:b-deeper -->`
    ].join('\r\n')
    const body = renderComment('ctx', [row('b-running', '❌', 'FAILED')], `${RUNS}/7`, previous)
    expect(rowsOf(body)).toEqual([
      `| ❌ b-running | FAILED | 9 ok, 1 failed |  |  | [run](${RUNS}/7) | <!-- row:v3:b-running -->`,
      `| ❌ b-v2 | EXPIRED |  |  |  | [run](${RUNS}/5) | <!-- row:v3:b-v2 -->`,
      `| ✅ b-old | COMPLETED | 3 ok, 0 failed |  |  | [run](${RUNS}/6) | <!-- row:v3:b-old -->`
    ])
    expect(body).not.toMatch(/octocat|img|evil/)
    expect(headlineOf(body)).toBe(
      '**❌ Failed** · 3 batches: 1 completed, 2 failed (FAILED 1, EXPIRED 1), 0 running · 12 ok, 1 failed requests (2 of 3 finished batches counted)'
    )
  })

  it('keeps a row of a later version as it is when every cell is inert, and leaves it out otherwise', () => {
    const later = `| ✅ b-later | COMPLETED | 3 ok, 0 failed | 1h 05m | &#64;team | x | [run](${RUNS}/8) | <!-- row:v4:b-later -->`
    const previous = [
      commentMarker('ctx'),
      later,
      '| ✅ b-html | <b>done</b> | <!-- row:v4:b-html -->',
      '| ✅ b-mention | @octocat | <!-- row:v4:b-mention -->',
      '| ✅ b-link | [run](https://evil.example/x/y/actions/runs/4) | <!-- row:v4:b-link -->',
      '| ✅ b-url | https://evil.example | <!-- row:v4:b-url -->',
      '| ✅ b-break | a&#10;# heading | <!-- row:v4:b-break -->',
      '| ✅ b-zero | COMPLETED | <!-- row:v0:b-zero -->'
    ].join('\n')
    expect(rowsOf(renderComment('ctx', [], `${RUNS}/9`, previous))).toEqual([later])
  })

  it('keeps a context from closing the marker early', () => {
    expect(commentMarker('a --> b')).toBe('<!-- wait-for-together-batch:a _> b -->'.replace('_>', '__'))
  })
})

describe('the headline', () => {
  it('says one batch passed, with its requests and cost', () => {
    const body = renderComment('ctx', [row('b1', '✅', 'COMPLETED', { cost: 0.25 })], `${RUNS}/1`)
    expect(headlineOf(body)).toBe(
      '**✅ Passed** · 1 batch: 1 completed, 0 failed, 0 running · 9 ok, 1 failed requests · estimated cost &#36;0.2500'
    )
  })

  it('says what failed several batches, counts them by status, and says when requests were not counted', () => {
    const rows = [
      row('a', '✅', 'COMPLETED', { requests: undefined }),
      row('b', '❌', 'COMPLETED', { requests: undefined, failedOn: 'max-cost', reason: 'Estimated cost $3 is more' }),
      row('c', '❌', 'EXPIRED', { requests: undefined, failedOn: 'fail-on' }),
      row('d', '🔄', 'IN_PROGRESS')
    ]
    expect(headlineOf(renderComment('ctx', rows, ''))).toBe(
      '**❌ Failed on max-cost, fail-on status** · 4 batches: 2 completed, 2 failed (COMPLETED 1, EXPIRED 1), 1 running · request counts not fetched (max-failed-requests or download-dir fetch them)'
    )
  })

  it('fails on what failed the step besides its rows, and shows running batches as running', () => {
    expect(headlineOf(renderComment('ctx', [row('a', '✅'), row('b', '✅')], '', '', 'max-cost'))).toMatch(
      /^\*\*❌ Failed on max-cost\*\* · 2 batches/
    )
    expect(headlineOf(renderComment('ctx', [row('a', '✅'), row('b', '🔄', 'IN_PROGRESS')], ''))).toMatch(
      /^\*\*🔄 Running\*\* · 2 batches: 1 completed, 0 failed, 1 running/
    )
  })

  it('stays under the size GitHub accepts with any number of batches, failed rows first, counting all', () => {
    const rows = Array.from({ length: 3000 }, (_, i) =>
      i % 3 === 0
        ? row(`batch-${'x'.repeat(60)}-${i}`, '❌', 'FAILED', { failedOn: 'fail-on', reason: 'e'.repeat(500) })
        : row(`batch-${'x'.repeat(60)}-${i}`, '✅')
    )
    const body = renderComment('ctx', rows, `${RUNS}/1`)
    expect(body.length).toBeLessThan(65_536)
    expect(headlineOf(body)).toMatch(/^\*\*❌ Failed on fail-on status\*\* · 3000 batches: 2000 completed, 1000 failed/)
    const shown = rowsOf(body)
    expect(shown[0]).toContain('❌')
    expect(body).toContain(`And ${3000 - shown.length} more (all in the run summary).`)
  })
})

describe('the whole comment', () => {
  const RUN = `${RUNS}/42`

  it('for one batch', () => {
    expect(renderComment('evals', [row('b1', '✅', 'COMPLETED', { cost: 0.5 })], RUN)).toBe(
      [
        '<!-- wait-for-together-batch:evals -->',
        '### Together batches · evals',
        '',
        '**✅ Passed** · 1 batch: 1 completed, 0 failed, 0 running · 9 ok, 1 failed requests · estimated cost &#36;0.5000',
        '',
        '| Batch | Status | Requests | Estimated cost | Why | Run |',
        '| --- | --- | --- | --- | --- | --- |',
        `| ✅ b1 | COMPLETED | 9 ok, 1 failed | &#36;0.5000 |  | [run](${RUN}) | <!-- row:v3:b1 -->`,
        ''
      ].join('\n')
    )
  })

  it('for several batches, failed first, then running, then passed', () => {
    const rows = [
      row('ok', '✅'),
      row('run', '🔄', 'IN_PROGRESS'),
      row('gate', '❌', 'COMPLETED', {
        failedOn: 'max-failed-requests',
        reason: '1 of 10 requests failed (10%), over 0'
      }),
      row('bad', '❌', 'FAILED', { requests: undefined, failedOn: 'fail-on', reason: 'quota exceeded' })
    ]
    expect(renderComment('evals', rows, RUN)).toBe(
      [
        '<!-- wait-for-together-batch:evals -->',
        '### Together batches · evals',
        '',
        '**❌ Failed on max-failed-requests, fail-on status** · 4 batches: 2 completed, 2 failed (COMPLETED 1, FAILED 1), 1 running · 18 ok, 2 failed requests (2 of 3 finished batches counted)',
        '',
        '| Batch | Status | Requests | Estimated cost | Why | Run |',
        '| --- | --- | --- | --- | --- | --- |',
        `| ❌ gate | COMPLETED | 9 ok, 1 failed |  | 1 of 10 requests failed &#40;10%&#41;, over 0 | [run](${RUN}) | <!-- row:v3:gate:max-failed-requests -->`,
        `| ❌ bad | FAILED |  |  | quota exceeded | [run](${RUN}) | <!-- row:v3:bad:fail-on -->`,
        `| 🔄 run | IN_PROGRESS |  |  |  | [run](${RUN}) | <!-- row:v3:run -->`,
        `| ✅ ok | COMPLETED | 9 ok, 1 failed |  |  | [run](${RUN}) | <!-- row:v3:ok -->`,
        ''
      ].join('\n')
    )
  })
})
