import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BatchResult } from '../../src/engine/types.js'
import { collectResults, type CollectDeps } from '../../src/result-files/collect.js'
import { createRedactor } from '../../src/sanitize/redact.js'
import { countErrorLine, countOutputLine, emptyTally, topCodes } from '../../src/result-files/tally.js'
import { TogetherError } from '../../src/together/errors.js'
import type { FilesApi } from '../../src/together/types.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'
import { FailureIndex } from '../../src/result-files/failures.js'

const ok = (code = 200) => JSON.stringify({ custom_id: 'r', response: { status_code: code, body: {} } })

describe('counting requests', () => {
  it.each([
    [ok(200), 1, 0, undefined],
    [ok(204), 1, 0, undefined],
    [
      JSON.stringify({ response: { status_code: 429, body: { error: { code: 'rate_limit', message: 'slow' } } } }),
      0,
      1,
      'rate_limit'
    ],
    [JSON.stringify({ response: { status_code: 500, body: {} } }), 0, 1, 'http_500'],
    [
      JSON.stringify({ custom_id: 'x', error: { type: 'invalid_request_error', message: 'bad' } }),
      0,
      1,
      'invalid_request_error'
    ],
    ['not json', 0, 1, 'unreadable_line'],
    ['   ', 0, 0, undefined]
  ])('reads output line %s as %i ok / %i failed (%s)', (line, succeeded, failed, code) => {
    const tally = emptyTally()
    countOutputLine(tally, line)
    expect([tally.succeeded, tally.failed]).toEqual([succeeded, failed])
    expect([...tally.codes.keys()][0]).toBe(code)
  })

  it.each([
    [
      JSON.stringify({ custom_id: 'x', error: { code: 'context_length_exceeded', message: 'too long' } }),
      'context_length_exceeded'
    ],
    [
      JSON.stringify({ custom_id: 'x', response: { status_code: 400, body: { error: { message: 'bad' } } } }),
      'http_400'
    ],
    [JSON.stringify({ custom_id: 'x' }), 'unknown'],
    ['{', 'unreadable_line']
  ])('counts every error-file line %s as failed under %s', (line, code) => {
    const tally = emptyTally()
    countErrorLine(tally, line)
    expect(tally.failed).toBe(1)
    expect([...tally.codes.keys()]).toEqual([code])
  })

  it('ranks error codes by count, with one example each', () => {
    const tally = emptyTally()
    for (const [code, n] of [
      ['a', 1],
      ['b', 3],
      ['c', 2]
    ] as const) {
      for (let i = 0; i < n; i++) countErrorLine(tally, JSON.stringify({ error: { code, message: `${code}${i}` } }))
    }
    expect(topCodes(tally, 2)).toEqual([
      { code: 'b', count: 3, example: 'b0' },
      { code: 'c', count: 2, example: 'c0' }
    ])
  })
})

