// The suite's moved clock (test/setup/shift-clock.ts) reaches the Worker's Durable Objects too.
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { gateFor } from '../../../src/objects/clients.ts'

it.runIf(env.TEST_CLOCK_START)('starts where SWITCHBOARD_TEST_CLOCK says, runs on, and reaches the objects', async () => {
  const now = Date.now()
  expect(Math.abs(now - Date.parse(env.TEST_CLOCK_START))).toBeLessThan(30 * 60_000)
  expect(Math.abs(new Date().getTime() - now)).toBeLessThan(5_000)
  expect(new Date(0).getTime()).toBe(0)
  const inObject = await runInDurableObject(gateFor(env, 'clock-probe'), () => Date.now())
  expect(Math.abs(inObject - now)).toBeLessThan(5_000)
})

it.runIf(env.TEST_CLOCK_START)('sets and reads alarms on the moved clock', async () => {
  const at = Date.now() + 3_600_000
  const read = await runInDurableObject(gateFor(env, 'clock-probe-alarm'), async (_, state) => {
    await state.storage.setAlarm(at)
    const got = await state.storage.getAlarm()
    await state.storage.deleteAlarm()
    return got
  })
  expect(read).toBe(at)
})
