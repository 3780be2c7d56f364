import { describe, expect, it } from '@jest/globals'
import { isReuseMode, isSubmitEndpoint, REUSE_MODES, SUBMIT_ENDPOINTS } from '../../src/submit/options.js'

describe('submit options', () => {
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

  it('knows the three reuse modes, running first (the default)', () => {
    expect(REUSE_MODES).toEqual(['running', 'completed', 'never'])
    expect(isReuseMode('completed')).toBe(true)
    expect(isReuseMode('always')).toBe(false)
  })
})
