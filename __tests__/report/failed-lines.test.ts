import { describe, expect, it } from '@jest/globals'
import { failedLinesSection, type LineReport } from '../../src/report/failed-lines.js'

describe('failed lines section', () => {
  const line = (n: number, code = 'rate_limit') => ({ line: n, customId: `r${n}`, code, batchId: 'b1' })
  const report = (extra: Partial<LineReport['match']> = {}): LineReport => ({
    match: {
      file: 'evals/in.jsonl',
      codes: new Map(),
      lines: [line(2), line(4), line(9, 'bad_request')],
      matched: 3,
      notInFile: 2,
      withoutId: 1,
      untracked: 0,
      ...extra
    },
    annotations: [{ file: 'evals/in.jsonl', line: 2, title: 't', message: 'm' }],
    rest: [line(4), line(9, 'bad_request')]
  })

  it('lists the lines not annotated, and what could not be matched', () => {
    expect(failedLinesSection(report())).toBe(
      [
        '',
        '### Failed requests in <code>evals/in.jsonl</code>',
        '',
        '3 failed requests found in the file by custom_id; the first line of 1 error code is annotated.',
        '2 failed requests have a custom_id that is not in the file.',
        '1 failed line has no custom_id (not JSON, or no ID).',
        '',
        '<table>',
        '<tr><th>line</th><th>custom_id</th><th>error code</th></tr>',
        '<tr><td>4</td><td><code>r4</code></td><td><code>rate_limit</code></td></tr>',
        '<tr><td>9</td><td><code>r9</code></td><td><code>bad_request</code></td></tr>',
        '</table>',
        ''
      ].join('\n')
    )
  })

  it('counts lines past the list, names the batch with several, and reports an unreadable file', () => {
    expect(failedLinesSection(report({ matched: 250 }))).toContain('… 247 more failed lines')
    expect(failedLinesSection(report(), true)).toContain('<th>batch</th>')
    expect(failedLinesSection(report({ error: 'ENOENT: no such file' }))).toContain(
      '⚠️ Could not read <code>evals/in.jsonl</code>, so failed requests are not shown by line: ENOENT: no such file'
    )
    expect(failedLinesSection(undefined)).toBe('')
  })
})
