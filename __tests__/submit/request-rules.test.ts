import { describe, expect, it } from '@jest/globals'
import {
  checkRequestLine,
  isSubmitEndpoint,
  SUBMIT_ENDPOINTS,
  type SubmitEndpoint
} from '../../src/submit/request-rules.js'

const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] }
const line = (value: unknown): string => JSON.stringify(value)

describe('checkRequestLine', () => {
  it.each<[string, string, SubmitEndpoint, string]>([
    ['an empty line', '', '/v1/chat/completions', 'not-json'],
    ['a line of spaces', '   ', '/v1/chat/completions', 'not-json'],
    ['broken JSON', '{"custom_id": "a", ', '/v1/chat/completions', 'not-json'],
    ['an array', line([1, 2]), '/v1/chat/completions', 'not-object'],
    ['a string', line('text'), '/v1/chat/completions', 'not-object'],
    ['null', 'null', '/v1/chat/completions', 'not-object'],
    ['no custom_id', line({ body: chat }), '/v1/chat/completions', 'custom-id'],
    ['a numeric custom_id', line({ custom_id: 7, body: chat }), '/v1/chat/completions', 'custom-id'],
    ['an empty custom_id', line({ custom_id: '', body: chat }), '/v1/chat/completions', 'custom-id'],
    ['a blank custom_id', line({ custom_id: '  ', body: chat }), '/v1/chat/completions', 'custom-id'],
    ['no body', line({ custom_id: 'a' }), '/v1/chat/completions', 'body'],
    ['a string body', line({ custom_id: 'a', body: 'hi' }), '/v1/chat/completions', 'body'],
    ['an array body', line({ custom_id: 'a', body: [chat] }), '/v1/chat/completions', 'body'],
    [
      'chat without a model',
      line({ custom_id: 'a', body: { messages: chat.messages } }),
      '/v1/chat/completions',
      'model'
    ],
    [
      'chat with an empty model',
      line({ custom_id: 'a', body: { ...chat, model: '' } }),
      '/v1/chat/completions',
      'model'
    ],
    [
      'chat with a numeric model',
      line({ custom_id: 'a', body: { ...chat, model: 3 } }),
      '/v1/chat/completions',
      'model'
    ],
    ['chat without messages', line({ custom_id: 'a', body: { model: 'm' } }), '/v1/chat/completions', 'messages'],
    [
      'chat with no messages',
      line({ custom_id: 'a', body: { model: 'm', messages: [] } }),
      '/v1/chat/completions',
      'messages'
    ],
    [
      'chat with messages as text',
      line({ custom_id: 'a', body: { model: 'm', messages: 'hi' } }),
      '/v1/chat/completions',
      'messages'
    ],
    ['completions without a model', line({ custom_id: 'a', body: { prompt: 'p' } }), '/v1/completions', 'model'],
    ['completions without a prompt', line({ custom_id: 'a', body: { model: 'm' } }), '/v1/completions', 'prompt'],
    [
      'completions with an empty prompt',
      line({ custom_id: 'a', body: { model: 'm', prompt: '' } }),
      '/v1/completions',
      'prompt'
    ],
    [
      'completions with no prompts',
      line({ custom_id: 'a', body: { model: 'm', prompt: [] } }),
      '/v1/completions',
      'prompt'
    ],
    ['audio without a body', line({ custom_id: 'a' }), '/v1/audio/transcriptions', 'body']
  ])('refuses %s for %s', (_what, text, endpoint, kind) => {
    expect(checkRequestLine(text, endpoint, false)).toMatchObject({ kind })
  })

  it.each<[string, string, SubmitEndpoint, object]>([
    ['a chat request', line({ custom_id: 'r1', body: chat }), '/v1/chat/completions', { customId: 'r1', model: 'm' }],
    [
      'a completions request with a prompt list',
      line({ custom_id: 'r2', body: { model: 'm', prompt: ['a', 'b'] } }),
      '/v1/completions',
      { customId: 'r2', model: 'm' }
    ],
    [
      'an audio request, which needs no model',
      line({ custom_id: 'r3', body: { file: 'x.wav' } }),
      '/v1/audio/translations',
      { customId: 'r3' }
    ],
    [
      'a request whose strings hold U+2028 and a CR between tokens',
      `{"custom_id":"r4",\r"body":{"model":"m","messages":[{"role":"user","content":"a\u2028b"}]}}`,
      '/v1/chat/completions',
      { customId: 'r4', model: 'm' }
    ]
  ])('accepts %s', (_what, text, endpoint, checked) => {
    expect(checkRequestLine(text, endpoint, false)).toEqual(checked)
  })

  it('points out a byte order mark on the first line only', () => {
    const text = `\uFEFF${line({ custom_id: 'a', body: chat })}`
    expect(checkRequestLine(text, '/v1/chat/completions', true)).toEqual({
      kind: 'not-json',
      message: 'starts with a byte order mark; save the file as UTF-8 without BOM'
    })
    expect(checkRequestLine(text, '/v1/chat/completions', false)).toEqual({
      kind: 'not-json',
      message: 'not valid JSON'
    })
  })

  it('names the endpoint in the messages about the body', () => {
    expect(checkRequestLine(line({ custom_id: 'a', body: {} }), '/v1/completions', false)).toEqual({
      kind: 'model',
      message: 'body.model must be a non-empty string (the model for /v1/completions)'
    })
  })
})

describe('the endpoints a batch can be created for', () => {
  it('accepts the endpoints of the SDKs, chat first (the default)', () => {
    expect(SUBMIT_ENDPOINTS[0]).toBe('/v1/chat/completions')
    for (const endpoint of SUBMIT_ENDPOINTS) expect(isSubmitEndpoint(endpoint)).toBe(true)
  })

  it.each(['/v1/embeddings', 'v1/chat/completions', '/v1/chat/completions/', '', '/V1/COMPLETIONS'])(
    'refuses the endpoint %j',
    endpoint => {
      expect(isSubmitEndpoint(endpoint)).toBe(false)
    }
  )
})
