// The Anthropic SDK and the openai SDK's Responses API against npm start, configured as
// docs/agents.md tells a user: base URL <origin>/api (Anthropic) and <origin>/api/v1 (OpenAI).
// Fake models answer, so no provider key is needed; wire-level cases on real providers' fakes
// are in test/integration/messages.* and responses.*.
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { describe, expect, inject, it } from 'vitest'
import { fakeCall } from './agents/harness.ts'

const MODEL = 'fake/echo'
const anthropic = () => new Anthropic({ baseURL: inject('baseURL').replace(/\/v1$/, ''), authToken: inject('apiKey'), apiKey: null, maxRetries: 0 })
const openai = () => new OpenAI({ baseURL: inject('baseURL'), apiKey: inject('apiKey'), maxRetries: 0 })
const weather = { name: 'get_weather', description: 'Weather in a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }

describe('@anthropic-ai/sdk against npm start', () => {
  it('messages.create answers with usage and its cost', async () => {
    const message = await anthropic().messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hello claude sdk' }] })
    expect(message).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text', text: 'You said: hello claude sdk' }] })
    expect((message.usage as unknown as { cost: number }).cost).toBeGreaterThan(0)
  })

  it('messages.stream ends in the same message, and a tool round trip completes', async () => {
    const client = anthropic()
    const streamed = await client.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'stream it' }] }).finalMessage()
    expect(streamed.content).toMatchObject([{ type: 'text', text: 'You said: stream it' }])

    const ask = { role: 'user' as const, content: `weather in Paris ${fakeCall('get_weather', { city: 'Paris' })}` }
    const first = await client.messages.create({ model: MODEL, max_tokens: 64, tools: [weather], messages: [ask] })
    expect(first.stop_reason).toBe('tool_use')
    const use = first.content.find((b) => b.type === 'tool_use')
    expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } })
    if (use?.type !== 'tool_use') throw new Error('expected a tool_use block')
    const second = await client.messages.create({
      model: MODEL, max_tokens: 64, tools: [weather],
      messages: [ask, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny, 21 °C' }] }],
    })
    expect(second.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('sunny, 21 °C') })
  })

  it('messages.countTokens estimates the prompt', async () => {
    const counted = await anthropic().messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'count these words please' }] })
    expect(counted.input_tokens).toBeGreaterThan(0)
  })
})

describe('openai SDK responses against npm start', () => {
  it('responses.create answers with output_text and usage', async () => {
    const response = await openai().responses.create({ model: MODEL, input: 'hello responses' })
    expect(response).toMatchObject({ object: 'response', status: 'completed', output_text: 'You said: hello responses' })
    expect(response.usage?.output_tokens).toBeGreaterThan(0)
  })

  it('streams to response.completed, and a function-call round trip completes', async () => {
    const client = openai()
    const final = await client.responses.stream({ model: MODEL, input: 'stream responses' }).finalResponse()
    expect(final.output_text).toBe('You said: stream responses')

    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: weather.input_schema, strict: false }]
    const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: `weather in Paris ${fakeCall('get_weather', { city: 'Paris' })}` }]
    const first = await client.responses.create({ model: MODEL, input, tools })
    const call = first.output.find((item) => item.type === 'function_call')
    if (call?.type !== 'function_call') throw new Error('expected a function_call item')
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' })
    const second = await client.responses.create({
      model: MODEL, tools, input: [...input, call, { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21 °C' }],
    })
    expect(second.output_text).toContain('sunny, 21 °C')
  })
})
