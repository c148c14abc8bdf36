// Reasoning a client hid (`reasoning: {exclude: true}`, legacy `include_reasoning: false`)
// is returned on no wire, JSON or stream, but still billed and counted in reasoning_tokens;
// hosts with reasoning switches get them (catalog quirks); and the debug chunk of a
// stream shows the body the provider was sent, with no secret in it.
import { describe, expect, it } from 'vitest'
import { chat, readSse } from '../helpers/gateway.ts'
import { seedAccount } from '../helpers/seed.ts'

/** DeepSeek R1: in the tests only Together is configured, whose fake reasons as `reasoning_content`. */
const R1 = 'deepseek/deepseek-r1'
const SONNET = 'anthropic/claude-sonnet-4'
const FLASH = 'google/gemini-2.5-flash'
/** Qwen3 32B: served by Groq here, whose reasoning switches are catalog quirks. */
const QWEN = 'qwen/qwen3-32b'

const ask = (model: string, text: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: text }], ...extra })

const HIDING = [
  ['reasoning.exclude', { reasoning: { exclude: true } }],
  ['include_reasoning: false', { include_reasoning: false }],
] as const

/** Every delta's reasoning text and details in a stream, joined. */
const streamedReasoning = (events: Record<string, any>[]) =>
  events.flatMap((e) => e.choices ?? []).map((c: any) => `${c.delta?.reasoning ?? ''}${c.delta?.reasoning_details ? JSON.stringify(c.delta.reasoning_details) : ''}`).join('')
const streamedContent = (events: Record<string, any>[]) => events.flatMap((e) => e.choices ?? []).map((c: any) => c.delta?.content ?? '').join('')

describe('reasoning.exclude on an OpenAI-wire reasoning host (DeepSeek R1 on Together)', () => {
  it('shown by default: message.reasoning, and reasoning_tokens', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, ask(R1, 'why [[fake reasoning]]'))
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.provider).toBe('Together')
    expect(body.choices[0].message).toMatchObject({ content: 'You said: why', reasoning: 'Thinking about: why' })
    expect(body.usage.completion_tokens_details.reasoning_tokens).toBe(3)
  })

  it.each(HIDING)('%s: no reasoning in the JSON answer, still counted and billed', async (_name, hide) => {
    const { key } = await seedAccount()
    const shown = await (await chat(key, ask(R1, 'why [[fake reasoning]]'))).json<any>()
    const res = await chat(key, ask(R1, 'why [[fake reasoning]]', hide))
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.choices[0].message).toEqual({ role: 'assistant', content: 'You said: why', refusal: null, reasoning: null })
    expect(body.usage).toMatchObject({ completion_tokens: shown.usage.completion_tokens, completion_tokens_details: { reasoning_tokens: 3 } })
    expect(body.usage.cost).toBe(shown.usage.cost)
  })

  it.each(HIDING)('%s: no reasoning delta in the stream; content and usage intact', async (_name, hide) => {
    const { key } = await seedAccount()
    const res = await chat(key, ask(R1, 'why not [[fake reasoning]]', { ...hide, stream: true }))
    expect(res.status).toBe(200)
    const { events, done } = await readSse(res)
    expect(done).toBe(true)
    expect(streamedReasoning(events)).toBe('')
    expect(streamedContent(events)).toBe('You said: why not')
    expect(events.at(-1)?.usage.completion_tokens_details.reasoning_tokens).toBe(4)
  })

  it('streamed and shown when not hidden', async () => {
    const { key } = await seedAccount()
    const { events } = await readSse(await chat(key, ask(R1, 'why not [[fake reasoning]]', { stream: true })))
    expect(streamedReasoning(events)).toBe('Thinking about: why not')
  })
})

