// Property-based fuzzing of the money paths: the operator API (/admin, its token)
// and the top-up webhooks (Stripe's and the generic one), with bodies signed as the
// sender would sign them, and with odd signatures. Never a 5xx; every 4xx is the
// envelope (test/helpers/fuzz.ts).
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { fuzz, headerText, queryOf, routeInputs, segment, sweep, type FuzzRequest, type Route } from '../helpers/fuzz.ts'
import { edgeNumber, edgeText, plainText } from '../helpers/fuzz-values.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'
import { secrets, sign, stripeEvents } from '../helpers/webhooks.ts'

const RUNS = 200
const TIMEOUT_MS = 120_000

/** A signature header value that `signed` replaces with a real signature of the body. */
const SIGN = '<sign>'
const STALE = '<sign stale>'

// Own accounts for what suspends (the suspend route, Stripe disputes), so the other routes meet an active one.
const ids = { account: '', keyHash: '', suspendable: '', stripe: '' }
beforeAll(async () => {
  const seeded = await seedAccount()
  ids.account = seeded.accountId
  ids.keyHash = (await addKey(seeded.accountId)).keyHash
  ids.suspendable = (await seedAccount()).accountId
  ids.stripe = (await seedAccount()).accountId
})

/** Signs each request whose signature header holds a placeholder, with the webhook's own secret. */
const signed = async (r: FuzzRequest): Promise<FuzzRequest> => {
  const headers = { ...r.headers }
  for (const [name, secret] of [['stripe-signature', secrets().stripe], ['x-signature', secrets().topup]] as const) {
    const placeholder = headers[name]
    if (placeholder !== SIGN && placeholder !== STALE) continue
    const payload = typeof r.body === 'string' ? r.body : new TextDecoder().decode(r.body ?? new Uint8Array())
    headers[name] = await sign(payload, secret, placeholder === STALE ? Math.floor(Date.now() / 1000) - 3_600 : undefined)
  }
  return { ...r, headers }
}

/** Mostly a good signature; else a stale one, a malformed one or none. */
const signature = (name: string) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant({ [name]: SIGN }) },
    fc.constant({ [name]: STALE }),
    fc.constant({}),
    headerText(200).map((v) => ({ [name]: v })),
    fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => ({ [name]: `t=${Math.floor(Date.now() / 1000)},v1=${h}` })),
  )

/** Whole cents up to ±max dollars, never zero (mostly positive), at times an extreme number. */
const usd = (max: number) =>
  edgeNumber(fc.tuple(fc.integer({ min: 1, max: max * 100 }), fc.constantFrom(1, 1, 1, -1)).map(([c, sign]) => (sign * c) / 100))
const name = edgeText(plainText(30).filter((t) => t.trim().length > 0))
const eventId = edgeText(fc.stringMatching(/^[\x21-\x7e]{1,40}$/))
const cents = edgeNumber(fc.integer({ min: 1, max: 100_000 }))
const pi = fc.stringMatching(/^[a-z0-9]{4,12}$/).map((s) => `pi_${s}`)

const stripeEvent = () =>
  fc.oneof(
    fc.tuple(pi, cents).map(([p, c]) => stripeEvents.checkoutCompleted(ids.stripe, p, c as number)),
    fc.tuple(pi, cents).map(([p, c]) => stripeEvents.paymentSucceeded(ids.stripe, p, c as number)),
    fc.tuple(pi, cents).map(([p, c]) => stripeEvents.chargeRefunded(p, [{ id: `re_${p}`, cents: c as number }], { account_id: ids.stripe })),
    pi.map((p) => stripeEvents.disputeCreated(p)),
    fc.record({ id: eventId, type: fc.constantFrom('customer.created', 'invoice.paid'), data: fc.constant({ object: {} }) }),
  )

const admin = () => [secrets().admin]
const account = () => segment([ids.account, 'acct_missing'])