describe('collectResults', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'collect-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const result = (
    batchId: string,
    extra: Partial<BatchResult['batch']> = {},
    finalStatus: BatchResult['finalStatus'] = 'COMPLETED'
  ): BatchResult => ({
    batchId,
    outcome: 'completed',
    status: finalStatus,
    finalStatus,
    batch: { status: finalStatus, ...extra },
    startedAt: 0,
    endedAt: 0,
    timeoutMs: 0,
    timeline: [],
    requests: 1
  })

  function fakeFiles(contents: Record<string, string>, failFirst = 0) {
    let failures = failFirst
    const calls: string[] = []
    const files: FilesApi = {
      getFile: async id => ({ id, bytes: Buffer.byteLength(contents[id] ?? '') }),
      downloadFile: async (id, path) => {
        calls.push(id)
        if (failures-- > 0) throw new TogetherError('HTTP 503', { kind: 'http', status: 503 })
        if (!(id in contents)) throw new TogetherError('HTTP 404', { kind: 'http', status: 404 })
        const { writeFileSync } = await import('node:fs')
        writeFileSync(path, contents[id]!)
        return Buffer.byteLength(contents[id]!)
      }
    }
    return { files, calls }
  }

  it.each([190, 199, 280, 295])(
    'redacts a key that a result line holds at character %d before any text is cut',
    async at => {
      const key = 'tk-line-secret-0123456789'
      const message = `${'x'.repeat(at)}${key} tail`
      const line = JSON.stringify({ custom_id: 'r1', error: { code: `c${'y'.repeat(at)}${key}`, message } })
      const { files } = fakeFiles({ err: `${line}\n${'z'.repeat(at)}${key}\n` })
      const collected = await collectResults(
        {
          api: files,
          sleep: virtualClock().sleep,
          random: () => 0.5,
          log: recordingLogger(),
          redact: createRedactor([key])
        },
        [result('b1', { error_file_id: 'err' })],
        { path: dir, label: 'download-dir' }
      )
      const tally = collected.get('b1')!.tally!
      const shown = JSON.stringify([...tally.codes.entries()])
      for (const prefix of [key.slice(0, 6), key.slice(0, 10)]) expect(shown).not.toContain(prefix)
      expect(tally.failed).toBe(2)
    }
  )

  it('downloads output and error files of final batches, and counts their requests', async () => {
    const { files } = fakeFiles({ out: `${ok()}\n${ok(500)}\n`, err: `${JSON.stringify({ error: { code: 'x' } })}\n` })
    const clock = virtualClock()
    const collected = await collectResults(
      { api: files, sleep: clock.sleep, random: () => 0.5, log: recordingLogger(), redact: (t: string) => t },
      [
        result('b1', { output_file_id: 'out', error_file_id: 'err' }),
        { ...result('b2', { output_file_id: 'out' }), finalStatus: undefined }
      ],
      { path: dir, label: 'download-dir' }
    )
    const b1 = collected.get('b1')!
    expect(b1.outputPath).toBe(join(dir, 'b1-output.jsonl'))
    expect(readFileSync(b1.errorPath!, 'utf8')).toContain('"code":"x"')
    expect([b1.tally!.succeeded, b1.tally!.failed]).toEqual([1, 2])
    expect(collected.has('b2')).toBe(false)
  })

  it('reports a directory that cannot be created on every batch, naming it, without throwing', async () => {
    const blocker = join(dir, 'a-file')
    writeFileSync(blocker, 'in the way')
    const { files, calls } = fakeFiles({ out: `${ok()}\n` })
    const log = recordingLogger()
    const collected = await collectResults(
      { api: files, sleep: virtualClock().sleep, random: () => 0.5, log, redact: (t: string) => t },
      [result('b1', { output_file_id: 'out' }), result('b2', { output_file_id: 'out' })],
      { path: join(blocker, 'results'), label: "download-dir 'a-file/results'" }
    )
    expect(calls).toHaveLength(0)
    for (const id of ['b1', 'b2']) {
      expect(collected.get(id)!.error).toContain(
        `could not create download-dir 'a-file/results' (${join(blocker, 'results')})`
      )
      expect(collected.get(id)!.tally).toBeUndefined()
    }
    expect(log.text('warning')).toContain('ENOTDIR')
  })

  it('retries a transient failure, then reports a lasting one on its batch', async () => {
    const flaky = fakeFiles({ out: `${ok()}\n` }, 2)
    const clock = virtualClock()
    const log = recordingLogger()
    const collected = await collectResults(
      { api: flaky.files, sleep: clock.sleep, random: () => 0.5, log, redact: (t: string) => t },
      [result('b1', { output_file_id: 'out' })],
      { path: dir, label: 'download-dir' }
    )
    expect(flaky.calls).toHaveLength(3)
    expect(collected.get('b1')!.tally!.succeeded).toBe(1)
    expect(clock.sleeps).toHaveLength(2)

    const missing = fakeFiles({})
    const failed = await collectResults(
      { api: missing.files, sleep: clock.sleep, random: () => 0.5, log, redact: (t: string) => t },
      [result('b9', { output_file_id: 'gone' })],
      { path: dir, label: 'download-dir' }
    )
    expect(missing.calls).toHaveLength(1)
    expect(failed.get('b9')!.error).toBe('HTTP 404')
    expect(log.text('warning')).toContain('Could not fetch the results of batch b9 into download-dir: HTTP 404')
  })
})

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'collect-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const completed = (batchId: string, batch: Partial<NonNullable<BatchResult['batch']>>): BatchResult => ({
  batchId,
  outcome: 'completed',
  status: 'COMPLETED',
  finalStatus: 'COMPLETED',
  batch: { status: 'COMPLETED', ...batch },
  startedAt: 0,
  endedAt: 0,
  timeoutMs: 0,
  timeline: [],
  requests: 1
})

