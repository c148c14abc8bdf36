// POST /api/v1/messages on a Claude model is a pass-through: the Anthropic-wire fake (strict
// about fields, betas and thinking signatures) gets the client's body as sent, read back here
// from what the fake received. Claude Code's own recorded requests are replayed as it sends them.
import type { Tool } from '@anthropic-ai/sdk/resources/messages'
import { describe, expect, it } from 'vitest'
import sayHi from '../fixtures/agents/claude-code/say-hi.1.json'
import { call } from '../helpers/gateway.ts'
import { anthropicClient } from '../helpers/sdk.ts'
import { seedAccount } from '../helpers/seed.ts'
import { marker, receivedWith } from '../helpers/upstream-log.ts'

const HAIKU = 'claude-3-5-haiku-20241022'
const ephemeral = { type: 'ephemeral' } as const
const weather: Tool = { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, cache_control: ephemeral }

/** An SSE body of named events (`event:` then `data:`), each checked to name its data's type. */
const namedEvents = async (res: Response) => {
  const blocks = (await res.text()).split('\n\n').filter((b) => b.trim() && !b.startsWith(':'))
  return blocks.map((block) => {
    const name = block.match(/^event: (.+)$/m)?.[1]
    const data = JSON.parse(block.match(/^data: (.+)$/m)?.[1] ?? 'null') as Record<string, any>
    expect(data.type).toBe(name)
    return data
  })
}

/** The one request the fakes got carrying `tag`. */
const sentWith = async (tag: string) => {
  const got = await receivedWith(tag)
  expect(got).toHaveLength(1)
  const [sent] = got
  if (!sent) throw new Error('nothing reached the fake')
  return { ...sent, json: JSON.parse(sent.body) as Record<string, any> }
}

describe('/messages on Claude: what reaches Anthropic', () => {
  it('the body as sent (cache_control on system, blocks and tools; metadata; unknown blocks kept), the upstream model id, the provider key only', async () => {
    const { key } = await seedAccount()
    const tag = marker('native')
    const system = [{ type: 'text' as const, text: `Policy ${tag} `.repeat(40), cache_control: ephemeral }]
    const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: `hello ${tag}`, cache_control: ephemeral }] }]
    const message = await anthropicClient(key).messages.create({ model: HAIKU, max_tokens: 300, system, messages, tools: [weather], metadata: { user_id: 'user-7' }, stop_sequences: ['zzz'] })
    expect(message.content).toEqual([{ type: 'text', text: `You said: hello ${tag}` }])
    const sent = await sentWith(tag)
    expect(sent.host).toBe('anthropic.test')
    // Upstream calls always stream (the first-byte timeout holds either way); the answer comes back as JSON.
    expect(sent.json).toEqual({
      model: 'claude-3-5-haiku-20241022', max_tokens: 300, system, messages, tools: [weather], metadata: { user_id: 'user-7' }, stop_sequences: ['zzz'], stream: true,
    })
    expect(sent.headers['x-api-key']).toBe('sk-ant-test')
    expect(sent.headers).not.toHaveProperty('authorization')
    expect(JSON.stringify(sent.headers)).not.toContain(key)
  })

  it('cache_control works end to end: the second call reads the cache, and usage says so', async () => {
    const { key } = await seedAccount()
    const tag = marker('cache')
    const system = [{ type: 'text' as const, text: `Long policy ${tag} `.repeat(60), cache_control: ephemeral }]
    const ask = (q: string) => anthropicClient(key).messages.create({ model: HAIKU, max_tokens: 100, system, messages: [{ role: 'user', content: q }] })
    const first = await ask('first?')
    const second = await ask('second?')
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(100)
    expect(second.usage).toMatchObject({ cache_read_input_tokens: first.usage.cache_creation_input_tokens, cache_creation_input_tokens: 0 })
    expect((second.usage as unknown as { cost: number }).cost).toBeLessThan((first.usage as unknown as { cost: number }).cost)
  })

  it("the client's betas go along as anthropic-beta (the SDK's beta API), so beta fields are accepted", async () => {
    const { key } = await seedAccount()
    const tag = marker('beta')
    const body = {
      model: HAIKU, max_tokens: 100, messages: [{ role: 'user' as const, content: `edit ${tag}` }],
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' as const }] },
    }
    const message = await anthropicClient(key).beta.messages.create({ ...body, betas: ['context-management-2025-06-27'] })
    expect(message.content).toEqual([{ type: 'text', text: `You said: edit ${tag}` }])
    const sent = await sentWith(tag)
    expect(sent.headers['anthropic-beta']).toBe('context-management-2025-06-27')
    expect(sent.json.context_management).toEqual(body.context_management)
    // Control: without the beta the strict upstream refuses the field, and its 400 comes back in Anthropic's envelope.
    const refused = await call('/messages', { method: 'POST', key, json: { ...body, messages: [{ role: 'user', content: `again ${tag}` }] } })
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('context_management') } })
  })
})

