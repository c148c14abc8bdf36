// Operator settings (vars and secrets other than provider keys): one zod schema,
// shared by the Worker and by `npm start`, which forwards these names from the shell.
import { z } from 'zod'

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback)
const num = (min: number, max: number, fallback: number) => z.coerce.number().min(min).max(max).default(fallback)

/** An optional secret; empty counts as unset, and a short one fails loudly rather than guarding weakly. */
const secret = (minLength: number) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.string().min(minLength, `must be at least ${minLength} characters`).optional())

/**
 * Vars and secrets other than provider keys. Every field has a default, so a
 * bare `wrangler dev` works; a bad value fails loudly, naming the variable.
 */
export const ConfigSchema = z.object({
  /** Added to every endpoint price, in basis points (100 = 1%). */
  MARKUP_BPS: int(0, 100_000, 0),
  /** How long an isolate trusts a cached key record; also the bound on how fast a disabled key stops working. */
  KEY_CACHE_TTL_SECONDS: int(0, 300, 30),
  /**
   * Time to the upstream's first byte before the attempt counts as failed and the next endpoint is
   * tried, streaming or not: its headers, and the first event of a non-streaming request's stream.
   */
  UPSTREAM_TTFB_TIMEOUT_MS: int(100, 600_000, 30_000),
  /** The whole answer of a non-streaming request: a stall after its first byte ends the attempt here. */
  UPSTREAM_TIMEOUT_MS: int(100, 900_000, 300_000),
  /** Milliseconds between SSE keep-alive comments while no upstream data arrives. */
  KEEPALIVE_INTERVAL_MS: int(50, 60_000, 10_000),
  MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024, 10 * 1024 * 1024),
  /** A hold that is never settled or released expires after this long. */
  HOLD_TTL_SECONDS: int(60, 86_400, 900),
  /**
   * Delay before settled generations are written to D1 and R2: a recorder writes what reached it
   * in this time, from every account, as one batch (docs/storage.md#recorders).
   */
  FLUSH_DELAY_MS: int(0, 60_000, 1_000),
  /** Recorders that write settled generations to D1 and R2, each for its share of the accounts. */
  RECORDERS: int(1, 1024, 4),
  /**
   * Days each generation's row (D1) and details (R2) are kept; 0 keeps them forever. The
   * scheduled handler prunes older ones in bounded batches. The credit ledger and the
   * rollups (activity, balances) are never pruned (docs/storage.md).
   */
  RETENTION_DAYS: int(0, 36_500, 30),
  /** Per-key defaults (a key may override each); 0 means unlimited. */
  DEFAULT_REQUESTS_PER_MINUTE: int(0, 1_000_000, 0),
  DEFAULT_TOKENS_PER_MINUTE: int(0, 1_000_000_000, 0),
  DEFAULT_CONCURRENT_REQUESTS: int(0, 100_000, 0),
  /** `:free` model quotas per account (docs/compatibility.md#free-models). */
  FREE_REQUESTS_PER_MINUTE: int(0, 1_000_000, 20),
  FREE_REQUESTS_PER_DAY: int(0, 1_000_000, 50),
  FREE_REQUESTS_PER_DAY_PURCHASED: int(0, 1_000_000, 1000),
  /** Top-ups (in microdollars) after which the larger daily free quota applies ($10). */
  FREE_PURCHASE_THRESHOLD_MICRO: int(0, Number.MAX_SAFE_INTEGER, 10_000_000),
  /** Models (ids or globs) the auto router may choose from. */
  AUTO_ROUTER_MODELS: z
    .string()
    .default('openai/gpt-4o-mini,openai/gpt-4.1-mini,anthropic/claude-haiku-4.5,google/gemini-2.5-flash,meta-llama/llama-3.3-70b-instruct,deepseek/deepseek-v3.2,fake/echo')
    .transform((s) => s.split(',').map((m) => m.trim()).filter(Boolean)),
  /**
   * Credit leases (docs/limits.md#credit-leases): an isolate admits an ample-balance key's
   * requests against a slice of the balance the gate reserved for it, with no round trip.
   */
  LEASES: z.enum(['on', 'off']).default('off'),
  /** An isolate admits under a lease for at most this long after asking for it: the bound on a stale disable. */
  LEASE_ADMIT_MS: int(100, 60_000, 5_000),
  /** Below this available balance (microdollars) no lease is granted: every request is admitted exactly. */
  LEASE_FLOOR_MICRO: int(0, Number.MAX_SAFE_INTEGER, 1_000_000),
  LEASE_MIN_GRANT_MICRO: int(1, Number.MAX_SAFE_INTEGER, 200_000),
  LEASE_MAX_GRANT_MICRO: int(1, Number.MAX_SAFE_INTEGER, 5_000_000),
  /** An isolate sends its leased charges to each account's gate at most this often. */
  LEASE_SETTLE_EVERY_MS: int(10, 30_000, 1_000),
  /**
   * A key asks for a lease only at this request rate or more (per isolate, over 3 s): 0.5 is a
   * second request within 3 s, so a lease (admitting for LEASE_ADMIT_MS, 5 s) is likely to
   * serve more than the one that asked; slower keys are cheaper exact.
   */
  LEASE_MIN_REQUESTS_PER_SECOND: num(0, 10_000, 0.5),
  /** How long an Idempotency-Key's stored result is replayed. */
  IDEMPOTENCY_TTL_SECONDS: int(60, 7 * 86_400, 86_400),
  /** Signing secrets of the top-up webhooks (docs/billing.md); unset = that webhook answers 503. */
  STRIPE_WEBHOOK_SECRET: secret(8),
  TOPUP_WEBHOOK_SECRET: secret(16),
  /** Stripe's secret (or restricted) API key, for "Add credits" Checkout Sessions (docs/billing.md); unset = the page says how to set it. */
  STRIPE_SECRET_KEY: secret(16),
  /** Bearer token of the operator API (/api/v1/admin); unset = those routes do not exist (404). */
  ADMIN_TOKEN: secret(16),
})
export type Config = z.infer<typeof ConfigSchema>
