import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FailureIndex, matchInputFile } from '../../src/result-files/failures.js'

let workspace: string
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'failures-'))
})
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

describe('FailureIndex', () => {
  it('keys a failure by its custom_id, a number read as its digits, and keeps the first of an ID', () => {
    const index = new FailureIndex()
    index.add('b1', { custom_id: 'r1' }, 'rate_limit')
    index.add('b2', { custom_id: 'r1' }, 'other')
    index.add('b1', { custom_id: 42 }, 'http_500')
    expect(Object.fromEntries(index.byId)).toEqual({
      r1: { code: 'rate_limit', batchId: 'b1' },
      '42': { code: 'http_500', batchId: 'b1' }
    })
    expect(index.withoutId).toBe(0)
  })

  it('counts a failure without a usable custom_id apart: none, empty, not a string, or over 200 characters', () => {
    const index = new FailureIndex()
    for (const id of [undefined, '', true, { id: 1 }, 'x'.repeat(201)]) index.add('b1', { custom_id: id }, 'c')
    index.add('b1', undefined, 'unreadable_line')
    expect(index.withoutId).toBe(6)
    index.add('b1', { custom_id: 'y'.repeat(200) }, 'c')
    expect([...index.byId.keys()]).toEqual(['y'.repeat(200)])
  })

  it('cuts a long error code to 100 characters', () => {
    const index = new FailureIndex()
    index.add('b1', { custom_id: 'r1' }, 'c'.repeat(150))
    expect(index.byId.get('r1')!.code).toBe('c'.repeat(100))
  })
})

describe('matchInputFile', () => {
  it('finds each failed request on its line, reads the first line behind a BOM, and counts what the file lacks', async () => {
    writeFileSync(
      join(workspace, 'in.jsonl'),
      [
        `\uFEFF${JSON.stringify({ custom_id: 'a' })}`,
        'not json with custom_id',
        JSON.stringify({ custom_id: 'ok' }),
        JSON.stringify({ other: 'custom_id' }),
        JSON.stringify({ custom_id: 'b' })
      ].join('\n')
    )
    const index = new FailureIndex()
    for (const id of ['a', 'b', 'gone']) index.add('b1', { custom_id: id }, id === 'b' ? 'x' : 'y')
    const match = await matchInputFile(index, { path: join(workspace, 'in.jsonl'), name: 'in.jsonl', workspace })
    expect(match.lines).toEqual([
      { line: 1, customId: 'a', code: 'y', batchId: 'b1' },
      { line: 5, customId: 'b', code: 'x', batchId: 'b1' }
    ])
    expect({ matched: match.matched, notInFile: match.notInFile, error: match.error }).toEqual({
      matched: 2,
      notInFile: 1,
      error: undefined
    })
    expect([...match.codes].map(([code, { first, count }]) => [code, first.line, count])).toEqual([
      ['y', 1, 1],
      ['x', 5, 1]
    ])
  })

  it('counts failures sharing a code on their first line, and does not read on once every failure is found', async () => {
    writeFileSync(
      join(workspace, 'many.jsonl'),
      ['r1', 'r2', 'r3'].map(id => JSON.stringify({ custom_id: id })).join('\n') + '\n{"custom_id": "r1"}\n'
    )
    const index = new FailureIndex()
    for (const id of ['r1', 'r3']) index.add('b1', { custom_id: id }, 'same')
    const looked: string[] = []
    const get = index.byId.get.bind(index.byId)
    index.byId.get = id => (looked.push(id), get(id))
    const match = await matchInputFile(index, { path: join(workspace, 'many.jsonl'), name: 'many.jsonl', workspace })
    // The fourth line is never looked up: reading stopped at r3, the last failure.
    expect(looked).toEqual(['r1', 'r2', 'r3'])
    expect(match.codes.get('same')).toEqual({
      first: { line: 1, customId: 'r1', code: 'same', batchId: 'b1' },
      count: 2
    })
    expect(match.lines.map(l => l.line)).toEqual([1, 3])
    expect(index.byId.size).toBe(0)
  })

  it('keeps the first 120 matched lines and counts every match', async () => {
    const ids = Array.from({ length: 125 }, (_, i) => `r${i}`)
    writeFileSync(join(workspace, 'cap.jsonl'), ids.map(id => JSON.stringify({ custom_id: id })).join('\n'))
    const index = new FailureIndex()
    for (const id of ids) index.add('b1', { custom_id: id }, 'c')
    const match = await matchInputFile(index, { path: join(workspace, 'cap.jsonl'), name: 'cap.jsonl', workspace })
    expect(match.matched).toBe(125)
    expect(match.lines).toHaveLength(120)
    expect(match.lines.at(-1)!.customId).toBe('r119')
    expect(match.codes.get('c')!.count).toBe(125)
  })

  it('takes off only a byte order mark that starts the file, not one inside its first line', async () => {
    writeFileSync(join(workspace, 'bom.jsonl'), JSON.stringify({ custom_id: 'a\uFEFFb' }))
    const index = new FailureIndex()
    index.add('b1', { custom_id: 'a\uFEFFb' }, 'c')
    const match = await matchInputFile(index, { path: join(workspace, 'bom.jsonl'), name: 'bom.jsonl', workspace })
    expect(match.lines.map(l => l.customId)).toEqual(['a\uFEFFb'])
  })

  it('does not count IDs as missing from a file it could not read', async () => {
    const index = new FailureIndex()
    index.add('b1', { custom_id: 'r1' }, 'c')
    const match = await matchInputFile(index, { path: join(workspace, 'nope.jsonl'), name: 'nope.jsonl', workspace })
    expect(match.error).toContain('ENOENT')
    expect(match.notInFile).toBe(0)
  })
})
