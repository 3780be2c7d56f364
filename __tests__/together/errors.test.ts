import { describe, expect, it } from '@jest/globals'
import { TogetherError, type TogetherErrorKind } from '../../src/together/errors.js'

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