describe("Claude Code's recorded request, replayed on a Claude model", () => {
  /** The recorded request with this account's key and a marker in the prompt; `stream` as asked. */
  const replay = (key: string, tag: string, stream: boolean) => {
    const { stream: _stream, ...rest } = structuredClone(sayHi.body)
    const body: Record<string, unknown> & typeof rest = stream ? { ...rest, stream: true } : rest
    const prompt = body.messages[0]?.content.at(-1)
    if (!prompt || prompt.type !== 'text') throw new Error('the fixture changed: its last block is the prompt')
    prompt.text = `${prompt.text} ${tag}`
    const headers = { ...sayHi.headers, authorization: `Bearer ${key}` }
    return call(sayHi.path.replace('/api/v1', ''), { method: 'POST', headers, json: body })
  }

  it('POST /messages?beta=true streams the answer; context_management, thinking display, deferred tools and betas reach Anthropic', async () => {
    const { key } = await seedAccount({ balanceMicro: 50_000_000 })
    const tag = marker('claude-code')
    const res = await replay(key, tag, true)
    expect(res.status, await res.clone().text()).toBe(200)
    expect(res.headers.get('x-generation-id')).toMatch(/^gen-/)
    const events = await namedEvents(res)
    const types = events.map((e) => e.type)
    expect(types.slice(0, 2)).toEqual(['message_start', 'ping'])
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop'])
    // The fake model calls a tool the prompt names (Claude Code's context names several), after signed thinking.
    const blocks = events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block)
    expect(blocks.map((b) => b.type)).toEqual(['thinking', 'tool_use'])
    expect(sayHi.body.tools.map((t) => t.name)).toContain(blocks[1]?.name)
    expect(events[0]).toMatchObject({ type: 'message_start', message: { model: 'anthropic/claude-sonnet-4.5', usage: { input_tokens: expect.any(Number) } } })
    expect(events[0]?.message.usage.input_tokens).toBeGreaterThan(1_000) // the estimate of a large prompt, not 0
    expect(events.find((e) => e.type === 'content_block_delta' && e.delta.type === 'signature_delta')).toBeDefined()
    const input = events.filter((e) => e.type === 'content_block_delta' && e.delta.type === 'input_json_delta').map((e) => e.delta.partial_json).join('')
    expect(JSON.parse(input).text).toContain(tag)
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { cost: expect.any(Number) } })

    const sent = await sentWith(tag)
    expect(sent.headers['anthropic-beta']).toBe(sayHi.headers['anthropic-beta'])
    expect(sent.json.model).toBe('claude-sonnet-4-5-20250929')
    expect(sent.json.context_management).toEqual(sayHi.body.context_management)
    expect(sent.json.thinking).toEqual(sayHi.body.thinking)
    expect(sent.json.tools).toEqual(sayHi.body.tools)
    expect(sent.json.system).toEqual(sayHi.body.system)
  })

  it('the same body without stream (Claude Code\'s retry after a failed stream) answers one message', async () => {
    const { key } = await seedAccount({ balanceMicro: 50_000_000 })
    const tag = marker('claude-code-json')
    const res = await replay(key, tag, false)
    const body = await res.json<Record<string, any>>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ type: 'message', model: 'anthropic/claude-sonnet-4.5', stop_reason: 'tool_use', usage: { cost: expect.any(Number) } })
    expect(body.content.map((b: { type: string }) => b.type)).toEqual(['thinking', 'tool_use'])
    expect(body.content[1].input.text).toContain(tag)
  })
})
