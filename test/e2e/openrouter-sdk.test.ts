// @openrouter/sdk parses strictly (docs/compatibility.md): every shape it touches must be complete.
import { OpenRouter } from '@openrouter/sdk'
import { beforeAll, describe, expect, inject, it } from 'vitest'

let client: OpenRouter

beforeAll(() => {
  client = new OpenRouter({ apiKey: inject('apiKey'), serverURL: inject('baseURL'), retryConfig: { strategy: 'none' } })
})

describe('@openrouter/sdk against npm start', () => {
  it('parses models.list()', async () => {
    const page = await client.models.list()
    const result = (page as unknown as { result: { data: { id: string }[]; totalCount: number } }).result
    expect(result.data.length).toBeGreaterThanOrEqual(30)
    expect(result.totalCount).toBe(result.data.length)
    expect(result.data.map((m) => m.id)).toContain('fake/echo')
  })

  it('parses an endpoints list', async () => {
    const res = await client.endpoints.list({ author: 'fake', slug: 'echo' })
    expect(res.data.endpoints.map((e) => e.tag)).toEqual(['fake', 'fake-eu'])
  })

  it('parses the ZDR endpoints and a zdr-filtered model list', async () => {
    const zdr = await client.endpoints.listZdrEndpoints()
    expect(zdr.data.map((e) => e.tag)).toContain('fake-eu')
    expect(zdr.data.map((e) => e.providerName)).not.toContain('OpenAI')
    const page = await client.models.list({ zdr: 'true' })
    const ids = (page as unknown as { result: { data: { id: string }[] } }).result.data.map((m) => m.id)
    expect(ids).toContain('fake/echo')
    expect(ids).not.toContain('openai/gpt-4o-mini')
  })

  it('parses a completion', async () => {
    const res = await client.chat.send({ chatRequest: { model: 'fake/echo', messages: [{ role: 'user', content: 'hi sdk' }] } })
    const completion = res as unknown as { id: string; choices: { message: { content: string } }[]; usage: { cost: number } }
    expect(completion.id).toMatch(/^gen-/)
    expect(completion.choices[0]?.message.content).toBe('You said: hi sdk')
    expect(completion.usage.cost).toBeGreaterThan(0)
  })

  it('parses every chunk of a stream', async () => {
    const stream = await client.chat.send({ chatRequest: { model: 'fake/echo', stream: true, messages: [{ role: 'user', content: 'x y z' }] } })
    let text = ''
    let cost = 0
    for await (const chunk of stream as unknown as AsyncIterable<{ choices: { delta: { content?: string } }[]; usage?: { cost: number } }>) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) cost = chunk.usage.cost
    }
    expect(text).toBe('You said: x y z')
    expect(cost).toBeGreaterThan(0)
  })

  it('parses a stream whose first chunk is the debug echo (choices [])', async () => {
    const stream = await client.chat.send({
      chatRequest: { model: 'fake/echo', stream: true, debug: { echoUpstreamBody: true }, messages: [{ role: 'user', content: 'debug me' }] },
    })
    const chunks: { choices: { delta: { content?: string } }[] }[] = []
    for await (const chunk of stream as unknown as AsyncIterable<(typeof chunks)[number]>) chunks.push(chunk)
    expect(chunks[0]?.choices).toEqual([])
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: debug me')
  })

  it('parses /generation, /key and /credits; /key usage rises by exactly the cost', async () => {
    // A key of its own: the dev key's last requests (the stream just above) settle a moment after they end.
    const manager = new OpenRouter({ apiKey: inject('managementKey'), serverURL: inject('baseURL'), retryConfig: { strategy: 'none' } })
    const own = new OpenRouter({
      apiKey: (await manager.apiKeys.create({ requestBody: { name: 'e2e usage' } })).key, serverURL: inject('baseURL'), retryConfig: { strategy: 'none' },
    })
    const before = await own.apiKeys.getCurrentKeyMetadata()
    const res = (await own.chat.send({ chatRequest: { model: 'fake/echo', messages: [{ role: 'user', content: 'bill me' }] } })) as unknown as { id: string; usage: { cost: number } }
    // Generations reach D1 a moment after they finish (the account gate flushes in batches).
    let generation: Awaited<ReturnType<typeof client.generations.getGeneration>> | undefined
    for (let i = 0; i < 50 && !generation; i++) {
      generation = await client.generations.getGeneration({ id: res.id }).catch(() => undefined)
      if (!generation) await new Promise((r) => setTimeout(r, 100))
    }
    expect(generation?.data.totalCost).toBe(res.usage.cost)
    expect(['Switchboard Fake', 'Switchboard Fake EU']).toContain(generation?.data.providerName)
    const after = await own.apiKeys.getCurrentKeyMetadata()
    expect(after.data.usage - before.data.usage).toBeCloseTo(res.usage.cost, 9)
    expect(after.data.usageDaily - before.data.usageDaily).toBeCloseTo(res.usage.cost, 9)
    const credits = await client.credits.getCredits()
    // The dev account's $100 seed, plus whatever other tests paid in (the dashboard's credits test pays $1.23).
    expect(credits.data.totalCredits).toBeGreaterThanOrEqual(100)
    expect(credits.data.totalUsage).toBeGreaterThanOrEqual(res.usage.cost)
  })

  it('raises typed errors', async () => {
    await expect(client.chat.send({ chatRequest: { model: 'acme/fake', messages: [{ role: 'user', content: 'x' }] } }))
      .rejects.toMatchObject({ name: 'BadRequestResponseError' })
  })
})
