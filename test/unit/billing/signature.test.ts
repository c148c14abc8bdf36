// The webhook signature scheme, checked against the stripe SDK's own helpers in both
// directions: headers the SDK makes verify here, and headers made here verify there.
import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { parseSignatureHeader, signatureHeader, verifySignature } from '../../../src/billing/signature.ts'

const secret = 'whsec_unit_test_secret'
const payload = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: {} } })
const now = 1_800_000_000_000
const t = now / 1000

const stripeHeader = (opts: { payload?: string; secret?: string; timestamp?: number } = {}) =>
  Stripe.webhooks.generateTestHeaderStringAsync({ payload: opts.payload ?? payload, secret: opts.secret ?? secret, timestamp: opts.timestamp ?? t })

const verify = (header: string | undefined, over: { payload?: string; secret?: string; nowMs?: number } = {}) =>
  verifySignature({ payload: over.payload ?? payload, header, secret: over.secret ?? secret, nowMs: over.nowMs ?? now })

describe('webhook signatures', () => {
  it('accepts a header made by the stripe SDK', async () => {
    expect(await verify(await stripeHeader())).toEqual({ ok: true, timestamp: t })
  })

  it('makes headers the stripe SDK accepts', async () => {
    const header = await signatureHeader(payload, secret, Math.floor(Date.now() / 1000))
    const event = await Stripe.webhooks.constructEventAsync(payload, header, secret)
    expect(event.id).toBe('evt_1')
    expect(header).toBe(await stripeHeader({ timestamp: Math.floor(Date.now() / 1000) }))
  })

  it('refuses a tampered body, a wrong secret, and a missing or malformed header', async () => {
    const header = await stripeHeader()
    expect(await verify(header, { payload: payload.replace('evt_1', 'evt_2') })).toEqual({ ok: false, reason: 'mismatch' })
    expect(await verify(header, { secret: 'whsec_other' })).toEqual({ ok: false, reason: 'mismatch' })
    expect(await verify(undefined)).toEqual({ ok: false, reason: 'missing' })
    expect(await verify('')).toEqual({ ok: false, reason: 'missing' })
    expect(await verify('v1=abc')).toEqual({ ok: false, reason: 'malformed' })
    expect(await verify(`t=${t}`)).toEqual({ ok: false, reason: 'malformed' })
    expect(await verify(`t=${t},v1=zz`)).toEqual({ ok: false, reason: 'mismatch' })
    // v0 (Stripe's test-mode scheme) is not a signature we accept.
    expect(await verify(header.replace('v1=', 'v0='))).toEqual({ ok: false, reason: 'malformed' })
  })

  it('accepts any of several v1 signatures (secret rotation)', async () => {
    const good = (await stripeHeader()).split('v1=')[1]
    expect(await verify(`t=${t},v1=${'0'.repeat(64)},v1=${good}`)).toEqual({ ok: true, timestamp: t })
    expect(await verify(`t=${t},v1=${'0'.repeat(64)},v1=${'1'.repeat(64)}`)).toEqual({ ok: false, reason: 'mismatch' })
  })

  it('holds a 5-minute tolerance either way', async () => {
    expect((await verify(await stripeHeader({ timestamp: t - 300 }))).ok).toBe(true)
    expect(await verify(await stripeHeader({ timestamp: t - 301 }))).toEqual({ ok: false, reason: 'stale' })
    expect(await verify(await stripeHeader({ timestamp: t + 301 }))).toEqual({ ok: false, reason: 'stale' })
    // A forged header with a fresh timestamp is a mismatch, not "stale".
    expect(await verify(`t=${t - 1000},v1=${'0'.repeat(64)}`)).toEqual({ ok: false, reason: 'mismatch' })
  })

  it('parses headers with spaces and unknown parts', () => {
    expect(parseSignatureHeader(' t=12 , v1=ab, v0=cd, x=1')).toEqual({ timestamp: 12, signatures: ['ab'] })
    expect(parseSignatureHeader('t=abc,v1=ab')).toBeNull()
  })
})
