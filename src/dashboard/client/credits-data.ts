// The Credits page's pure pieces: the Checkout amount a visitor typed, the ledger's labels and
// signed amounts, and the note shown on the way back from Stripe.

export type LedgerType = 'topup' | 'refund' | 'grant' | 'adjustment' | 'charge'

export interface LedgerEntry {
  id: string
  type: LedgerType
  amount: number
  created_at: string
  description: string | null
  requests: number | null
}

export const LEDGER_LABELS: Record<LedgerType, string> = {
  topup: 'Top-up',
  refund: 'Refund',
  grant: 'Grant',
  adjustment: 'Adjustment',
  charge: 'Usage',
}

/** Dollars as typed ("25", "$1,000.50") → whole cents within [min, max] dollars, or why not. */
export const parseAmount = (text: string, min: number, max: number): { cents: number } | { error: string } => {
  const clean = text.trim().replace(/^\$/, '').replaceAll(',', '')
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return { error: 'Enter an amount in dollars, to the cent (for example 25 or 12.50).' }
  const [whole = '0', frac = ''] = clean.split('.')
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'))
  if (!Number.isSafeInteger(cents) || cents < min * 100 || cents > max * 100) return { error: `Enter an amount from $${min} to $${max.toLocaleString('en-US')}.` }
  return { cents }
}

/** Where Stripe sent the browser back (`?checkout=success|cancelled`), as a note; null otherwise. */
export const checkoutNote = (search: string): { ok: boolean; text: string } | null => {
  const state = new URLSearchParams(search).get('checkout')
  if (state === 'success') return { ok: true, text: 'Payment received by Stripe. The credit appears here when Stripe\'s webhook reaches the gateway, usually within seconds: Refresh to see it.' }
  if (state === 'cancelled') return { ok: false, text: 'Checkout was cancelled: nothing was charged.' }
  return null
}

