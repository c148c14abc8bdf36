// No provider key leaves the gateway through an upstream's own words. Each wire's fake
// upstream, told `echo_key`, quotes the key it was sent in its error message and body (as
// "Incorrect API key provided: sk-…" does); the canaries are the keys vitest.config.ts
// configures, which the gateway really sends. Two of them (together-test, goog-test) look
// like no known key, so only the configured-secret match can catch them. The key must be in
// no response (JSON or SSE, before or mid-stream, 400 relayed or 401 → 502), no stored
// generation record, and no console output.
import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { REDACTED } from '../../src/lib/redact.ts'
import { call, chat } from '../helpers/gateway.ts'
import { flush, generationRow } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

const secret = (name: string): string => {
  const value: unknown = (env as unknown as Record<string, unknown>)[name]
  if (typeof value !== 'string' || value === '') throw new Error(`${name} is not configured for the tests`)
  return value
}

const WIRES = [
  { wire: 'OpenAI', model: 'openai/gpt-4o-mini', provider: 'openai', key: 'OPENAI_API_KEY' },
  { wire: 'OpenAI-compatible (Together)', model: 'meta-llama/llama-3.3-70b-instruct', provider: 'together', key: 'TOGETHER_API_KEY' },
  { wire: 'Anthropic', model: 'anthropic/claude-3.5-haiku', provider: 'anthropic', key: 'ANTHROPIC_API_KEY' },
  { wire: 'Gemini', model: 'google/gemini-2.5-flash', provider: 'google', key: 'GOOGLE_API_KEY' },
]

const ECHOED = `Incorrect API key provided: ${REDACTED}`
const CONSOLE = ['log', 'info', 'warn', 'error', 'debug'] as const

let spies: MockInstance[] = []
beforeEach(() => {
  // Recorded, and still printed.
  spies = CONSOLE.map((method) => vi.spyOn(console, method))
})
afterEach(() => {
  for (const spy of spies) spy.mockRestore()
})
const logged = () => spies.flatMap((spy) => spy.mock.calls.map((args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))).join('\n')

describe.each(WIRES)('a $wire upstream that echoes the key it was sent', ({ model, provider, key: keyName }) => {
  const canary = secret(keyName)
  const route = { model, provider: { only: [provider], allow_fallbacks: false } }
  const ask = (directive: string, extra: Record<string, unknown> = {}) =>
    ({ ...route, messages: [{ role: 'user', content: `hello [[fake ${directive}]]` }], ...extra })

  it('is redacted from JSON and SSE answers, generation records and logs', async () => {
    const { accountId, key } = await seedAccount()
    const ids: string[] = []
    const send = async (body: Record<string, unknown>) => {
      const res = await chat(key, body)
      const id = res.headers.get('x-generation-id')
      if (id) ids.push(id)
      return { res, text: await res.text() }
    }

    // A 400 is the request's own fault: relayed with the upstream's message.
    const relayed = await send(ask('status=400 echo_key'))
    expect(relayed.res.status, relayed.text).toBe(400)
    expect(JSON.parse(relayed.text).error.message).toContain(ECHOED)

    // A 401 refuses our credentials: a 502 whose metadata.raw is the upstream body.
    for (const stream of [false, true]) {
      const refused = await send(ask('status=401 echo_key', { stream }))
      expect(refused.res.status, refused.text).toBe(502)
      expect(JSON.stringify(JSON.parse(refused.text).error.metadata.raw)).toContain(ECHOED)
    }

    // After the first byte: the error chunk ends the stream with the upstream's (4xx) message.
    const midStream = await send(ask('error_after=1 echo_key', { stream: true }))
    expect(midStream.res.status).toBe(200)
    expect(midStream.text).toContain(ECHOED)
    expect(midStream.text).toContain('data: [DONE]')

    // The same fault for a client that does not stream (the upstream may still be asked for a stream).
    const quiet = await send(ask('error_after=1 echo_key'))

    for (const { text } of [relayed, midStream, quiet]) expect(text).not.toContain(canary)

    await flush(accountId)
    expect(ids.length).toBeGreaterThanOrEqual(5)
    for (const id of ids) {
      const generation = await call(`/generation?id=${id}`, { key })
      expect(generation.status).toBe(200)
      expect(await generation.text()).not.toContain(canary)
      // The stored attempts keep each upstream's (redacted) error message.
      const row = await generationRow(id)
      expect(JSON.stringify(row)).not.toContain(canary)
    }
    const attempts = JSON.stringify((await Promise.all(ids.map(generationRow))).map((r) => r?.attempts))
    expect(attempts).toContain(REDACTED)
    expect(logged()).not.toContain(canary)
  })
})

describe('the other routes that reach an upstream', () => {
  it('legacy /completions streams and /embeddings errors are redacted too', async () => {
    const { key } = await seedAccount()
    const together = secret('TOGETHER_API_KEY')
    const openai = secret('OPENAI_API_KEY')

    const completion = await call('/completions', {
      method: 'POST', key,
      json: { model: 'meta-llama/llama-3.3-70b-instruct', provider: { only: ['together'] }, prompt: 'hi [[fake error_after=1 echo_key]]', stream: true },
    })
    const sse = await completion.text()
    expect(sse).toContain(ECHOED)
    expect(sse).not.toContain(together)

    const embedding = await call('/embeddings', {
      method: 'POST', key,
      json: { model: 'openai/text-embedding-3-small', provider: { only: ['openai'] }, input: 'x [[fake status=400 echo_key]]' },
    })
    const body = await embedding.text()
    expect(embedding.status, body).toBe(400)
    expect(body).toContain(ECHOED)
    expect(body).not.toContain(openai)
    expect(logged()).not.toContain(together)
    expect(logged()).not.toContain(openai)
  })
})
