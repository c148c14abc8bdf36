// The real `openai` npm SDK, running inside workerd and pointed at the gateway through
// a custom fetch, gets the same shapes from an OpenAI-compatible, an Anthropic and a
// Gemini model (each served by its wire-format fake): text, a tool-call round trip,
// streamed tool calls, an image message, usage with cost to the microdollar; plus
// embeddings.create and completions.create.
import { exports } from 'cloudflare:workers'
import OpenAI from 'openai'
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions'
import { beforeAll, describe, expect, it } from 'vitest'
import { seedAccount } from '../helpers/seed.ts'

let client: OpenAI

beforeAll(async () => {
  const { key } = await seedAccount({ balanceMicro: 50_000_000 })
  client = new OpenAI({
    baseURL: 'https://gateway.test/api/v1',
    apiKey: key,
    maxRetries: 0,
    fetch: (input, init) => exports.default.fetch(new Request(input, init)),
  })
})

/** OpenRouter's additions to usage, which the SDK's types do not know. */
type Priced = { cost: number; is_byok: boolean }
const costOf = (usage: unknown) => (usage as Priced).cost

const PROVIDERS = [
  { label: 'OpenAI-compatible', model: 'openai/gpt-4o-mini', provider: 'OpenAI', prompt: 150_000, completion: 600_000 },
  { label: 'Anthropic', model: 'anthropic/claude-3.5-haiku', provider: 'Anthropic', prompt: 800_000, completion: 4_000_000 },
  { label: 'Gemini', model: 'google/gemini-2.5-flash', provider: 'Google AI Studio', prompt: 300_000, completion: 2_500_000 },
]

const weather: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
}
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

describe.each(PROVIDERS)('openai SDK → $label ($model)', ({ model, provider, prompt, completion }) => {
  /** The catalog price of the reported tokens, in dollars, rounded up to whole µ$ once. */
  const expectedCost = (u: { prompt_tokens: number; completion_tokens: number }) =>
    Math.ceil((u.prompt_tokens * prompt + u.completion_tokens * completion) / 1e6) / 1e6

  it('text, with usage and its exact cost', async () => {
    const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello from the sdk' }] })
    expect(res.id).toMatch(/^gen-/)
    expect(res).toMatchObject({ object: 'chat.completion', model, provider })
    expect(res.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'You said: hello from the sdk' } })
    const usage = res.usage!
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens)
    expect(usage.completion_tokens).toBe(6) // every fake counts a token per word
    expect(costOf(usage)).toBe(expectedCost(usage))
    expect(costOf(usage)).toBeGreaterThan(0)
  })

  it('a tool call round trip', async () => {
    const ask: ChatCompletionMessageParam = { role: 'user', content: 'weather in Paris' }
    const first = await client.chat.completions.create({ model, messages: [ask], tools: [weather], tool_choice: 'required' })
    const choice = first.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    const call = choice.message.tool_calls?.[0]
    expect(call).toMatchObject({ type: 'function', id: expect.any(String), function: { name: 'get_weather' } })
    if (call?.type !== 'function') throw new Error('expected a function call')
    expect(JSON.parse(call.function.arguments)).toEqual({ text: 'weather in Paris' })

    const second = await client.chat.completions.create({
      model,
      tools: [weather],
      messages: [ask, choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temp_c":21}' }],
    })
    expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant' } })
    expect(second.choices[0]?.message.content).toMatch(/^The tool returned: .*21/)
  })

  it('streams a tool call whose deltas reassemble, then one usage chunk with cost', async () => {
    const stream = await client.chat.completions.create({
      model,
      stream: true,
      messages: [{ role: 'user', content: 'Lyon please' }],
      tools: [weather],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    })
    const calls = new Map<number, { id?: string; name?: string; args: string }>()
    const finishes: string[] = []
    const usages: unknown[] = []
    const ids = new Set<string>()
    for await (const chunk of stream) {
      ids.add(chunk.id)
      if (chunk.usage) usages.push(chunk.usage)
      for (const c of chunk.choices) {
        if (c.finish_reason) finishes.push(c.finish_reason)
        for (const t of c.delta.tool_calls ?? []) {
          const acc = calls.get(t.index) ?? { args: '' }
          if (t.id) acc.id = t.id
          if (t.function?.name) acc.name = t.function.name
          acc.args += t.function?.arguments ?? ''
          calls.set(t.index, acc)
        }
      }
    }
    expect(ids.size).toBe(1)
    expect([...calls.values()]).toEqual([{ id: expect.any(String), name: 'get_weather', args: expect.any(String) }])
    expect(JSON.parse(calls.get(0)!.args)).toEqual({ text: 'Lyon please' })
    expect(finishes).toEqual(['tool_calls'])
    expect(usages).toHaveLength(1)
    const usage = usages[0] as { prompt_tokens: number; completion_tokens: number }
    expect(costOf(usage)).toBe(expectedCost(usage))
  })

  it('an image message', async () => {
    const res = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: PNG } }] }],
    })
    expect(res.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant' } })
    expect(res.choices[0]?.message.content).toMatch(/^You said: what is this/)
    expect(costOf(res.usage)).toBe(expectedCost(res.usage!))
  })
})

describe('openai SDK → embeddings and legacy completions', () => {
  it.each([
    ['fake/embed', 16],
    ['openai/text-embedding-3-small', 8],
    ['google/gemini-embedding-001', 8],
  ])('embeddings.create on %s (base64 on the wire by default, floats for the caller)', async (model, dims) => {
    const res = await client.embeddings.create({ model, input: ['first text', 'second text'], dimensions: dims })
    expect(res).toMatchObject({ object: 'list', model })
    expect(res.data.map((d) => [d.object, d.index, d.embedding.length])).toEqual([['embedding', 0, dims], ['embedding', 1, dims]])
    expect(Math.hypot(...res.data[0]!.embedding)).toBeCloseTo(1, 5)
    expect(costOf(res.usage)).toBeGreaterThan(0)
  })

  // Native /completions hosts (the fake, Together) and chat-only models (Anthropic, Gemini) alike.
  it.each(['fake/echo', 'meta-llama/llama-3.3-70b-instruct', 'anthropic/claude-3.5-haiku', 'google/gemini-2.5-flash'])('completions.create on %s, JSON and stream', async (model) => {
    const res = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 20 })
    expect(res).toMatchObject({ object: 'text_completion', model, choices: [{ index: 0, text: 'You said: Once upon a time', finish_reason: 'stop' }] })
    expect(costOf(res.usage)).toBeGreaterThan(0)

    const stream = await client.completions.create({ model, prompt: 'Once upon a time', stream: true })
    let text = ''
    let usageChunks = 0
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? ''
      if (chunk.usage) usageChunks++
    }
    expect(text).toBe('You said: Once upon a time')
    expect(usageChunks).toBe(1)
  })

  it('surfaces gateway errors as typed SDK errors', async () => {
    await expect(client.embeddings.create({ model: 'fake/echo', input: 'x' })).rejects.toBeInstanceOf(OpenAI.BadRequestError)
    // Every text model serves legacy completions now; an embedding model does not.
    await expect(client.completions.create({ model: 'fake/embed', prompt: 'x' })).rejects.toMatchObject({ status: 400 })
  })
})
