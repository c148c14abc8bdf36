// The fake Anthropic upstream (anthropic.test): speaks the Messages API wire format,
// JSON and SSE, and is as strict as the real API about what the adapter must get
// right (auth and version headers, no unknown fields, tool_use/tool_result pairing,
// thinking rules). It is written apart from src/providers/wire/anthropic.ts so that
// a mistake in the adapter's own schemas cannot hide here.
// Faults come from the same `[[fake …]]` directives as the OpenAI-wire fake.
// @see https://docs.anthropic.com/en/api/messages
import { credentialOf, fakeOptions, keyEchoMessage, sleep, type FakeOptions } from '../../src/providers/fake.ts'

const API_KEY = 'sk-ant-test'
/** The one signature this fake signs thinking with, and accepts back. */
const SIGNATURE = 'ZmFrZS1zaWduYXR1cmU='

type Json = Record<string, unknown>
interface Block extends Json { type?: unknown; text?: unknown; cache_control?: unknown }
interface Turn { role?: unknown; content?: unknown }
interface Body extends Json {
  model?: unknown; max_tokens?: unknown; messages?: Turn[]; system?: unknown; stream?: unknown; temperature?: unknown
  stop_sequences?: unknown; tools?: { name?: unknown }[]; tool_choice?: { type?: unknown; name?: unknown }; thinking?: { budget_tokens?: unknown }
}

const TOP_LEVEL = new Set([
  'model', 'max_tokens', 'messages', 'system', 'metadata', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k',
  'tools', 'tool_choice', 'thinking', 'service_tier',
])
/** Fields the API takes only when the request's `anthropic-beta` names their beta. */
const BETA_FIELDS: Record<string, string> = { context_management: 'context-management-2025-06-27' }
const BLOCK_TYPES = new Set(['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking'])
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])
/** Prompt prefixes cached so far, by model: the second request with one reads it. */
const cache = new Set<string>()

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 402: 'billing_error', 403: 'permission_error',
  404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error',
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'request-id': 'req_fake', ...headers } })

const error = (status: number, message: string, headers: Record<string, string> = {}) =>
  json({ type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message }, request_id: 'req_fake' }, status, headers)

const blocks = (content: unknown): Block[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? (content as Block[]) : []

const DIRECTIVE = /\[\[fake([^\]]*)\]\]/g
const textOf = (content: unknown): string =>
  blocks(content).map((b) => (b.type === 'text' && typeof b.text === 'string' ? b.text : '')).join(' ').replace(DIRECTIVE, '').trim()
const tokens = (text: string) => Math.ceil(text.length / 4)

