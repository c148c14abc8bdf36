// Content logging is opt-in: with nothing asked, a canary prompt (and its echo) appears in no D1
// table and no R2 object. Asked by the key's log_content, the account's content_logging or the
// request's X-Switchboard-Log-Content header, the prompt and completion (a stream's assembled
// text) are stored in R2 and read back by GET /generation/content, by the account's own keys
// only; the retention pass (the scheduled handler, run on a test clock) deletes them.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import worker from '../../src/index.ts'
import { randomBase62 } from '../../src/lib/crypto.ts'
import { CONTENT_PREFIX } from '../../src/storage/content.ts'
import { testClock } from '../helpers/clock.ts'
import { call, chat, readSse } from '../helpers/gateway.ts'
import { flush } from '../helpers/ledger.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'

const DAY_MS = 86_400_000
const LOG = { 'x-switchboard-log-content': '1' }

const canary = () => `canary-${randomBase62(16)}`
const ask = (text: string, extra: Record<string, unknown> = {}) => ({ model: 'fake/echo', messages: [{ role: 'user', content: `say ${text}` }], ...extra })

/** Every row of every D1 table, as text. */
const d1Dump = async (): Promise<string> => {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{ name: string }>()
  expect(tables.results.map((t) => t.name)).toEqual(expect.arrayContaining(['generations', 'content_logs', 'accounts']))
  const dumps = await Promise.all(tables.results.map(async (t) => JSON.stringify((await env.DB.prepare(`SELECT * FROM "${t.name}"`).all()).results)))
  return dumps.join('\n')
}

