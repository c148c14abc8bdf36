// Property-based fuzzing of the key provisioning API (/keys, management keys), the
// account reads (/generation, /generation/content, /generations, /key, /credits, /activity, /activity/metrics, /rankings), the Credits page's
// reads and Checkout (/credits/ledger, /holds, /checkout), the account's
// settings (/settings) and the open catalog routes
// (/models, /providers, /endpoints): odd query strings, path segments, bodies,
// credentials and headers. Never a 5xx; every 4xx is the envelope (test/helpers/fuzz.ts).
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { fuzz, queryOf, routeInputs, segment, sweep, type Route } from '../helpers/fuzz.ts'
import { edgeNumber, edgeText, plainText } from '../helpers/fuzz-values.ts'
import { call } from '../helpers/gateway.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'

const RUNS = 200
const TIMEOUT_MS = 120_000

const ids = { inference: '', management: '', target: '', patchTarget: '', generation: '' }
beforeAll(async () => {
  const { key, accountId } = await seedAccount({ balanceMicro: 1_000_000_000 })
  ids.inference = key
  ids.management = (await addKey(accountId, 'management')).key
  // The keys GET and PATCH act on: inference keys of the same account, one each.
  ids.target = (await addKey(accountId, 'inference')).keyHash
  ids.patchTarget = (await addKey(accountId, 'inference')).keyHash
  const res = await call('/chat/completions', { method: 'POST', key, json: { model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }] } })
  ids.generation = res.headers.get('x-generation-id') ?? 'gen-none'
  await res.text()
})

const iso = fc.oneof(
  fc.constantFrom('2099-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2099-01-01T00:00:00+14:00', '2000-01-01T00:00:00Z', '2099-02-30T00:00:00Z'),
  fc.date({ min: new Date(0), max: new Date(253402300799000), noInvalidDate: true }).map((d) => d.toISOString()),
)
const dollars = edgeNumber(fc.double({ min: 0, max: 1000, noNaN: true }))
const limitReset = fc.constantFrom('daily', 'weekly', 'monthly', null)
const createKey = fc.record({
  name: edgeText(plainText(30).filter((t) => t.trim().length > 0)), limit: fc.option(dollars), limit_reset: limitReset,
  expires_at: fc.option(iso), include_byok_in_limit: fc.boolean(), log_content: fc.boolean(),
}, { requiredKeys: ['name'] })
const updateKey = fc.record({
  name: edgeText(plainText(30).filter((t) => t.trim().length > 0)), disabled: fc.boolean(), limit: fc.option(dollars), limit_reset: limitReset,
  include_byok_in_limit: fc.boolean(), log_content: fc.boolean(),
}, { requiredKeys: [] })
const KEY_FIELDS = ['name', 'limit', 'limit_reset', 'expires_at', 'disabled', 'include_byok_in_limit', 'log_content']
const settings = fc.record({
  content_logging: fc.constantFrom('opt_in', 'always', 'never'), content_retention_days: edgeNumber(fc.integer({ min: 1, max: 365 })),
}, { requiredKeys: [] })
const SETTINGS_FIELDS = ['content_logging', 'content_retention_days']

const num = fc.oneof(fc.nat(500).map(String), fc.constantFrom('-1', '1e999', '0.5', 'NaN', '9007199254740993', '1e21'))
const bool = fc.constantFrom('true', 'false', 'TRUE', '1')
const hash = (target: string) => segment([target, '0'.repeat(64), 'F'.repeat(64)])
const inBoth = () => [ids.inference, ids.management]

