// PURE: an attempt's time limits as one deadline at a time, so the attempt loop runs one
// timer (not one per limit): until the first byte, the sooner of the first-byte and total
// deadlines; after it, the total's. A timer that fires before the limit it was armed for
// has passed (the first byte came meanwhile) is re-armed for what is left.
export type Limit = 'first byte' | 'total'
export type Next = { kind: 'wait'; ms: number } | { kind: 'expired'; limit: Limit } | { kind: 'none' }

export const attemptLimits = (started: number, { firstByteMs, totalMs }: { firstByteMs?: number; totalMs?: number }) => {
  let seen = false
  return {
    firstByteSeen: () => {
      seen = true
    },
    /** What to do at `now`: wait `ms` more, give up on a limit, or nothing left to time. */
    next: (now: number): Next => {
      const deadlines: [Limit, number][] = []
      if (!seen && firstByteMs !== undefined) deadlines.push(['first byte', started + firstByteMs])
      if (totalMs !== undefined) deadlines.push(['total', started + totalMs])
      if (deadlines.length === 0) return { kind: 'none' }
      const [limit, at] = deadlines.reduce((a, b) => (b[1] < a[1] ? b : a))
      return at <= now ? { kind: 'expired', limit } : { kind: 'wait', ms: at - now }
    },
  }
}
