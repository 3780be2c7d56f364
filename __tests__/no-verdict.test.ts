import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT, inputEnv } from '../tools/runner/run-action.js'

describe('a run that ends without a verdict', () => {
  it('exits non-zero with an error, though nothing threw and nothing timed out', () => {
    const script = join(ROOT, '__tests__', 'fixtures', 'processes', 'no-verdict.ts')
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
      env: {
        PATH: process.env.PATH ?? '',
        ...inputEnv({ 'batch-id': 'b1', 'api-key': 'tk-no-verdict', 'base-url': 'http://127.0.0.1:9/v1' })
      }
    })
    expect(child.status).toBe(1)
    expect(child.stdout).toContain('::error::The action stopped before reaching a verdict')
  })
})