/** Each public route outside inference, the operator API and the webhooks, with its credentials and inputs. */
const routes = (): (Route & { name: string; never2xx?: true })[] => [
  { name: 'GET /keys', method: 'GET', path: queryOf({ include_disabled: bool, offset: num }).map((q) => `/keys${q}`), credentials: [ids.management] },
  { name: 'POST /keys', method: 'POST', path: fc.constant('/keys'), credentials: [ids.management], body: createKey, fields: KEY_FIELDS },
  { name: 'GET /keys/:hash', method: 'GET', path: hash(ids.target).map((h) => `/keys/${h}`), credentials: [ids.management] },
  {
    name: 'PATCH /keys/:hash', method: 'PATCH', path: hash(ids.patchTarget).map((h) => `/keys/${h}`), credentials: [ids.management],
    body: updateKey, fields: KEY_FIELDS,
  },
  // Never the target's real hash: a revoked target would leave PATCH and GET nothing to act on.
  { name: 'DELETE /keys/:hash', method: 'DELETE', path: segment(['0'.repeat(64)]).map((h) => `/keys/${h}`), credentials: [ids.management], never2xx: true },
  // The generation is written when the gate flushes: found or not, both are fine.
  {
    name: 'GET /generation', method: 'GET', path: queryOf({ id: fc.constantFrom(ids.generation, 'gen-x') }).map((q) => `/generation${q}`), credentials: inBoth(),
    never2xx: true,
  },
  {
    name: 'GET /generations', method: 'GET', credentials: inBoth(),
    path: queryOf({
      limit: fc.constantFrom('1', '50', '100', '101', '0'), cursor: fc.constantFrom('1764000000000.gen-1764000000-abc', '1.x', `${'9'.repeat(15)}.${'a'.repeat(100)}`),
      model: fc.constantFrom('fake/echo', 'FAKE/ECHO', 'x'.repeat(201)), provider: fc.constantFrom('fake', 'fake-eu'), api_key_hash: fc.constantFrom(ids.target, '0'.repeat(64)),
      app: fc.constantFrom('https://app.example', 'My App'), status: fc.constantFrom('success', 'error', 'cancelled'),
    }).map((q) => `/generations${q}`),
  },
  {
    name: 'GET /generation/content', method: 'GET', credentials: inBoth(),
    path: queryOf({ id: fc.constantFrom(ids.generation, 'gen-x', 'resp_x', 'x'.repeat(300)) }).map((q) => `/generation/content${q}`),
  },
  { name: 'GET /settings', method: 'GET', path: fc.constant('/settings'), credentials: [ids.management] },
  { name: 'PATCH /settings', method: 'PATCH', path: fc.constant('/settings'), credentials: [ids.management], body: settings, fields: SETTINGS_FIELDS },
  { name: 'GET /key', method: 'GET', path: fc.constantFrom('/key', '/auth/key'), credentials: inBoth() },
  { name: 'GET /credits', method: 'GET', path: fc.constant('/credits'), credentials: inBoth() },
  {
    name: 'GET /credits/ledger', method: 'GET', credentials: inBoth(),
    path: queryOf({ limit: fc.constantFrom('1', '50', '200', '201', '0'), cursor: fc.constantFrom('1764000000000.pi_x', '1.charge:1', `${'9'.repeat(15)}.${'a'.repeat(200)}`, '1.') }).map((q) => `/credits/ledger${q}`),
  },
  { name: 'GET /credits/holds, /credits/checkout', method: 'GET', path: fc.constantFrom('/credits/holds', '/credits/checkout'), credentials: inBoth() },
  // A management key's valid amount creates a session at the fake api.stripe.com; an API key's is a 403.
  { name: 'POST /credits/checkout', method: 'POST', path: fc.constant('/credits/checkout'), credentials: inBoth(), body: fc.record({ amount: dollars }), fields: ['amount'] },
  {
    name: 'GET /activity', method: 'GET', credentials: inBoth(),
    path: queryOf({ date: fc.constantFrom('2026-01-31', '9999-99-99', '0000-00-00'), api_key_hash: fc.constantFrom(ids.target, 'x') }).map((q) => `/activity${q}`),
  },
  {
    name: 'GET /activity/metrics', method: 'GET', credentials: inBoth(),
    path: queryOf({
      period: fc.constantFrom('1d', '7d', '30d', '2d', '', '7D'), group_by: fc.constantFrom('model', 'provider', 'app', 'key', 'user', ''),
      api_key_hash: fc.constantFrom(ids.target, 'x', '0'.repeat(64)),
    }).map((q) => `/activity/metrics${q}`),
  },
  {
    name: 'GET /rankings', method: 'GET', credentials: inBoth(),
    path: queryOf({ period: fc.constantFrom('1d', '7d', '30d', '90d', ''), order: fc.constantFrom('tokens', 'requests', 'cost', ''), limit: num }).map((q) => `/rankings${q}`),
  },
  {
    name: 'GET /models', method: 'GET',
    path: queryOf({
      output_modalities: fc.constantFrom('text', 'embeddings', 'all', 'text,image', ''), supported_parameters: fc.constantFrom('tools', 'tools,seed', 'x'),
      available: bool, zdr: bool, offset: num, limit: num, provider: fc.constantFrom('fake', 'fake-eu,groq', 'nope', ''),
    }).map((q) => `/models${q}`),
  },
  {
    name: 'GET /models/:author/:slug/endpoints', method: 'GET',
    path: fc.tuple(segment(['fake', 'openai']), segment(['echo', 'gpt-4o-mini', 'embed'])).map(([a, s]) => `/models/${a}/${s}/endpoints`),
  },
  { name: 'GET /providers, /endpoints/zdr', method: 'GET', path: fc.constantFrom('/providers', '/endpoints/zdr') },
]

describe('sweep: each field of a full key body, faulted one at a time', () => {
  it('POST /keys and PATCH /keys/:hash', async () => {
    const create = { name: 'k', limit: 5, limit_reset: 'monthly', expires_at: '2099-01-01T00:00:00Z', include_byok_in_limit: false, log_content: false }
    const created = await sweep({ method: 'POST', path: '/keys', credential: ids.management }, create)
    const update = { name: 'k', disabled: false, limit: 5, limit_reset: 'weekly', include_byok_in_limit: false, log_content: true }
    const updated = await sweep({ method: 'PATCH', path: `/keys/${ids.patchTarget}`, credential: ids.management }, update)
    expect(created['2xx'] ?? 0, JSON.stringify(created)).toBeGreaterThan(0)
    expect(updated['2xx'] ?? 0, JSON.stringify(updated)).toBeGreaterThan(0)
  }, TIMEOUT_MS)

  it('PATCH /settings', async () => {
    const tally = await sweep({ method: 'PATCH', path: '/settings', credential: ids.management }, { content_logging: 'opt_in', content_retention_days: 30 })
    expect(tally['2xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
    expect(tally['4xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
  }, TIMEOUT_MS)
})

describe('fuzz: keys, account and catalog routes answer with a 4xx envelope or a success, never a 5xx', () => {
  // Named now, built once beforeAll has made the keys they use.
  it.each(routes().map((r) => r.name))('%s', async (name) => {
    const route = routes().find((r) => r.name === name)
    if (!route) throw new Error(`no route ${name}`)
    const tally = await fuzz(routeInputs(route), { numRuns: RUNS })
    expect(tally['4xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
    if (!route.never2xx) expect(tally['2xx'] ?? 0, JSON.stringify(tally)).toBeGreaterThan(0)
  }, TIMEOUT_MS)
})
