// Moves the suite's clock. With SWITCHBOARD_TEST_CLOCK=<ISO instant> the whole isolate
// (tests, Worker, Durable Objects) sees time start at that instant and run on at the
// wall clock's pace, so a run proves nothing depends on today's date. Unset: no change.
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

const SHIFT = Symbol.for('switchboard.clockShift')
type Global = typeof globalThis & { [SHIFT]?: { Real: DateConstructor; offset: number } }

/** Replace Date once per isolate (setup runs per test file): time must never step back between files. */
const shiftDate = (startIso: string): number => {
  const g = globalThis as Global
  if (g[SHIFT]) return g[SHIFT].offset
  const target = Date.parse(startIso)
  if (Number.isNaN(target)) throw new Error(`SWITCHBOARD_TEST_CLOCK is not an ISO instant: ${startIso}`)
  const Real = Date
  const offset = target - Real.now()
  class Shifted extends Real {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(Real.now() + offset)
      else super(...(args as [string | number | Date]))
    }
    static override now() {
      return Real.now() + offset
    }
  }
  g.Date = Shifted as DateConstructor
  g[SHIFT] = { Real, offset }
  return offset
}

/**
 * The runtime fires alarms on the real clock: translate at its boundary, so an object that
 * sets an alarm for "now + 1 s" on the moved clock still gets it in a second.
 */
const shiftAlarms = async (offset: number) => {
  type Storage = DurableObjectStorage & { [SHIFT]?: true }
  const proto = await runInDurableObject(env.ACCOUNT_GATE.get(env.ACCOUNT_GATE.idFromName('clock-setup')),
    (_: unknown, state: DurableObjectState) => Object.getPrototypeOf(state.storage) as Storage)
  if (proto[SHIFT]) return
  const { setAlarm, getAlarm } = proto
  proto.setAlarm = function (at, options) {
    return setAlarm.call(this, (typeof at === 'number' ? at : at.getTime()) - offset, options)
  }
  proto.getAlarm = async function (options) {
    const at = await getAlarm.call(this, options)
    return at === null ? null : at + offset
  }
  proto[SHIFT] = true
}

if (env.TEST_CLOCK_START) await shiftAlarms(shiftDate(env.TEST_CLOCK_START))
