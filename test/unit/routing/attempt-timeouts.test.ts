// The attempt loop's limits for a client that does not stream: its request is streamed
// from the upstream, so a host that shows nothing within the first-byte limit is left
// then (not after the total), a stall after the first event is bounded by the total,
// and what the stream reports fails the attempt before anything reached the client.
import { describe, expect, it } from 'vitest'
import { catalogIndex } from '../../../src/catalog/lookup.ts'
import type { Endpoint, Provider } from '../../../src/catalog/schema.ts'
import { redactor } from '../../../src/lib/redact.ts'
import { createFakeUpstream } from '../../../src/providers/fake.ts'
import { runAttempts, type AttemptOptions, type Transport } from '../../../src/routing/attempt.ts'
import type { PlannedAttempt } from '../../../src/routing/plan.ts'
import { ChatRequest } from '../../../src/schemas/chat-request.ts'

const FIRST_BYTE = 100
const TOTAL = 3_000

const index = catalogIndex()
const echo = index.models.get('fake/echo')!
const attemptOn = (providerId: 'fake' | 'fake-eu', endpoint: Partial<Endpoint> = {}): PlannedAttempt => ({
  model: echo,
  endpoint: { ...echo.endpoints.find((e) => e.provider === providerId)!, ...endpoint },
  provider: index.providers.get(providerId)!,
  config: { baseUrl: `https://${providerId}.test/v1`, apiKey: undefined },
})
const both = () => [attemptOn('fake'), attemptOn('fake-eu')]

const ask = (text: string) => ChatRequest.parse({ model: 'fake/echo', messages: [{ role: 'user', content: text }] })

/** A test's upstream, written against the Request the transport's URL and init make. */
type Upstream = (request: Request) => Promise<Response>
const transport = (upstream: Upstream): Transport => (url, init) => upstream(new Request(url, init))

/** The same fake everywhere, or one transport for `fake` and the plain fake for `fake-eu`. */
const options = (first?: Upstream, extra: Partial<AttemptOptions> = {}): AttemptOptions => {
  const plain = createFakeUpstream({ hang_ms: 10_000 })
  return {
    stream: false,
    transportFor: (p: Provider) => transport(p.id === 'fake' && first ? first : plain),
    firstByteTimeoutMs: FIRST_BYTE,
    totalTimeoutMs: TOTAL,
    signal: new AbortController().signal,
    now: Date.now,
    redact: redactor([]),
    ...extra,
  }
}

const sse = (events: string[], { close = true, holdMs = 0 } = {}): Upstream => async (request) =>
  new Response(new ReadableStream<Uint8Array>({
    async start(controller) {
      const encoder = new TextEncoder()
      for (const e of events) controller.enqueue(encoder.encode(`data: ${e}\n\n`))
      if (holdMs) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, holdMs)
          request.signal.addEventListener('abort', () => (clearTimeout(timer), reject(request.signal.reason)))
        }).catch((err) => controller.error(err))
      }
      if (close) controller.close()
    },
  }), { headers: { 'content-type': 'text/event-stream' } })

const chunk = (delta: object, finish: string | null = null) => JSON.stringify({ id: 'c1', choices: [{ index: 0, delta, finish_reason: finish }] })

