// Generations read back whole: the charge from D1, the details from R2 (or, for generations
// from before issue 14, from their legacy row). Details that are gone (pruned, or a bucket
// that lost them) leave their fields null; the charge is always there until retention.
import type { Db } from '../db/client.ts'
import { findCharge, legacyDetails } from '../db/queries/generations.ts'
import { detailsKey, readDetails } from './details.ts'
import { joinGeneration, type Charge, type Details, type StoredGeneration } from './record.ts'

/** Charges with their details, reading each R2 object once. */
export const withDetails = async (bucket: R2Bucket, db: Db, charges: Charge[]): Promise<StoredGeneration[]> => {
  const keys = new Map<string, Charge[]>()
  const legacy: string[] = []
  for (const c of charges) {
    if (c.batch === null) legacy.push(c.id)
    else {
      const k = detailsKey(c.writer ?? c.accountId, c.createdAt, c.batch)
      keys.set(k, [...(keys.get(k) ?? []), c])
    }
  }
  const found = new Map<string, Details>()
  const [objects, old] = await Promise.all([
    Promise.all([...keys.keys()].map((k) => readDetails(bucket, k))),
    legacyDetails(db, legacy),
  ])
  for (const byId of [...objects, old]) for (const [id, d] of byId) found.set(id, d)
  return charges.map((c) => joinGeneration(c, found.get(c.id) ?? null))
}

/** One generation by id; with an account, only that account's. */
export const readGeneration = async (bucket: R2Bucket, db: Db, id: string, accountId?: string): Promise<StoredGeneration | undefined> => {
  const charge = await findCharge(db, id, accountId)
  return charge ? (await withDetails(bucket, db, [charge]))[0] : undefined
}
