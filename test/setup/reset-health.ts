// Every test starts with clean provider health: breakers opened by one test's
// injected faults must not reroute the next test's requests.
import { env } from 'cloudflare:workers'
import { beforeEach } from 'vitest'
import { healthFor } from '../../src/objects/clients.ts'
import { cachedKeys, resetHealthCache } from '../../src/routing/health.ts'

beforeEach(async () => {
  const keys = cachedKeys()
  resetHealthCache()
  await Promise.all(keys.map((k) => healthFor(env, k).reset()))
})
