// The operator API (`npm run admin`, docs/operations.md): accounts, their keys of
// either kind, credit grants and adjustments with a reason, suspension. Every credit
// is a ledger entry applied through the account gate (I3).
import { Hono } from 'hono'
import { changeKey, mintKey } from '../auth/provision.ts'
import { applyCredit, clashError, requireAccount, setStatus } from '../billing/topups.ts'
import { createDb, type Db } from '../db/client.ts'
import { insertAccount } from '../db/queries/accounts.ts'
import { findKeyByHash, listAccountKeys } from '../db/queries/keys.ts'
import type { AccountRow } from '../db/schema.ts'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { randomBase62 } from '../lib/crypto.ts'
import { accountId as newAccountId } from '../lib/ids.ts'
import { fromDollars, toDollars } from '../lib/money.ts'
import { requireAdmin } from '../middleware/admin.ts'
import { gateFor } from '../objects/clients.ts'
import { AdminKeyBody, CreateAccountBody, CreditBody, SetKeyDisabledBody } from '../schemas/billing.ts'
import { KeyHash } from '../schemas/keys.ts'
import { CONTENT_RETENTION_DAYS } from '../storage/content-policy.ts'
import { expiresAtOf, limitMicroOf, renderKey } from './key-object.ts'
import { readBody } from './request.ts'
import { adminGenerations } from './admin-generations.ts'

/** An operator's view of an account: balance from the gate (the authority), keys from D1. */
const accountView = async (env: Env, db: Db, account: AccountRow) => {
  const [snap, keys] = await Promise.all([
    gateFor(env, account.id).snapshot(account.id),
    listAccountKeys(db, account.id, { includeDisabled: true, offset: 0, limit: 1000 }),
  ])
  return {
    id: account.id,
    name: account.name,
    status: account.status,
    created_at: new Date(account.createdAt).toISOString(),
    balance: toDollars(snap.balanceMicro),
    total_credits: toDollars(snap.totalCreditsMicro),
    total_usage: toDollars(snap.totalUsageMicro),
    held: toDollars(snap.heldMicro),
    // Settled generations not yet with the account's recorder and credits not yet in D1, and the gate's last hand-off (this instance's).
    unflushed: snap.unflushed,
    last_flush: snap.lastFlush && { at: new Date(snap.lastFlush.at).toISOString(), rows: snap.lastFlush.rows, ms: snap.lastFlush.ms },
    keys: keys.map((k) => ({ hash: k.hash, name: k.name, label: k.label, kind: k.kind, disabled: k.disabled, created_at: new Date(k.createdAt).toISOString() })),
  }
}

const creditId = (prefix: string) => `${prefix}_${randomBase62(20)}`

export const admin = new Hono<AppEnv>()
  .use('/admin/*', requireAdmin)
  .post('/admin/accounts', async (c) => {
    const body = await readBody(c, CreateAccountBody)
    const db = createDb(c.env.DB)
    const account: AccountRow = { id: newAccountId(), name: body.name, status: 'active', createdAt: Date.now(), contentLogging: 'opt_in', contentRetentionDays: CONTENT_RETENTION_DAYS.default }
    await insertAccount(db, account)
    if (body.credit_usd !== undefined) {
      const amountMicro = fromDollars(body.credit_usd)
      await applyCredit(c.env, db, { id: creditId('grant'), accountId: account.id, amountMicro, kind: 'grant', reason: body.reason ?? 'initial credit', createdAt: Date.now() })
    }
    return c.json({ data: await accountView(c.env, db, account) }, 201)
  })
  .get('/admin/accounts/:id', async (c) => {
    const db = createDb(c.env.DB)
    return c.json({ data: await accountView(c.env, db, await requireAccount(db, c.req.param('id'))) })
  })
  .post('/admin/accounts/:id/suspend', async (c) => {
    const db = createDb(c.env.DB)
    const account = await requireAccount(db, c.req.param('id'))
    await setStatus(c.env, db, account.id, 'suspended')
    return c.json({ data: await accountView(c.env, db, { ...account, status: 'suspended' }) })
  })
  .post('/admin/accounts/:id/reactivate', async (c) => {
    const db = createDb(c.env.DB)
    const account = await requireAccount(db, c.req.param('id'))
    await setStatus(c.env, db, account.id, 'active')
    return c.json({ data: await accountView(c.env, db, { ...account, status: 'active' }) })
  })
  .post('/admin/accounts/:id/keys', async (c) => {
    const db = createDb(c.env.DB)
    const account = await requireAccount(db, c.req.param('id'))
    const body = await readBody(c, AdminKeyBody)
    const now = Date.now()
    const { key, row } = await mintKey(db, {
      accountId: account.id, kind: body.kind, name: body.name,
      limitMicro: limitMicroOf(body.limit) ?? null, limitReset: body.limit_reset ?? null, expiresAt: expiresAtOf(body.expires_at, now),
    }, now)
    return c.json({ data: { ...(await renderKey(c.env, row)), kind: row.kind }, key }, 201)
  })
  .post('/admin/accounts/:id/credits', async (c) => {
    const db = createDb(c.env.DB)
    const account = await requireAccount(db, c.req.param('id'))
    const body = await readBody(c, CreditBody)
    const amountMicro = fromDollars(body.amount_usd)
    const kind = body.kind ?? (amountMicro > 0 ? 'grant' : 'adjustment')
    if (kind === 'grant' && amountMicro <= 0) throw new GatewayError('invalid_request', 'Invalid request: amount_usd: a grant must be positive; use kind "adjustment" to remove credit')
    const id = body.id ?? creditId(kind)
    const result = await applyCredit(c.env, db, { id, accountId: account.id, amountMicro, kind, reason: body.reason, createdAt: Date.now() })
    if (!result.ok) throw clashError(id)
    return c.json({ data: { id, account_id: account.id, amount: toDollars(amountMicro), kind, reason: body.reason, credited: result.credited, balance: toDollars(result.balanceMicro) } }, result.credited ? 201 : 200)
  })
  .patch('/admin/keys/:hash', async (c) => {
    const db = createDb(c.env.DB)
    const hash = c.req.param('hash')
    const found = KeyHash.safeParse(hash).success ? await findKeyByHash(db, hash) : undefined
    if (!found) throw new GatewayError('not_found', 'API key not found')
    const body = await readBody(c, SetKeyDisabledBody)
    const row = await changeKey(c.env, db, found.key, { disabled: body.disabled })
    return c.json({ data: { ...(await renderKey(c.env, row)), kind: row.kind } })
  })
  // Generations (the Logs pages, the export) and retention: admin-generations.ts.
  .route('/', adminGenerations)
