import { drizzle } from 'drizzle-orm/d1'
import * as schema from './schema.ts'

export const createDb = (d1: D1Database) => drizzle(d1, { schema })
export type Db = ReturnType<typeof createDb>

/**
 * Reads that tolerate a little staleness (activity, the Logs pages, the export) go through
 * D1's Sessions API: with read replication on, a replica near the caller may answer. Writes,
 * and anything the balance depends on, use createDb (the primary). Drizzle needs only
 * `prepare` and `batch`, which a session has.
 */
export const createReplicaDb = (d1: D1Database) => drizzle(d1.withSession('first-unconstrained') as unknown as D1Database, { schema })