/** Every object in the R2 bucket, gunzipped where gzipped, as text. */
const r2Dump = async (): Promise<string> => {
  const out: string[] = []
  let cursor: string | undefined
  do {
    const page = await env.DETAILS.list(cursor ? { cursor } : {})
    for (const o of page.objects) {
      const bytes = new Uint8Array(await (await env.DETAILS.get(o.key))!.arrayBuffer())
      const gz = bytes[0] === 0x1f && bytes[1] === 0x8b
      out.push(gz ? await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text() : new TextDecoder().decode(bytes))
    }
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  return out.join('\n')
}

interface Content { prompt: { role: string; content: string }[]; completion: string | null; api_key_hash: string; expires_at: string; request: unknown }

const readContent = async (key: string, id: string): Promise<Content | null> => {
  const res = await call(`/generation/content?id=${id}`, { key })
  expect(res.status).toBe(200)
  return (await res.json<{ data: Content | null }>()).data
}

/** The stored content, once the request's waitUntil has written it (events, with a generous deadline). */
const storedContent = async (key: string, id: string, timeoutMs = 30_000): Promise<Content> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const content = await readContent(key, id)
    if (content) return content
    if (Date.now() > deadline) throw new Error(`content of ${id} never stored`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const generate = async (key: string, body: Record<string, unknown>, headers?: Record<string, string>) => {
  const res = await chat(key, body, headers)
  const text = await res.text()
  expect(res.status, text).toBe(200)
  return { id: res.headers.get('x-generation-id')!, text }
}

const runRetention = async (at: number) => {
  const ctx = createExecutionContext()
  worker.scheduled(createScheduledController({ scheduledTime: at, cron: '*/10 * * * *' }), env, ctx)
  await waitOnExecutionContext(ctx)
}

describe('content logging', () => {
  it('is off by default: the canary prompt is in no D1 row and no R2 object, and the read says so', async () => {
    const owner = await seedAccount({ kind: 'management' })
    const { key } = await addKey(owner.accountId)
    const word = canary()
    const off = await generate(key, ask(word))
    const offStream = await generate(key, ask(word, { stream: true }), { 'x-switchboard-log-content': '0' })
    expect(off.text).toContain(word) // the echo carried it through the gateway
    await flush(owner.accountId)
    // A later request that is logged: once its content is readable, the earlier requests' waitUntil work is long done.
    const marker = canary()
    const on = await generate(key, ask(marker), LOG)
    expect((await storedContent(key, on.id)).completion).toContain(marker)
    await flush(owner.accountId)

    const [d1, r2] = [await d1Dump(), await r2Dump()]
    expect(d1).toContain(off.id) // the dump does hold the generations…
    expect(r2).toContain(marker) // …and the logged one's content
    expect(d1).not.toContain(word)
    expect(r2).not.toContain(word)
    expect(d1).not.toContain(marker) // D1 holds only the index row, never content
    for (const id of [off.id, offStream.id]) {
      for (const k of [key, owner.key]) expect(await readContent(k, id)).toBeNull()
    }
  })

  it('on by the request header: prompt and completion stored, JSON and streamed (assembled), and redacted', async () => {
    const { key } = await seedAccount()
    const word = canary()
    const secretish = 'sk-or-v1-0123456789abcdef0123456789abcdef'
    const json = await generate(key, { model: 'fake/echo', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: `say ${word} ${secretish}` }] }, LOG)
    const stored = await storedContent(key, json.id)
    expect(stored.prompt).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: `say ${word} [REDACTED]` }])
    expect(stored.completion).toBe((JSON.parse(json.text) as { choices: { message: { content: string } }[] }).choices[0]!.message.content.replace(secretish, '[REDACTED]'))
    expect(stored.completion).toContain(word)
    expect(JSON.stringify(stored)).not.toContain(secretish)

    const res = await chat(key, ask(word, { stream: true }), LOG)
    const id = res.headers.get('x-generation-id')!
    const { events } = await readSse(res)
    const streamed = events.map((e) => (e['choices'] as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? '').join('')
    expect(streamed).toContain(word)
    expect((await storedContent(key, id)).completion).toBe(streamed)
  })

  it('stores the prompt of a request that every endpoint failed, with no completion', async () => {
    const { key } = await seedAccount()
    const word = canary()
    const res = await chat(key, { ...ask(`${word} [[fake status=503]]`), provider: { only: ['fake'], allow_fallbacks: false } }, LOG)
    expect(res.status).toBeGreaterThanOrEqual(500)
    await res.text()
    const stored = await storedContent(key, res.headers.get('x-generation-id')!)
    expect(stored.prompt).toEqual([{ role: 'user', content: `say ${word} [[fake status=503]]` }])
    expect(stored.completion).toBeNull()
  })

  it('stores the prompt and completion text of the Messages and Responses wires too, JSON and streamed', async () => {
    const { key } = await seedAccount()
    const word = canary()
    const send = async (path: string, json: Record<string, unknown>) => {
      const res = await call(path, { method: 'POST', key, json, headers: LOG })
      const text = await res.text()
      expect(res.status, text).toBe(200)
      return storedContent(key, res.headers.get('x-generation-id')!)
    }
    for (const stream of [false, true]) {
      const messages = await send('/messages', { model: 'fake/echo', max_tokens: 64, stream, system: 'be brief', messages: [{ role: 'user', content: [{ type: 'text', text: `say ${word}` }] }] })
      expect(messages.prompt).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: `say ${word}` }])
      expect(messages.completion).toContain(word)
      const responses = await send('/responses', { model: 'fake/echo', stream, instructions: 'be brief', input: `say ${word}` })
      expect(responses.prompt).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: `say ${word}` }])
      expect(responses.completion).toContain(word)
    }
  })

  it('on by the key setting, and by the account setting; an account set to never ignores both', async () => {
    const owner = await seedAccount({ kind: 'management' })
    const created = await call('/keys', { method: 'POST', key: owner.key, json: { name: 'logged', log_content: true } })
    expect(created.status).toBe(201)
    const logged = await created.json<{ key: string; data: { hash: string; log_content: boolean } }>()
    expect(logged.data.log_content).toBe(true)
    const { key: plain, keyHash: plainHash } = await addKey(owner.accountId)

    const viaKey = await generate(logged.key, ask(canary()))
    expect((await storedContent(owner.key, viaKey.id)).api_key_hash).toBe(logged.data.hash)
    const notYet = await generate(plain, ask(canary()))

    // PATCH turns a key on.
    const patched = await call(`/keys/${plainHash}`, { method: 'PATCH', key: owner.key, json: { log_content: true } })
    expect((await patched.json<{ data: { log_content: boolean } }>()).data.log_content).toBe(true)
    const viaPatch = await generate(plain, ask(canary()))
    await storedContent(plain, viaPatch.id)
    await call(`/keys/${plainHash}`, { method: 'PATCH', key: owner.key, json: { log_content: false } })

    expect(await (await call('/settings', { key: owner.key })).json()).toEqual({ data: { content_logging: 'opt_in', content_retention_days: 30 } })
    const always = await call('/settings', { method: 'PATCH', key: owner.key, json: { content_logging: 'always', content_retention_days: 7 } })
    expect(await always.json()).toEqual({ data: { content_logging: 'always', content_retention_days: 7 } })
    const viaAccount = await generate(plain, ask(canary()))
    const stored = await storedContent(plain, viaAccount.id)
    expect(Date.parse(stored.expires_at) - Date.now()).toBeGreaterThan(6 * DAY_MS)
    expect(Date.parse(stored.expires_at) - Date.now()).toBeLessThanOrEqual(7 * DAY_MS)

    await call('/settings', { method: 'PATCH', key: owner.key, json: { content_logging: 'never' } })
    const never = await generate(logged.key, ask(canary()), LOG)
    // The last logged request after it proves its waitUntil had time; `never` wrote nothing.
    await call('/settings', { method: 'PATCH', key: owner.key, json: { content_logging: 'opt_in' } })
    const after = await generate(logged.key, ask(canary()))
    await storedContent(owner.key, after.id)
    for (const id of [notYet.id, never.id]) expect(await readContent(owner.key, id)).toBeNull()
  })

  it('is read by the account\'s own keys only: not another account\'s, not a sibling inference key', async () => {
    const owner = await seedAccount({ kind: 'management' })
    const mine = await addKey(owner.accountId)
    const sibling = await addKey(owner.accountId)
    const stranger = await seedAccount({ kind: 'management' })
    const strangerKey = await seedAccount()
    const { id } = await generate(mine.key, ask(canary()), LOG)
    await storedContent(mine.key, id)
    expect((await readContent(owner.key, id))?.prompt).toEqual([{ role: 'user', content: expect.stringContaining('canary-') }])
    for (const k of [sibling.key, stranger.key, strangerKey.key]) expect(await readContent(k, id)).toBeNull()
  })

  it('refuses bad input with a 400: the header, the settings body; settings need a management key (401 otherwise, as /keys)', async () => {
    const owner = await seedAccount({ kind: 'management' })
    const { key } = await addKey(owner.accountId)
    const bad = await chat(key, ask('x'), { 'x-switchboard-log-content': 'maybe' })
    expect(bad.status).toBe(400)
    expect((await bad.json<{ error: { message: string } }>()).error.message).toMatch(/X-Switchboard-Log-Content/)
    for (const json of [{ content_logging: 'sometimes' }, { content_retention_days: 0 }, { content_retention_days: 366 }, { content_retention_days: 1.5 }, { other: true }]) {
      const res = await call('/settings', { method: 'PATCH', key: owner.key, json })
      expect(res.status, JSON.stringify(json)).toBe(400)
    }
    expect((await call('/settings', { key })).status).toBe(401) // an inference key is no management key
    expect((await call('/generation/content', { key })).status).toBe(400)
  })

  it('is deleted by the retention pass once its retention has passed', async () => {
    const owner = await seedAccount({ kind: 'management' })
    await call('/settings', { method: 'PATCH', key: owner.key, json: { content_retention_days: 2 } })
    const { key } = await addKey(owner.accountId)
    const word = canary()
    const { id } = await generate(key, ask(word), LOG)
    await storedContent(key, id)
    const clock = testClock(Date.now())
    const objects = async () => (await env.DETAILS.list({ prefix: `${CONTENT_PREFIX}${owner.accountId}/` })).objects.map((o) => o.key)
    const rows = async () => (await env.DB.prepare('SELECT id FROM content_logs WHERE account_id = ?').bind(owner.accountId).all()).results

    clock.advance(DAY_MS)
    await runRetention(clock())
    expect(await objects()).toHaveLength(1)
    expect(await rows()).toHaveLength(1)
    expect(await readContent(key, id)).not.toBeNull()

    clock.advance(DAY_MS + 60_000)
    await runRetention(clock())
    expect(await objects()).toEqual([])
    expect(await rows()).toEqual([])
    expect(await readContent(key, id)).toBeNull()
    expect(await r2Dump()).not.toContain(word)
  })
})
