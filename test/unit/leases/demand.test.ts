// A key's demand window (src/leases/demand.ts) against the plain definition: the samples in
// (now − window, now], counted, summed and their largest hold, for any sequence of requests
// and looks on a clock that never goes back.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DemandWindow } from '../../../src/leases/demand.ts'

const WINDOW = 3_000

describe('DemandWindow', () => {
  it('counts, sums and maxes the window as the samples themselves would, whatever the sequence', () => {
    // Each step moves the clock on by 0–2,000 ms, then records a request (with its hold) or only looks.
    const step = fc.record({ dt: fc.integer({ min: 0, max: 2_000 }), hold: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: undefined }) })
    fc.assert(fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
      const w = new DemandWindow(WINDOW)
      const samples: { at: number; micro: number }[] = []
      let now = 0
      for (const s of steps) {
        now += s.dt
        if (s.hold !== undefined) {
          w.push(now, s.hold)
          samples.push({ at: now, micro: s.hold })
        }
        const inWindow = samples.filter((x) => x.at > now - WINDOW && x.at <= now)
        expect(w.count(now)).toBe(inWindow.length)
        expect(w.sumMicro(now)).toBe(inWindow.reduce((a, x) => a + x.micro, 0))
        expect(w.maxMicro(now)).toBe(inWindow.reduce((a, x) => Math.max(a, x.micro), 0))
        expect(w.lastAt()).toBe(samples.at(-1)?.at ?? -Infinity)
      }
    }), { numRuns: 300 })
  })

  it('holds a busy key\'s window in place: thousands of requests a window, compacted as they age', () => {
    const w = new DemandWindow(WINDOW)
    for (let t = 0; t < 20_000; t++) w.push(t, t % 7)
    expect(w.count(19_999)).toBe(WINDOW)
    expect(w.maxMicro(19_999)).toBe(6)
    expect(w.count(19_999 + WINDOW)).toBe(0)
    expect(w.sumMicro(19_999 + WINDOW)).toBe(0)
    expect(w.maxMicro(19_999 + WINDOW)).toBe(0)
  })

  it('spend per second is the window\'s holds over its length: the edge of the window is out', () => {
    const w = new DemandWindow(WINDOW)
    w.push(0, 999)
    w.push(8_000, 3_000)
    w.push(9_000, 3_000)
    expect((w.sumMicro(10_000) * 1000) / WINDOW).toBe(2_000)
    expect(w.count(11_000)).toBe(1) // 8,000 is at the window's open edge at 11,000
    expect(w.sumMicro(20_000)).toBe(0)
  })
})
