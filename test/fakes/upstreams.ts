// Outbound traffic of the Worker under test lands here (Miniflare's outboundService):
// each fake host speaks its provider's real wire format. Faults are steered per
// request with `[[fake …]]` directives, scoped to one host with `on=<label>`. Every
// request is also kept, for tests to read back (`https://fakes.test/received`).
import { createFakeUpstream } from '../../src/providers/fake.ts'
import { anthropicUpstream } from './anthropic.ts'
import { geminiUpstream } from './gemini.ts'
import { stripeUpstream } from './stripe.ts'

/** Hangs are bounded here so no timer outlives the test run. */
const openaiWire = createFakeUpstream({ hang_ms: 5_000 })

const HOSTS: Record<string, (request: Request) => Promise<Response>> = {
  'openai.test': openaiWire,
  'groq.test': openaiWire,
  'together.test': openaiWire,
  'anthropic.test': anthropicUpstream,
  'gemini.test': geminiUpstream,
  // Not a model provider: "Add credits" creates its Checkout Sessions here.
  'api.stripe.com': stripeUpstream,
}

/** One request as a fake got it. */
export interface Received {
  host: string
  method: string
  path: string
  headers: Record<string, string>
  body: string
}

/** What the fakes got, newest last (bounded): tests read it to see what really went upstream. */
const received: Received[] = []
const RECEIVED_MAX = 1_000

/**
 * `GET https://fakes.test/received?contains=<text>`: the requests the fakes got whose body
 * contains the text (a test's own marker, so tests running side by side stay apart).
 */
const inspect = (url: URL): Response => {
  const text = url.searchParams.get('contains') ?? ''
  const hits = text ? received.filter((r) => r.body.includes(text)) : []
  return Response.json(hits)
}

export const fakeUpstreams = async (request: Request): Promise<Response> => {
  const url = new URL(request.url)
  const host = url.hostname
  if (host === 'fakes.test') return inspect(url)
  const handler = HOSTS[host]
  if (!handler) return new Response(`no fake upstream for ${host}`, { status: 599 })
  const body = request.method === 'POST' ? await request.clone().text() : ''
  received.push({ host, method: request.method, path: url.pathname + url.search, headers: Object.fromEntries(request.headers), body })
  if (received.length > RECEIVED_MAX) received.splice(0, received.length - RECEIVED_MAX)
  return handler(request)
}
