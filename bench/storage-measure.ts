// Bytes on disk, read from the SQLite files Miniflare keeps for local D1 and Durable
// Objects (the same files `npm start` persists). dbstat gives every table's and index's
// pages; a page counts whole, with its free space, because that is what the file costs.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

export interface ObjectBytes {
  /** Table or index name. */
  name: string
  /** The table it belongs to (itself for a table). */
  table: string
  /** Pages × page size: what it costs in the file. */
  bytes: number
  /** Bytes of row (or index entry) content, without page overhead and free space. */
  payload: number
  rows: number | null
}

export interface FileBytes {
  file: string
  /** page_count × page_size after a checkpoint: the file's size without its WAL. */
  fileBytes: number
  objects: ObjectBytes[]
}

/** SQLite files under a Miniflare persistence directory (…/v3/d1/… or …/v3/do/<script>-<Class>/…), largest first. */
export const sqliteFiles = (dir: string): string[] => {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names
    .filter((n) => n.endsWith('.sqlite') && n !== 'metadata.sqlite')
    .map((n) => join(dir, n))
    .sort((a, b) => statSync(b).size - statSync(a).size)
}

/** Every table and index of one SQLite file, with its bytes. The WAL is checkpointed first (Miniflare must have let go of the file). */
export const measureFile = (file: string): FileBytes => {
  const db = new DatabaseSync(file)
  try {
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
    const pageSize = Number((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size)
    const pageCount = Number((db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count)
    const owners = new Map(
      (db.prepare(`SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')`).all() as { name: string; tbl_name: string }[])
        .map((r) => [r.name, r.tbl_name]),
    )
    const stats = db.prepare('SELECT name, SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat GROUP BY name').all() as { name: string; bytes: number; payload: number }[]
    const objects = stats.map((s): ObjectBytes => {
      const table = owners.get(s.name) ?? s.name
      const isTable = table === s.name && !s.name.startsWith('sqlite_autoindex')
      let rows: number | null = null
      if (isTable) {
        try {
          rows = Number((db.prepare(`SELECT COUNT(*) AS n FROM "${s.name.replaceAll('"', '""')}"`).get() as { n: number }).n)
        } catch {
          rows = null // a virtual or internal table
        }
      }
      return { name: s.name, table, bytes: Number(s.bytes), payload: Number(s.payload), rows }
    })
    return { file, fileBytes: pageSize * pageCount, objects: objects.sort((a, b) => b.bytes - a.bytes) }
  } finally {
    db.close()
  }
}

/** Sum of bytes of the objects whose table is in `tables` (tables with their indexes). */
export const bytesOf = (f: FileBytes, tables: (table: string) => boolean) =>
  f.objects.filter((o) => tables(o.table)).reduce((sum, o) => ({ bytes: sum.bytes + o.bytes, payload: sum.payload + o.payload }), { bytes: 0, payload: 0 })
