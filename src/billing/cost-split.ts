// PURE: a generation's charged total split into what it paid for (prompt, cache reads and
// writes, the per-request fee, completion, and the reasoning part of the completion).
// The record stores only the total, so the split is computed when it is read: each part's
// weight is its tokens at the serving endpoint's catalog prices (exact picodollars, as
// pricing.ts charges), and the charged total is shared out in whole microdollars by those
// weights (largest remainder), so the parts always add up to the total exactly.
import type { Pricing } from '../catalog/schema.ts'

export const COST_PARTS = ['prompt', 'cache_read', 'cache_write', 'request', 'completion', 'reasoning'] as const
export type CostPart = (typeof COST_PARTS)[number]
export type CostSplit = Record<CostPart, number>

export interface StoredUsage {
  prompt: number
  cached: number
  cacheWrite: number
  completion: number
  reasoning: number
}

const big = (n: number | undefined) => BigInt(Math.max(Math.trunc(n ?? 0), 0))

/** Picodollar weights of each part, as costOf prices them (reasoning is billed at the completion price, within completion). */
export const costWeights = (u: StoredUsage, p: Pricing): Record<CostPart, bigint> => {
  const prompt = Math.max(u.prompt, 0)
  const cached = Math.min(Math.max(u.cached, 0), prompt)
  const written = Math.min(Math.max(u.cacheWrite, 0), prompt - cached)
  const completion = Math.max(u.completion, 0)
  const reasoning = Math.min(Math.max(u.reasoning, 0), completion)
  return {
    prompt: big(prompt - cached - written) * big(p.prompt),
    cache_read: big(cached) * big(p.cache_read ?? p.prompt),
    cache_write: big(written) * big(p.cache_write ?? p.prompt),
    request: big(p.request) * 1_000_000n,
    completion: big(completion - reasoning) * big(p.completion),
    reasoning: big(reasoning) * big(p.completion),
  }
}

/**
 * totalMicro shared out by the weights: each part gets its floor share, and the microdollars left
 * go one each to the largest remainders (earlier parts first on a tie). null when there is a total
 * but nothing to share it by (the endpoint is free now, or no longer in the catalog).
 */
export const splitCost = (totalMicro: number, weights: Record<CostPart, bigint>): CostSplit | null => {
  const total = big(totalMicro)
  const sum = COST_PARTS.reduce((s, k) => s + weights[k], 0n)
  const zero = Object.fromEntries(COST_PARTS.map((k) => [k, 0])) as CostSplit
  if (total === 0n) return zero
  if (sum === 0n) return null
  const shares = COST_PARTS.map((k) => ({ k, floor: (total * weights[k]) / sum, rem: (total * weights[k]) % sum }))
  let left = total - shares.reduce((s, x) => s + x.floor, 0n)
  const order = [...shares].sort((a, b) => (a.rem === b.rem ? 0 : a.rem > b.rem ? -1 : 1))
  for (const s of order) {
    if (left === 0n) break
    s.floor += 1n
    left -= 1n
  }
  return Object.fromEntries(shares.map((s) => [s.k, Number(s.floor)])) as CostSplit
}
