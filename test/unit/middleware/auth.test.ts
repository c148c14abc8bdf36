// Where a request's key is read from: Authorization: Bearer, or Anthropic's x-api-key.
import { describe, expect, it } from 'vitest'
import { tokenOf } from '../../../src/middleware/auth.ts'

describe('tokenOf', () => {
  it('reads a Bearer token, any case, trimmed', () => {
    expect(tokenOf('Bearer sk-sb-v1-abc', undefined)).toBe('sk-sb-v1-abc')
    expect(tokenOf('bearer   sk-sb-v1-abc  ', undefined)).toBe('sk-sb-v1-abc')
  })

  it('reads x-api-key when there is no Bearer token (the Anthropic SDKs send the key there)', () => {
    expect(tokenOf(undefined, 'sk-sb-v1-abc')).toBe('sk-sb-v1-abc')
    expect(tokenOf('Basic dXNlcjpwYXNz', ' sk-sb-v1-abc ')).toBe('sk-sb-v1-abc')
  })

  it('Bearer wins when both are sent', () => {
    expect(tokenOf('Bearer sk-sb-v1-bearer', 'sk-sb-v1-header')).toBe('sk-sb-v1-bearer')
  })

  it('nothing usable is undefined', () => {
    expect(tokenOf(undefined, undefined)).toBeUndefined()
    expect(tokenOf('Bearer ', '  ')).toBeUndefined()
    expect(tokenOf('', '')).toBeUndefined()
  })
})
