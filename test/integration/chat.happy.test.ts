import { describe, expect, it } from 'vitest'
import { chat, readSse } from '../helpers/gateway.ts'
import { seedAccount } from '../helpers/seed.ts'

describe('POST /chat/completions (happy)', () => {
  it('answers through the fake provider with the OpenRouter shape', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: 'fake/echo', messages: [{ role: 'user', content: 'hello there' }] })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.id).toMatch(/^gen-\d+-[A-Za-z0-9]{20}$/)
    expect(res.headers.get('x-generation-id')).toBe(body.id)
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'fake/echo',
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, finish_reason: 'stop', native_finish_reason: 'stop', message: { role: 'assistant', content: 'You said: hello there' } }],
    })
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens)
    expect(typeof body.usage.cost).toBe('number')
    expect(res.headers.get('server-timing')).toMatch(/auth.*plan.*admission.*upstream/)
  })

  it('streams chunks, one usage chunk and [DONE]', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: 'fake/echo', stream: true, messages: [{ role: 'user', content: 'one two three' }] })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const { events, comments, done } = await readSse(res)
    expect(done).toBe(true)
    expect(comments.length).toBeGreaterThan(0)
    const id = res.headers.get('x-generation-id')
    for (const e of events) expect(e).toMatchObject({ id, object: 'chat.completion.chunk', model: 'fake/echo' })
    const text = events.flatMap((e) => e.choices.map((c: any) => c.delta.content ?? '')).join('')
    expect(text).toBe('You said: one two three')
    const last = events[events.length - 1]!
    expect(last.choices).toEqual([])
    expect(last.usage.cost).toBeGreaterThan(0)
    expect(events.filter((e) => e.usage)).toHaveLength(1)
  })
})