describe('reasoning.exclude on the Anthropic wire (extended thinking)', () => {
  it('the model still thinks (reasoning_tokens > 0) but no thinking is returned, JSON or stream', async () => {
    const { key } = await seedAccount()
    const request = ask(SONNET, 'ponder this', { max_tokens: 4000, reasoning: { effort: 'low', exclude: true } })
    const json = await (await chat(key, request)).json<any>()
    expect(json.choices[0].message).toEqual({ role: 'assistant', content: 'You said: ponder this', refusal: null, reasoning: null })
    expect(json.usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0)
    expect(json.usage.completion_tokens_details.reasoning_tokens).toBeLessThan(json.usage.completion_tokens)

    const { events } = await readSse(await chat(key, { ...request, stream: true }))
    expect(streamedReasoning(events)).toBe('')
    expect(streamedContent(events)).toBe('You said: ponder this')
    expect(events.at(-1)?.usage.completion_tokens_details.reasoning_tokens).toBe(json.usage.completion_tokens_details.reasoning_tokens)
  })

  it('shown when not hidden: thinking as reasoning and signed reasoning_details, counted in reasoning_tokens', async () => {
    const { key } = await seedAccount()
    const json = await (await chat(key, ask(SONNET, 'ponder this', { max_tokens: 4000, reasoning: { effort: 'low' } }))).json<any>()
    expect(json.choices[0].message.reasoning).toBe('Thinking about: ponder this')
    expect(json.choices[0].message.reasoning_details[0]).toMatchObject({ type: 'reasoning.text', format: 'anthropic-claude-v1' })
    expect(json.usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0)
  })
})

describe('reasoning.exclude on the Gemini wire', () => {
  it.each(HIDING)('%s: thoughts are not returned, thought tokens are counted', async (_name, hide) => {
    const { key } = await seedAccount()
    const request = ask(FLASH, 'think', { max_tokens: 2000, reasoning_effort: 'low', ...hide })
    const json = await (await chat(key, request)).json<any>()
    expect(json.choices[0].message).toMatchObject({ content: 'You said: think', reasoning: null })
    expect(json.usage.completion_tokens_details.reasoning_tokens).toBe(3)
    const { events } = await readSse(await chat(key, { ...request, stream: true }))
    expect(streamedReasoning(events)).toBe('')
    expect(streamedContent(events)).toBe('You said: think')
  })
})

describe('debug.echo_upstream_body', () => {
  it('streaming: the first data event has no choices and the body the provider got, with the host\'s reasoning switch', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, ask(QWEN, 'hello qwen', { stream: true, reasoning: { exclude: true }, debug: { echo_upstream_body: true } }))
    expect(res.status).toBe(200)
    const { events } = await readSse(res)
    const first = events[0]!
    expect(first).toMatchObject({ id: res.headers.get('x-generation-id'), object: 'chat.completion.chunk', provider: 'Groq', model: QWEN, choices: [] })
    const upstream = first.debug.echo_upstream_body
    expect(upstream).toMatchObject({ model: 'qwen/qwen3-32b', stream: true, include_reasoning: false, messages: [{ role: 'user', content: 'hello qwen' }] })
    // OpenRouter's own fields never reach the host; the host's switch does.
    for (const field of ['reasoning', 'debug', 'provider', 'models']) expect(upstream).not.toHaveProperty(field)
    expect(events.filter((e) => e.debug)).toHaveLength(1)
    expect(streamedContent(events)).toBe('You said: hello qwen')
  })

  it('no key, credential header or user id is shown (Anthropic: key in x-api-key, user in metadata)', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, {
      model: SONNET,
      stream: true,
      user: 'customer-42',
      debug: { echo_upstream_body: true },
      // The provider key, quoted in a message the model does not echo back.
      messages: [{ role: 'system', content: 'The deploy key is sk-ant-test-and-more' }, { role: 'user', content: 'hi' }],
    })
    const { text, events } = await readSse(res)
    const upstream = events[0]!.debug.echo_upstream_body
    expect(upstream).toMatchObject({ model: expect.any(String), metadata: { user_id: '[REDACTED]' }, system: expect.stringContaining('[REDACTED]') })
    for (const secret of ['sk-ant-test', 'customer-42', 'x-api-key', 'anthropic-version']) expect(text).not.toContain(secret)
  })

  it('ignored without stream: the JSON answer has no debug field', async () => {
    const { key } = await seedAccount()
    const body = await (await chat(key, ask(QWEN, 'hello', { debug: { echo_upstream_body: true } }))).json<any>()
    expect(body.choices[0].message.content).toBe('You said: hello')
    expect(body).not.toHaveProperty('debug')
  })
})
