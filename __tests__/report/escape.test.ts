import { describe, expect, it } from '@jest/globals'
import { escapeText, htmlTable, statusText } from '../../src/report/escape.js'

/** The characters left after entities are taken out: what GitHub's renderer would see as syntax. */
const bare = (text: string): string => text.replace(/&#\d+;/g, '')

describe('escapeText', () => {
  it('leaves IDs, statuses, models and plain messages readable', () => {
    expect(escapeText('batch-completes-2')).toBe('batch-completes-2')
    expect(escapeText('file-0a1b.jsonl')).toBe('file-0a1b.jsonl')
    expect(escapeText('meta-llama/Llama-3.3-70B-Instruct-Turbo')).toBe('meta-llama/Llama-3.3-70B-Instruct-Turbo')
    expect(escapeText('IN_PROGRESS')).toBe('IN_PROGRESS')
    expect(escapeText('ENOENT: no such file, max_tokens = 5 + 2 {x} 50%')).toBe(
      'ENOENT: no such file, max_tokens = 5 + 2 {x} 50%'
    )
    expect(escapeText('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00Z')
  })

  it.each([
    ['<img src=x onerror=alert(1)>', '&#60;img src=x onerror=alert&#40;1&#41;&#62;'],
    ['![x](https://evil)', '&#33;&#91;x&#93;&#40;https&#58;//evil&#41;'],
    ['[click](https://evil)', '&#91;click&#93;&#40;https&#58;//evil&#41;'],
    ['| a | b |', '&#124; a &#124; b &#124;'],
    ['`code`', '&#96;code&#96;'],
    ['https://evil.example', 'https&#58;//evil.example'],
    ['www.evil.example', 'www&#46;evil.example'],
    ['user@example.com', 'user&#64;example.com'],
    ['_em_ *em* ~~del~~ # h', '&#95;em&#95; &#42;em&#42; &#126;&#126;del&#126;&#126; &#35; h'],
    ['"q" \'a\' & \\', '&#34;q&#34; &#39;a&#39; &#38; &#92;'],
    ['- item', '&#45; item'],
    ['$x$', '&#36;x&#36;'],
    ['&lt;b&gt; &#60;', '&#38;lt;b&#38;gt; &#38;&#35;60;']
  ])('makes %j inert', (input, expected) => {
    expect(escapeText(input)).toBe(expected)
  })

  it('leaves no link, image, HTML or autolink syntax in hostile text', () => {
    const text = escapeText(
      '<img src=x onerror=alert(1)> ![p](https://evil.test/a.png) [click](javascript:x) www.evil.test a|b `c` @me x@y.z'
    )
    expect(bare(text)).not.toMatch(/[<>[\]()|`@]/)
    expect(bare(text)).not.toContain('://')
    expect(bare(text)).not.toContain('www.')
  })

  it('truncates long text and flattens line breaks', () => {
    const text = escapeText(`${'a'.repeat(5000)}\n# heading`, 100)
    expect(text.startsWith('a'.repeat(100))).toBe(true)
    expect(text).toContain('more characters')
    expect(text).not.toContain('\n')
  })
})

describe('statusText', () => {
  it('escapes and bounds a status, and says unknown for none', () => {
    expect(statusText('IN_PROGRESS')).toBe('IN_PROGRESS')
    expect(statusText('')).toBe('unknown')
    expect(statusText(`<b>${'X'.repeat(100)}`)).toBe(`&#60;b&#62;${'X'.repeat(37)}… &#40;63 more characters&#41;`)
  })
})

describe('htmlTable', () => {
  it('writes a row of headings, then a row for each list of cells, cells as given', () => {
    expect(
      htmlTable(
        ['a', 'b'],
        [
          ['1', '<code>x</code>'],
          ['2', '']
        ]
      )
    ).toEqual([
      '<table>',
      '<tr><th>a</th><th>b</th></tr>',
      '<tr><td>1</td><td><code>x</code></td></tr>',
      '<tr><td>2</td><td></td></tr>',
      '</table>'
    ])
  })
})
