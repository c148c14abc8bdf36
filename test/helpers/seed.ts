// Test accounts and keys, written straight to D1 as `npm start`'s seed does.
import { env } from 'cloudflare:workers'
import { generateKey, hashKey, keyLabel } from '../../src/auth/keys.ts'
import { createDb } from '../../src/db/client.ts'
import { accounts, apiKeys, creditEvents } from '../../src/db/schema.ts'
import { accountId as newAccountId } from '../../src/lib/ids.ts'

export interface Seeded {
  accountId: string
  key: string
  keyHash: string
}

export const seedAccount = async (opts: { balanceMicro?: number; kind?: 'inference' | 'management' } = {}): Promise<Seeded> => {
  const db = createDb(env.DB)
  const accountId = newAccountId()
  const key = generateKey()
  const keyHash = await hashKey(key)
  const now = Date.now()
  await db.batch([
    db.insert(accounts).values({ id: accountId, name: 'test', createdAt: now }),
    db.insert(apiKeys).values({ hash: keyHash, accountId, name: 'test key', label: keyLabel(key), kind: opts.kind ?? 'inference', createdAt: now }),
    db.insert(creditEvents).values({ id: `seed-${accountId}`, accountId, amountMicro: opts.balanceMicro ?? 10_000_000, kind: 'grant', createdAt: now }),
  ])
  return { accountId, key, keyHash }
}

export const addKey = async (accountId: string, kind: 'inference' | 'management' = 'inference') => {
  const key = generateKey()
  const keyHash = await hashKey(key)
  await createDb(env.DB).insert(apiKeys).values({ hash: keyHash, accountId, name: kind, label: keyLabel(key), kind, createdAt: Date.now() })
  return { key, keyHash }
}
