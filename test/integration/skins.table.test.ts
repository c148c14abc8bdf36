// Every skin bills, limits, falls back, replays Idempotency-Key and records its generation
// exactly as chat does: one table of skins (how to ask each for a model, how to read its
// answer, stream and error envelope), and the same cases run through every row.
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client.ts'
import { apiKeys } from '../../src/db/schema.ts'
import { gateFor } from '../../src/objects/clients.ts'
import { call } from '../helpers/gateway.ts'
import { flush, ledgerBalance, settled } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

/** A JSON value read by path; a missing step is undefined. */
const at = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<string | number, unknown>)[k] : undefined), v)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

const sseEvents = (text: string): EventSourceMessage[] => {
  const events: EventSourceMessage[] = []
  createParser({ onEvent: (e) => events.push(e) }).feed(text)
  return events
}
/** Data events as JSON, with the SSE event name (when there is one) as `_event`; `[DONE]` as the string. */
const sseData = (text: string): unknown[] =>
  sseEvents(text).map((e) => (e.data === '[DONE]' ? e.data : { _event: e.event, ...(JSON.parse(e.data) as object) }))

/** What a skin's JSON answer says, read the skin's way. */
interface Answer {
  text: string
  /** usage.cost, USD. */
  cost: number
  tokens: { prompt: number; completion: number }
}
interface StreamRead {
  text: string
  /** The final usage's cost, USD; null when the wire has no place for it (an Anthropic stream that failed). */
  cost: number | null
  /** The in-stream error's type as the wire names it; null when the stream ended normally. */
  error: string | null
  /** The wire's end marker arrived ([DONE], message_stop, response.completed or .failed). */
  ended: boolean
}

interface Skin {
  name: string
  path: string
  apiType: string
  model: string
  /** The model's price at the fake endpoint, in µ$ per million tokens, as the catalog has it. */
  price: Price
  body(model: string, text: string): Record<string, unknown>
  readJson(json: unknown): Answer
  /** Absent: the skin does not stream (embeddings). */
  readStream?(text: string): StreamRead
  /** The envelope's error type (asserting its shape); `status` is the HTTP status. */
  readError(status: number, json: unknown): string
  errors: { credits: string; rateLimit: string; midStream?: string }
  /**
   * The fallback case: the fault (the first endpoint's 503), the request's routing fields, and
   * where it must be served (provider display names, as /generation reports them).
   */
  fallback: { fault: string; body: Record<string, unknown>; served: { model: string; provider: string }; price: Price; attempts: unknown[] }
}
interface Price {
  prompt: number
  completion: number
}

const ORDERED = { provider: { order: ['fake', 'fake-eu'] } }
const FAKE = { prompt: 1_000_000, completion: 2_000_000 }
const FAKE_EU = { prompt: 1_500_000, completion: 3_000_000 }
const FAKE_EMBED = { prompt: 20_000, completion: 0 }
const VIA_FAKE_EU = [{ provider_name: 'Switchboard Fake', status: 503 }, { provider_name: 'Switchboard Fake EU', status: 200 }]
const SERVED_BY_FAKE_EU = { model: 'fake/echo', provider: 'Switchboard Fake EU' }

/** OpenRouter's envelope: `{error: {code: <status>, message, metadata: {error_type}}}`. */
const openRouterError = (status: number, json: unknown): string => {
  expect(at(json, 'error', 'code')).toBe(status)
  expect(str(at(json, 'error', 'message'))).not.toBe('')
  return str(at(json, 'error', 'metadata', 'error_type'))
}
/** Chat-framed streams (chat and legacy completions): data-only chunks, a usage chunk, [DONE]. */
const chatFramed = (delta: (choice: unknown) => unknown) => (text: string): StreamRead => {
  const data = sseData(text)
  const chunks = data.filter((d) => d !== '[DONE]')
  return {
    text: chunks.map((c) => str(delta(at(c, 'choices', 0)))).join(''),
    cost: (at(chunks.findLast((c) => at(c, 'usage') !== undefined), 'usage', 'cost') as number | undefined) ?? null,
    error: (at(chunks.find((c) => at(c, 'error') !== undefined), 'error', 'metadata', 'error_type') as string | undefined) ?? null,
    ended: data.at(-1) === '[DONE]',
  }
}
const chatTokens = (json: unknown) => ({ prompt: Number(at(json, 'usage', 'prompt_tokens')), completion: Number(at(json, 'usage', 'completion_tokens') ?? 0) })
const say = (text: string) => [{ role: 'user', content: text }]

