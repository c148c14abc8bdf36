// Settled records from this isolate to the recorders, many accounts in one call. Each account
// gate settles and numbers a batch (settleForwarded); this isolate sends that batch's records on
// itself, gathered with other accounts' for the same recorder, so a recorder takes them in one
// transaction instead of one hand-off call from each gate. What the recorder took is confirmed to
// the gate with this isolate's next settlement of the account, and leaves the gate's outbox then.
// Nothing depends on the confirmation arriving: the gate's alarm hands on whatever it still holds,
// and the recorder takes a record once by its id (objects/recorder.ts).
import { recorderFor } from '../objects/clients.ts'
import { lineOf } from '../objects/outbox-store.ts'
import type { AccountBatches } from '../objects/recorder.ts'
import type { GenerationRecord } from '../storage/record.ts'

/** Forwards to one recorder arriving within this long go in one call. */
export const FORWARD_GATHER_MS = 20
/** Confirmations kept per account, and accounts kept: a confirmation lost only means the gate hands that batch on itself. */
const CONFIRMED_PER_ACCOUNT = 64
const CONFIRMED_ACCOUNTS = 10_000

const gathering = new Map<string, AccountBatches[]>()
const confirmed = new Map<string, number[]>()

/** The batches the recorder took for this account since its last settlement here; they are the gate's to drop now. */
export const takeConfirmed = (accountId: string): number[] => {
  const batches = confirmed.get(accountId) ?? []
  confirmed.delete(accountId)
  return batches
}

const confirm = (accountId: string, batch: number) => {
  const list = confirmed.get(accountId) ?? []
  if (list.length === 0 && confirmed.size >= CONFIRMED_ACCOUNTS) confirmed.delete(confirmed.keys().next().value ?? '')
  list.push(batch)
  if (list.length > CONFIRMED_PER_ACCOUNT) list.shift()
  confirmed.set(accountId, list)
}

/**
 * Send one account's settled batch to its recorder, with whatever else reaches that recorder
 * within FORWARD_GATHER_MS. The call that opens a gathering sends it from its own waitUntil, as
 * settle() does; the others return at once. A failed send is left to the gate's alarm.
 */
export const forward = async (env: Env, recorder: string, accountId: string, batch: number, records: GenerationRecord[]): Promise<void> => {
  const item: AccountBatches = { accountId, batches: [{ batch, lines: records.map(lineOf) }] }
  const open = gathering.get(recorder)
  if (open) {
    open.push(item)
    return
  }
  const items = [item]
  gathering.set(recorder, items)
  await new Promise((resolve) => setTimeout(resolve, FORWARD_GATHER_MS))
  gathering.delete(recorder)
  try {
    await recorderFor(env, recorder).acceptMany(recorder, items)
  } catch (err) {
    console.error(JSON.stringify({ level: 'warn', message: 'forward to recorder failed; the gates hand these on', recorder, accounts: items.length, error: String(err) }))
    return
  }
  for (const it of items) for (const b of it.batches) confirm(it.accountId, b.batch)
}
