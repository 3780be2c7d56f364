import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseInputFile } from '../../src/result-files/input-file.js'
import { MAX_INPUT_BYTES, MAX_REQUESTS, preflight } from '../../src/submit/preflight.js'

let root: string
let workspace: string
let n = 0
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'preflight-'))
  workspace = join(root, 'workspace')
  mkdirSync(workspace)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

const request = (id: string, model = 'm1'): string =>
  JSON.stringify({ custom_id: id, body: { model, messages: [{ role: 'user', content: id }] } })

function file(content: string | Buffer, name = `f${++n}.jsonl`) {
  writeFileSync(join(workspace, name), content)
  return parseInputFile(name, workspace)!
}

const run = (content: string | Buffer) => preflight(file(content), '/v1/chat/completions')

describe('preflight', () => {
  it('passes a sound file and gives requests, models, bytes and the SHA-256 of its bytes', async () => {
    const content = `${request('a')}\n${request('b', 'm2')}\r\n${request('c')}\n`
    const report = await run(content)
    expect(report.problems).toEqual([])
    expect(report).toMatchObject({ requests: 3, bytes: Buffer.byteLength(content), otherModels: 0 })
    expect([...report.models]).toEqual([
      ['m1', 2],
      ['m2', 1]
    ])
    expect(report.sha256).toBe(createHash('sha256').update(content).digest('hex'))
    expect(report.path).toBe(join(workspace, `f${n}.jsonl`))
  })

  it.each([
    ['does not exist', undefined, 'unreadable', 'it does not exist'],
    ['is empty', '', 'empty', 'it is empty']
  ])('refuses a file that %s, without reading further', async (_what, content, kind, message) => {
    const input = content === undefined ? parseInputFile('missing.jsonl', workspace)! : file(content)
    const report = await preflight(input, '/v1/chat/completions')
    expect(report.problems).toEqual([{ kind, message }])
    expect(report.sha256).toBe('')
  })

  it('refuses a file over 100 MB from its size, without reading it', async () => {
    const input = file('')
    // A sparse file: the size is what counts, and it is never read.
    truncateSync(input.path, MAX_INPUT_BYTES + 1)
    const report = await preflight(input, '/v1/chat/completions')
    expect(report.problems).toEqual([
      {
        kind: 'too-large',
        message: `it holds ${MAX_INPUT_BYTES + 1} bytes, over Together's 100000000 (100 MB) per input file; split it`
      }
    ])
    expect(report.sha256).toBe('')
  })

  it('refuses more than 50,000 requests, and keeps no IDs past the limit', async () => {
    const lines = Array.from({ length: MAX_REQUESTS + 2 }, (_, i) => request(`r${i}`))
    lines.push(request('r0'))
    const report = await run(`${lines.join('\n')}\n`)
    expect(report.requests).toBe(MAX_REQUESTS + 3)
    expect(report.problems).toEqual([
      {
        kind: 'too-many-requests',
        message: `it holds ${MAX_REQUESTS + 3} requests, over Together's ${MAX_REQUESTS} per batch; split it`
      }
    ])
  })

  it('refuses a symbolic link that leads out of the workspace', async () => {
    writeFileSync(join(root, 'outside.jsonl'), `${request('a')}\n`)
    symlinkSync(join(root, 'outside.jsonl'), join(workspace, 'link.jsonl'))
    const report = await preflight(parseInputFile('link.jsonl', workspace)!, '/v1/chat/completions')
    expect(report.problems).toEqual([
      { kind: 'unreadable', message: 'it leads outside the workspace through a symbolic link' }
    ])
  })

  it('numbers each bad line as an editor does, and counts duplicates against the first line', async () => {
    const lines = [
      request('a'),
      'not json',
      request('b'),
      JSON.stringify({ custom_id: 'c', body: { model: 'm1', content: 'x\u2028y' } }),
      request('a'),
      request('b')
    ]
    const report = await run(lines.join('\n'))
    expect(report.problems).toEqual([
      { kind: 'not-json', line: 2, message: 'not valid JSON' },
      { kind: 'messages', line: 4, message: 'body.messages must be a non-empty array of chat messages' },
      { kind: 'duplicate-custom-id', line: 5, message: 'custom_id repeats line 1' },
      { kind: 'duplicate-custom-id', line: 6, message: 'custom_id repeats line 3' }
    ])
    expect(report.counts).toEqual({ 'not-json': 1, messages: 1, 'duplicate-custom-id': 2 })
    expect(report.requests).toBe(6)
  })

  it('finds duplicates among long custom_ids too (kept by hash)', async () => {
    const long = 'x'.repeat(500)
    const report = await run(`${request(long)}\n${request(`${long}y`)}\n${request(long)}\n`)
    expect(report.problems).toEqual([{ kind: 'duplicate-custom-id', line: 3, message: 'custom_id repeats line 1' }])
  })

  it('refuses a line that is not UTF-8 on its own line, and the hash covers the raw bytes', async () => {
    const content = Buffer.concat([
      Buffer.from(`${request('a')}\n`),
      Buffer.from('{"custom_id":"b","body":{"model":"m1","messages":["\xff"]}}\n', 'latin1'),
      Buffer.from(`${request('c')}\n`)
    ])
    const report = await run(content)
    expect(report.problems).toEqual([{ kind: 'not-utf8', line: 2, message: 'not valid UTF-8' }])
    expect(report.sha256).toBe(createHash('sha256').update(content).digest('hex'))
  })

  it('keeps the first 100 line problems with their text and counts the rest', async () => {
    const report = await run(`${Array.from({ length: 250 }, () => '[]').join('\n')}\n`)
    expect(report.problems).toHaveLength(100)
    expect(report.problems.at(-1)).toMatchObject({ line: 100 })
    expect(report.counts).toEqual({ 'not-object': 250 })
  })

  it('names the first 50 models and counts the requests for the rest', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => request(`r${i}`, `model-${i}`))
    lines.push(request('again', 'model-0'))
    const report = await run(lines.join('\n'))
    expect(report.models.size).toBe(50)
    expect(report.models.get('model-0')).toBe(2)
    expect(report.otherModels).toBe(10)
  })

  it('checks the body rules of the endpoint it is given', async () => {
    const input = file(`${JSON.stringify({ custom_id: 'a', body: { model: 'm', prompt: 'p' } })}\n`)
    expect((await preflight(input, '/v1/completions')).problems).toEqual([])
    expect((await preflight(input, '/v1/chat/completions')).problems).toMatchObject([{ kind: 'messages', line: 1 }])
  })

  it('stops reading when the signal aborts, and throws', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(preflight(file(`${request('a')}\n`), '/v1/chat/completions', controller.signal)).rejects.toThrow()
  })
})
