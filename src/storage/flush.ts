// One recorder batch, written out: its details to R2 first, then its charges (and rollups)
// to D1 in one transaction guarded by the batch's marker. A crash anywhere leaves the batch in
// the recorder's outbox, and the retry repeats it whole: R2 gets the same object again, and
// D1 either commits it for the first time or refuses it on the marker (already there).
import { createDb } from '../db/client.ts'
import { batchStatements, batchWritten, type BatchHead, type NameIds } from '../db/queries/flush.ts'
import { detailsKey, putDetails } from './details.ts'
import { detailsOf, nameKey, type GenerationRecord } from './record.ts'

export interface FlushEnv {
  DB: D1Database
  DETAILS: R2Bucket
}

/** 'written' the first time; 'repeated' when D1 already had the batch (a retry after a crash past its commit). */
export const writeBatch = async (env: FlushEnv, head: BatchHead, records: GenerationRecord[], ids: NameIds): Promise<'written' | 'repeated'> => {
  const first = records[0]
  if (!first) return 'written'
  await putDetails(env.DETAILS, detailsKey(head.writer.value, first.createdAt, head.batch), records.map(detailsOf))
  try {
    await env.DB.batch(batchStatements(env.DB, head, records, ids))
    return 'written'
  } catch (err) {
    const writerN = ids.get(nameKey(head.writer))
    if (writerN !== undefined && (await batchWritten(createDb(env.DB), writerN, head.batch))) return 'repeated'
    throw err
  }
}
