// Outbound traffic of the Worker under test lands here (Miniflare's outboundService):
// each fake host speaks its provider's real wire format. Faults are steered per
// request with `[[fake …]]` directives, scoped to one host with `on=<label>`.
import { createFakeUpstream } from '../../src/providers/fake.ts'
import { anthropicUpstream } from './anthropic.ts'
import { geminiUpstream } from './gemini.ts'

/** Hangs are bounded here so no timer outlives the test run. */
const openaiWire = createFakeUpstream({ hang_ms: 5_000 })

const HOSTS: Record<string, (request: Request) => Promise<Response>> = {
  'openai.test': openaiWire,
  'groq.test': openaiWire,
  'together.test': openaiWire,
  'anthropic.test': anthropicUpstream,
  'gemini.test': geminiUpstream,
}

export const fakeUpstreams = async (request: Request): Promise<Response> => {
  const host = new URL(request.url).hostname
  const handler = HOSTS[host]
  if (!handler) return new Response(`no fake upstream for ${host}`, { status: 599 })
  return handler(request)
}
