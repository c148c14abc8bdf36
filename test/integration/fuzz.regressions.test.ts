// Inputs the fuzzers (fuzz.*.security.test.ts) and hostile testing found answered with
// a 500, each kept as a row: it must now get a 4xx in the error envelope naming the field.
import { describe, expect, it } from 'vitest'
import { call } from '../helpers/gateway.ts'
import { seedAccount } from '../helpers/seed.ts'
import { postStripe, stripeEvents } from '../helpers/webhooks.ts'

const user = [{ role: 'user', content: 'hi' }]

interface Row {
  name: string
  path: string
  body: Record<string, unknown>
  status: number
  /** The error message names the offending field. */
  message: RegExp
}

const chatRows: Row[] = [
  { name: 'max_cost 1e10', path: '/chat/completions', body: { model: 'fake/echo', messages: user, max_cost: 1e10 }, status: 400, message: /max_cost/ },
  { name: 'max_cost 1e300', path: '/chat/completions', body: { model: 'fake/echo', messages: user, max_cost: 1e300 }, status: 400, message: /max_cost/ },
  {
    name: 'auto-router allowed_models as a string', path: '/chat/completions', status: 400, message: /plugins\.0\.allowed_models/,
    body: { model: 'openrouter/auto', messages: user, plugins: [{ id: 'auto-router', allowed_models: 'fake/echo' }] },
  },
  {
    name: 'auto-router allowed_models as a number', path: '/chat/completions', status: 400, message: /plugins\.0\.allowed_models/,
    body: { model: 'openrouter/auto', messages: user, plugins: [{ id: 'auto-router', allowed_models: 7 }] },
  },
  {
    name: 'auto-router allowed_models of objects', path: '/chat/completions', status: 400, message: /plugins\.0\.allowed_models\.0/,
    body: { model: 'openrouter/auto', messages: user, plugins: [{ id: 'auto-router', allowed_models: [{}] }] },
  },
  {
    name: 'auto-router excluded_models of numbers', path: '/chat/completions', status: 400, message: /plugins\.0\.excluded_models\.0/,
    body: { model: 'openrouter/auto', messages: user, plugins: [{ id: 'auto-router', excluded_models: [1] }] },
  },
  {
    name: 'a plugin without an id', path: '/chat/completions', status: 400, message: /plugins\.0\.id/,
    body: { model: 'openrouter/auto', messages: user, plugins: [{}] },
  },
  {
    name: 'plugins not an array', path: '/chat/completions', status: 400, message: /plugins/,
    body: { model: 'fake/echo', messages: user, plugins: 7 },
  },
  {
    name: 'a known plugin with a wrong field type', path: '/chat/completions', status: 400, message: /plugins\.1\.max_results/,
    body: { model: 'fake/echo', messages: user, plugins: [{ id: 'response-healing' }, { id: 'web', max_results: 'many' }] },
  },
  {
    // Each glob was a RegExp tried on every catalog model: ten stars backtracked for 15 s a model.
    name: 'an auto-router glob that made the RegExp backtrack', path: '/chat/completions', status: 404, message: /No endpoints/,
    body: { model: 'openrouter/auto', messages: user, plugins: [{ id: 'auto-router', allowed_models: [`${'*'.repeat(60)}!`] }] },
  },
  {
    // Forwarded unbounded, it crashed an upstream (a 503 once every endpoint failed) instead of a 400.
    name: 'embeddings dimensions 1e10', path: '/embeddings', status: 400, message: /dimensions/,
    body: { model: 'google/gemini-embedding-001', input: 'hi', dimensions: 1e10 },
  },
]

/** Valid bodies next to the rows above: unknown plugins are tolerated, a disabled auto-router plugin is ignored. */
const accepted: { name: string; body: Record<string, unknown>; model: string }[] = [
  { name: 'an unknown plugin id', model: 'fake/echo', body: { model: 'fake/echo', messages: user, plugins: [{ id: 'some-future-plugin', x: [1] }] } },
  { name: 'max_cost at the bound', model: 'fake/echo', body: { model: 'fake/echo', messages: user, max_cost: 1_000_000_000 } },
  {
    name: 'the auto-router plugin', model: 'fake/story',
    body: { model: 'openrouter/auto', messages: user, plugins: [{ id: 'auto-router', allowed_models: ['FAKE/st*'], excluded_models: null }] },
  },
]

describe('fuzz findings: a 4xx envelope naming the field, never a 500', () => {
  it.each(chatRows)('$name → $status', async ({ path, body, status, message }) => {
    const { key } = await seedAccount()
    const res = await call(path, { method: 'POST', key, json: body })
    const json = await res.json<{ error: { code: number; message: string } }>()
    expect(res.status, JSON.stringify(json)).toBe(status)
    expect(json.error.code).toBe(status)
    expect(json.error.message).toMatch(message)
  })

  it.each(accepted)('$name → 200', async ({ body, model }) => {
    const { key } = await seedAccount()
    const res = await call('/chat/completions', { method: 'POST', key, json: body })
    const json = await res.json<{ model: string }>()
    expect(res.status, JSON.stringify(json)).toBe(200)
    expect(json.model).toBe(model)
  })

  it('ignores a disabled auto-router plugin (the operator list applies)', async () => {
    const { key } = await seedAccount()
    const plugins = [{ id: 'auto-router', enabled: false, allowed_models: ['fake/story'] }]
    const res = await call('/chat/completions', { method: 'POST', key, json: { model: 'openrouter/auto', messages: user, plugins } })
    const json = await res.json<{ model: string }>()
    expect(res.status, JSON.stringify(json)).toBe(200)
    expect(json.model).not.toBe('fake/story')
  })

  // Not a 500, but a balance of 1e304 microdollars: money must stay a safe integer.
  it('refuses a Stripe amount whose microdollars are not a safe integer', async () => {
    const { accountId } = await seedAccount()
    const res = await postStripe(stripeEvents.checkoutCompleted(accountId, 'pi_huge_amount', 1e300))
    const json = await res.json<{ error: { code: number; message: string } }>()
    expect(res.status, JSON.stringify(json)).toBe(400)
    expect(json.error.message).toMatch(/data\.object\.amount_total/)
  })
})
