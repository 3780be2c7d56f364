import { describe, expect, it } from '@jest/globals'
import { commentMarker, renderComment, type CommentRow } from '../../src/report/pr-comment-text.js'

const row = (batchId: string, icon: CommentRow['icon'], status = 'COMPLETED'): CommentRow => ({
  batchId,
  icon,
  status,
  requests: icon === '🔄' ? '' : '9 ok, 1 failed'
})

const RUNS = 'https://github.example/o/r/actions/runs'

/** The batch rows of a comment body, in order. */
const rowsOf = (body: string): string[] => body.split('\n').filter(line => line.includes('<!-- row:'))

describe('renderComment', () => {
  it('starts with the marker, and replaces only the rows of the batches it is given', () => {
    const first = renderComment('ctx', [row('b1', '🔄', 'IN_PROGRESS'), row('b2', '🔄', 'IN_PROGRESS')], `${RUNS}/1`)
    expect(first.startsWith(commentMarker('ctx'))).toBe(true)
    const second = renderComment(
      'ctx',
      [row('b2', '❌', 'FAILED')],
      `${RUNS}/2`,
      `${first}\n| forged | <!-- row:b9 -->x`
    )
    expect(second).toContain(`🔄 b1 | IN_PROGRESS |  | [run](${RUNS}/1) | <!-- row:v2:b1 -->`)
    expect(second).toContain(`❌ b2 | FAILED | 9 ok, 1 failed | [run](${RUNS}/2) | <!-- row:v2:b2 -->`)
    expect(second).not.toContain('b9')
  })

  it('keeps a found row only in the form it writes, rewritten from its fields', () => {
    const previous = [
      commentMarker('ctx'),
      // Extra text in a cell, a mention and a link to another repository's run: dropped.
      `| ✅ b-extra | COMPLETED | 1 ok, 0 failed | [run](${RUNS}/3) @octocat | <!-- row:v2:b-extra -->`,
      '| ✅ b-elsewhere | COMPLETED |  | [run](https://evil.example/x/y/actions/runs/4) | <!-- row:v2:b-elsewhere -->',
      '| ✅ b-html | COMPLETED | <img src=x onerror=alert(1)> |  | <!-- row:v2:b-html -->',
      '| 🎉 b-icon | COMPLETED |  |  | <!-- row:v2:b-icon -->',
      // A status that is not a plain word is shown as unknown; the rest of the row is kept.
      `| ❌ b-odd | FAILED&#33;&#33; | 0 ok, 3 failed | [run](${RUNS}/5) | <!-- row:v2:b-odd -->`,
      `| ✅ b-good | COMPLETED | 3 ok, 0 failed | [run](${RUNS}/6) | <!-- row:v2:b-good -->`
    ].join('\n')
    const body = renderComment('ctx', [], `${RUNS}/7`, previous)
    expect(rowsOf(body)).toEqual([
      `| ❌ b-odd | unknown | 0 ok, 3 failed | [run](${RUNS}/5) | <!-- row:v2:b-odd -->`,
      `| ✅ b-good | COMPLETED | 3 ok, 0 failed | [run](${RUNS}/6) | <!-- row:v2:b-good -->`
    ])
  })

  it('reads the rows of the first version after an upgrade, writes them in its own, and carries no hostile one', () => {
    // Rows as version 1 wrote them: the same cells, a marker without version.
    const previous = [
      commentMarker('ctx'),
      `| ✅ b-old | COMPLETED | 3 ok, 0 failed | [run](${RUNS}/6) | <!-- row:b-old -->`,
      `| 🔄 b-running | IN_PROGRESS |  | [run](${RUNS}/6) | <!-- row:b-running -->`,
      `| ✅ b-mention | COMPLETED | 1 ok, 0 failed | [run](${RUNS}/3) @octocat | <!-- row:b-mention -->`,
      '| ✅ b-html | COMPLETED | <img src=x onerror=alert(1)> |  | <!-- row:b-html -->',
      '| ✅ b-elsewhere | COMPLETED |  | [run](https://evil.example/x/y/actions/runs/4) | <!-- row:b-elsewhere -->',
      `| ✅ b-deeper | COMPLETED |  | [run](${RUNS}/6/../../../../evil/actions/runs/4) | <!-- row:b-deeper -->`
    ].join('\r\n')
    const body = renderComment('ctx', [row('b-running', '❌', 'FAILED')], `${RUNS}/7`, previous)
    expect(rowsOf(body)).toEqual([
      `| ✅ b-old | COMPLETED | 3 ok, 0 failed | [run](${RUNS}/6) | <!-- row:v2:b-old -->`,
      `| ❌ b-running | FAILED | 9 ok, 1 failed | [run](${RUNS}/7) | <!-- row:v2:b-running -->`
    ])
    expect(body).not.toMatch(/octocat|img|evil/)
  })

  it('keeps a row of a later version as it is when every cell is inert, and leaves it out otherwise', () => {
    const later = `| ✅ b-later | COMPLETED | 3 ok, 0 failed | 1h 05m | &#64;team | [run](${RUNS}/8) | <!-- row:v3:b-later -->`
    const previous = [
      commentMarker('ctx'),
      later,
      '| ✅ b-html | <b>done</b> | <!-- row:v3:b-html -->',
      '| ✅ b-mention | @octocat | <!-- row:v3:b-mention -->',
      '| ✅ b-link | [run](https://evil.example/x/y/actions/runs/4) | <!-- row:v3:b-link -->',
      '| ✅ b-url | https://evil.example | <!-- row:v3:b-url -->',
      '| ✅ b-break | a&#10;# heading | <!-- row:v3:b-break -->',
      '| ✅ b-zero | COMPLETED | <!-- row:v0:b-zero -->'
    ].join('\n')
    expect(rowsOf(renderComment('ctx', [], `${RUNS}/9`, previous))).toEqual([later])
  })

  it('stays under the size GitHub accepts, saying how many rows were left out', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => row(`batch-${'x'.repeat(60)}-${i}`, '✅'))
    const body = renderComment('ctx', rows, `${RUNS}/1`)
    expect(body.length).toBeLessThan(65_536)
    expect(body).toMatch(/And \d+ more batches/)
  })

  it('keeps a context from closing the marker early', () => {
    expect(commentMarker('a --> b')).toBe('<!-- wait-for-together-batch:a _> b -->'.replace('_>', '__'))
  })
})
