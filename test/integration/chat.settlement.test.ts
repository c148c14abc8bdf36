// Each generation is charged once, through the account gate, and reaches D1 by the gate's alarm.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { gateFor } from '../../src/objects/clients.ts'
import { chat, readSse } from '../helpers/gateway.ts'
import { flush, generationRow, ledgerBalance, settled } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

describe('settlement', () => {
  it('charges usage.cost once and writes the generation (metadata only) to D1', async () => {
    const { accountId, key, keyHash } = await seedAccount({ balanceMicro: 5_000_000 })
    const res = await chat(key, { model: 'fake/echo', provider: { only: ['fake'] }, messages: [{ role: 'user', content: 'secret prompt text' }] }, {
      'HTTP-Referer': 'https://app.example', 'X-Title': 'Example App',
    })
    const body = await res.json<any>()
    // fake/echo at the fake endpoint: $1/M prompt, $2/M completion → exact microdollars, rounded up.
    const expectedMicro = Math.ceil((body.usage.prompt_tokens * 1_000_000 + body.usage.completion_tokens * 2_000_000) / 1_000_000)
    expect(Math.round(body.usage.cost * 1e6)).toBe(expectedMicro)

    // No D1 write on the hot path: when the response is out, the generation is not in D1 yet.
    expect(await generationRow(body.id)).toBeUndefined()
    const snap = await settled(accountId)
    expect(snap.balanceMicro).toBe(5_000_000 - expectedMicro)

    await flush(accountId)
    const row = await generationRow(body.id)
    expect(row).toMatchObject({
      accountId, keyHash, model: 'fake/echo', providerId: 'fake', providerName: 'Switchboard Fake', region: 'us',
      costMicro: expectedMicro, tokensPrompt: body.usage.prompt_tokens, tokensCompletion: body.usage.completion_tokens,
      status: 200, finishReason: 'stop', streamed: false, httpReferer: 'https://app.example', appTitle: 'Example App',
    })
    expect(JSON.stringify(row)).not.toContain('secret prompt text') // I5
    expect(await ledgerBalance(accountId)).toBe(snap.balanceMicro)
    expect((await gateFor(env, accountId).snapshot()).unflushed).toBe(0)
  })

  it('settles a stream at its end with the usage chunk cost', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 5_000_000 })
    const res = await chat(key, { model: 'fake/echo', provider: { only: ['fake'] }, stream: true, messages: [{ role: 'user', content: 'stream and pay' }] })
    const { events } = await readSse(res)
    const cost = events[events.length - 1]!.usage.cost as number
    const snap = await settled(accountId)
    expect(snap.balanceMicro).toBe(5_000_000 - Math.round(cost * 1e6))
    await flush(accountId)
    expect(await generationRow(res.headers.get('x-generation-id')!)).toMatchObject({ streamed: true, finishReason: 'stop' })
    expect(await ledgerBalance(accountId)).toBe(snap.balanceMicro)
  })

  it('charges nothing for a free model and nothing twice for a repeated settle', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000 })
    const res = await chat(key, { model: 'fake/echo:free', messages: [{ role: 'user', content: 'free please' }] })
    const body = await res.json<any>()
    expect(body.model).toBe('fake/echo:free')
    expect(body.usage.cost).toBe(0)
    const snap = await settled(accountId)
    expect(snap.balanceMicro).toBe(1_000)

    // A retried settlement of the same generation id is recognised and not charged again (I2).
    await flush(accountId)
    const row = await generationRow(body.id)
    const again = await gateFor(env, accountId).settle({ accountId, generationId: body.id, record: { ...row!, costMicro: 999 } })
    expect(again.charged).toBe(false)
    expect((await gateFor(env, accountId).snapshot()).balanceMicro).toBe(1_000)
  })
})
