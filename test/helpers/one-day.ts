// Tests that place usage on UTC days relative to "today" and read it back by period: the
// moved clocks (vitest.config.ts) cross midnight while they run, so such a test runs again,
// on fresh data, when the day changed under it.
import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import { gateFor } from '../../src/objects/clients.ts'
import { flushGate } from './ledger.ts'
import type { GenerationRecord } from '../../src/storage/record.ts'

export const DAY_MS = 86_400_000
const dayOf = (ms: number) => ms - (ms % DAY_MS)

/** Runs `body` with today's UTC start; if the day changes before it ends, runs it again (at most twice more). */
export const onOneDay = async <T>(body: (today: number) => Promise<T>): Promise<T> => {
  for (let attempt = 0; ; attempt++) {
    const today = dayOf(Date.now())
    try {
      const result = await body(today)
      if (dayOf(Date.now()) === today || attempt === 2) return result
    } catch (err) {
      if (dayOf(Date.now()) === today || attempt === 2) throw err
    }
  }
}

/** Settles records through the account's gate and flushes them all to D1, as real requests are. */
export const settleAndFlush = async (accountId: string, records: GenerationRecord[]) => {
  const gate = gateFor(env, accountId)
  await gate.settleMany(records.map((r) => ({ accountId, generationId: r.id, record: r })))
  await flushGate(gate)
  expect((await gate.snapshot()).unflushed).toBe(0)
}
