import { describe, expect, it } from '@jest/globals'
import { openStep } from '../../src/orchestrate/opening.js'
import { parseSettings } from '../../src/settings.js'
import { actionInputs } from '../helpers/inputs.js'
import { recordingLogger } from '../helpers/virtual-time.js'

const settingsFor = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  parseSettings(name => actionInputs({ 'batch-id': 'b1', 'api-key': 'tk', ...inputs })[name] ?? '', env)

function open(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const log = recordingLogger()
  const outputs: Record<string, string> = {}
  const outcome = openStep(settingsFor(inputs, env), { log, setOutputs: o => Object.assign(outputs, o) })
  return { outcome, log, outputs }
}

describe('openStep', () => {
  it('lets a run with a key and fitting inputs go on, saying nothing', () => {
    const { outcome, log, outputs } = open({})
    expect(outcome).toBeUndefined()
    expect(log.lines).toEqual([])
    expect(outputs).toEqual({})
  })

  it('warns before the wait when timeout reaches the hosted-job limit', () => {
    const { outcome, log } = open({ timeout: '6h' }, { RUNNER_ENVIRONMENT: 'github-hosted' })
    expect(outcome).toBeUndefined()
    expect(log.text('warning')).toMatch(/^timeout 6h 00m is not shorter than the 6h GitHub gives a job/)
  })

  it('ends a run without a key under if-no-api-key: skip as a pass that checked nothing, passed false', () => {
    const { outcome, outputs } = open({ 'api-key': '', 'if-no-api-key': 'skip' })
    expect(outcome).toEqual({
      verdict: {
        ok: true,
        message:
          'No Together API key (runs from forks and Dependabot get no secrets): nothing was checked, as if-no-api-key: skip asks; passed stays false.'
      },
      title: 'Together batches',
      summary: '## ⏭️ Together batches not checked: no API key (if-no-api-key: skip)\n',
      annotations: []
    })
    expect(outputs).toEqual({ passed: 'false' })
  })
})
