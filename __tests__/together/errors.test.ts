import { describe, expect, it } from '@jest/globals'
import { TogetherError, codeOf, unreachableReason, type TogetherErrorKind } from '../../src/together/errors.js'

describe('TogetherError.transient', () => {
  it.each<[TogetherErrorKind, boolean]>([
    ['network', true],
    ['unreachable', true],
    ['timeout', true],
    ['invalid-response', true],
    ['aborted', false],
    ['unsupported-response', false],
    ['local', false],
    ['invalid-id', false],
    ['wrong-batch', false]
  ])('reads kind %s as transient=%s', (kind, transient) => {
    expect(new TogetherError('x', { kind }).transient).toBe(transient)
  })

  it.each([
    [undefined, true],
    [302, false],
    [400, false],
    [404, false],
    [408, true],
    [429, true],
    [500, true]
  ])('reads http status %j as transient=%s', (status, transient) => {
    expect(new TogetherError('x', { kind: 'http', status }).transient).toBe(transient)
  })

  it('is not about an unknown route unless told so', () => {
    expect(new TogetherError('x', { kind: 'http', status: 404 }).routeUnknown).toBe(false)
    expect(new TogetherError('x', { kind: 'http', status: 404, routeUnknown: true }).routeUnknown).toBe(true)
  })

  it('is not an HTML answer unless told so', () => {
    expect(new TogetherError('x', { kind: 'http', status: 404 }).html).toBe(false)
    expect(new TogetherError('x', { kind: 'invalid-response', html: true }).html).toBe(true)
  })
})

const failed = (message: string, fields: Record<string, unknown>): Error => Object.assign(new Error(message), fields)

describe('unreachableReason', () => {
  it("names the base URL's host when it does not resolve", () => {
    const error = failed('getaddrinfo ENOTFOUND api.example', { code: 'ENOTFOUND', hostname: 'api.example' })
    expect(unreachableReason(error, 'https://api.example/v1/batches')).toBe(
      'the host api.example does not resolve (getaddrinfo ENOTFOUND api.example)'
    )
  })

  it.each(['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER'])(
    'reads %s as a failed TLS handshake, pointing at NODE_EXTRA_CA_CERTS',
    code => {
      expect(unreachableReason(failed('refused', { code }), 'https://api.example/v1')).toBe(
        `the TLS handshake with api.example failed (${code}: refused); a TLS-inspecting proxy needs its CA in NODE_EXTRA_CA_CERTS`
      )
    }
  )

  it.each([
    ['a proxy host that does not resolve', { code: 'ENOTFOUND', hostname: 'proxy.example' }, 'https://api.example/v1'],
    ['a resolver that may recover', { code: 'EAI_AGAIN', hostname: 'api.example' }, 'https://api.example/v1'],
    ['EPROTO over plain http', { code: 'EPROTO' }, 'http://api.example/v1'],
    ['a reset connection', { code: 'ECONNRESET' }, 'https://api.example/v1']
  ])('leaves %s a network failure', (_case, fields, url) => {
    expect(unreachableReason(failed('x', fields), url)).toBeUndefined()
  })
})

describe('codeOf', () => {
  it.each([
    [failed('x', { code: 'ECONNRESET' }), 'ECONNRESET'],
    [new Error('x'), 'undefined'],
    [null, 'undefined'],
    [undefined, 'undefined']
  ])('reads the code of %j as %s', (error, code) => {
    expect(codeOf(error)).toBe(code)
  })
})
