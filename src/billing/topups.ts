// Credits and account status changes that come from outside the hot path: payments,
// refunds, disputes, operator grants. Every credit goes through the account gate,
// which applies each event id once (I3) and flushes it to D1 (unique id there too).
// Nothing is written to credit_events directly: the gate reads D1 only on first contact.
import type { Db } from '../db/client.ts'
import { findAccount, setAccountStatus } from '../db/queries/accounts.ts'
import { findCreditEvent } from '../db/queries/ledger.ts'
import type { AccountRow, CreditEventRow } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { gateFor } from '../objects/clients.ts'

export const requireAccount = async (db: Db, id: string): Promise<AccountRow> => {
  const account = await findAccount(db, id)
  if (!account) throw new GatewayError('not_found', `Account ${id} not found`)
  return account
}

export type CreditResult =
  /** credited false: this event id was applied before, and nothing changed now. */
  | { ok: true; credited: boolean; balanceMicro: number }
  /** The id was already applied to another account: refused, not counted twice. */
  | { ok: false; reason: 'clash' }

/**
 * Applies a credit (negative: a debit) once per event id. An id already in D1 was
 * counted already, either by a gate flush or in the ledger the gate hydrated from.
 */
export const applyCredit = async (env: Env, db: Db, event: CreditEventRow): Promise<CreditResult> => {
  const gate = gateFor(env, event.accountId)
  const prior = await findCreditEvent(db, event.id)
  if (prior && prior.accountId !== event.accountId) return { ok: false, reason: 'clash' }
  if (prior) return { ok: true, credited: false, balanceMicro: (await gate.snapshot(event.accountId)).balanceMicro }
  return { ok: true, ...(await gate.credit({ accountId: event.accountId, event })) }
}

/** The route's answer to a clash. */
export const clashError = (id: string) => new GatewayError('conflict', `Event ${id} was already applied to another account`)

/** Suspension (a payment dispute) refuses the account's requests with 402 at once; D1 keeps the record. */
export const setStatus = async (env: Env, db: Db, accountId: string, status: AccountRow['status']): Promise<void> => {
  await setAccountStatus(db, accountId, status)
  await gateFor(env, accountId).setStatus(accountId, status)
}
