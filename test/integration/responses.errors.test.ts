// Failures on POST /api/v1/responses as the real `openai` SDK sees them: OpenAI's envelope
// `{error: {message, type, param, code}}`, so the SDK raises its own error classes, and a
// mid-stream failure as response.failed then `error`. On a Claude model (Anthropic-wire
// fake) and an open model (OpenAI-wire fakes).
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { call } from '../helpers/gateway.ts'
import { flush } from '../helpers/ledger.ts'
import { openaiClient } from '../helpers/sdk.ts'
import { seedAccount } from '../helpers/seed.ts'

const failure = async (promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
  const err = await promise.then(() => null, (e: unknown) => e)
  if (!(err instanceof OpenAI.APIError)) throw new Error(`expected an APIError, got ${String(err)}`)
  return err
}

const MODELS = [
  { label: 'Claude', model: 'anthropic/claude-3.5-haiku' },
  { label: 'open model', model: 'meta-llama/llama-3.3-70b-instruct' },
]

describe('openai SDK errors on /responses', () => {
  it('401 for a bad key, in the OpenAI envelope', async () => {
    const err = await failure(openaiClient('sk-sb-v1-not-a-real-key').responses.create({ model: 'fake/echo', input: 'hi' }))
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(err).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key', message: expect.stringContaining('User not found') })
  })

  it('400 naming the field: previous_response_id is refused as stateless; a bad value names its path', async () => {
    const { key } = await seedAccount()
    const client = openaiClient(key)
    const stateful = await failure(client.responses.create({ model: 'fake/echo', input: 'hi', previous_response_id: 'resp_123' }))
    expect(stateful).toBeInstanceOf(OpenAI.BadRequestError)
    expect(stateful).toMatchObject({ param: 'previous_response_id', message: expect.stringMatching(/stateless/) })
    const bad = await failure(client.responses.create({ model: 'fake/echo', input: 'hi', max_output_tokens: -1 }))
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError)
    expect(bad.message).toContain('max_output_tokens')
  })

  it('model_not_found for a model the catalog does not have (400, as chat answers it)', async () => {
    const { key } = await seedAccount()
    const err = await failure(openaiClient(key).responses.create({ model: 'nobody/nothing', input: 'hi' }))
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.code).toBe('model_not_found')
  })
})

describe.each(MODELS)('openai SDK responses errors → $label', ({ model }) => {
  it('402 insufficient_quota when the balance cannot cover the request', async () => {
    const { key } = await seedAccount({ balanceMicro: 100 })
    const err = await failure(openaiClient(key).responses.create({ model, input: 'hi', max_output_tokens: 8_000 }))
    expect(err.status).toBe(402)
    expect(err).toMatchObject({ code: 'insufficient_quota', message: expect.stringMatching(/can only afford/) })
  })

  it('429 rate_limit_error when the upstream is rate limited, with its Retry-After', async () => {
    const { key } = await seedAccount()
    const err = await failure(openaiClient(key).responses.create({ model, input: 'hi [[fake status=429 retry_after=9]]' }))
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.type).toBe('rate_limit_error')
    expect(err.headers?.get('retry-after')).toBe('9')
  })

  it('a mid-stream failure ends with response.failed and an error event, which the SDK raises; recorded as an error, free', async () => {
    const { accountId, key } = await seedAccount()
    const stream = await openaiClient(key).responses.create({ model, input: 'one two three four five six [[fake error_after=3]]', stream: true })
    let text = ''
    let failed: OpenAI.Responses.Response | undefined
    const err = await (async () => {
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') text += event.delta
        if (event.type === 'response.failed') failed = event.response
      }
    })().then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(text).toBe('You said: one')
    expect(failed).toMatchObject({ status: 'failed', error: { code: expect.any(String), message: expect.any(String) } })
    const id = `gen-${failed?.id.slice('resp_'.length) ?? ''}`
    await flush(accountId)
    const gen = (await (await call(`/generation?id=${id}`, { key })).json<{ data: Record<string, unknown> }>()).data
    expect(gen).toMatchObject({ id, api_type: 'responses', streamed: true, finish_reason: 'error', total_cost: 0 })
  })
})
