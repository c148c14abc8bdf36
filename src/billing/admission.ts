// Admission: the hold a plan needs and the gate's answer, turned into OpenRouter's
// 401/402/429 errors (docs/compatibility.md#pre-authorization). Each denial names in `error.metadata`
// the limit that was hit, its value and when it resets. The gate call is the one
// blocking Durable Object round trip before the upstream (I4).
import type { KeyRecord } from '../auth/key-cache.ts'
import { GatewayError } from '../errors.ts'
import { toDollars } from '../lib/money.ts'
import { gateFor } from '../objects/clients.ts'
import type { AdmitInput, AdmitResult, Denial } from '../objects/gate-types.ts'
import type { PlannedAttempt } from '../routing/plan.ts'
import { retryAfterSeconds } from './limits.ts'
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
    if (cost > hold) [hold, dearest] = [cost, a]
  }
  return { holdMicro: hold, dearest }
}

export interface Admission {
  generationId: string
  holdMicro: number
  promptTokens: number
  free: boolean
  idempotency?: { id: string; bodyHash: string }
}

export const admit = (env: Env, key: KeyRecord, a: Admission): Promise<AdmitResult> => {
  const input: AdmitInput = {
    accountId: key.accountId,
    key: {
      hash: key.hash, disabled: key.disabled, expiresAt: key.expiresAt, limitMicro: key.limitMicro, limitReset: key.limitReset,
      requestsPerMinute: key.requestsPerMinute, tokensPerMinute: key.tokensPerMinute, concurrentRequests: key.concurrentRequests,
    },
    ...a,
  }
  return gateFor(env, key.accountId).admit(input)
}

const dollars = (micro: number) => toDollars(Math.max(micro, 0))

export interface DenialContext {
  dearest: PlannedAttempt | undefined
  promptTokens: number
  requested: number | undefined
  markupBps: number
  now: number
}

const creditDenial = (d: Denial, ctx: DenialContext, limit: 'account_balance' | 'key_limit', metadata: Record<string, unknown>) => {
  const where = limit === 'key_limit' ? "your key's credit limit" : 'your account balance'
  if (!ctx.dearest || d.availableMicro <= 0) {
    return new GatewayError('payment_required', `Insufficient credits: ${where} has no room left for this request. Add credits to continue.`, { metadata })
  }
  const affordable = affordableOutput(d.availableMicro, ctx.promptTokens, ctx.dearest.endpoint.pricing, ctx.markupBps)
  if (affordable <= 0) {
    return new GatewayError('payment_required', `Prompt tokens limit exceeded: the prompt (about ${ctx.promptTokens} tokens) costs more than the ${dollars(d.availableMicro)} USD left in ${where}`, { metadata })
  }
  const wanted = maxOutputFor(ctx.dearest, ctx.requested)
  const fix = limit === 'key_limit' ? 'Use a key with a higher limit, or lower max_tokens.' : 'Add credits, or lower max_tokens.'
  return new GatewayError(
    'payment_required',
    `This request requires more credits, or fewer max_tokens. You requested up to ${wanted} tokens, but can only afford ${affordable}. ${fix}`,
    { metadata: { ...metadata, requested_tokens: wanted, affordable_tokens: affordable } },
  )
}

export const denial = (d: Denial, ctx: DenialContext): GatewayError => {
  const balance = { balance: toDollars(d.balanceMicro), available: dollars(d.availableMicro) }
  switch (d.reason) {
    case 'key_disabled':
      return new GatewayError('unauthorized', 'This API key is disabled')
    case 'key_expired':
      return new GatewayError('unauthorized', 'This API key has expired')
    case 'unknown_account':
      return new GatewayError('unauthorized', 'User not found.')
    case 'suspended':
      return new GatewayError('payment_required', 'This account is suspended pending a payment dispute', { metadata: { limit: 'account_status', value: 'suspended' } })
    case 'negative_balance':
      return new GatewayError('payment_required', 'Insufficient credits: the account balance is negative. Add credits to continue.', {
        metadata: { limit: 'account_balance', value: toDollars(d.balanceMicro), ...balance },
      })
    case 'insufficient_credits':
      return creditDenial(d, ctx, 'account_balance', { limit: 'account_balance', value: toDollars(d.balanceMicro), ...balance })
    case 'key_limit': {
      const k = d.keyLimit
      return creditDenial(d, ctx, 'key_limit', {
        limit: 'key_limit',
        value: toDollars(k?.usageMicro ?? 0),
        max: toDollars(k?.limitMicro ?? 0),
        reset_at: k?.resetAt ? new Date(k.resetAt).toISOString() : null,
        ...balance,
      })
    }
    case 'rate_limited': {
      const r = d.rate
      if (!r) return new GatewayError('rate_limited', 'Rate limit exceeded')
      const retryAfter = retryAfterSeconds(r.resetAt, ctx.now)
      const free = r.limit.startsWith('free_models')
      return new GatewayError(
        'rate_limited',
        `Rate limit exceeded: ${r.limit.replaceAll('_', '-')} (${r.value} of ${r.max}).${free && r.limit === 'free_models_per_day' ? ' Add at least $10 of credits to raise the daily free-model quota.' : ''}`,
        {
          metadata: { limit: r.limit, value: r.value, max: r.max, reset_at: new Date(r.resetAt).toISOString() },
          headers: {
            'retry-after': String(retryAfter),
            'x-ratelimit-limit': String(r.max),
            'x-ratelimit-remaining': String(Math.max(r.max - r.value, 0)),
            'x-ratelimit-reset': String(r.resetAt),
          },
        },
      )
    }
    case 'idempotency_in_flight':
      return new GatewayError('conflict', 'A request with this Idempotency-Key is still in progress; retry shortly', { headers: { 'retry-after': '1' } })
    case 'idempotency_mismatch':
      return new GatewayError('unprocessable', 'This Idempotency-Key was used with a different request body')
  }
}