/** Files that answer with `contents`, or with `failure` while it is set; every call recorded. */
function files(contents: Record<string, string>, failure?: () => Error) {
  const calls: string[] = []
  const api: FilesApi = {
    getFile: async id => {
      calls.push(`get ${id}`)
      if (failure) throw failure()
      return { id, bytes: Buffer.byteLength(contents[id] ?? '') }
    },
    downloadFile: async (id, path, options) => {
      calls.push(`download ${id} (${String(options?.expectedBytes)} bytes)`)
      writeFileSync(path, contents[id] ?? '')
      return Buffer.byteLength(contents[id] ?? '')
    }
  }
  return { api, calls }
}

function deps(api: FilesApi, extra: Partial<CollectDeps> = {}) {
  const clock = virtualClock()
  const log = recordingLogger()
  return {
    clock,
    log,
    deps: { api, sleep: clock.sleep, random: () => 1, log, redact: (t: string) => t, ...extra }
  }
}

const line = (id: string, status: number) =>
  JSON.stringify({
    custom_id: id,
    response: { status_code: status, body: { model: 'm', usage: { prompt_tokens: 1 } } }
  })

describe('collectResults: downloads, retries and failed requests', () => {
  it('gives up on a download after five attempts, with a growing pause between them', async () => {
    const flaky = files({}, () => new TogetherError('HTTP 503', { kind: 'http', status: 503 }))
    const { deps: d, clock, log } = deps(flaky.api)
    const collected = await collectResults(d, [completed('b1', { output_file_id: 'out' })], {
      path: dir,
      label: 'download-dir'
    })
    expect(collected.get('b1')).toEqual({ error: 'HTTP 503' })
    expect(flaky.calls).toEqual(Array.from({ length: 5 }, () => 'get out'))
    // random() = 1: the full exponential delay, 1 s, 2 s, 4 s, 8 s; the cap is not reached yet.
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000])
    expect(log.text('warning').split('\n')).toHaveLength(5)
    expect(log.text('warning')).toContain('Downloading out failed (attempt 4): HTTP 503. Retrying in 8s.')
  })

  it('downloads the files of batches with a final status only, named after the batch, and counts them', async () => {
    const { api, calls } = files({ out: `${line('r1', 200)}\n${line('r2', 500)}\n`, err: `${line('r3', 400)}\n` })
    const failures = new FailureIndex()
    const { deps: d, log } = deps(api, { failures })
    const collected = await collectResults(
      d,
      [
        completed('b1', { output_file_id: 'out', error_file_id: 'err', model_id: 'm' }),
        { ...completed('b2', { output_file_id: 'out' }), finalStatus: undefined },
        { ...completed('b3', {}), batch: undefined }
      ],
      { path: dir, label: 'download-dir' }
    )
    expect([...collected.keys()]).toEqual(['b1'])
    const b1 = collected.get('b1')!
    expect(b1).toMatchObject({ outputPath: join(dir, 'b1-output.jsonl'), errorPath: join(dir, 'b1-errors.jsonl') })
    expect([b1.tally!.succeeded, b1.tally!.failed]).toEqual([1, 2])
    expect(b1.usage!.get('m')!.requests).toBe(3)
    const bytes = (text: string) => Buffer.byteLength(text)
    expect(calls).toEqual([
      'get out',
      `download out (${bytes(`${line('r1', 200)}\n${line('r2', 500)}\n`)} bytes)`,
      'get err',
      `download err (${bytes(`${line('r3', 400)}\n`)} bytes)`
    ])
    expect(Object.fromEntries(failures.byId)).toEqual({
      r2: { code: 'http_500', batchId: 'b1' },
      r3: { code: 'http_400', batchId: 'b1' }
    })
    expect(log.text('info')).toContain(`Downloaded out to ${join(dir, 'b1-output.jsonl')}`)
  })

  it('counts a line that names no model under no model when the batch has no model_id either', async () => {
    const { api } = files({ out: `${JSON.stringify({ custom_id: 'r1', response: { status_code: 200, body: {} } })}\n` })
    const { deps: d } = deps(api)
    const collected = await collectResults(d, [completed('b1', { output_file_id: 'out' })], {
      path: dir,
      label: 'download-dir'
    })
    expect([...collected.get('b1')!.usage!.keys()]).toEqual([''])
  })

  it('has nothing to collect when no batch reached a final status', async () => {
    const { api, calls } = files({})
    const { deps: d } = deps(api)
    const collected = await collectResults(
      d,
      [{ ...completed('b1', { output_file_id: 'out' }), finalStatus: undefined }],
      {
        path: join(dir, 'never', 'made'),
        label: 'download-dir'
      }
    )
    expect(collected.size).toBe(0)
    expect(calls).toEqual([])
  })

  it('says the time for result files ran out when the budget aborted the downloads', async () => {
    const budget = new AbortController()
    const api: FilesApi = {
      getFile: async () => {
        budget.abort()
        throw new Error('This operation was aborted')
      },
      downloadFile: async () => 0
    }
    const { deps: d, log } = deps(api, { budget: { ms: 600_000, signal: budget.signal } })
    const collected = await collectResults(d, [completed('b1', { output_file_id: 'out' })], {
      path: dir,
      label: 'download-dir'
    })
    const why =
      "the 10m 00s allowed for result files ran out (the time left of 'timeout', at least 10 minutes or 'timeout' if shorter)"
    expect(collected.get('b1')!.error).toBe(why)
    expect(log.text('warning')).toBe(`Could not fetch the results of batch b1 into download-dir: ${why}`)
  })
})

