import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jsonLines } from '../../src/result-files/jsonl.js'

let dir: string
let n = 0
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jsonl-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(content: string | Buffer): string {
  const path = join(dir, `f${++n}.jsonl`)
  writeFileSync(path, content)
  return path
}

async function read(path: string, options?: Parameters<typeof jsonLines>[1]): Promise<unknown[]> {
  const lines: unknown[] = []
  for await (const line of jsonLines(path, options)) lines.push(line)
  return lines
}

describe('jsonLines', () => {
  it('ends lines at LF only: U+2028 and U+2029 in a string and a CR between tokens stay in the line', async () => {
    const inside = '{"text":"a\u2028b\u2029c\u0085d",\r"n":1}'
    expect(JSON.parse(inside)).toEqual({ text: 'a\u2028b\u2029c\u0085d', n: 1 })
    const lines = await read(file(`${inside}\n{"b":2}\r\n{"c":3}`))
    expect(lines).toEqual([inside, '{"b":2}', '{"c":3}'])
  })

  it('keeps empty lines (the counter skips them) and gives no line after a final LF', async () => {
    expect(await read(file('a\n\nb\n'))).toEqual(['a', '', 'b'])
    expect(await read(file(''))).toEqual([])
  })

  it('drops the CR of a CRLF that straddles two read chunks', async () => {
    // The CR is the last byte of the first 64 KiB chunk, the LF the first of the next.
    const first = 'a'.repeat(64 * 1024 - 1)
    expect(await read(file(`${first}\r\nb`))).toEqual([first, 'b'])
  })

  it('decodes characters that straddle the read chunks', async () => {
    // Far past one 64 KiB chunk, with four-byte characters at every offset.
    const text = '😀é'.repeat(40_000)
    expect(await read(file(`${text}\n${text}`))).toEqual([text, text])
  })

  it('gives a line past the limit as its length only, and goes on with the next', async () => {
    const lines = await read(file(`${'x'.repeat(300_000)}\r\n{"ok":1}\n${'y'.repeat(101)}`), { maxLineBytes: 100 })
    expect(lines).toEqual([{ bytes: 300_001 }, '{"ok":1}', { bytes: 101 }])
  })

  it('keeps a line of exactly the limit, with or without the CR of a CRLF', async () => {
    const lines = await read(file(`${'z'.repeat(100)}\n${'z'.repeat(100)}\r\n${'z'.repeat(101)}\r\n`), {
      maxLineBytes: 100
    })
    expect(lines).toEqual(['z'.repeat(100), 'z'.repeat(100), { bytes: 102 }])
  })

  it('stops when its signal aborts', async () => {
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    await expect(read(file('a\nb\n'), { signal: controller.signal })).rejects.toThrow()
  })

  it('hands every chunk read to onChunk, before splitting, so the bytes can be hashed in the same pass', async () => {
    const content = `${'{"a":1}\n'.repeat(20_000)}tail`
    const chunks: Buffer[] = []
    const lines = await read(file(content), { onChunk: chunk => chunks.push(Buffer.from(chunk)) })
    expect(lines).toHaveLength(20_001)
    expect(chunks.length).toBeGreaterThan(1)
    expect(Buffer.concat(chunks).toString()).toBe(content)
  })

  it('with checkUtf8, gives a line that is not UTF-8 by its length, and decodes the others', async () => {
    const bad = Buffer.from([0x7b, 0xff, 0x7d])
    const truncated = Buffer.from('😀', 'utf8').subarray(0, 3)
    const content = Buffer.concat([Buffer.from('é\n'), bad, Buffer.from('\r\n'), truncated, Buffer.from('\n\uFFFD')])
    expect(await read(file(content), { checkUtf8: true })).toEqual([
      'é',
      { bytes: 4, notUtf8: true },
      { bytes: 3, notUtf8: true },
      '\uFFFD'
    ])
    expect(await read(file(content))).toEqual(['é', '{\uFFFD}', '\uFFFD', '\uFFFD'])
  })
})
