// One deadline at a time for an attempt's first-byte and total limits (src/routing/limits.ts).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { attemptLimits } from '../../../src/routing/limits.ts'

describe('attemptLimits', () => {
  it('waits for the sooner limit, then re-arms for the total once the first byte came', () => {
    const l = attemptLimits(1_000, { firstByteMs: 100, totalMs: 3_000 })
    expect(l.next(1_000)).toEqual({ kind: 'wait', ms: 100 })
    expect(l.next(1_100)).toEqual({ kind: 'expired', limit: 'first byte' })
    l.firstByteSeen()
    expect(l.next(1_100)).toEqual({ kind: 'wait', ms: 2_900 })
    expect(l.next(4_000)).toEqual({ kind: 'expired', limit: 'total' })
  })

  it('a stream has only the first-byte limit; after it, nothing is timed', () => {
    const l = attemptLimits(0, { firstByteMs: 50 })
    expect(l.next(10)).toEqual({ kind: 'wait', ms: 40 })
    l.firstByteSeen()
    expect(l.next(60)).toEqual({ kind: 'none' })
  })

  it('a whole JSON answer has only the total', () => {
    const l = attemptLimits(0, { totalMs: 500 })
    expect(l.next(0)).toEqual({ kind: 'wait', ms: 500 })
    expect(l.next(499)).toEqual({ kind: 'wait', ms: 1 })
    expect(l.next(500)).toEqual({ kind: 'expired', limit: 'total' })
  })

  it('a total shorter than the first-byte limit expires first, as "total"', () => {
    const l = attemptLimits(0, { firstByteMs: 800, totalMs: 300 })
    expect(l.next(0)).toEqual({ kind: 'wait', ms: 300 })
    expect(l.next(300)).toEqual({ kind: 'expired', limit: 'total' })
  })

  it('never expires before a limit, always by the time of the earliest one still pending', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 20_000 }), fc.option(fc.integer({ min: 0, max: 20_000 })),
      (firstByteMs, totalMs, now, seenAt) => {
        const l = attemptLimits(0, { firstByteMs, totalMs })
        const seen = seenAt !== null && seenAt < Math.min(firstByteMs, totalMs, now + 1)
        if (seen) l.firstByteSeen()
        const due = seen ? totalMs : Math.min(firstByteMs, totalMs)
        const next = l.next(now)
        if (now < due) expect(next).toEqual({ kind: 'wait', ms: due - now })
        else expect(next).toEqual({ kind: 'expired', limit: !seen && firstByteMs <= totalMs ? 'first byte' : 'total' })
      },
    ))
  })
})