const SKINS: Skin[] = [
  {
    name: 'chat', path: '/chat/completions', apiType: 'completions', model: 'fake/echo', price: FAKE,
    body: (model, text) => ({ model, messages: say(text), max_tokens: 500 }),
    readJson: (json) => ({ text: str(at(json, 'choices', 0, 'message', 'content')), cost: at(json, 'usage', 'cost') as number, tokens: chatTokens(json) }),
    readStream: chatFramed((c) => at(c, 'delta', 'content')),
    readError: openRouterError,
    errors: { credits: 'payment_required', rateLimit: 'rate_limit_exceeded', midStream: 'provider_unavailable' },
    fallback: { fault: '[[fake status=503 on=fake]]', body: ORDERED, served: SERVED_BY_FAKE_EU, price: FAKE_EU, attempts: VIA_FAKE_EU },
  },
  {
    name: 'legacy completions', path: '/completions', apiType: 'completions', model: 'fake/echo', price: FAKE,
    body: (model, text) => ({ model, prompt: text, max_tokens: 500 }),
    readJson: (json) => ({ text: str(at(json, 'choices', 0, 'text')), cost: at(json, 'usage', 'cost') as number, tokens: chatTokens(json) }),
    readStream: chatFramed((c) => at(c, 'text')),
    readError: openRouterError,
    errors: { credits: 'payment_required', rateLimit: 'rate_limit_exceeded', midStream: 'provider_unavailable' },
    fallback: { fault: '[[fake status=503 on=fake]]', body: ORDERED, served: SERVED_BY_FAKE_EU, price: FAKE_EU, attempts: VIA_FAKE_EU },
  },
  {
    name: 'embeddings', path: '/embeddings', apiType: 'embeddings', model: 'fake/embed', price: FAKE_EMBED,
    body: (model, text) => ({ model, input: text }),
    readJson: (json) => ({ text: `${list(at(json, 'data')).length} vector(s)`, cost: at(json, 'usage', 'cost') as number, tokens: chatTokens(json) }),
    readError: openRouterError,
    errors: { credits: 'payment_required', rateLimit: 'rate_limit_exceeded' },
    // fake/embed has one endpoint: its fallback is a second model.
    fallback: {
      fault: '[[fake status=503 on=openai]]', body: { model: 'openai/text-embedding-3-small', models: ['fake/embed'], provider: { only: ['openai', 'fake'] } },
      served: { model: 'fake/embed', provider: 'Switchboard Fake' }, price: FAKE_EMBED,
      attempts: [{ provider_name: 'OpenAI', status: 503 }, { provider_name: 'Switchboard Fake', status: 200 }],
    },
  },
  {
    name: 'messages', path: '/messages', apiType: 'messages', model: 'fake/echo', price: FAKE,
    body: (model, text) => ({ model, max_tokens: 500, messages: say(text) }),
    readJson: (json) => ({
      text: list(at(json, 'content')).map((b) => str(at(b, 'text'))).join(''),
      cost: at(json, 'usage', 'cost') as number,
      tokens: {
        prompt: Number(at(json, 'usage', 'input_tokens')) + Number(at(json, 'usage', 'cache_read_input_tokens')) + Number(at(json, 'usage', 'cache_creation_input_tokens')),
        completion: Number(at(json, 'usage', 'output_tokens')),
      },
    }),
    readStream: (text) => {
      const data = sseData(text)
      const named = (name: string) => data.filter((d) => at(d, '_event') === name)
      return {
        text: named('content_block_delta').map((d) => str(at(d, 'delta', 'text'))).join(''),
        cost: (at(named('message_delta').at(-1), 'usage', 'cost') as number | undefined) ?? null,
        error: (at(named('error')[0], 'error', 'type') as string | undefined) ?? null,
        ended: named('message_stop').length === 1 || named('error').length === 1,
      }
    },
    readError: (_status, json) => {
      expect(at(json, 'type')).toBe('error')
      expect(str(at(json, 'error', 'message'))).not.toBe('')
      return str(at(json, 'error', 'type'))
    },
    errors: { credits: 'billing_error', rateLimit: 'rate_limit_error', midStream: 'api_error' },
    fallback: { fault: '[[fake status=503 on=fake]]', body: ORDERED, served: SERVED_BY_FAKE_EU, price: FAKE_EU, attempts: VIA_FAKE_EU },
  },
  {
    name: 'responses', path: '/responses', apiType: 'responses', model: 'fake/echo', price: FAKE,
    body: (model, text) => ({ model, input: text, max_output_tokens: 500 }),
    readJson: (json) => ({
      text: str(at(json, 'output_text')),
      cost: at(json, 'usage', 'cost') as number,
      tokens: { prompt: Number(at(json, 'usage', 'input_tokens')), completion: Number(at(json, 'usage', 'output_tokens')) },
    }),
    readStream: (text) => {
      const data = sseData(text)
      const named = (name: string) => data.filter((d) => at(d, '_event') === name)
      const last = [...named('response.completed'), ...named('response.failed')][0]
      return {
        text: named('response.output_text.delta').map((d) => str(at(d, 'delta'))).join(''),
        cost: (at(last, 'response', 'usage', 'cost') as number | undefined) ?? null,
        error: (at(named('error')[0], 'code') as string | undefined) ?? null,
        ended: last !== undefined,
      }
    },
    // OpenAI's envelope: the type by status, and the code clients match on.
    readError: (status, json) => {
      expect(at(json, 'error', 'type')).toBe({ 402: 'insufficient_quota', 429: 'rate_limit_error' }[status])
      expect(str(at(json, 'error', 'message'))).not.toBe('')
      expect(at(json, 'error')).toHaveProperty('param')
      return str(at(json, 'error', 'code'))
    },
    errors: { credits: 'insufficient_quota', rateLimit: 'rate_limit_exceeded', midStream: 'server_error' },
    fallback: { fault: '[[fake status=503 on=fake]]', body: ORDERED, served: SERVED_BY_FAKE_EU, price: FAKE_EU, attempts: VIA_FAKE_EU },
  },
]

