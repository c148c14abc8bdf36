// Pure pricing (docs/invariants.md): exact picodollar arithmetic in bigint,
// rounded up to whole microdollars once, at the end (docs/compatibility.md#billing).
import type { Pricing } from '../catalog/schema.ts'
import { picoToMicro, type Microdollars } from '../lib/money.ts'
import type { FinishReason, Usage } from '../providers/types.ts'

export interface Cost {
  total: Microdollars
  prompt: Microdollars
  completion: Microdollars
}

const big = (n: number | undefined): bigint => BigInt(n ?? 0)
/** Rounds up: flooring here (before picoToMicro rounds up) could undercharge by a whole µ$. */
const withMarkup = (pico: bigint, markupBps: number): bigint => (pico * BigInt(10_000 + markupBps) + 9_999n) / 10_000n

/**
 * Zero-completion insurance: nothing is charged when the upstream produced
 * no completion tokens and no finish reason, or the generation ended in error.
 */
export const isInsured = (usage: Usage, finish: FinishReason | null): boolean =>
  finish === 'error' || (usage.completion_tokens === 0 && finish === null)

/**
 * The cost of one generation at the serving endpoint's prices. Prices are µ$ per
 * million tokens, i.e. picodollars per token, so tokens × price is exact picodollars.
 */
export const costOf = (usage: Usage, pricing: Pricing, markupBps: number, finish: FinishReason | null = 'stop'): Cost => {
  if (isInsured(usage, finish)) return { total: picoToMicro(0n), prompt: picoToMicro(0n), completion: picoToMicro(0n) }
  const cached = Math.min(usage.cached_tokens, usage.prompt_tokens)
  const written = Math.min(usage.cache_write_tokens, usage.prompt_tokens - cached)
  const uncached = usage.prompt_tokens - cached - written
  const promptPico =
    big(uncached) * big(pricing.prompt) +
    big(cached) * big(pricing.cache_read ?? pricing.prompt) +
    big(written) * big(pricing.cache_write ?? pricing.prompt) +
    big(pricing.request) * 1_000_000n // a per-request fee is whole microdollars
  const completionPico = big(usage.completion_tokens) * big(pricing.completion)
  return {
    total: picoToMicro(withMarkup(promptPico + completionPico, markupBps)),
    prompt: picoToMicro(withMarkup(promptPico, markupBps)),
    completion: picoToMicro(withMarkup(completionPico, markupBps)),
  }
}

/** The most a request can cost on one endpoint: the whole prompt uncached plus every output token it may produce. */
export const worstCase = (promptTokens: number, maxOutput: number, pricing: Pricing, markupBps: number): Microdollars => {
  const pico = big(promptTokens) * big(Math.max(pricing.prompt, pricing.cache_write ?? 0)) +
    big(maxOutput) * big(pricing.completion) +
    big(pricing.request) * 1_000_000n
  return picoToMicro(withMarkup(pico, markupBps))
}

/** How many output tokens `availableMicro` still pays for after the prompt, for the 402 message (docs/compatibility.md#pre-authorization). */
export const affordableOutput = (availableMicro: number, promptTokens: number, pricing: Pricing, markupBps: number): number => {
  const promptCost = worstCase(promptTokens, 0, pricing, markupBps)
  const left = BigInt(availableMicro - promptCost) * 1_000_000n
  if (left <= 0n) return 0
  if (pricing.completion === 0) return Number.MAX_SAFE_INTEGER
  return Number((left * 10_000n) / (BigInt(pricing.completion) * BigInt(10_000 + markupBps)))
}

/**
 * A cheap upper-bound estimate of prompt tokens before the upstream counts them:
 * about three UTF-8 bytes a token, which over-reserves for English and most code.
 */
export const estimatePromptTokens = (messagesJson: string): number =>
  Math.ceil(new TextEncoder().encode(messagesJson).length / 3)
