// Shared by the Messages skin tests: SSE framing of encoder output, and the real
// Anthropic SDK pointed at a fetch that answers with that output.
import Anthropic from '@anthropic-ai/sdk'
import type { Cost } from '../../../../src/billing/pricing.ts'
import { micro } from '../../../../src/lib/money.ts'
import type { CanonicalChunk, Usage } from '../../../../src/providers/types.ts'
import type { SkinMeta, SseOut, StreamFinish } from '../../../../src/skins/skin.ts'
import { messagesCodec, type MessagesRequest } from '../../../../src/skins/messages/index.ts'

export const META: SkinMeta = { id: 'gen-1700000000-abcdef', created: 1_700_000_000, model: 'anthropic/claude-sonnet-4.5', provider: 'Anthropic' }

export const usage = (over: Partial<Usage> = {}): Usage => ({
  prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, ...over,
})

export const cost = (total: number, prompt = 0, completion = total - prompt): Cost => ({ total: micro(total), prompt: micro(prompt), completion: micro(completion) })

/** The request a test stream answers (decoded as the route would). */
export const request = (over: Record<string, unknown> = {}): MessagesRequest =>
  messagesCodec.decode(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }], stream: true, ...over }))

/** Encoder output as the wire carries it: `event:` then `data:` lines. */
export const sseText = (events: SseOut[]): string =>
  events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`).join('')

/** start, every chunk, then end (or error) through a fresh encoder. */
export const encode = (chunks: CanonicalChunk[], finish: StreamFinish | { error: { status: number; message: string; code?: string } }, req = request()): SseOut[] => {
  const encoder = messagesCodec.streamEncoder(META, req)
  const out = [...encoder.start(), ...chunks.flatMap((c) => encoder.chunk(c))]
  if ('error' in finish) {
    const end: StreamFinish = { usage: usage(), cost: cost(0), finish: null, nativeFinish: null }
    return [...out, ...encoder.error({ ...finish.error, errorType: 'provider_unavailable' }, end)]
  }
  return [...out, ...encoder.end(finish)]
}

/** The real SDK, answered by `respond` instead of the network. */
export const sdk = (respond: (req: Request) => Response | Promise<Response>) =>
  new Anthropic({
    apiKey: 'sk-test',
    baseURL: 'https://gateway.test/api',
    maxRetries: 0,
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => respond(new Request(input, init)),
  })

export const sseResponse = (events: SseOut[]) =>
  new Response(sseText(events), { headers: { 'content-type': 'text/event-stream; charset=utf-8' } })

/** One canonical chunk of choice 0. */
export const chunk = (delta: CanonicalChunk['choices'][number]['delta'], finish: CanonicalChunk['choices'][number]['finish_reason'] = null, native: string | null = null): CanonicalChunk => ({
  choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: native, logprobs: null }],
})

export const types = (events: SseOut[]) => events.map((e) => e.event)
