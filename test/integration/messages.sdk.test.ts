// The real @anthropic-ai/sdk, inside workerd and pointed at POST /api/v1/messages: on a
// Claude model (sent natively to the Anthropic-wire fake) and on open models (translated
// to the OpenAI-wire fakes), the same calls work: messages.create, messages.stream with
// finalMessage, messages.countTokens, a tool round trip, an image, reasoning as thinking
// blocks; and usage.cost is what /generation records, with api_type "messages".
import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages'
import { beforeAll, describe, expect, it } from 'vitest'
import { publicGeneration } from '../helpers/ledger.ts'
import { anthropicClient, costOf } from '../helpers/sdk.ts'
import { seedAccount, type Seeded } from '../helpers/seed.ts'
import { marker, receivedWith } from '../helpers/upstream-log.ts'

let account: Seeded

beforeAll(async () => {
  account = await seedAccount({ balanceMicro: 50_000_000 })
})

const generationOf = (id: string) => publicGeneration(account, id)

const weather: Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
}
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

const MODELS = [
  // Claude Code's spelling of a Claude model: resolved to the catalog's, served natively.
  { label: 'Claude (native)', model: 'claude-3-5-haiku-20241022', served: 'anthropic/claude-3.5-haiku', provider: 'Anthropic', host: 'anthropic.test' },
  { label: 'open model (translated)', model: 'meta-llama/llama-4-scout', served: 'meta-llama/llama-4-scout', provider: expect.any(String), host: expect.stringMatching(/^(groq|together)\.test$/) },
]

describe.each(MODELS)('@anthropic-ai/sdk → $label', ({ model, served, provider, host }) => {
  it('messages.create: text, X-Generation-Id, usage.cost equal to /generation, api_type messages', async () => {
    const { data: message, response } = await anthropicClient(account.key).messages
      .create({ model, max_tokens: 200, messages: [{ role: 'user', content: 'hello from the sdk' }] })
      .withResponse()
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: served, stop_reason: 'end_turn', content: [{ type: 'text', text: 'You said: hello from the sdk' }] })
    expect(message.id).toMatch(/^gen-/)
    expect(response.headers.get('x-generation-id')).toBe(message.id)
    expect(message.usage.input_tokens).toBeGreaterThan(0)
    expect(message.usage.output_tokens).toBe(6) // every fake counts a token a word
    const gen = await generationOf(message.id)
    expect(gen).toMatchObject({ id: message.id, model: served, provider_name: provider, api_type: 'messages', streamed: false, tokens_completion: 6 })
    expect(costOf(message.usage)).toBeGreaterThan(0)
    expect(gen.total_cost).toBe(costOf(message.usage))
  })

  it('the key works as x-api-key too (the SDK\'s apiKey)', async () => {
    const message = await anthropicClient(account.key, 'apiKey').messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'by x-api-key' }] })
    expect(message.content).toEqual([{ type: 'text', text: 'You said: by x-api-key' }])
  })

  it('a tool round trip: tool_use, then the tool_result answered', async () => {
    const ask: MessageParam = { role: 'user', content: 'weather in Paris' }
    const client = anthropicClient(account.key)
    const first = await client.messages.create({ model, max_tokens: 200, tools: [weather], tool_choice: { type: 'any' }, messages: [ask] })
    expect(first.stop_reason).toBe('tool_use')
    const use = first.content.find((b) => b.type === 'tool_use')
    expect(use).toMatchObject({ type: 'tool_use', id: expect.any(String), name: 'get_weather', input: { text: 'weather in Paris' } })
    if (use?.type !== 'tool_use') throw new Error('expected a tool_use block')
    const second = await client.messages.create({
      model, max_tokens: 200, tools: [weather],
      messages: [ask, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '{"temp_c":21}' }] }],
    })
    expect(second.stop_reason).toBe('end_turn')
    expect(second.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/^The tool returned: .*21/) })
  })

  it('messages.stream: text deltas and a final message with usage and cost', async () => {
    const stream = anthropicClient(account.key).messages.stream({ model, max_tokens: 200, messages: [{ role: 'user', content: 'stream these four words' }] })
    let text = ''
    stream.on('text', (delta) => (text += delta))
    // The SDK's message keeps Anthropic's usage fields only: the cost is read off message_delta.
    let cost: number | undefined
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_delta') cost = costOf(event.usage)
    })
    const message = await stream.finalMessage()
    expect(text).toBe('You said: stream these four words')
    expect(message).toMatchObject({ id: expect.stringMatching(/^gen-/), model: served, stop_reason: 'end_turn', content: [{ type: 'text', text }] })
    expect(message.usage.output_tokens).toBe(6)
    const gen = await generationOf(message.id)
    expect(gen).toMatchObject({ api_type: 'messages', streamed: true, tokens_completion: 6 })
    expect(cost).toBeGreaterThan(0)
    expect(gen.total_cost).toBe(cost)
  })

  it('messages.stream: a streamed tool_use whose input_json_delta pieces reassemble', async () => {
    const message = await anthropicClient(account.key).messages
      .stream({ model, max_tokens: 200, tools: [weather], tool_choice: { type: 'tool', name: 'get_weather' }, messages: [{ role: 'user', content: 'Oslo please' }] })
      .finalMessage()
    expect(message.stop_reason).toBe('tool_use')
    expect(message.content.filter((b) => b.type === 'tool_use')).toEqual([
      { type: 'tool_use', id: expect.any(String), name: 'get_weather', input: { text: 'Oslo please' } },
    ])
  })

  it('an image (base64) reaches the upstream in its own wire\'s shape', async () => {
    const tag = marker('image')
    const message = await anthropicClient(account.key).messages.create({
      model, max_tokens: 200,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'text', text: `what is this ${tag}` }] }],
    })
    expect(message.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining(`what is this ${tag}`) })
    const [sent] = await receivedWith(tag)
    expect(sent?.host).toEqual(host)
    const body = JSON.parse(sent?.body ?? '{}')
    const parts = body.messages.at(-1).content
    // Anthropic gets its image block as sent; an OpenAI-wire host gets an image_url data URL.
    expect(parts).toContainEqual(sent?.host === 'anthropic.test'
      ? { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }
      : { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } })
  })

  it('messages.countTokens answers an estimate', async () => {
    const short = await anthropicClient(account.key).messages.countTokens({ model, messages: [{ role: 'user', content: 'hi' }] })
    const long = await anthropicClient(account.key).messages.countTokens({ model, messages: [{ role: 'user', content: 'hi '.repeat(300) }], tools: [weather] })
    expect(short.input_tokens).toBeGreaterThan(0)
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 200)
  })
})

