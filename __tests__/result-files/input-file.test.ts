import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkedPath, parseInputFile } from '../../src/result-files/input-file.js'

let workspace: string
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'input-file-'))
  mkdirSync(join(workspace, 'evals'))
})
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

describe('input-file', () => {
  it('takes a path relative to the workspace, or an absolute one inside it', () => {
    expect(parseInputFile('evals/a.jsonl', workspace)).toEqual({
      path: join(workspace, 'evals', 'a.jsonl'),
      name: 'evals/a.jsonl',
      workspace
    })
    expect(parseInputFile(join(workspace, 'evals/../b.jsonl'), workspace)?.name).toBe('b.jsonl')
    expect(parseInputFile('  ', workspace)).toBeUndefined()
  })

  it.each(['../outside.jsonl', 'evals/../../x.jsonl', '/etc/passwd', '.', '..', 'evals/../..'])(
    'rejects %j, which leaves the workspace',
    raw => {
      expect(() => parseInputFile(raw, workspace)).toThrow(
        `Invalid input-file '${raw}': it is not inside the workspace. Expected a path to a JSONL file inside the workspace (${workspace}), relative to it, e.g. evals/batch.jsonl.`
      )
    }
  )

  it('rejects control characters, showing them escaped', () => {
    expect(() => parseInputFile('a\u0000b.jsonl', workspace)).toThrow(
      'Invalid input-file "a\\u0000b.jsonl": it holds control characters.'
    )
  })
})

describe('checkedPath', () => {
  it('returns the real path of a regular file inside the workspace', async () => {
    writeFileSync(join(workspace, 'evals', 'plain.jsonl'), '{}\n')
    const file = parseInputFile('evals/plain.jsonl', workspace)!
    expect(await checkedPath(file)).toBe(realpathSync(join(workspace, 'evals', 'plain.jsonl')))
  })

  it('follows a symbolic link that stays inside the workspace', async () => {
    writeFileSync(join(workspace, 'evals', 'target.jsonl'), '{}\n')
    symlinkSync(join(workspace, 'evals', 'target.jsonl'), join(workspace, 'inside-link.jsonl'))
    const file = parseInputFile('inside-link.jsonl', workspace)!
    expect(await checkedPath(file)).toBe(realpathSync(join(workspace, 'evals', 'target.jsonl')))
  })

  it('rejects a symbolic link that leads out of the workspace', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'input-file-outside-'))
    try {
      writeFileSync(join(outside, 'secret.jsonl'), '{}\n')
      symlinkSync(join(outside, 'secret.jsonl'), join(workspace, 'outside-link.jsonl'))
      await expect(checkedPath(parseInputFile('outside-link.jsonl', workspace)!)).rejects.toThrow(
        'it leads outside the workspace through a symbolic link'
      )
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })

  it('rejects a symbolic link to the workspace itself', async () => {
    symlinkSync(workspace, join(workspace, 'evals', 'self'))
    await expect(checkedPath(parseInputFile('evals/self', workspace)!)).rejects.toThrow(
      'it leads outside the workspace through a symbolic link'
    )
  })

  it('rejects a directory, and a file that does not exist', async () => {
    await expect(checkedPath(parseInputFile('evals', workspace)!)).rejects.toThrow('it is not a regular file')
    await expect(checkedPath(parseInputFile('evals/missing.jsonl', workspace)!)).rejects.toThrow(/ENOENT/)
  })
})
