// The `openai` npm SDK, pointed at the locally started gateway, as a user would.
import OpenAI from 'openai'
import { beforeAll, describe, expect, inject, it } from 'vitest'

let client: OpenAI

beforeAll(() => {
  client = new OpenAI({ baseURL: inject('baseURL'), apiKey: inject('apiKey'), maxRetries: 0 })
})

describe('openai SDK against npm start', () => {
  it('gets a completion with usage and cost', async () => {
    const completion = await client.chat.completions.create({
      model: 'fake/echo',
      messages: [{ role: 'user', content: 'hello from openai' }],
    })
    expect(completion.id).toMatch(/^gen-/)
    expect(completion.choices[0]?.message.content).toBe('You said: hello from openai')
    expect(completion.choices[0]?.finish_reason).toBe('stop')
    expect((completion.usage as unknown as { cost: number }).cost).toBeGreaterThan(0)
  })

  it('streams a completion to [DONE] with one usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'fake/echo',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream me please' }],
    })
    let text = ''
    let usageChunks = 0
    const ids = new Set<string>()
    for await (const chunk of stream) {
      ids.add(chunk.id)
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usageChunks++
    }
    expect(text).toBe('You said: stream me please')
    expect(usageChunks).toBe(1)
    expect(ids.size).toBe(1)
  })

  it('raises typed errors for bad input', async () => {
    await expect(client.chat.completions.create({ model: 'acme/fake', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 400, message: expect.stringContaining('acme/fake is not a valid model ID') })
    const anonymous = new OpenAI({ baseURL: inject('baseURL'), apiKey: 'sk-sb-v1-' + '0'.repeat(64), maxRetries: 0 })
    await expect(anonymous.chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toBeInstanceOf(OpenAI.AuthenticationError)
  })

  it('throws the mid-stream error chunk as an APIError', async () => {
    const stream = await client.chat.completions.create({
      model: 'fake/echo',
      stream: true,
      messages: [{ role: 'user', content: 'a b c d e f [[fake error_after=2]]' }],
    })
    const seen: string[] = []
    await expect(async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '')
    }).rejects.toThrow(/Provider returned error/)
    expect(seen.join('')).toContain('You')
  })
})
