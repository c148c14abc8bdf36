// The Credits page's pure pieces (src/dashboard/client/credits-data.ts).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkoutNote, parseAmount } from '../../../src/dashboard/client/credits-data.ts'

describe('parseAmount', () => {
  it('reads dollars to the cent, with a $ and thousands commas', () => {
    expect(parseAmount('25', 1, 10_000)).toEqual({ cents: 2500 })
    expect(parseAmount(' $1,000.5 ', 1, 10_000)).toEqual({ cents: 100_050 })
    expect(parseAmount('12.34', 1, 10_000)).toEqual({ cents: 1234 })
    expect(parseAmount('10000', 1, 10_000)).toEqual({ cents: 1_000_000 })
  })

  it('refuses fractions of a cent, other text, and amounts out of range, saying why', () => {
    for (const bad of ['', 'abc', '1.234', '-5', '1e3', '0x10', '.5']) expect(parseAmount(bad, 1, 10_000), bad).toHaveProperty('error')
    expect(parseAmount('0.99', 1, 10_000)).toEqual({ error: 'Enter an amount from $1 to $10,000.' })
    expect(parseAmount('10000.01', 1, 10_000)).toEqual({ error: 'Enter an amount from $1 to $10,000.' })
  })

  it('any whole number of cents in range, written as dollars, reads back exactly', () => {
    fc.assert(fc.property(fc.integer({ min: 100, max: 1_000_000 }), (cents) => {
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
      expect(parseAmount(text, 1, 10_000)).toEqual({ cents })
    }))
  })
})

describe('checkoutNote', () => {
  it('says what happened on the way back from Stripe, and nothing otherwise', () => {
    expect(checkoutNote('?checkout=success')).toMatchObject({ ok: true })
    expect(checkoutNote('?checkout=cancelled')).toEqual({ ok: false, text: 'Checkout was cancelled: nothing was charged.' })
    expect(checkoutNote('')).toBeNull()
    expect(checkoutNote('?checkout=other')).toBeNull()
  })
})

