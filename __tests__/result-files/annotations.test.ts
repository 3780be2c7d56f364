import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { groupAnnotations } from '../../src/result-files/annotations.js'
import { FailureIndex, MAX_TRACKED, matchInputFile, type LineMatch } from '../../src/result-files/failures.js'
import { parseInputFile } from '../../src/result-files/input-file.js'

let workspace: string
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'annotations-'))
  mkdirSync(join(workspace, 'evals'))
})
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

const request = (id: string) => JSON.stringify({ custom_id: id, body: { messages: [{ role: 'user', content: id }] } })

function inputFile(name: string, lines: string[]) {
  writeFileSync(join(workspace, name), lines.join('\n') + '\n')
  return parseInputFile(name, workspace)!
}

describe('matching failed requests to lines', () => {
  it('finds each failed custom_id on its line, counts the ones not in the file, and skips noise', async () => {
    const index = new FailureIndex()
    index.add('b1', { custom_id: 'r2' }, 'rate_limit')
    index.add('b1', { custom_id: 'r4' }, 'context_length_exceeded')
    index.add('b2', { custom_id: 'r2' }, 'other_code')
    index.add('b1', { custom_id: 'ghost' }, 'rate_limit')
    index.add('b1', undefined, 'unreadable_line')
    const file = inputFile('evals/match.jsonl', [
      request('r1'),
      request('r2'),
      '',
      'not json {custom_id',
      request('r4')
    ])
    const match = await matchInputFile(index, file)
    expect(match).toMatchObject({ file: 'evals/match.jsonl', matched: 2, notInFile: 1, withoutId: 1, untracked: 0 })
    expect(match.lines).toEqual([
      { line: 2, customId: 'r2', code: 'rate_limit', batchId: 'b1' },
      { line: 5, customId: 'r4', code: 'context_length_exceeded', batchId: 'b1' }
    ])
    expect(match.error).toBeUndefined()
  })

  it('numbers lines as an editor does: U+2028 and U+2029 in a prompt do not start a new line', async () => {
    const index = new FailureIndex()
    index.add('b1', { custom_id: 'r3' }, 'rate_limit')
    const prompt = JSON.stringify({
      custom_id: 'r2',
      body: { messages: [{ role: 'user', content: 'a\u2028b\u2029c' }] }
    })
    const file = inputFile('evals/separators.jsonl', [request('r1'), prompt, request('r3')])
    expect((await matchInputFile(index, file)).lines).toEqual([
      { line: 3, customId: 'r3', code: 'rate_limit', batchId: 'b1' }
    ])
  })

  it('stops tracking IDs past its bound, and only counts them', () => {
    const index = new FailureIndex()
    for (let i = 0; i < MAX_TRACKED + 3; i++) index.add('b', { custom_id: `r${i}` }, 'x')
    expect(index.byId.size).toBe(MAX_TRACKED)
    expect(index.untracked).toBe(3)
  })

  it('reports a missing file, a directory and a symbolic link out of the workspace, never throwing', async () => {
    const index = (): FailureIndex => {
      const i = new FailureIndex()
      i.add('b', { custom_id: 'r1' }, 'x')
      return i
    }
    const missing = await matchInputFile(index(), parseInputFile('nope.jsonl', workspace)!)
    expect(missing.error).toMatch(/ENOENT/)
    expect(missing.notInFile).toBe(0)
    expect((await matchInputFile(index(), parseInputFile('evals', workspace)!)).error).toBe('it is not a regular file')
    const outside = mkdtempSync(join(tmpdir(), 'outside-'))
    try {
      writeFileSync(join(outside, 'secret.jsonl'), request('r1'))
      symlinkSync(join(outside, 'secret.jsonl'), join(workspace, 'link.jsonl'))
      const linked = await matchInputFile(index(), parseInputFile('link.jsonl', workspace)!)
      expect(linked.error).toBe('it leads outside the workspace through a symbolic link')
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })

  it('reads a first line behind a byte order mark, and stops when the step is aborted', async () => {
    const index = (): FailureIndex => {
      const i = new FailureIndex()
      i.add('b', { custom_id: 'r1' }, 'x')
      return i
    }
    writeFileSync(join(workspace, 'bom.jsonl'), `\uFEFF${request('r1')}\n`)
    const file = parseInputFile('bom.jsonl', workspace)!
    expect((await matchInputFile(index(), file)).lines.map(l => l.line)).toEqual([1])
    const aborted = await matchInputFile(index(), file, AbortSignal.abort())
    expect(aborted.error).toMatch(/abort/i)
    expect(aborted.matched).toBe(0)
  })

  it('reads nothing when nothing failed', async () => {
    const match = await matchInputFile(new FailureIndex(), parseInputFile('never-read.jsonl', workspace)!)
    expect(match).toMatchObject({ matched: 0, notInFile: 0 })
    expect(match.error).toBeUndefined()
  })
})

function matchOf(codes: [string, number[]][]): LineMatch {
  const lines = codes
    .flatMap(([code, at]) => at.map(line => ({ line, customId: `r${line}`, code, batchId: 'b1' })))
    .sort((a, b) => a.line - b.line)
  const byCode = new Map<string, { first: (typeof lines)[number]; count: number }>()
  for (const l of lines) {
    const entry = byCode.get(l.code)
    if (entry) entry.count++
    else byCode.set(l.code, { first: l, count: 1 })
  }
  return {
    file: 'evals/in.jsonl',
    codes: byCode,
    lines,
    matched: lines.length,
    notInFile: 0,
    withoutId: 0,
    untracked: 0
  }
}

describe('grouping annotations', () => {
  it('annotates the first line of each code with how many more share it; the rest go to the summary', () => {
    const match = matchOf([
      ['rate_limit', [3, 7, 9]],
      ['context_length_exceeded', [5]]
    ])
    const { annotations, rest } = groupAnnotations(match, new Map([['rate_limit', 'Too many requests']]))
    expect(annotations).toEqual([
      {
        file: 'evals/in.jsonl',
        line: 3,
        title: 'Together request failed: rate_limit',
        message:
          'Request r3 failed with rate_limit: Too many requests. 2 more requests in this file failed with rate_limit; see the step summary.'
      },
      {
        file: 'evals/in.jsonl',
        line: 5,
        title: 'Together request failed: context_length_exceeded',
        message: 'Request r5 failed with context_length_exceeded.'
      }
    ])
    expect(rest.map(l => l.line)).toEqual([7, 9])
  })

  it('keeps to the budget with the most common codes, and lists the other codes by line', () => {
    const codes: [string, number[]][] = Array.from({ length: 12 }, (_, i) => [
      `code_${String(i).padStart(2, '0')}`,
      i === 11 ? [100, 101, 102] : [i + 1]
    ])
    const { annotations, rest } = groupAnnotations(matchOf(codes), new Map(), 9)
    expect(annotations).toHaveLength(9)
    expect(annotations.map(a => a.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 100])
    expect(rest.map(l => l.line)).toEqual([9, 10, 11, 101, 102])
  })

  it('breaks a tie in count by the earlier line, whatever order the codes came in', () => {
    const match = matchOf([
      ['early', [2]],
      ['late', [9]]
    ])
    const reversed: LineMatch = { ...match, codes: new Map([...match.codes].reverse()) }
    expect(groupAnnotations(reversed, new Map(), 1).annotations.map(a => a.line)).toEqual([2])
    expect(groupAnnotations(reversed, new Map(), 1).rest.map(l => l.line)).toEqual([9])
  })

  it('names the batch when several batches share the file, and keeps server text on one line', () => {
    const match = matchOf([['bad\ncode', [2]]])
    const [annotation] = groupAnnotations(
      match,
      new Map([['bad\ncode', 'line one\n::error::two']]),
      10,
      true
    ).annotations
    expect(annotation!.message).toBe('Request r2 in batch b1 failed with bad code: line one ::error::two.')
    expect(annotation!.title).toBe('Together request failed: bad code')
  })
})