describe('runAttempts for a client that does not stream', () => {
  it('asks the upstream for a stream and answers with the assembled JSON, usage included', async () => {
    let body: Record<string, unknown> = {}
    const spy: Upstream = async (request) => {
      body = await request.clone().json()
      return createFakeUpstream()(request)
    }
    const out = await runAttempts(both(), ask('hello there'), options(spy))
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true } })
    expect(out).toMatchObject({
      ok: true, kind: 'json',
      body: { choices: [{ message: { content: 'You said: hello there' }, finish_reason: 'stop' }], usage: { completion_tokens: 4 } },
    })
  })

  it.each([
    ['never answers', '[[fake hang]]'],
    ['sends its headers, then nothing', '[[fake stall]]'],
  ])('leaves a host that %s at the first-byte limit', async (_, directive) => {
    const started = Date.now()
    const out = await runAttempts(both(), ask(`hi ${directive.replace(']]', ' on=fake]]')}`), options())
    expect(out).toMatchObject({ ok: true, attempt: { provider: { id: 'fake-eu' } }, body: { choices: [{ message: { content: 'You said: hi' } }] } })
    expect(out.records[0]).toMatchObject({ provider: 'fake', status: null, error: `Upstream timed out: it sent nothing within ${FIRST_BYTE} ms` })
    expect(out.records[0]!.latency_ms).toBeGreaterThanOrEqual(FIRST_BYTE)
    expect(Date.now() - started).toBeLessThan(TOTAL / 2)
  })

  it('bounds a stall after the first event by the total, then moves on', async () => {
    const stalls = sse([chunk({ role: 'assistant', content: '' })], { holdMs: 60_000 })
    const out = await runAttempts(both(), ask('hi'), options(stalls, { totalTimeoutMs: 400 }))
    expect(out).toMatchObject({ ok: true, attempt: { provider: { id: 'fake-eu' } } })
    expect(out.records[0]).toMatchObject({ provider: 'fake', status: null, error: 'Upstream timed out: it did not finish within 400 ms' })
    expect(out.records[0]!.latency_ms).toBeGreaterThanOrEqual(400)
  })

  it('holds only the headers of a reasoning endpoint to the first-byte limit (a model may think silently)', async () => {
    const thinks = sse([chunk({ role: 'assistant', content: 'done thinking' }, 'stop'), '[DONE]'], { holdMs: 0 })
    const slowly: Upstream = async (request) => {
      const response = await thinks(request)
      // Headers at once, the first event after three first-byte limits.
      return new Response(response.body!.pipeThrough(new TransformStream({
        async transform(piece, controller) {
          await new Promise((resolve) => setTimeout(resolve, FIRST_BYTE * 3))
          controller.enqueue(piece)
        },
      })), { headers: response.headers })
    }
    const reasoning = { capabilities: { ...echo.endpoints[0]!.capabilities, reasoning: true } }
    const served = await runAttempts([attemptOn('fake', reasoning), attemptOn('fake-eu')], ask('hi'), options(slowly))
    expect(served).toMatchObject({ ok: true, attempt: { provider: { id: 'fake' } }, body: { choices: [{ message: { content: 'done thinking' } }] } })
    // The same silence on an endpoint that does not reason is a hung host.
    const left = await runAttempts(both(), ask('hi'), options(slowly))
    expect(left).toMatchObject({ ok: true, attempt: { provider: { id: 'fake-eu' } } })
  })

  it('reads a JSON answer from a host that ignored `stream`', async () => {
    const json: Upstream = async (request) => {
      const body = await request.json<Record<string, unknown>>()
      return createFakeUpstream()(new Request(request.url, { method: 'POST', body: JSON.stringify({ ...body, stream: false }) }))
    }
    const out = await runAttempts(both(), ask('plain json'), options(json))
    expect(out).toMatchObject({ ok: true, attempt: { provider: { id: 'fake' } }, body: { choices: [{ message: { content: 'You said: plain json' } }] } })
  })

  it('asks a host that refuses to stream this model for the whole JSON answer instead', async () => {
    const verifiedOnly: Upstream = async (request) => {
      const body = await request.clone().json<{ stream?: boolean }>()
      if (!body.stream) return createFakeUpstream()(request)
      const error = { message: 'Your organization must be verified to stream this model.', type: 'invalid_request_error', param: 'stream', code: 'unsupported_value' }
      return new Response(JSON.stringify({ error }), { status: 400, headers: { 'content-type': 'application/json' } })
    }
    const out = await runAttempts(both(), ask('hi'), options(verifiedOnly))
    expect(out).toMatchObject({ ok: true, attempt: { provider: { id: 'fake' } }, body: { choices: [{ message: { content: 'You said: hi' } }] } })
    expect(out.records).toMatchObject([{ provider: 'fake', status: 400 }, { provider: 'fake', status: 200 }])
    // Any other request error is relayed at once, as before.
    const refuses = await runAttempts(both(), ask('hi [[fake status=400 on=fake]]'), options())
    expect(refuses).toMatchObject({ ok: false, error: { status: 400 } })
    expect(refuses.records).toHaveLength(1)
  })

  it('moves on when the stream reports a server error, or ends without a finish reason', async () => {
    const broken = await runAttempts(both(), ask('one two three [[fake error_after=1 on=fake]]'), options())
    expect(broken).toMatchObject({ ok: true, attempt: { provider: { id: 'fake-eu' } } })
    expect(broken.records[0]).toMatchObject({ provider: 'fake', status: 502, error: 'The fake upstream failed mid-stream' })

    const cut = await runAttempts(both(), ask('hi'), options(sse([chunk({ content: 'half' })])))
    expect(cut).toMatchObject({ ok: true, attempt: { provider: { id: 'fake-eu' } } })
    expect(cut.records[0]).toMatchObject({ status: null, error: 'Provider closed the stream before it finished' })
  })

  it('relays a request error the stream reports, without trying the next endpoint', async () => {
    const refuses = sse([JSON.stringify({ error: { message: 'prompt too long', code: 400, type: 'invalid_request_error' } })])
    const out = await runAttempts(both(), ask('hi'), options(refuses))
    expect(out).toMatchObject({ ok: false, error: { status: 400, message: 'prompt too long' } })
    expect(out.records).toHaveLength(1)
  })

  it('stops at once when the client leaves mid-answer', async () => {
    const client = new AbortController()
    const stalls = sse([chunk({ role: 'assistant', content: 'a' })], { holdMs: 60_000 })
    setTimeout(() => client.abort(new Error('client went away')), FIRST_BYTE * 2)
    const out = await runAttempts(both(), ask('hi'), options(stalls, { signal: client.signal }))
    expect(out).toMatchObject({ ok: false, error: { status: 408 } })
    expect(out.records).toMatchObject([{ provider: 'fake', error: 'client closed the request' }])
  })
})
