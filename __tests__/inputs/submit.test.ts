import { describe, expect, it } from '@jest/globals'
import { InputError, withDefaults } from '../../src/inputs/reader.js'
import { submitRequest } from '../../src/inputs/submit.js'
import { SUBMIT_ENDPOINTS } from '../../src/submit/request-rules.js'
import { readActionYaml } from '../../tools/runner/run-action.js'

const FILE = { path: '/w/evals.jsonl', name: 'evals.jsonl', workspace: '/w' }
const reader = (inputs: Record<string, string> = {}) => withDefaults(name => inputs[name] ?? '')

describe('submitRequest', () => {
  it('submits input-file with the default endpoint and reuse when no batch-id is given', () => {
    expect(submitRequest(reader(), 'wait', [], FILE)).toEqual({
      file: FILE,
      endpoint: '/v1/chat/completions',
      reuse: 'running'
    })
    expect(submitRequest(reader({ endpoint: ' /v1/completions ', reuse: 'Completed' }), 'track', [], FILE)).toEqual({
      file: FILE,
      endpoint: '/v1/completions',
      reuse: 'completed'
    })
  })

  it.each([
    ['a batch-id is given (input-file only places annotations)', 'wait', ['b1'], FILE],
    ['the mode is report', 'report', [], FILE],
    ['there is no input-file', 'wait', [], undefined]
  ] as const)('submits nothing when %s', (_why, mode, ids, file) => {
    expect(submitRequest(reader(), mode, ids, file)).toBeUndefined()
  })

  it.each([
    [
      { endpoint: '/v1/embeddings' },
      "Invalid endpoint '/v1/embeddings'. Expected one of the endpoints Together runs batches for: /v1/chat/completions, /v1/completions, /v1/audio/transcriptions, /v1/audio/translations."
    ],
    [
      { endpoint: 'https://api.together.ai/v1/chat/completions' },
      "Invalid endpoint 'https://api.together.ai/v1/chat/completions'"
    ],
    [{ reuse: 'always' }, "Invalid reuse 'always'. Expected running, completed, never."]
  ])('refuses %j before any request, whatever the mode', (inputs, message) => {
    for (const ids of [[], ['b1']]) {
      expect(() => submitRequest(reader(inputs), 'wait', ids, FILE)).toThrow(message)
      expect(() => submitRequest(reader(inputs), 'wait', ids, FILE)).toThrow(InputError)
    }
  })

  it("names in action.yml's description every endpoint it accepts", () => {
    const description = readActionYaml().inputs?.endpoint as { description: string }
    for (const endpoint of SUBMIT_ENDPOINTS) expect(description.description).toContain(endpoint)
  })
})