/** The checks the real API makes that a translation mistake would trip, as its 400 messages. */
const invalid = (body: Body, betas: ReadonlySet<string>): string | null => {
  for (const key of Object.keys(body)) {
    const beta = BETA_FIELDS[key]
    if (!TOP_LEVEL.has(key) && !(beta && betas.has(beta))) return `${key}: Extra inputs are not permitted`
  }
  if (typeof body.model !== 'string') return 'model: Field required'
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) return 'max_tokens: Field required'
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: Field required'
  if (typeof body.temperature === 'number' && (body.temperature < 0 || body.temperature > 1)) return 'temperature: Input should be less than or equal to 1'
  const thinking = body.thinking !== undefined
  if (thinking) {
    const budget = Number(body.thinking?.budget_tokens)
    if (!(budget >= 1024)) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024'
    if (budget >= Number(body.max_tokens)) return '`max_tokens` must be greater than `thinking.budget_tokens`'
    if (body.temperature !== undefined && body.temperature !== 1) return '`temperature` may only be set to 1 when thinking is enabled'
    if (body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool') return 'Thinking may not be enabled when tool_choice forces tool use.'
  }
  if (body.tool_choice && !body.tools?.length) return 'tool_choice: tool_choice may only be specified while providing tools'
  for (const [i, m] of messages.entries()) {
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`
    for (const [j, b] of blocks(m.content).entries()) {
      if (typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type)) return `messages.${i}.content.${j}.type: Input tag '${String(b.type)}' is not valid`
      if (b.type === 'text' && (typeof b.text !== 'string' || !b.text)) return `messages.${i}.content.${j}: text content blocks must be non-empty`
      // Thinking comes back exactly as this API signed it, or not at all.
      if (b.type === 'thinking' && b.signature !== SIGNATURE) return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`
      if (b.type === 'image') {
        const s = b.source as { type?: unknown; media_type?: unknown; data?: unknown; url?: unknown } | undefined
        const ok = (s?.type === 'base64' && IMAGE_TYPES.has(String(s.media_type)) && typeof s.data === 'string' && s.data.length > 0) ||
          (s?.type === 'url' && /^https?:\/\//.test(String(s.url)))
        if (!ok) return `messages.${i}.content.${j}.image.source: invalid image source`
      }
    }
    // Every tool_use must be answered by a tool_result in the very next message.
    const uses = blocks(m.content).filter((b) => b.type === 'tool_use').map((b) => String(b.id))
    if (m.role === 'assistant' && uses.length) {
      const answered = new Set(blocks(messages[i + 1]?.content).filter((b) => b.type === 'tool_result').map((b) => String(b.tool_use_id)))
      const missing = uses.filter((id) => !answered.has(id))
      if (missing.length) return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}`
      const first = blocks(m.content)[0]?.type
      const lastAssistant = !messages.slice(i + 1).some((n) => n.role === 'assistant')
      if (thinking && lastAssistant && first !== 'thinking' && first !== 'redacted_thinking') {
        return `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block.`
      }
    }
  }
  return null
}

interface Reply {
  thinking?: string
  pieces: string[]
  tool?: { id: string; name: string; input: Json }
  stop: 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence'
  stopSequence: string | null
}

const planReply = (body: Body): Reply => {
  const messages = body.messages ?? []
  const last = messages[messages.length - 1]
  const results = blocks(last?.content).filter((b) => b.type === 'tool_result')
  const images = blocks(last?.content).filter((b) => b.type === 'image').length
  const said = textOf(last?.content)
  const thinking = body.thinking ? `Thinking about: ${said || '(nothing)'}` : undefined
  const choice = body.tool_choice
  // Like a model: a forced tool is called; under auto, a tool the user names is.
  const named = choice?.type === 'none' ? undefined : body.tools?.find((t) => typeof t.name === 'string' && said.includes(t.name))
  if (!results.length && (choice?.type === 'any' || choice?.type === 'tool' || named)) {
    const name = choice?.type === 'tool' ? String(choice.name) : String((named ?? body.tools?.[0])?.name ?? 'tool')
    return { ...(thinking ? { thinking } : {}), pieces: [], tool: { id: `toolu_fake_${name}`, name, input: { text: said } }, stop: 'tool_use', stopSequence: null }
  }
  const text = results.length
    ? `The tool returned: ${results.map((r) => (typeof r.content === 'string' ? r.content : textOf(r.content))).join(' ')}`
    : `You said: ${said || '(nothing)'}${images ? ` [${images} image${images > 1 ? 's' : ''}]` : ''}`
  let words = text.split(/\s+/)
  let stop: Reply['stop'] = 'end_turn'
  let stopSequence: string | null = null
  const stops = Array.isArray(body.stop_sequences) ? body.stop_sequences.map(String) : []
  const hit = words.findIndex((w) => stops.includes(w))
  if (hit >= 0) [words, stop, stopSequence] = [words.slice(0, hit), 'stop_sequence', words[hit] ?? null]
  const limit = Number(body.max_tokens)
  if (words.length > limit) [words, stop] = [words.slice(0, limit), 'max_tokens']
  return { ...(thinking ? { thinking } : {}), pieces: words.map((w, i) => (i === 0 ? w : ` ${w}`)), stop, stopSequence }
}

/** input_tokens as Anthropic splits them: a cached system prefix is written once, then read. */
const usageOf = (body: Body, reply: Reply) => {
  const system = blocks(body.system)
  const total = tokens(system.map((b) => String(b.text ?? '')).join('\n')) +
    (body.messages ?? []).reduce((n, m) => n + 4 + tokens(JSON.stringify(m.content ?? '')), 0)
  const upTo = system.findLastIndex((b) => b.cache_control !== undefined)
  const prefix = upTo >= 0 ? system.slice(0, upTo + 1).map((b) => String(b.text ?? '')).join('\n') : ''
  const key = `${String(body.model)}\n${prefix}`
  const cached = prefix ? tokens(prefix) : 0
  const hit = prefix !== '' && cache.has(key)
  if (prefix) cache.add(key)
  const output = (reply.thinking ? tokens(reply.thinking) : 0) + (reply.tool ? tokens(JSON.stringify(reply.tool.input)) : reply.pieces.length)
  return {
    input_tokens: total - cached,
    cache_creation_input_tokens: hit ? 0 : cached,
    cache_read_input_tokens: hit ? cached : 0,
    output_tokens: output,
  }
}

let counter = 0

const content = (reply: Reply) => [
  ...(reply.thinking ? [{ type: 'thinking', thinking: reply.thinking, signature: SIGNATURE }] : []),
  ...(reply.tool ? [{ type: 'tool_use', ...reply.tool }] : [{ type: 'text', text: reply.pieces.join('') }]),
]

const stream = (reply: Reply, usage: ReturnType<typeof usageOf>, message: Json, options: FakeOptions, faulty: boolean, signal: AbortSignal, echoedKey?: string) => {
  const encoder = new TextEncoder()
  const event = (type: string, data: Json) => encoder.encode(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)
  const gap = options.tps > 0 ? 1000 / options.tps : 0
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        await sleep(options.ttft_ms, signal)
        controller.enqueue(event('message_start', { message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }))
        controller.enqueue(event('ping', {}))
        let index = 0
        if (reply.thinking) {
          controller.enqueue(event('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }))
          controller.enqueue(event('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: reply.thinking } }))
          controller.enqueue(event('content_block_delta', { index, delta: { type: 'signature_delta', signature: SIGNATURE } }))
          controller.enqueue(event('content_block_stop', { index: index++ }))
        }
        if (reply.tool) {
          const { id, name, input } = reply.tool
          const args = JSON.stringify(input)
          controller.enqueue(event('content_block_start', { index, content_block: { type: 'tool_use', id, name, input: {} } }))
          for (const part of ['', args.slice(0, args.length >> 1), args.slice(args.length >> 1)]) {
            controller.enqueue(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } }))
          }
        } else {
          controller.enqueue(event('content_block_start', { index, content_block: { type: 'text', text: '' } }))
          for (const [i, piece] of reply.pieces.entries()) {
            if (faulty && i === options.break_after) throw new Error('fake anthropic: connection reset')
            if (faulty && i === options.error_after) {
              const error = echoedKey !== undefined ? { type: 'invalid_request_error', message: keyEchoMessage(echoedKey) } : { type: 'overloaded_error', message: 'Overloaded' }
              controller.enqueue(event('error', { error }))
              controller.close()
              return
            }
            if (i > 0) await sleep(gap, signal)
            controller.enqueue(event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }))
          }
        }
        controller.enqueue(event('content_block_stop', { index }))
        controller.enqueue(event('message_delta', { delta: { stop_reason: reply.stop, stop_sequence: reply.stopSequence }, usage: { output_tokens: usage.output_tokens } }))
        controller.enqueue(event('message_stop', {}))
        controller.close()
      } catch (err) {
        controller.error(err)
      }
    },
  })
}

export const anthropicUpstream = async (request: Request): Promise<Response> => {
  const url = new URL(request.url)
  if (request.method !== 'POST' || !url.pathname.endsWith('/v1/messages')) return error(404, `No route for ${request.method} ${url.pathname}`)
  if (request.headers.get('x-api-key') !== API_KEY) return error(401, 'invalid x-api-key')
  if (!request.headers.get('anthropic-version')) return error(400, 'anthropic-version: header is required')
  let body: Body
  try {
    body = (await request.json()) as Body
  } catch {
    return error(400, 'There was an issue with the JSON body of the request')
  }
  const betas = new Set((request.headers.get('anthropic-beta') ?? '').split(',').map((b) => b.trim()))
  const problem = invalid(body, betas)
  if (problem) return error(400, problem)

  const directives = [{ role: 'system', content: body.system }, ...(body.messages ?? [])]
  const options = fakeOptions({ messages: directives }, { hang_ms: 5_000 })
  const faulty = options.on === '' || options.on === url.hostname.split('.')[0]
  await sleep(options.latency_ms, request.signal)
  if (faulty && options.hang) await sleep(options.hang_ms, request.signal)
  const echoedKey = options.echo_key ? credentialOf(request) : undefined
  if (faulty && options.status >= 400) {
    const message = echoedKey !== undefined ? keyEchoMessage(echoedKey) : options.status === 529 ? 'Overloaded' : options.status === 429 ? 'Number of requests has exceeded your rate limit' : `The fake upstream failed with HTTP ${options.status}`
    return error(options.status, message, options.retry_after > 0 ? { 'retry-after': String(options.retry_after) } : {})
  }

  const reply = planReply(body)
  const usage = usageOf(body, reply)
  const message = { id: `msg_fake_${Date.now().toString(36)}${(counter++).toString(36)}`, type: 'message', role: 'assistant', model: String(body.model) }
  if (body.stream !== true) return json({ ...message, content: content(reply), stop_reason: reply.stop, stop_sequence: reply.stopSequence, usage })
  return new Response(stream(reply, usage, message, options, faulty, request.signal, echoedKey), {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_fake' },
  })
}
