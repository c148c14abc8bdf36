// @openrouter/sdk manages keys end to end with the dev management key that npm start
// prints: create, list, get, update (disable → that key gets 401), delete (→ 404).
import { OpenRouter } from '@openrouter/sdk'
import { beforeAll, describe, expect, inject, it } from 'vitest'

let admin: OpenRouter
const client = (apiKey: string) => new OpenRouter({ apiKey, serverURL: inject('baseURL'), retryConfig: { strategy: 'none' } })
const ask = (sdk: OpenRouter) => sdk.chat.send({ chatRequest: { model: 'fake/echo', messages: [{ role: 'user', content: 'hi from a managed key' }] } })

beforeAll(() => {
  admin = client(inject('managementKey'))
})

describe('@openrouter/sdk key management against npm start', () => {
  it('creates, lists, gets, updates, disables and deletes a key', async () => {
    const created = await admin.apiKeys.create({ requestBody: { name: 'e2e key', limit: 1.5, limitReset: 'monthly' } })
    expect(created.key).toMatch(/^sk-sb-v1-[0-9a-f]{64}$/)
    expect(created.data).toMatchObject({ name: 'e2e key', disabled: false, limit: 1.5, limitRemaining: 1.5, limitReset: 'monthly', usage: 0 })
    const hash = created.data.hash

    const minted = client(created.key)
    const reply = (await ask(minted)) as unknown as { choices: { message: { content: string } }[] }
    expect(reply.choices[0]?.message.content).toBe('You said: hi from a managed key')

    const listed = await admin.apiKeys.list()
    expect(listed.data.map((k) => k.hash)).toContain(hash)
    const got = await admin.apiKeys.get({ hash })
    expect(got.data).toMatchObject({ hash, name: 'e2e key', label: created.data.label })

    const renamed = await admin.apiKeys.update({ hash, requestBody: { name: 'renamed', limit: 2 } })
    expect(renamed.data).toMatchObject({ name: 'renamed', limit: 2 })

    const disabled = await admin.apiKeys.update({ hash, requestBody: { disabled: true } })
    expect(disabled.data.disabled).toBe(true)
    await expect(ask(minted)).rejects.toMatchObject({ name: 'UnauthorizedResponseError' })
    expect((await admin.apiKeys.list()).data.map((k) => k.hash)).not.toContain(hash)
    expect((await admin.apiKeys.list({ includeDisabled: true })).data.map((k) => k.hash)).toContain(hash)

    expect(await admin.apiKeys.delete({ hash })).toEqual({ deleted: true })
    await expect(admin.apiKeys.get({ hash })).rejects.toMatchObject({ name: 'NotFoundResponseError' })
  })

  it('the management key cannot chat, and an inference key cannot manage keys', async () => {
    await expect(ask(admin)).rejects.toMatchObject({ statusCode: 403 })
    await expect(client(inject('apiKey')).apiKeys.list()).rejects.toMatchObject({ name: 'UnauthorizedResponseError' })
  })
})
