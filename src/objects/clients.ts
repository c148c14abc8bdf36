// Typed ways to reach the Durable Objects: callers never build ids themselves.
import { envString } from '../env.ts'

export { recorderName } from './recorder-name.ts'

const rtts = new WeakMap<object, number>()

/** GATE_RTT_MS (benchmarks only, bench/distance.ts): the account gate as if it were that far away. */
const gateRtt = (env: Env): number => {
  let rtt = rtts.get(env)
  if (rtt === undefined) {
    rtt = Math.max(Number(envString(env, 'GATE_RTT_MS') ?? 0) || 0, 0)
    rtts.set(env, rtt)
  }
  return rtt
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Every RPC of the stub pays half the round trip on the way out and half on the way back. */
const distant = <T extends object>(stub: T, rttMs: number): T =>
  new Proxy(stub, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop)
      if (typeof value !== 'function' || prop === 'then') return value
      return async (...args: unknown[]) => {
        await sleep(rttMs / 2)
        // RPC methods are not plain functions (no .apply of their own): Reflect.apply calls them.
        const result: unknown = await Reflect.apply(value, target, args)
        await sleep(rttMs / 2)
        return result
      }
    },
  })

export const gateFor = (env: Env, accountId: string) => {
  const stub = env.ACCOUNT_GATE.get(env.ACCOUNT_GATE.idFromName(accountId))
  const rtt = gateRtt(env)
  return rtt > 0 ? distant(stub, rtt) : stub
}

export const recorderFor = (env: Env, name: string) => env.RECORDER.get(env.RECORDER.idFromName(name))

/** One health object per provider endpoint (`<model>@<endpoint tag>`). */
export const healthFor = (env: Env, endpointKey: string) => env.PROVIDER_HEALTH.get(env.PROVIDER_HEALTH.idFromName(endpointKey))
