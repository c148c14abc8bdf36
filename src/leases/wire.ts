// What an isolate and an account gate say to each other about leases (the gate's lease RPCs).
import type { GateKey } from '../objects/gate-types.ts'
import type { GenerationRecord } from '../storage/record.ts'
import type { LeaseRefusal } from './ledger.ts'

export interface GrantLeaseInput {
  accountId: string
  key: GateKey
  /** The isolate asking: `<colo>:<isolate id>`. */
  shard: string
  demandMicroPerSec: number
  demandRequestsPerSec: number
}

export type GrantRefusal = LeaseRefusal | 'unknown_account' | 'negative_balance' | 'key_expired'

export type GrantLeaseResult =
  | { ok: true; leaseId: string; grantedMicro: number; requests: number | null; admitMs: number }
  | { ok: false; reason: GrantRefusal }

/** A leased generation's charge, with its whole record: the gate's outbox stays the one way to D1. */
export interface LeaseCharge {
  generationId: string
  costMicro: number
  record: GenerationRecord
}

export interface LeaseSettleEntry {
  leaseId: string
  charges: LeaseCharge[]
  /** Return the lease: nothing more will be charged to it. */
  close: boolean
  /** Shrink it to this (charges so far plus holds in flight); idempotent. */
  shrinkToMicro?: number
}

export interface LeaseSettleInput {
  accountId: string
  entries: LeaseSettleEntry[]
}

export interface LeaseSettleAck {
  /** Generation ids now recorded, including ones recorded before (a resent batch). */
  acked: string[]
  duplicates: number
  /** Generation ids refused: their lease had expired and the balance could not cover them, or a charge exceeded its lease. */
  refused: string[]
  closed: string[]
  /** Leases in this batch the gate has revoked (a disable, a suspension): the isolate stops admitting under them. */
  revoked: string[]
}

export interface LeaseSnapshot {
  open: number
  revoked: number
  /** Credit reserved by leases not closed: granted less charged. */
  leasedMicro: number
  grants: number
  expired: number
}