describe('collectResults with nothing to fetch', () => {
  it('creates no directory and asks for no file when no batch has finished', async () => {
    const { api, calls } = files({})
    const running: BatchResult = { ...completed('b1', {}), outcome: 'pending', finalStatus: undefined }
    const path = join(dir, 'never-made')
    const collected = await collectResults(deps(api).deps, [running], { path, label: 'download-dir' })
    expect(collected.size).toBe(0)
    expect(existsSync(path)).toBe(false)
    expect(calls).toEqual([])
  })

  it('passes the step signal to each request for a file', async () => {
    const signals: (AbortSignal | undefined)[] = []
    const api: FilesApi = {
      getFile: async (id, options) => (signals.push(options?.signal), { id, bytes: 0 }),
      downloadFile: async (_id, path, options) => (signals.push(options?.signal), writeFileSync(path, ''), 0)
    }
    const signal = new AbortController().signal
    await collectResults(deps(api, { signal }).deps, [completed('b1', { output_file_id: 'out' })], {
      path: join(dir, 'signalled'),
      label: 'download-dir'
    })
    expect(signals).toEqual([signal, signal])
  })

  it('stops counting a downloaded file when the step is cancelled, and says so on its batch', async () => {
    const step = new AbortController()
    const api: FilesApi = {
      getFile: async id => ({ id, bytes: 0 }),
      downloadFile: async (_id, path) => {
        writeFileSync(path, '{"custom_id":"r1","response":{"status_code":200,"body":{}}}\n')
        step.abort()
        return 0
      }
    }
    const collected = await collectResults(
      deps(api, { signal: step.signal }).deps,
      [completed('b1', { output_file_id: 'out' })],
      {
        path: join(dir, 'cancelled'),
        label: 'download-dir'
      }
    )
    expect(collected.get('b1')!.tally).toBeUndefined()
    expect(collected.get('b1')!.error).toMatch(/aborted/)
  })
})
