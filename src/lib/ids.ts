// Prefixed identifiers.
import { randomBase62 } from './crypto.ts'

/** OpenRouter's generation id shape: `gen-<unix seconds>-<20 alphanumerics>` (docs/compatibility.md#completion-object). */
export const generationId = (nowMs: number): string => `gen-${Math.floor(nowMs / 1000)}-${randomBase62(20)}`

export const accountId = (): string => `acct_${randomBase62(20)}`
