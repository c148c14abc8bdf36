// POST /embeddings through the gateway: the built-in fake, OpenAI (openai.test) and
// Gemini (gemini.test, batchEmbedContents) — OpenAI's list shape with cost,
// microdollar-exact charges, api_type 'embeddings', fallback and the model checks.
import { describe, expect, it } from 'vitest'
import { base64ToFloats } from '../../src/skins/embeddings/render.ts'
import { call, chat } from '../helpers/gateway.ts'
import { flush, generationRow, ledgerBalance, settled } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

const embed = (key: string, body: Record<string, unknown>) => call('/embeddings', { method: 'POST', key, json: body })
/** µ$ for `tokens` at `price` µ$ per million tokens, rounded up once. */
const micro = (tokens: number, price: number) => Math.ceil((tokens * price) / 1e6)
const norm = (v: number[]) => Math.hypot(...v)

describe('POST /embeddings (happy)', () => {
  it('fake/embed: one vector per input in order, usage with cost, settled as api_type embeddings', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000_000 })
    const input = ['hello world', 'a'.repeat(1000)]
    const res = await embed(key, { model: 'fake/embed', input })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    // Fake usage: ceil(11 / 4) + ceil(1000 / 4) = 3 + 250 tokens at $0.02/M → 5.06 µ$ → 6 µ$.
    expect(micro(253, 20_000)).toBe(6)
    expect(body).toEqual({
      id: res.headers.get('x-generation-id'),
      object: 'list',
      data: [
        { object: 'embedding', embedding: expect.any(Array), index: 0 },
        { object: 'embedding', embedding: expect.any(Array), index: 1 },
      ],
      model: 'fake/embed',
      provider: 'Switchboard Fake',
      usage: { prompt_tokens: 253, total_tokens: 253, cost: 6e-6, is_byok: false },
    })
    expect(body.id).toMatch(/^gen-/)
    for (const d of body.data) {
      expect(d.embedding).toHaveLength(16)
      expect(norm(d.embedding)).toBeCloseTo(1, 6)
    }
    expect(body.data[0].embedding).not.toEqual(body.data[1].embedding)

    await flush(accountId)
    expect(await generationRow(body.id)).toMatchObject({
      apiType: 'embeddings', model: 'fake/embed', providerId: 'fake', status: 200, costMicro: 6, tokensPrompt: 253, tokensCompletion: 0, streamed: false,
    })
    expect(await ledgerBalance(accountId)).toBe(1_000_000 - 6)
  })

  it('openai/text-embedding-3-small via openai.test: dimensions forwarded, cost from the upstream usage', async () => {
    const { accountId, key } = await seedAccount()
    const res = await embed(key, { model: 'openai/text-embedding-3-small', input: 'The quick brown fox jumps over the dog', dimensions: 8, user: 'u-42' })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(res.headers.get('x-provider')).toBe('openai')
    expect(body).toMatchObject({ object: 'list', model: 'openai/text-embedding-3-small', provider: 'OpenAI' })
    expect(body.data).toHaveLength(1)
    expect(body.data[0].embedding).toHaveLength(8)
    // 38 characters → 10 tokens at $0.02/M = 0.2 µ$ → 1 µ$.
    expect(body.usage).toEqual({ prompt_tokens: 10, total_tokens: 10, cost: micro(10, 20_000) / 1e6, is_byok: false })
    await flush(accountId)
    expect(await generationRow(body.id)).toMatchObject({ apiType: 'embeddings', providerId: 'openai', costMicro: 1, externalUser: 'u-42' })
  })

  it('google/gemini-embedding-001 via gemini.test: batchEmbedContents, outputDimensionality, usage estimated at four characters a token', async () => {
    const { accountId, key } = await seedAccount()
    const input = ['hello gemini', 'b'.repeat(400)]
    const res = await embed(key, { model: 'google/gemini-embedding-001', input, dimensions: 4 })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ object: 'list', model: 'google/gemini-embedding-001', provider: 'Google AI Studio' })
    expect(body.data.map((d: any) => [d.index, d.embedding.length])).toEqual([[0, 4], [1, 4]])
    // Gemini reports no usage: ceil(12 / 4) + ceil(400 / 4) = 103 tokens at $0.15/M = 15.45 µ$ → 16 µ$.
    expect(micro(103, 150_000)).toBe(16)
    expect(body.usage).toEqual({ prompt_tokens: 103, total_tokens: 103, cost: 16e-6, is_byok: false })
    await flush(accountId)
    expect(await generationRow(body.id)).toMatchObject({ apiType: 'embeddings', providerId: 'google', costMicro: 16, tokensPrompt: 103 })
  })

  it('encoding_format base64: passed through from an upstream that speaks it, encoded by the gateway for one that does not', async () => {
    const { key } = await seedAccount()
    const floats = await (await embed(key, { model: 'fake/embed', input: 'same text' })).json<any>()
    const b64 = await (await embed(key, { model: 'fake/embed', input: 'same text', encoding_format: 'base64' })).json<any>()
    expect(typeof b64.data[0].embedding).toBe('string')
    expect(base64ToFloats(b64.data[0].embedding)).toEqual(floats.data[0].embedding.map(Math.fround))

    const gemini = await (await embed(key, { model: 'google/gemini-embedding-001', input: 'x', dimensions: 3, encoding_format: 'base64' })).json<any>()
    expect(typeof gemini.data[0].embedding).toBe('string')
    expect(base64ToFloats(gemini.data[0].embedding)).toHaveLength(3)
  })

  it('token-id inputs go to OpenAI-compatible endpoints; a Gemini-only model refuses them with 400', async () => {
    const { key } = await seedAccount()
    const ok = await embed(key, { model: 'fake/embed', input: [[1, 2, 3], [4, 5]] })
    const body = await ok.json<any>()
    expect(ok.status, JSON.stringify(body)).toBe(200)
    expect(body.usage.prompt_tokens).toBe(5)
    const refused = await embed(key, { model: 'google/gemini-embedding-001', input: [1, 2, 3] })
    expect(refused.status).toBe(400)
    expect((await refused.json<any>()).error.message).toMatch(/Token-id inputs are supported by OpenAI-compatible providers only/)
  })

  it('falls back to the next model when the first endpoint fails, and records both attempts', async () => {
    const { accountId, key } = await seedAccount()
    const res = await embed(key, { model: 'openai/text-embedding-3-small', models: ['fake/embed'], input: 'fallback please [[fake status=503 on=openai]]' })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ model: 'fake/embed', provider: 'Switchboard Fake' })
    await flush(accountId)
    expect((await generationRow(body.id))?.attempts).toMatchObject([{ provider: 'openai', status: 503 }, { provider: 'fake', status: 200 }])
  })
})