describe('@anthropic-ai/sdk: reasoning as thinking blocks', () => {
  it('Claude (native): a signed thinking block, sent back on the tool round trip with its signature intact', async () => {
    const client = anthropicClient(account.key)
    const tag = marker('think')
    const common = { model: 'anthropic/claude-sonnet-4.5', max_tokens: 2048, thinking: { type: 'enabled' as const, budget_tokens: 1024 }, tools: [weather] }
    const ask: MessageParam = { role: 'user', content: `use get_weather for Oslo ${tag}` }
    const first = await client.messages.stream({ ...common, messages: [ask] }).finalMessage()
    expect(first.model).toBe('anthropic/claude-sonnet-4.5')
    expect(first.content[0]).toEqual({ type: 'thinking', thinking: `Thinking about: use get_weather for Oslo ${tag}`, signature: expect.stringMatching(/.+/) })
    const use = first.content.find((b) => b.type === 'tool_use')
    if (use?.type !== 'tool_use') throw new Error('expected a tool_use block')
    const second = await client.messages.create({
      ...common,
      messages: [ask, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '-3°C' }] }],
    })
    expect(second.content.at(-1)).toEqual({ type: 'text', text: 'The tool returned: -3°C' })
    // The strict fake checks the signature; what it got is the block as the SDK sent it back.
    const sent = await receivedWith(tag)
    expect(sent).toHaveLength(2)
    expect(JSON.parse(sent[1]?.body ?? '{}').messages[1].content[0]).toEqual(first.content[0])
  })

  it('open model (translated): its reasoning comes back as thinking blocks, JSON and streamed', async () => {
    const client = anthropicClient(account.key)
    const body = {
      model: 'deepseek/deepseek-r1', max_tokens: 500, thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      messages: [{ role: 'user' as const, content: 'why is the sky blue [[fake reasoning]]' }],
    }
    const json = await client.messages.create(body)
    expect(json.content).toEqual([
      { type: 'thinking', thinking: 'Thinking about: why is the sky blue', signature: '' },
      { type: 'text', text: 'You said: why is the sky blue' },
    ])
    const streamed = await client.messages.stream(body).finalMessage()
    expect(streamed.content).toEqual(json.content)
    expect(streamed.usage.output_tokens).toBe(json.usage.output_tokens)
  })
})
