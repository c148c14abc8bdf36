// Number formatting for the dashboard: money in USD, counts, durations. Pure.

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 })
const usdFine = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 })
const count = new Intl.NumberFormat('en-US')

/** Dollars to the cent, or to the microdollar for small amounts (a single request's cost). */
export const money = (dollars: number, fine = false) => (fine || (dollars !== 0 && Math.abs(dollars) < 0.01) ? usdFine : usd).format(dollars)

export const int = (n: number) => count.format(Math.round(n))

export const ms = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`)

/** USD per token as USD per million tokens, as model pages show prices. */
export const perMillion = (perToken: string | number | undefined) => {
  const n = Number(perToken ?? 0)
  return n === 0 ? 'free' : `${usdFine.format(n * 1_000_000)}/M`
}

export const tokensShort = (n: number) => (n >= 1_000_000 ? `${(n / 1_000_000).toFixed(n % 1_000_000 ? 1 : 0)}M` : n >= 1000 ? `${Math.round(n / 1000)}K` : String(n))
