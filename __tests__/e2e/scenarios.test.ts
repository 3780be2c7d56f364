import { describe, expect, it } from '@jest/globals'
import { VERSION } from '../../src/version.js'
import { errorLines, expectKeySafe, gaps, runScenario } from '../helpers/e2e.js'

// A bundle of the current source, run as the GitHub runner runs it, against the simulator's shipped scenarios.
describe('the bundle against the shipped scenarios', () => {
  it.concurrent('completes: exit 0, outputs, summary, and one user agent naming the action', async () => {
    const run = await runScenario({ scenario: 'completes', speed: 5 })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      status: 'COMPLETED',
      passed: 'true',
      'output-file-id': 'file-output-completes',
      'error-file-id': 'file-errors-completes',
      progress: '100',
      'timed-out': 'false'
    })
    expect(JSON.parse(run.outputs.batch!).model_id).toBe('meta-llama/Llama-3.3-70B-Instruct-Turbo')
    expect(run.summary).toContain('## ✅ Together batch batch-completes: COMPLETED')
    expect(run.summary).toContain('### Timeline')
    expect(run.log).toContain(
      'Waiting for Together batch batch-completes (model meta-llama/Llama-3.3-70B-Instruct-Turbo'
    )
    expect(run.requests.every(r => r.userAgent === `wait-for-together-batch/${VERSION}`)).toBe(true)
    expect(run.requests.every(r => r.method === 'GET' && r.path === '/v1/batches/batch-completes')).toBe(true)
    expect(run.requests.length).toBeLessThanOrEqual(6)
    expect(errorLines(run.log)).toEqual([])
    expectKeySafe(run)
  })

  it.concurrent('fails: exit 1 with one annotation carrying the job error and error file', async () => {
    const run = await runScenario({ scenario: 'fails', speed: 5 })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'FAILED', 'error-file-id': 'file-errors-fails', 'timed-out': 'false' })
    expect(errorLines(run.log)).toEqual([
      '::error title=Together batch batch-fails::Batch batch-fails ended FAILED: Input file validation failed: line 3 is not valid JSON. Error file: file-errors-fails. See the error file for the failed requests.'
    ])
    expect(run.summary).toContain('## ❌ Together batch batch-fails: FAILED')
    expectKeySafe(run)
  })

  it.concurrent('expires: exit 1, partial output file still handed on', async () => {
    const run = await runScenario({ scenario: 'expires', speed: 5 })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'EXPIRED', 'output-file-id': 'file-output-expires' })
    expect(run.outputs.error).toBe('Batch did not complete before its deadline')
    expectKeySafe(run)
  })

  it.concurrent('cancelled: waits through CANCELING, then fails with the partial output', async () => {
    const run = await runScenario({ scenario: 'cancelled', speed: 2 })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'CANCELLED', 'output-file-id': 'file-output-cancelled' })
    expect(run.log).toMatch(/\] CANCELING/)
    expect(run.log).not.toContain('::warning')
    expectKeySafe(run)
  })

  it.concurrent('only-errors: COMPLETED without output fails, naming the error file, after two re-checks', async () => {
    const run = await runScenario({ scenario: 'only-errors', speed: 4 })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({
      status: 'FAILED',
      passed: 'false',
      'output-file-id': '',
      'error-file-id': 'file-errors-only-errors'
    })
    expect(errorLines(run.log)[0]).toContain('completed without an output file, so every request failed')
    expect(errorLines(run.log)[0]).toContain('Error file: file-errors-only-errors.')
    expectKeySafe(run)
  })

  it.concurrent('stays-in-progress: times out at the deadline with outputs and summary', async () => {
    const run = await runScenario({ scenario: 'stays-in-progress', inputs: { timeout: '3s' } })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'IN_PROGRESS', 'timed-out': 'true' })
    expect(Number(run.outputs.progress)).toBeGreaterThan(0)
    expect(run.summary).toContain('timed out')
    expect(errorLines(run.log)[0]).toContain(
      'Timed out after 3s waiting for batch batch-stays-in-progress (last status IN_PROGRESS at'
    )
    expect(run.requests.at(-1)!.at - run.requests[0]!.at).toBeLessThan(3000)
    expect(run.durationMs).toBeLessThan(3000 + 2500)
    expect(run.requests.some(r => r.method === 'POST')).toBe(false)
    expectKeySafe(run)
  })

  it.concurrent(
    'flaky: retries 429 (honouring retry-after), 503, 502 HTML, reset and non-JSON, then completes',
    async () => {
      const run = await runScenario({ scenario: 'flaky', inputs: { timeout: '30s' } })
      expect(run.exitCode).toBe(0)
      expect(run.outputs.status).toBe('COMPLETED')
      expect(run.requests.slice(1, 6).map(r => r.fault)).toEqual([
        'status 429',
        'status 503',
        'status 502',
        'reset',
        'bad-json'
      ])
      expect(gaps(run.requests)[1]).toBeGreaterThanOrEqual(1000)
      const warnings = run.log.split('\n').filter(l => l.startsWith('::warning'))
      expect(warnings).toHaveLength(5)
      expect(warnings[0]).toContain('HTTP 429: Rate limit exceeded')
      expect(warnings[2]).toContain('HTTP 502: HTML error page')
      expectKeySafe(run)
    }
  )

  it.concurrent('a wrong key fails at once with advice and is not retried', async () => {
    const run = await runScenario({ scenario: 'completes', inputs: { 'api-key': 'wrong-key-999' } })
    expect(run.exitCode).toBe(1)
    expect(run.requests).toHaveLength(1)
    expect(run.requests[0]!.auth).toBe('wrong')
    expect(errorLines(run.log)[0]).toContain('Together refused the API key (HTTP 401) for batch batch-completes')
    expectKeySafe(run, 'wrong-key-999', false)
  })
})
