import { describe, expect, it } from '@jest/globals'
import { refusedSummary, submittedSection } from '../../src/report/submit-summary.js'
import type { PreflightReport } from '../../src/submit/preflight.js'

const SHA = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'

function report(overrides: Partial<PreflightReport> = {}): PreflightReport {
  return {
    file: 'evals/batch.jsonl',
    path: '/w/evals/batch.jsonl',
    endpoint: '/v1/chat/completions',
    problems: [],
    counts: {},
    requests: 3,
    bytes: 4_321,
    models: new Map([
      ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 2],
      ['<b>Qwen</b>', 1]
    ]),
    otherModels: 0,
    sha256: SHA,
    ...overrides
  }
}

describe('refusedSummary', () => {
  it('says why, then lists the problems by line, escaped', () => {
    const problems = [
      { kind: 'not-json' as const, line: 2, message: 'not valid JSON' },
      { kind: 'custom-id' as const, line: 5, message: 'custom_id must be a <non-empty> string' }
    ]
    expect(refusedSummary(report({ problems, counts: { 'not-json': 1, 'custom-id': 1 } }), 'Not submitted.')).toBe(
      [
        '## ❌ input-file <code>evals/batch.jsonl</code> not submitted',
        '',
        'Not submitted.',
        '',
        '<table>',
        '<tr><th>line</th><th>problem</th><th>details</th></tr>',
        '<tr><td>2</td><td>not JSON</td><td>not valid JSON</td></tr>',
        '<tr><td>5</td><td>without a custom_id</td><td>custom_id must be a &#60;non-empty&#62; string</td></tr>',
        '</table>',
        ''
      ].join('\n')
    )
  })

  it('lists the first 50 lines and counts the rest, beside a file-wide problem', () => {
    const problems = [
      { kind: 'too-many-requests' as const, message: 'too many' },
      ...Array.from({ length: 100 }, (_, i) => ({ kind: 'not-json' as const, line: i + 1, message: 'not valid JSON' }))
    ]
    const summary = refusedSummary(report({ problems, counts: { 'too-many-requests': 1, 'not-json': 130 } }), 'No.')
    expect(summary.match(/<tr><td>/g)).toHaveLength(50)
    expect(summary.endsWith('</table>\n\n… 80 more lines with a problem\n')).toBe(true)
  })

  it('is the reason alone for a file refused as a whole', () => {
    const empty = report({ problems: [{ kind: 'empty', message: 'it is empty' }], counts: { empty: 1 } })
    expect(refusedSummary(empty, 'It is empty.')).toBe(
      '## ❌ input-file <code>evals/batch.jsonl</code> not submitted\n\nIt is empty.\n'
    )
  })
})

describe('submittedSection', () => {
  const submitted = {
    kind: 'submitted' as const,
    report: report(),
    batchId: 'batch-1',
    inputFileId: 'file-1',
    created: true,
    uploaded: true
  }

  it('says what was sent, the file uploaded and the batch created', () => {
    expect(submittedSection(submitted, 'running')).toBe(
      [
        '',
        '### Submitted from <code>evals/batch.jsonl</code>',
        '',
        '<table>',
        '<tr><th align="left">Requests</th><td>3 for <code>/v1/chat/completions</code></td></tr>',
        '<tr><th align="left">Size</th><td>4.3 KB</td></tr>',
        '<tr><th align="left">Models</th><td><code>meta-llama/Llama-3.3-70B-Instruct-Turbo</code> (2), <code>&#60;b&#62;Qwen&#60;/b&#62;</code> (1)</td></tr>',
        `<tr><th align="left">SHA-256</th><td><code>${SHA}</code></td></tr>`,
        '<tr><th align="left">Input file</th><td><code>file-1</code>, uploaded</td></tr>',
        '<tr><th align="left">Batch</th><td><code>batch-1</code>, created</td></tr>',
        '</table>',
        ''
      ].join('\n')
    )
  })

  it('names a reused batch with its status, when it was created and the reuse mode', () => {
    const reused = {
      ...submitted,
      created: false,
      uploaded: false,
      reused: { status: 'COMPLETED', createdAt: '2026-01-01T00:00:00Z' }
    }
    const section = submittedSection(reused, 'completed')
    expect(section).toContain('<td><code>file-1</code>, already uploaded (identical bytes)</td>')
    expect(section).toContain(
      '<td><code>batch-1</code>, reused (COMPLETED, created 2026-01-01T00:00:00Z; reuse: completed)</td>'
    )
  })

  it('names ten models, counts the requests for the others, and says when the file names none', () => {
    const models = new Map(Array.from({ length: 12 }, (_, i) => [`m${i}`, 20 - i]))
    const many = submittedSection({ ...submitted, report: report({ models, otherModels: 5 }) }, 'running')
    expect(many).toContain('<code>m9</code> (11), and 24 requests for further models</td>')
    const none = submittedSection({ ...submitted, report: report({ models: new Map() }) }, 'running')
    expect(none).toContain('<th align="left">Models</th><td>none named in body.model</td>')
  })
})
