import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { failure } from '../helpers/errors.js'
import { client } from './loopback.js'

const BASE = 'https://api.together.test'
const CONTENT = '{"a":1}\n'.repeat(1000)
let dir: string
let n = 0
const fresh = (): string => {
  const sub = join(dir, `case-${++n}`)
  mkdirSync(sub)
  return sub
}
const exists = (path: string): boolean => {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'save-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Downloads CONTENT to `path` and returns the failure, which must be local, name `named` and keep no `.part`. */
async function localFailure(path: string, named: string, code: string) {
  nock(BASE).get('/v1/files/file-1/content').reply(200, CONTENT)
  const error = await failure(client().downloadFile('file-1', path))
  expect(error).toMatchObject({ kind: 'local', transient: false })
  expect(error.message).toMatch(new RegExp(`^GET /files/file-1/content could not be saved to ${named}: ${code}\\b`))
  expect(exists(`${path}.part`)).toBe(false)
  return error
}

describe('saving a download', () => {
  it('reports a full disk as local, naming the path, and removes the .part file', async () => {
    const path = join(fresh(), 'out.jsonl')
    symlinkSync('/dev/full', `${path}.part`) // writes through it fail with ENOSPC
    await localFailure(path, `${path}.part`, 'ENOSPC')
    expect(exists(path)).toBe(false)
  })

  it('reports a path under a file as local (ENOTDIR)', async () => {
    const file = join(fresh(), 'plain-file')
    writeFileSync(file, 'x')
    await localFailure(join(file, 'out.jsonl'), join(file, 'out.jsonl.part'), 'ENOTDIR')
  })

  it('reports a missing directory as local (ENOENT)', async () => {
    const path = join(fresh(), 'missing', 'out.jsonl')
    await localFailure(path, `${path}.part`, 'ENOENT')
  })

  it('reports a .part that is a directory as local (EISDIR), and leaves that directory alone', async () => {
    const path = join(fresh(), 'out.jsonl')
    mkdirSync(`${path}.part`)
    nock(BASE).get('/v1/files/file-1/content').reply(200, CONTENT)
    const error = await failure(client().downloadFile('file-1', path))
    expect(error).toMatchObject({ kind: 'local', transient: false })
    expect(error.message).toContain(`could not be saved to ${path}.part: EISDIR`)
    expect(lstatSync(`${path}.part`).isDirectory()).toBe(true)
  })

  it('removes the .part file when the final rename fails, and says so as local', async () => {
    const path = join(fresh(), 'out.jsonl')
    mkdirSync(path)
    writeFileSync(join(path, 'keep'), 'x') // a non-empty directory cannot be replaced by a file
    await localFailure(path, path, 'E[A-Z]+')
    expect(existsSync(join(path, 'keep'))).toBe(true)
  })

  const asRoot = process.getuid?.() === 0
  ;(asRoot ? it.skip : it)('reports a directory it may not write to as local (EACCES)', async () => {
    const sub = fresh()
    chmodSync(sub, 0o500)
    try {
      const path = join(sub, 'out.jsonl')
      await localFailure(path, `${path}.part`, 'EACCES')
    } finally {
      chmodSync(sub, 0o700)
    }
  })
})