/** Served by the `fake` endpoint (fake/echo's other one, fake-eu, is dearer), unless the body routes otherwise. */
const PINNED = { provider: { only: ['fake'] } }
const post = (skin: Skin, key: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  call(skin.path, { method: 'POST', key, json: { ...PINNED, ...body }, ...(headers ? { headers } : {}) })
/** µ$ for the tokens, rounded up once, as pricing does. */
const micro = (tokens: { prompt: number; completion: number }, price: Price) =>
  Math.ceil((tokens.prompt * price.prompt + tokens.completion * price.completion) / 1e6)
const toMicro = (usd: number | null) => Math.round((usd ?? NaN) * 1e6)

/** The generation as GET /generation reports it (the gate has flushed it to D1 by then). */
const generation = async (key: string, id: string): Promise<Record<string, unknown> & { costMicro: number; tokens: { prompt: number; completion: number } }> => {
  expect(id).toMatch(/^gen-/)
  const res = await call(`/generation?id=${id}`, { key })
  expect(res.status).toBe(200)
  const g = (await res.json<{ data: Record<string, unknown> }>()).data
  return { ...g, costMicro: toMicro(g.total_cost as number), tokens: { prompt: Number(g.tokens_prompt), completion: Number(g.tokens_completion) } }
}

/** The account was charged exactly `costMicro` and only once: the gate's usage and balance, and D1's ledger, agree. */
const expectCharged = async (accountId: string, startMicro: number, costMicro: number) => {
  await flush(accountId)
  const snap = await gateFor(env, accountId).snapshot()
  expect(snap.totalUsageMicro).toBe(costMicro)
  expect(snap.balanceMicro).toBe(startMicro - costMicro)
  expect(await ledgerBalance(accountId)).toBe(startMicro - costMicro)
}

const START = 5_000_000
const withStream = (kind: 'json' | 'stream') => (kind === 'stream' ? { stream: true } : {})

describe.each(SKINS)('$name ($path) bills, limits and falls back as chat does', (skin) => {
  const kinds = skin.readStream ? (['json', 'stream'] as const) : (['json'] as const)
  /** The answer's text and cost, from its JSON or its stream. */
  const read = async (res: Response, kind: 'json' | 'stream') =>
    kind === 'json' ? skin.readJson(await res.json()) : skin.readStream!(await res.text())

  it.each(kinds)('%s: the exact cost is the answer\'s, /generation\'s total and the one ledger charge, with the skin\'s api_type', async (kind) => {
    const { accountId, key } = await seedAccount({ balanceMicro: START })
    const res = await post(skin, key, { ...skin.body(skin.model, 'what does this cost'), ...withStream(kind) })
    expect(res.status).toBe(200)
    const answer = await read(res, kind)
    expect(answer.text).not.toBe('')
    await expectCharged(accountId, START, toMicro(answer.cost))
    const g = await generation(key, res.headers.get('x-generation-id') ?? '')
    expect(g).toMatchObject({ api_type: skin.apiType, model: skin.model, provider_name: 'Switchboard Fake', streamed: kind === 'stream', total_cost: answer.cost })
    expect(g.costMicro).toBeGreaterThan(0)
    expect(g.costMicro).toBe(micro(g.tokens, skin.price))
  })

  it('its JSON usage counts the tokens the generation records', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: START })
    const res = await post(skin, key, skin.body(skin.model, 'count my tokens please'))
    const answer = skin.readJson(await res.json())
    await flush(accountId)
    expect(answer.tokens).toEqual((await generation(key, res.headers.get('x-generation-id') ?? '')).tokens)
  })

  it('402 in its own envelope for an account without credit, and nothing charged', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 0 })
    const res = await post(skin, key, skin.body(skin.model, 'no money'))
    expect(res.status).toBe(402)
    expect(skin.readError(402, await res.json())).toBe(skin.errors.credits)
    await settled(accountId)
    await expectCharged(accountId, 0, 0)
  })

  it('429 in its own envelope, with Retry-After, past the key\'s requests_per_minute', async () => {
    const { key, keyHash } = await seedAccount()
    await createDb(env.DB).update(apiKeys).set({ requestsPerMinute: 1 }).where(eq(apiKeys.hash, keyHash))
    expect((await post(skin, key, skin.body(skin.model, 'first'))).status).toBe(200)
    const limited = await post(skin, key, skin.body(skin.model, 'second'))
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(skin.readError(429, await limited.json())).toBe(skin.errors.rateLimit)
  })

  it.each(kinds)('%s: a first endpoint answering 503 falls back to the next; the attempts are recorded and only the server is paid', async (kind) => {
    const { accountId, key } = await seedAccount({ balanceMicro: START })
    const res = await post(skin, key, { ...skin.body(skin.model, `fall back ${skin.fallback.fault}`), ...skin.fallback.body, ...withStream(kind) })
    expect(res.status).toBe(200)
    const answer = await read(res, kind)
    expect(answer.text).not.toBe('')
    await expectCharged(accountId, START, toMicro(answer.cost))
    const g = await generation(key, res.headers.get('x-generation-id') ?? '')
    expect(g).toMatchObject({ api_type: skin.apiType, model: skin.fallback.served.model, provider_name: skin.fallback.served.provider })
    expect(g.provider_responses).toMatchObject(skin.fallback.attempts)
    expect(g.costMicro).toBe(micro(g.tokens, skin.fallback.price))
  })

  it.each(kinds)('%s: an Idempotency-Key replay is the same answer, charged once', async (kind) => {
    const { accountId, key } = await seedAccount({ balanceMicro: START })
    const body = { ...skin.body(skin.model, 'only once'), ...withStream(kind) }
    const headers = { 'Idempotency-Key': `table-${skin.name}-${kind}` }
    const first = await post(skin, key, body, headers)
    expect(first.status).toBe(200)
    const firstText = await first.text()
    await settled(accountId)
    const again = await post(skin, key, body, headers)
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const againText = await again.text()
    if (kind === 'json') expect(JSON.parse(againText)).toEqual(JSON.parse(firstText))
    else expect(sseData(againText)).toEqual(sseData(firstText))
    const cost = kind === 'json' ? skin.readJson(JSON.parse(firstText)).cost : skin.readStream!(firstText).cost
    await expectCharged(accountId, START, toMicro(cost))
  })

  it.skipIf(!skin.readStream)('a failure mid-stream ends it with the skin\'s in-stream error, and charges only what was produced', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: START })
    const res = await post(skin, key, { ...skin.body(skin.model, 'a b c d e f [[fake error_after=2]]'), stream: true })
    expect(res.status).toBe(200)
    const stream = skin.readStream!(await res.text())
    expect(stream.text).not.toBe('') // part of the answer had arrived
    expect(stream.error).toBe(skin.errors.midStream)
    expect(stream.ended).toBe(true)
    // A generation that ended in an error costs nothing (zero-completion insurance); a wire with room for usage says so.
    if (stream.cost !== null) expect(stream.cost).toBe(0)
    await expectCharged(accountId, START, 0)
    const g = await generation(key, res.headers.get('x-generation-id') ?? '')
    expect(g).toMatchObject({ api_type: skin.apiType, finish_reason: 'error', total_cost: 0, streamed: true })
  })
})
