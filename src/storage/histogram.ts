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

