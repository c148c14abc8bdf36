// A long non-streaming answer is written as its text arrives (api/spill-response.ts), not
// held whole: the client gets the same JSON, and a failure after the commit closes it validly.
import { describe, expect, it } from 'vitest'
import { call, chat } from '../helpers/gateway.ts'
import { flush, generationRow, settled } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

// About 5.3 characters a word: 40,000 words pass the 64 KB the gateway holds before it commits.
const LONG = 40_000

const ask = (key: string, fake: string, headers?: HeadersInit) =>
  chat(key, { model: 'fake/story', provider: { only: ['fake'] }, messages: [{ role: 'user', content: `long one [[fake ${fake}]]` }] }, headers)

describe('a long non-streaming chat answer', () => {
  it('is the same JSON written as it arrives as assembled whole (an Idempotency-Key keeps it whole), and bills the same', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 50_000_000 })
    const streamed = await ask(key, `tokens=${LONG}`)
    expect(streamed.status).toBe(200)
    expect(streamed.headers.get('content-type')).toContain('application/json')
    const a = JSON.parse(await streamed.text())
    const whole = await ask(key, `tokens=${LONG}`, { 'Idempotency-Key': crypto.randomUUID() })
    const b = JSON.parse(await whole.text())
    expect(a.choices[0].message.content.length).toBeGreaterThan(64 * 1024)
    expect(a.id).not.toBe(b.id)
    expect({ ...a, id: b.id, created: b.created }).toEqual(b)
    expect(a.usage.completion_tokens).toBe(LONG)

    await settled(accountId)
    await flush(accountId)
    const row = await generationRow(a.id)
    expect(row).toMatchObject({ status: 200, finishReason: 'stop', streamed: false, tokensCompletion: LONG, costMicro: Math.round(a.usage.cost * 1e6) })
  })

  it('closes the JSON with finish_reason "error" and an error object when the upstream fails after the commit, and bills what was served', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 50_000_000 })
    const res = await ask(key, `tokens=${LONG} error_after=35000`)
    expect(res.status).toBe(200) // the status went out with the first bytes
    const body = JSON.parse(await res.text())
    expect(body.choices).toHaveLength(1)
    expect(body.choices[0].finish_reason).toBe('error')
    expect(body.error).toMatchObject({ code: expect.any(Number), metadata: { error_type: 'provider_error' } })
    const served = body.choices[0].message.content as string
    expect(served.length).toBeGreaterThan(64 * 1024)
    expect(served.split(' ')).toHaveLength(35_000)
    // No usage came from the upstream: the served text is estimated and billed.
    expect(body.usage.completion_tokens).toBe(Math.ceil(served.length / 4))
    expect(body.usage.cost).toBeGreaterThan(0)

    await settled(accountId)
    await flush(accountId)
    const row = await generationRow(body.id)
    expect(row).toMatchObject({ status: body.error.code, finishReason: 'error', tokensCompletion: body.usage.completion_tokens, costMicro: Math.round(body.usage.cost * 1e6) })
  })

  it('still fails over when the upstream fails before the answer passes what is held', async () => {
    const { key } = await seedAccount({ balanceMicro: 50_000_000 })
    const res = await chat(key, {
      model: 'fake/story', models: ['fake/story', 'fake/echo'],
      messages: [{ role: 'user', content: `long one [[fake tokens=${LONG} error_after=1000]]` }],
    })
    expect(res.status).toBe(200)
    const body = JSON.parse(await res.text())
    expect(body.model).toBe('fake/echo')
    expect(body.choices[0].finish_reason).toBe('stop')
    expect(body.error).toBeUndefined()
    expect(body.choices[0].message.content).toBe('You said: long one')
  })

  // Messages and legacy completions render the text once too: the same writer serves them.
  const skins = [
    { path: '/messages', body: (fake: string) => ({ max_tokens: 100_000, messages: [{ role: 'user', content: `long one [[fake ${fake}]]` }] }), text: (b: any) => b.content[0].text as string },
    { path: '/completions', body: (fake: string) => ({ prompt: `long one [[fake ${fake}]]` }), text: (b: any) => b.choices[0].text as string },
  ]
  for (const skin of skins) {
    it(`${skin.path}: the same JSON written as it arrives as assembled whole, billed the same; a failure after the commit closes it validly`, async () => {
      const { accountId, key } = await seedAccount({ balanceMicro: 50_000_000 })
      const ask = (fake: string, headers: Record<string, string> = {}) =>
        call(skin.path, { key, method: 'POST', headers, json: { model: 'fake/story', provider: { only: ['fake'] }, ...skin.body(fake) } })
      const streamed = await ask(`tokens=${LONG}`)
      expect(streamed.status).toBe(200)
      const a = JSON.parse(await streamed.text())
      const b = JSON.parse(await (await ask(`tokens=${LONG}`, { 'Idempotency-Key': crypto.randomUUID() })).text())
      expect(skin.text(a).length).toBeGreaterThan(64 * 1024)
      expect(a.id).not.toBe(b.id)
      expect({ ...a, id: b.id, ...('created' in b ? { created: b.created } : {}) }).toEqual(b)

      const failed = JSON.parse(await (await ask(`tokens=${LONG} error_after=35000`)).text())
      expect(skin.text(failed).split(' ')).toHaveLength(35_000)
      expect(failed.error).toMatchObject({ code: expect.any(Number), metadata: { error_type: 'provider_error' } })

      await settled(accountId)
      await flush(accountId)
      expect(await generationRow(a.id)).toMatchObject({ status: 200, streamed: false, tokensCompletion: LONG })
      expect(await generationRow(failed.id)).toMatchObject({ status: failed.error.code, finishReason: 'error' })
    })
  }
})
