// Reading what a flush left behind: an account's D1 charges and flush markers, and its
// generation details in R2, decoded.
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { createDb } from '../../src/db/client.ts'
import { accountName } from '../../src/db/queries/ledger.ts'
import { flushes, generations } from '../../src/db/schema.ts'
import { DETAILS_PREFIX, decodeDetails } from '../../src/storage/details.ts'
import type { Details } from '../../src/storage/record.ts'

/** Every R2 details object of an account, with its lines. */
export const detailsObjects = async (accountId: string): Promise<{ key: string; lines: Details[] }[]> => {
  const out: { key: string; lines: Details[] }[] = []
  let cursor: string | undefined
  do {
    const page = await env.DETAILS.list({ prefix: DETAILS_PREFIX, ...(cursor ? { cursor } : {}) })
    for (const o of page.objects.filter((o) => o.key.includes(`/${accountId}/`))) {
      const body = await env.DETAILS.get(o.key)
      out.push({ key: o.key, lines: body ? await decodeDetails(body.body) : [] })
    }
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  return out
}

/** An account's charge rows in D1 (id and cost), and its flush markers. */
export const d1Charges = async (accountId: string) => {
  const db = createDb(env.DB)
  const [rows, markers] = await db.batch([
    db.select({ id: generations.id, costMicro: generations.costMicro, batch: generations.batch }).from(generations)
      .where(eq(generations.accountN, accountName(db, accountId))),
    db.select({ batch: flushes.batch, rows: flushes.rows }).from(flushes).where(eq(flushes.accountN, accountName(db, accountId))).orderBy(flushes.batch),
  ])
  return { rows, markers }
}