describe('POST /embeddings (idempotency)', () => {
  it('replays a repeated Idempotency-Key and charges once', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000_000 })
    const send = () => call('/embeddings', { method: 'POST', key, json: { model: 'fake/embed', input: 'c'.repeat(400) }, headers: { 'Idempotency-Key': 'emb-1' } })
    const first = await (await send()).json<any>()
    await settled(accountId)
    const again = await send()
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await again.json()).toEqual(first)
    await flush(accountId)
    // 100 tokens at $0.02/M = 2 µ$, once.
    expect(await ledgerBalance(accountId)).toBe(1_000_000 - 2)
  })
})

describe('POST /embeddings (errors)', () => {
  it('refuses a chat model with a clear 400, and /chat/completions and /completions refuse embedding models', async () => {
    const { key } = await seedAccount()
    const res = await embed(key, { model: 'fake/echo', input: 'x' })
    expect(res.status).toBe(400)
    expect((await res.json<any>()).error.message).toBe('fake/echo is not an embedding model (its output_modalities lack "embeddings"); use /api/v1/chat/completions for it')

    const chatRes = await chat(key, { model: 'openai/text-embedding-3-small', messages: [{ role: 'user', content: 'hi' }] })
    expect(chatRes.status).toBe(400)
    expect((await chatRes.json<any>()).error.message).toBe('openai/text-embedding-3-small is an embedding model: use /api/v1/embeddings')

    const legacy = await call('/completions', { method: 'POST', key, json: { model: 'fake/embed', prompt: 'hi' } })
    expect(legacy.status).toBe(400)
  })

  it('validates the body, needs a key and credit, and relays a failure with nothing charged', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000 })
    expect((await embed(key, { model: 'fake/embed' })).status).toBe(400)
    expect((await embed(key, { model: 'fake/embed', input: [] })).status).toBe(400)
    expect((await call('/embeddings', { method: 'POST', json: { model: 'fake/embed', input: 'x' } })).status).toBe(401)
    const poor = await seedAccount({ balanceMicro: 0 })
    expect((await embed(poor.key, { model: 'fake/embed', input: 'x' })).status).toBe(402)

    const failed = await embed(key, { model: 'fake/embed', input: 'boom [[fake status=500]]' })
    expect(failed.status).toBe(503)
    const id = failed.headers.get('x-generation-id')!
    await flush(accountId)
    expect(await generationRow(id)).toMatchObject({ apiType: 'embeddings', status: 503, costMicro: 0 })
    expect(await ledgerBalance(accountId)).toBe(1_000)
  })
})
