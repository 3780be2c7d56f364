import { describe, expect, it } from '@jest/globals'
import { renderSummary } from '../../tools/runner/render.js'

describe('renderSummary', () => {
  it('aligns table columns to their widest cell, however long', () => {
    const text = renderSummary(
      [
        '<table>',
        '<tr><th>batch</th><th>status</th></tr>',
        '<tr><td><code>batch-with-a-very-long-id</code></td><td>❌ FAILED</td></tr>',
        '<tr><td><code>b2</code></td><td>✅ COMPLETED &#40;ok&#41;</td></tr>',
        '</table>'
      ].join('\n')
    )
    expect(text.split('\n')).toEqual([
      '  batch                      status',
      '  batch-with-a-very-long-id  ❌ FAILED',
      '  b2                         ✅ COMPLETED (ok)'
    ])
  })

  it('shows name-value tables as lines, entities decoded and tags dropped', () => {
    const text = renderSummary(
      '## ✅ Batch b&#45;1\n\n<table>\n<tr><th align="left">Error</th><td>&#60;b&#62;x</td></tr>\n</table>\n'
    )
    expect(text).toBe('## ✅ Batch b-1\n\n  Error: <b>x\n')
  })

  it('draws a Mermaid progress chart as one line of blocks', () => {
    const chart = [
      '```mermaid',
      'xychart-beta',
      '  x-axis "minutes since start" 0 --> 12.5',
      '  line [0, 50, 100]',
      '```'
    ]
    expect(renderSummary(chart.join('\n'))).toBe('  Progress over 12.5 min: ▁▅█')
  })
})
