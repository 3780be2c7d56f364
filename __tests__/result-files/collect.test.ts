import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { WaitResult } from '../../src/engine/types.js'
import { collectResults, type CollectDeps } from '../../src/result-files/collect.js'
import { FailureIndex } from '../../src/result-files/failures.js'
import { TogetherError, type FilesApi } from '../../src/together/index.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'collect-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const completed = (batchId: string, batch: Partial<NonNullable<WaitResult['batch']>>): WaitResult => ({
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
    deps: { files: api, sleep: clock.sleep, random: () => 1, log, redact: (t: string) => t, ...extra }
  }
}

const line = (id: string, status: number) =>
  JSON.stringify({
    custom_id: id,
    response: { status_code: status, body: { model: 'm', usage: { prompt_tokens: 1 } } }
  })

describe('collectResults', () => {
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
