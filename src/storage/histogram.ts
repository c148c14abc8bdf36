// PURE: the fixed latency and time-to-first-token histograms of the rollups. Bucket i counts
// values below UPPER_MS[i] (and at least the bound before it); the last counts the rest.
// The bounds are part of the stored data: change them only with a migration.

export const UPPER_MS = [100, 250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 120_000] as const
export const BUCKETS = UPPER_MS.length + 1

export const bucketOf = (ms: number): number => {
  const i = UPPER_MS.findIndex((upper) => ms < upper)
  return i === -1 ? UPPER_MS.length : i
}

/** A bucket's range for display: [from, to) in ms, `to` null for the last. */
export const bucketRange = (i: number): { from: number; to: number | null } => ({ from: i === 0 ? 0 : UPPER_MS[i - 1] ?? 0, to: UPPER_MS[i] ?? null })


/**
 * The p-th quantile (0 < p ≤ 1, nearest rank) of the values a histogram counted, or null when
 * it counted none. The bucket is exact; inside it the value is placed linearly by rank, so it
 * always lies in the bucket that holds the true quantile. The open last bucket answers its
 * lower bound (a floor: "at least 120 s").
 */
export const quantile = (counts: readonly number[], p: number): number | null => {
  const n = counts.reduce((a, b) => a + b, 0)
  if (n === 0) return null
  const rank = Math.max(1, Math.ceil(p * n))
  let below = 0
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0
    if (below + c >= rank) {
      const { from, to } = bucketRange(i)
      if (to === null) return from
      return Math.floor(from + ((to - from) * (rank - below - 0.5)) / c)
    }
    below += c
  }
  return bucketRange(counts.length - 1).from
}

/** Adds histograms bucket by bucket (into `into`, which it returns). */
export const addCounts = (into: number[], counts: readonly number[]): number[] => {
  for (let i = 0; i < counts.length; i++) into[i] = (into[i] ?? 0) + (counts[i] ?? 0)
  return into
}
