// Money as integers (docs/invariants.md): prices are microdollars per million
// tokens (= picodollars per token), costs are computed exactly in picodollars
// and rounded up to whole microdollars, which balances and the ledger use.

declare const brand: unique symbol
/** Whole microdollars (1e-6 USD). */
export type Microdollars = number & { readonly [brand]: 'µ$' }

export const MICROS_PER_DOLLAR = 1_000_000

export const micro = (n: number): Microdollars => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a whole number of microdollars: ${n}`)
  return n as Microdollars
}

/** Picodollars (bigint, exact) → microdollars, rounded up so we never undercharge. */
export const picoToMicro = (pico: bigint): Microdollars => {
  const whole = pico / 1_000_000n
  return micro(Number(pico % 1_000_000n === 0n ? whole : whole + 1n))
}

/** Microdollars as the dollars the API shows (OpenRouter reports USD numbers). */
export const toDollars = (m: number): number => m / MICROS_PER_DOLLAR

/** Dollars from an API field (e.g. a key limit) → microdollars, rounded to the nearest micro. */
export const fromDollars = (usd: number): Microdollars => micro(Math.round(usd * MICROS_PER_DOLLAR))

/** A per-token price string as /models shows it: USD per token, e.g. "0.00000015". */
export const perTokenDollars = (microPerMillion: number): string => {
  if (microPerMillion === 0) return '0'
  // µ$/M tokens = 1e-12 USD per token: print exactly, without float noise.
  const digits = String(microPerMillion).padStart(13, '0')
  const int = digits.slice(0, -12).replace(/^0+(?=\d)/, '')
  const frac = digits.slice(-12).replace(/0+$/, '')
  return frac ? `${int}.${frac}` : int
}
