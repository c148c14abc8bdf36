// The account gate's RPC surface: what callers send and get back (src/objects/account-gate.ts).
import type { RateDenial } from '../billing/limits.ts'
import type { LimitReset } from '../billing/periods.ts'
import type { CreditEventRow } from '../db/schema.ts'
import type { GenerationRecord } from '../storage/record.ts'

/** The key as the caller's auth cache saw it; the gate's own key_state (pushed by the keys API) overrides `disabled`. */
export interface GateKey {
  hash: string
  disabled: boolean
  expiresAt: number | null
  limitMicro: number | null
  limitReset: LimitReset | null
  requestsPerMinute: number | null
  tokensPerMinute: number | null
  concurrentRequests: number | null
}

export interface AdmitInput {
  accountId: string
  key: GateKey
  generationId: string
  /** Worst-case cost of the plan, reserved until settle or release. */
  holdMicro: number
  /** Estimated prompt tokens, for tokens-per-minute. */
  promptTokens: number
  /** A `:free` model: counts against the free quotas. */
  free: boolean
  idempotency?: { id: string; bodyHash: string }
}

export type DenyReason =
  | 'insufficient_credits' | 'key_limit' | 'negative_balance' | 'suspended' | 'unknown_account'
  | 'key_disabled' | 'key_expired' | 'rate_limited'

export interface Denial {
  ok: false
  status: 401 | 402 | 409 | 422 | 429
  reason: DenyReason | 'idempotency_in_flight' | 'idempotency_mismatch'
  balanceMicro: number
  /** What this request could still spend: the smaller of account and key room. */
  availableMicro: number
  rate?: RateDenial
  /** For key_limit: the key's limit, spend this period, and when the period resets. */
  keyLimit?: { limitMicro: number; usageMicro: number; resetAt: number | null }
}

export interface Replay {
  ok: false
  status: 200
  reason: 'idempotency_replay'
  replay: { status: number; contentType: string; body: string }
}

export type AdmitResult = { ok: true; balanceMicro: number; availableMicro: number } | Denial | Replay

export interface SettleInput {
  accountId: string
  generationId: string
  /** The generation's metadata (never content), its `costMicro` the actual charge. */
  record: GenerationRecord
  /** Stores the response for replay under an Idempotency-Key (opt-in; 200s only). */
  idempotent?: { id: string; status: number; contentType: string; body: string }
}

/** A settlement's outcome: false for a repeat (already settled), with the balance after it. */
export interface SettleResult {
  charged: boolean
  balanceMicro: number
}

export interface CreditInput {
  accountId: string
  event: CreditEventRow
}

export interface KeyUsage {
  usageMicro: number
  dailyMicro: number
  weeklyMicro: number
  monthlyMicro: number
  /** null when the key has no limit. */
  limitRemainingMicro: number | null
  free: { limit: number; used: number; remaining: number }
  /** The account has never bought credits. */
  freeTier: boolean
}

export interface GateSnapshot {
  accountId: string | null
  balanceMicro: number
  totalCreditsMicro: number
  totalUsageMicro: number
  purchasedMicro: number
  heldMicro: number
  openHolds: number
  unflushed: number
  /** The last generation batch this instance flushed: when (gate clock), its size, and how long its writes (R2, then D1) took. */
  lastFlush: { at: number; rows: number; ms: number } | null
}
