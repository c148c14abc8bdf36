// Admission: the hold a plan needs and the gate's answer, turned into OpenRouter's
// 402 messages (COMPAT.md §6.3). The gate call is the one blocking DO round trip (I4).
import type { KeyRecord } from '../auth/key-cache.ts'
import { GatewayError } from '../errors.ts'
import { toDollars } from '../lib/money.ts'
import { gateFor } from '../objects/clients.ts'
import type { AdmitResult } from '../objects/account-gate.ts'
import type { PlannedAttempt } from '../routing/plan.ts'
import { affordableOutput, worstCase } from './pricing.ts'

/** Output tokens an attempt may produce: the request's cap, else the endpoint's maximum. */
export const maxOutputFor = (a: PlannedAttempt, requested: number | undefined): number =>
  Math.min(requested ?? a.endpoint.max_output, a.endpoint.max_output)

/** The dearest attempt's worst case: whichever endpoint serves, the hold covers it. */
export const holdFor = (attempts: PlannedAttempt[], promptTokens: number, requested: number | undefined, markupBps: number) => {
  let hold = 0
  let dearest = attempts[0]
  for (const a of attempts) {
    const cost = worstCase(promptTokens, maxOutputFor(a, requested), a.endpoint.pricing, markupBps)
    if (cost > hold || !dearest) [hold, dearest] = [cost, a]
  }
  return { holdMicro: hold, dearest }
}

export const admit = (env: Env, key: KeyRecord, generationId: string, holdMicro: number): Promise<AdmitResult> =>
  gateFor(env, key.accountId).admit({ accountId: key.accountId, keyHash: key.hash, generationId, holdMicro })

export const denial = (
  result: Extract<AdmitResult, { ok: false }>,
  dearest: PlannedAttempt | undefined,
  promptTokens: number,
  requested: number | undefined,
  markupBps: number,
): GatewayError => {
  const metadata = {
    limit: 'account_balance',
    balance: toDollars(result.balanceMicro),
    available: toDollars(Math.max(result.availableMicro, 0)),
  }
  switch (result.reason) {
    case 'suspended':
      return new GatewayError('payment_required', 'This account is suspended pending a payment dispute', { metadata: { ...metadata, limit: 'account_status' } })
    case 'unknown_account':
      return new GatewayError('unauthorized', 'User not found.')
    case 'negative_balance':
      return new GatewayError('payment_required', 'Insufficient credits: the account balance is negative. Add credits to continue.', { metadata })
    case 'insufficient_credits': {
      if (!dearest || result.availableMicro <= 0) {
        return new GatewayError('payment_required', 'Insufficient credits. Add more credits to continue.', { metadata })
      }
      const affordable = affordableOutput(result.availableMicro, promptTokens, dearest.endpoint.pricing, markupBps)
      if (affordable <= 0) {
        return new GatewayError('payment_required', `Prompt tokens limit exceeded: the prompt (about ${promptTokens} tokens) costs more than the ${toDollars(result.availableMicro)} USD available`, { metadata })
      }
      const wanted = maxOutputFor(dearest, requested)
      return new GatewayError(
        'payment_required',
        `This request requires more credits, or fewer max_tokens. You requested up to ${wanted} tokens, but can only afford ${affordable}. Add credits or lower max_tokens.`,
        { metadata: { ...metadata, requested_tokens: wanted, affordable_tokens: affordable } },
      )
    }
  }
}
