// Interned strings (names): ids for account ids, key hashes, models, providers and apps.
import { nameKey, type NameRef } from '../../storage/record.ts'

/** Pairs per SELECT: two bound parameters each, under D1's 100 per statement. */
const SELECT_CHUNK = 40

/**
 * The ids of these names, adding the ones D1 lacks, in one round trip (one batch: a
 * transaction, so concurrent flushes of other accounts agree on every id).
 */
export const internNames = async (d1: D1Database, refs: NameRef[]): Promise<Map<string, number>> => {
  const unique = [...new Map(refs.map((r) => [nameKey(r), r])).values()]
  if (unique.length === 0) return new Map()
  const inserts = unique.map((r) => d1.prepare('INSERT INTO names (kind, value) VALUES (?, ?) ON CONFLICT DO NOTHING').bind(r.kind, r.value))
  const selects: D1PreparedStatement[] = []
  for (let i = 0; i < unique.length; i += SELECT_CHUNK) {
    const chunk = unique.slice(i, i + SELECT_CHUNK)
    selects.push(d1.prepare(`SELECT id, kind, value FROM names WHERE ${chunk.map(() => '(kind = ? AND value = ?)').join(' OR ')}`)
      .bind(...chunk.flatMap((r) => [r.kind, r.value])))
  }
  const results = await d1.batch<{ id: number; kind: NameRef['kind']; value: string }>([...inserts, ...selects])
  const ids = new Map<string, number>()
  for (const result of results.slice(inserts.length)) for (const row of result.results) ids.set(nameKey(row), Number(row.id))
  return ids
}
