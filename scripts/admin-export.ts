// `npm run admin -- export`: an account's generations in a date range, charge and details
// (D1 + R2), streamed page by page from the operator API (GET /admin/accounts/:id/generations,
// oldest first) to stdout or a file, as JSONL or CSV (src/storage/export.ts renders both).
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { csvHeader, csvLine } from '../src/storage/export.ts'

export type Get = (path: string) => Promise<Record<string, unknown>>

export interface ExportOptions {
  account: string
  /** ISO dates or instants, as the API takes them: from inclusive, to exclusive. */
  from: string
  to: string
  format: 'jsonl' | 'csv'
  /** A file to write; stdout when absent. */
  out?: string
}

/** Rows per page: one D1 range read and the R2 objects its batches name. */
const PAGE = 500

const write = async (stream: Writable, text: string) => {
  if (!stream.write(text)) await once(stream, 'drain')
}

/** Writes every generation of the range; returns how many. */
export const exportGenerations = async (get: Get, o: ExportOptions): Promise<number> => {
  const stream: Writable = o.out ? createWriteStream(o.out) : process.stdout
  let n = 0
  try {
    if (o.format === 'csv') await write(stream, `${csvHeader()}\n`)
    let cursor: string | null = null
    do {
      const params = new URLSearchParams({ from: o.from, to: o.to, order: 'asc', limit: String(PAGE), details: 'true', ...(cursor ? { cursor } : {}) })
      const page = await get(`/accounts/${encodeURIComponent(o.account)}/generations?${params}`)
      for (const row of page.data as Record<string, unknown>[]) {
        await write(stream, `${o.format === 'csv' ? csvLine(row) : JSON.stringify(row)}\n`)
        n++
      }
      cursor = typeof page.next_cursor === 'string' ? page.next_cursor : null
    } while (cursor)
  } finally {
    if (o.out) {
      stream.end()
      await once(stream, 'finish')
    }
  }
  return n
}
