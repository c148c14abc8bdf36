// The error a client gets once every attempt has failed: its status, and the
// Retry-After it carries on a 429 or 503 (the soonest hint any endpoint gave).
import { describe, expect, it } from 'vitest'
import { catalogIndex } from '../../../src/catalog/lookup.ts'
import type { ProviderError } from '../../../src/providers/types.ts'
import { finalError, type Failure } from '../../../src/routing/attempt.ts'
import type { PlannedAttempt } from '../../../src/routing/plan.ts'
import type { FailureKind } from '../../../src/routing/retryable.ts'

const index = catalogIndex()
const echo = index.models.get('fake/echo')!
const attemptOn = (providerId: string): PlannedAttempt => {
  const endpoint = echo.endpoints.find((e) => e.provider === providerId)!
  return { model: echo, endpoint, provider: index.providers.get(providerId)!, config: { baseUrl: 'http://x.test', apiKey: undefined } }
}

const failure = (kind: FailureKind, error: ProviderError, provider = 'fake'): Failure => ({ kind, error, attempt: attemptOn(provider) })
const status = (code: number, retryAfter?: number, provider = 'fake') =>
  failure('status', { status: code, message: `HTTP ${code}`, ...(retryAfter !== undefined ? { retryAfter } : {}) }, provider)
const timeout = (provider = 'fake') => failure('timeout', { status: 504, message: 'Upstream timed out' }, provider)

const retryAfterOf = (failures: Failure[]) => finalError(failures).headers?.['retry-after']

describe('finalError', () => {
  it('503 when every endpoint is overloaded, with the smallest Retry-After they gave', () => {
    const failures = [status(503, 30), status(503, 4, 'fake-eu')]
    expect(finalError(failures).status).toBe(503)
    expect(retryAfterOf(failures)).toBe('4')
  })

  it('a hint from one endpoint is kept when another failed without one (a timeout says nothing about when)', () => {
    expect(retryAfterOf([timeout(), status(503, 12, 'fake-eu')])).toBe('12')
    expect(retryAfterOf([status(502, 9), timeout('fake-eu')])).toBe('9')
  })

  it('no Retry-After when no endpoint gave one', () => {
    expect(finalError([status(503), timeout('fake-eu')]).status).toBe(503)
    expect(retryAfterOf([status(503), timeout('fake-eu')])).toBeUndefined()
    expect(retryAfterOf([status(429), status(429, undefined, 'fake-eu')])).toBeUndefined()
  })

  it('429 when every endpoint is rate limited, with the smallest hint; a hint of 0 becomes 1 s', () => {
    expect(finalError([status(429, 20), status(429, 7, 'fake-eu')]).status).toBe(429)
    expect(retryAfterOf([status(429, 20), status(429, 7, 'fake-eu')])).toBe('7')
    expect(retryAfterOf([status(429, 0)])).toBe('1')
  })

  it('no Retry-After on a relayed request error or a 502', () => {
    expect(finalError([status(400, 5)]).status).toBe(400)
    expect(retryAfterOf([status(400, 5)])).toBeUndefined()
    const mixed = [status(429, 5), status(401, undefined, 'fake-eu')]
    expect(finalError(mixed).status).toBe(502)
    expect(retryAfterOf(mixed)).toBeUndefined()
  })
})
