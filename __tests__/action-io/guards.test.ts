import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, inputEnv } from '../../tools/runner/run-action.js'

/** Runs a fixture of __tests__/fixtures/processes as the runner would run the action, with these inputs. */
function runFixture(name: string, inputs: Record<string, string>, env: Record<string, string> = {}) {
  const script = join(ROOT, '__tests__', 'fixtures', 'processes', name)
  return spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '', ...env, ...inputEnv({ 'base-url': 'http://127.0.0.1:9/v1', ...inputs }) }
  })
}

describe('a run that ends without a verdict', () => {
  it('exits non-zero with an error, though nothing threw and nothing timed out', () => {
    const child = runFixture('no-verdict.ts', { 'batch-id': 'b1', 'api-key': 'tk-no-verdict' })
    expect(child.status).toBe(1)
    expect(child.stdout).toContain('::error::The action stopped before reaching a verdict')
  })
})

describe('a crash', () => {
  it('fails the step with the message redacted, sets error and the summary, and nothing after them', () => {
    const key = 'tk-crash-0123456789'
    const temp = mkdtempSync(join(tmpdir(), 'crash-'))
    const summary = join(temp, 'summary')
    writeFileSync(summary, '')
    try {
      const child = runFixture(
        'crash.ts',
        { 'batch-id': 'b1', 'api-key': key, 'commit-status': 'ci/batch', 'github-token': 'ghs_crash_token' },
        { GITHUB_STEP_SUMMARY: summary }
      )
      expect(child.status).toBe(1)
      expect(child.stdout).toContain('::error::Unexpected error: boom with ***. This is a bug: please report it.')
      // The batch completed meanwhile: the run's own success must not follow the crash's error.
      expect(child.stdout.split('\n').filter(line => line.startsWith('status '))).toEqual([
        'status pending: Waiting for Together batch b1',
        'status error: Unexpected error: boom with ***'
      ])
      expect(readFileSync(summary, 'utf8')).toContain('Unexpected error: boom with &#42;&#42;&#42;')
      const printed = child.stdout.split('\n').filter(line => line !== `::add-mask::${key}`)
      expect(printed.join('\n') + readFileSync(summary, 'utf8')).not.toContain(key)
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })
})
