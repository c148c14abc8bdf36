// A clock the test holds: objects that take a Clock read it, and the test moves it.
import { runInDurableObject } from 'cloudflare:test'
import type { AccountGate } from '../../src/objects/account-gate.ts'
import type { Clock } from '../../src/lib/clock.ts'

const DAY_MS = 86_400_000

export interface TestClock extends Clock {
  set(at: number): void
  advance(ms: number): void
}

export const testClock = (start: number): TestClock => {
  let now = start
  return Object.assign(() => now, {
    set: (at: number) => { now = at },
    advance: (ms: number) => { now += ms },
  })
}

/** Noon UTC of the suite clock's day: a start with half a day of room on either side. */
export const noonToday = (): number => Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS / 2

/** Hand a gate the test's clock; it keeps it until evicted. */
export const useClock = (gate: DurableObjectStub<AccountGate>, clock: Clock): Promise<void> =>
  runInDurableObject(gate, (instance: AccountGate) => { instance.clock = clock })