/** The operator API and the webhooks, each with its credentials and inputs. */
const routes = (): (Route & { name: string })[] => [
  {
    name: 'POST /admin/accounts', method: 'POST', path: fc.constant('/admin/accounts'), credentials: admin(),
    body: fc.record({ name, credit_usd: usd(1000), reason: name }, { requiredKeys: ['name'] }), fields: ['name', 'credit_usd', 'reason'],
  },
  { name: 'GET /admin/accounts', method: 'GET', path: queryOf({ limit: fc.constantFrom('1', '50', '100', '101', '0'), offset: fc.constantFrom('0', '1', '1000000000', '-1') }).map((q) => `/admin/accounts${q}`), credentials: admin() },
  { name: 'GET /admin/accounts/:id', method: 'GET', path: account().map((a) => `/admin/accounts/${a}`), credentials: admin() },
  {
    name: 'GET /admin/accounts/:id/generations', method: 'GET', credentials: admin(),
    path: fc.tuple(account(), queryOf({
      from: fc.constantFrom('2026-01-01', '2026-01-01T12:00:00Z', '1970-01-01', '9999-12-31'), to: fc.constantFrom('2099-01-01', '2026-01-02'),
      limit: fc.constantFrom('1', '100', '1000'), order: fc.constantFrom('asc', 'desc'), details: fc.constantFrom('true', 'false'),
      cursor: fc.constantFrom(btoa('1764000000000:gen-1764000000-abc'), btoa('1:gen-1-x')),
    })).map(([a, q]) => `/admin/accounts/${a}/generations${q}`),
  },
  {
    name: 'GET /admin/accounts/:id/activity', method: 'GET', credentials: admin(),
    path: fc.tuple(account(), queryOf({ period: fc.constantFrom('1d', '7d', '30d', '2y', ''), group_by: fc.constantFrom('model', 'provider', 'app', 'key', 'account') }))
      .map(([a, q]) => `/admin/accounts/${a}/activity${q}`),
  },
  { name: 'POST /admin/retention', method: 'POST', path: fc.constant('/admin/retention'), credentials: admin() },
  { name: 'GET /admin/recorders', method: 'GET', path: fc.constant('/admin/recorders'), credentials: admin() },
  {
    name: 'POST /admin/accounts/:id/suspend|reactivate', method: 'POST', credentials: admin(),
    path: fc.tuple(segment([ids.suspendable, 'acct_missing']), fc.constantFrom('suspend', 'reactivate')).map(([a, action]) => `/admin/accounts/${a}/${action}`),
  },
  {
    name: 'POST /admin/accounts/:id/keys', method: 'POST', path: account().map((a) => `/admin/accounts/${a}/keys`), credentials: admin(),
    body: fc.record({
      name, kind: fc.constantFrom('inference', 'management'), limit: fc.option(usd(1000)), limit_reset: fc.constantFrom('daily', 'monthly', null),
      expires_at: fc.constantFrom('2099-01-01T00:00:00Z', '9999-12-31T23:59:59Z', null),
    }, { requiredKeys: [] }),
    fields: ['name', 'kind', 'limit', 'limit_reset', 'expires_at'],
  },
  {
    name: 'POST /admin/accounts/:id/credits', method: 'POST', path: account().map((a) => `/admin/accounts/${a}/credits`), credentials: admin(),
    body: fc.record({ amount_usd: usd(100), reason: name, kind: fc.constantFrom('grant', 'adjustment'), id: eventId }, { requiredKeys: ['amount_usd', 'reason'] }),
    fields: ['amount_usd', 'reason', 'kind', 'id'],
  },
  {
    name: 'PATCH /admin/keys/:hash', method: 'PATCH', path: segment([ids.keyHash, '0'.repeat(64)]).map((h) => `/admin/keys/${h}`), credentials: admin(),
    body: fc.record({ disabled: fc.boolean() }), fields: ['disabled'],
  },
  {
    name: 'POST /webhooks/stripe', method: 'POST', path: fc.constant('/webhooks/stripe'), headers: signature('stripe-signature'),
    body: stripeEvent(), fields: ['id', 'type', 'data', 'object', 'livemode'],
  },
  {
    name: 'POST /webhooks/topup', method: 'POST', path: fc.constant('/webhooks/topup'), headers: signature('x-signature'),
    body: fc.record({ id: eventId, account_id: fc.constantFrom(ids.account, ids.account, ids.account, 'acct_missing'), amount_usd: usd(100) }),
    fields: ['id', 'account_id', 'amount_usd'],
  },
]

describe('sweep: each field of a full money body, faulted one at a time', () => {
  it.each([
    ['/webhooks/stripe (checkout)', '/webhooks/stripe', () => stripeEvents.checkoutCompleted(ids.stripe, 'pi_sweep1', 500), { 'stripe-signature': SIGN }],
    ['/webhooks/stripe (refund)', '/webhooks/stripe', () => stripeEvents.chargeRefunded('pi_sweep1', [{ id: 're_sweep1', cents: 100 }]), { 'stripe-signature': SIGN }],
    ['/webhooks/topup', '/webhooks/topup', () => ({ id: 'sweep-1', account_id: ids.account, amount_usd: 5 }), { 'x-signature': SIGN }],
  ] as const)('POST %s', async (_, path, body, headers) => {
    const tally = await sweep({ method: 'POST', path, headers }, body(), signed)
    expect(tally['2xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
  }, TIMEOUT_MS)

  it('POST /admin/accounts/:id/credits and /keys', async () => {
    const credential = secrets().admin
    const credits = await sweep({ method: 'POST', path: `/admin/accounts/${ids.account}/credits`, credential }, { amount_usd: 1, reason: 'r', kind: 'grant', id: 'sweep-credit' })
    const keys = await sweep({ method: 'POST', path: `/admin/accounts/${ids.account}/keys`, credential }, { name: 'k', kind: 'inference', limit: 1, limit_reset: 'daily', expires_at: '2099-01-01T00:00:00Z' })
    expect(credits['2xx'] ?? 0, JSON.stringify(credits)).toBeGreaterThan(0)
    expect(keys['2xx'] ?? 0, JSON.stringify(keys)).toBeGreaterThan(0)
  }, TIMEOUT_MS)
})

describe('fuzz: the operator API and the webhooks answer with a 4xx envelope or a success, never a 5xx', () => {
  // Named now, built once beforeAll has made the account they use.
  it.each(routes().map((r) => r.name))('%s', async (routeName) => {
    const route = routes().find((r) => r.name === routeName)
    if (!route) throw new Error(`no route ${routeName}`)
    const tally = await fuzz(routeInputs(route), { numRuns: RUNS, prepare: signed })
    expect(tally['4xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
    expect(tally['2xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
  }, TIMEOUT_MS)
})
