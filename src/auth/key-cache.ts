// Isolate-local cache of key records. A record is trusted for at most
// KEY_CACHE_TTL_SECONDS, which bounds how long a disabled or deleted key keeps
// working in an isolate that has already seen it (docs/operations.md).
import type { AccountRow, ApiKeyRow } from '../db/schema.ts'

export type KeyRecord = Pick<
  ApiKeyRow,
  | 'hash' | 'accountId' | 'name' | 'label' | 'kind' | 'limitMicro' | 'limitReset' | 'disabled' | 'expiresAt'
  | 'requestsPerMinute' | 'tokensPerMinute' | 'concurrentRequests' | 'createdAt' | 'logContent'
> & {
  accountStatus: 'active' | 'suspended'
  /** The account's content logging settings, cached with the key (storage/content-policy.ts). */
  contentLogging: AccountRow['contentLogging']
  contentRetentionDays: number
}

/** Unknown keys are remembered briefly too, so a flood of bad keys does not become a flood of D1 reads. */
const NEGATIVE_TTL_MS = 5_000
const MAX_ENTRIES = 10_000

interface Entry {
  record: KeyRecord | null
  expiresAt: number
}

export class KeyCache {
  private readonly entries = new Map<string, Entry>()

  get(hash: string, now: number): KeyRecord | null | undefined {
    const entry = this.entries.get(hash)
    if (!entry) return undefined
    if (entry.expiresAt <= now) {
      this.entries.delete(hash)
      return undefined
    }
    return entry.record
  }

  set(hash: string, record: KeyRecord | null, now: number, ttlMs: number) {
    if (this.entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
    this.entries.set(hash, { record, expiresAt: now + (record ? ttlMs : Math.min(ttlMs, NEGATIVE_TTL_MS)) })
  }

  delete(hash: string) {
    this.entries.delete(hash)
  }

  /** Every cached key of an account (its settings, cached with each key, changed). */
  deleteAccount(accountId: string) {
    for (const [hash, entry] of this.entries) if (entry.record?.accountId === accountId) this.entries.delete(hash)
  }
}

export const keyCache = new KeyCache()
