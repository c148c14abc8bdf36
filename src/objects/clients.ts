// Typed ways to reach the Durable Objects: callers never build ids themselves.
export const gateFor = (env: Env, accountId: string) => env.ACCOUNT_GATE.get(env.ACCOUNT_GATE.idFromName(accountId))

/** One health object per provider endpoint (`<model>@<endpoint tag>`). */
export const healthFor = (env: Env, endpointKey: string) => env.PROVIDER_HEALTH.get(env.PROVIDER_HEALTH.idFromName(endpointKey))
