// The built-in fake upstream: a deterministic OpenAI-compatible server that runs
// in-process for `npm start`, tests and benchmarks, so the gateway answers with no
// provider keys. Its behaviour is steered per request (docs/fake-provider.md):
//   a `fake` object in the request body, or a `[[fake key=value …]]` directive in a message.
// It is a transport, not an adapter: the openai adapter speaks to it.
import { fakeEmbeddings } from './fake-embeddings.ts'

export interface FakeOptions {
  /** Delay before response headers (ms). */
  latency_ms: number
  /** Stream only: delay between headers and the first token (ms). */
  ttft_ms: number
  /** Stream pacing in tokens per second; 0 sends as fast as possible. */
  tps: number
  /** Completion length for the `story` model. */
  tokens: number
  /** Answer with this HTTP error status instead. */
  status: number
  /** Seconds for Retry-After on an error answer. */
  retry_after: number
  /** Never answer (until the caller gives up, or `hang_ms` passes). */
  hang: boolean
  /** Stream only: send the response headers, then nothing (until the caller gives up, or `hang_ms` passes). */
  stall: boolean
  /** Fail the connection before any response (as a reset socket does). */
  reset: boolean
  hang_ms: number
  /** Stream only: cut the connection after this many content chunks. */
  break_after: number
  /** Stream only: send an in-stream error event after this many content chunks. */
  error_after: number
  /** Send no usage in the response. */
  no_usage: boolean
  /** Only apply faults (status, hang, break, error) on this host label, e.g. `fake` or `fake-eu`. */
  on: string
  /**
   * Error answers (a `status` one or a mid-stream `error_after` one) quote the credential the
   * request carried, as a provider does for a bad key: to check that the gateway redacts it.
   */
  echo_key: boolean
  /**
   * Chat: reason before answering, as DeepSeek R1 hosts do: `reasoning_content` ("Thinking about: …",
   * a token a word) before the content, counted in completion_tokens and reasoning_tokens. Like
   * Together or Fireworks, the fake sends it whatever the request says about reasoning.
   */
  reasoning: boolean
  /**
   * With tools offered, call this one (once: not after a tool result), whatever tool_choice says
   * short of `none`; for agents, which never force a tool.
   */
  call: string
  /** The arguments of that call, as JSON (a directive's value has no spaces: write them `\u0020`); default `{"text": <last user message>}`. */
  args: string
}

const DEFAULTS: FakeOptions = {
  latency_ms: 0, ttft_ms: 0, tps: 0, tokens: 64, status: 0, retry_after: 0, hang: false, stall: false, hang_ms: 120_000, reset: false,
  break_after: -1, error_after: -1, no_usage: false, on: '', echo_key: false, reasoning: false, call: '', args: '',
}

const WORDS = (
  'the quick brown fox jumps over a lazy dog while seven bright stars hum softly above quiet hills ' +
  'and rivers carry old songs toward the patient sea where lanterns glow'
).split(' ')

interface FakeMessage { role?: unknown; content?: unknown; name?: unknown }
interface FakeTool { function?: { name?: unknown } }
interface FakeBody {
  model?: unknown
  messages?: FakeMessage[]
  stream?: unknown
  stream_options?: { include_usage?: unknown }
  max_tokens?: unknown
  max_completion_tokens?: unknown
  tools?: FakeTool[]
  tool_choice?: unknown
  prompt?: unknown
  input?: unknown
  dimensions?: unknown
  fake?: Partial<Record<keyof FakeOptions, unknown>>
}

const textOf = (content: unknown): string => {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((part: { type?: unknown; text?: unknown }) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .join(' ')
}

const DIRECTIVE = /\[\[fake([^\]]*)\]\]/g

/** Options from defaults, then `[[fake …]]` directives in messages, a prompt or embedding inputs (later wins), then the body's `fake` object. */
export const fakeOptions = (body: FakeBody, defaults: Partial<FakeOptions> = {}): FakeOptions => {
  const options: FakeOptions = { ...DEFAULTS, ...defaults }
  const set = (key: string, value: unknown) => {
    if (!(key in DEFAULTS)) return
    const k = key as keyof FakeOptions
    const current = DEFAULTS[k]
    if (typeof current === 'boolean') (options[k] as boolean) = value === true || value === 'true' || value === ''
    else if (typeof current === 'number') (options[k] as number) = Number(value) || 0
    else (options[k] as string) = String(value)
  }
  const texts = [...(body.messages ?? []).map((m) => m.content), body.prompt, ...(Array.isArray(body.input) ? body.input : [body.input])]
  for (const content of texts) {
    for (const match of textOf(content).matchAll(DIRECTIVE)) {
      for (const pair of (match[1] ?? '').trim().split(/\s+/).filter(Boolean)) {
        // The value runs to the end of the pair: `args` JSON may hold '='.
        const at = pair.indexOf('=')
        set(at < 0 ? pair : pair.slice(0, at), at < 0 ? '' : pair.slice(at + 1))
      }
    }
  }
  for (const [key, value] of Object.entries(body.fake ?? {})) set(key, value)
  return options
}

/** A delay the caller's abort cuts short; the wire-format test fakes use it too. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve()
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })

/** A rough, deterministic token count: about four characters a token, plus message overhead. */
const countPromptTokens = (messages: FakeMessage[]): number =>
  messages.reduce((sum, m) => sum + 4 + Math.ceil(textOf(m.content).replace(DIRECTIVE, '').length / 4), 0)

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

/** The credential a request carried, in whichever header (or query parameter) its wire puts it. */
export const credentialOf = (request: Request): string => {
  const h = request.headers
  const bearer = h.get('authorization')?.replace(/^Bearer\s+/i, '')
  return bearer || h.get('x-api-key') || h.get('x-goog-api-key') || h.get('api-key') || new URL(request.url).searchParams.get('key') || '(none)'
}

/** What a provider says about a key it refuses, quoting it (in the message, and in a field of the body). */
export const keyEchoMessage = (key: string) => `Incorrect API key provided: ${key}. You can find your API key in your account settings.`

const errorFor = (status: number, retryAfter: number, echoedKey?: string) => {
  const kind = echoedKey !== undefined ? { type: 'invalid_request_error', code: 'invalid_api_key', param: echoedKey, message: keyEchoMessage(echoedKey) }
    : status === 429 ? { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for fake upstream' }
    : status >= 500 ? { type: 'server_error', code: null, message: `The fake upstream failed with HTTP ${status}` }
    : { type: 'invalid_request_error', code: null, message: `The fake upstream rejected the request with HTTP ${status}` }
  return json({ error: kind }, status, retryAfter > 0 ? { 'retry-after': String(retryAfter) } : {})
}

interface Reply {
  pieces: string[]
  toolCall?: { id: string; name: string; arguments: string }
  finish: 'stop' | 'length' | 'tool_calls'
}

const planReply = (body: FakeBody, options: FakeOptions): Reply => {
  const messages = body.messages ?? []
  const limit = Number(body.max_completion_tokens ?? body.max_tokens) || Infinity
  const last = messages[messages.length - 1]
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')
  const tools = body.tools ?? []
  const choice = body.tool_choice as { function?: { name?: string } } | string | undefined
  const forced = last?.role !== 'tool' && (choice === 'required' || typeof choice === 'object')
  const called = options.call !== '' && choice !== 'none' && !messages.some((m) => m.role === 'tool')
  if (tools.length > 0 && (forced || called)) {
    const name = options.call || (typeof choice === 'object' && choice.function?.name) || String(tools[0]?.function?.name ?? 'tool')
    const args = options.args || JSON.stringify({ text: textOf(lastUser?.content).replace(DIRECTIVE, '').trim() })
    return { pieces: [], toolCall: { id: `call_fake_${name}`, name, arguments: args }, finish: 'tool_calls' }
  }
  let words: string[]
  if (body.model === 'story') {
    words = Array.from({ length: options.tokens }, (_, i) => WORDS[i % WORDS.length] ?? 'word')
  } else if (last?.role === 'tool') {
    words = `The tool returned: ${textOf(last.content)}`.split(/\s+/)
  } else {
    const said = textOf(lastUser?.content).replace(DIRECTIVE, '').trim()
    words = `You said: ${said || '(nothing)'}`.split(/\s+/)
  }
  const pieces = words.slice(0, limit).map((w, i) => (i === 0 ? w : ` ${w}`))
  return { pieces, finish: words.length > limit ? 'length' : 'stop' }
}

let counter = 0
const nextId = (prefix = 'chatcmpl') => `${prefix}-fake-${Date.now().toString(36)}${(counter++).toString(36)}`

const encoder = new TextEncoder()
const event = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`)

/** The events of one stream, by role; the shared emitter applies pacing and faults. */
interface StreamEvents {
  head: Uint8Array[]
  piece: (text: string) => Uint8Array
  finish: Uint8Array
  usage: Uint8Array | null
  error: Uint8Array
}

const sse = (pieces: string[], events: StreamEvents, options: FakeOptions, faulty: boolean, signal: AbortSignal): Response => {
  const gap = options.tps > 0 ? 1000 / options.tps : 0
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        if (faulty && options.stall) await sleep(options.hang_ms, signal)
        await sleep(options.ttft_ms, signal)
        for (const head of events.head) controller.enqueue(head)
        for (const [i, piece] of pieces.entries()) {
          if (faulty && i === options.break_after) throw new Error('fake upstream: connection reset')
          if (faulty && i === options.error_after) {
            controller.enqueue(events.error)
            controller.close()
            return
          }
          if (i > 0) await sleep(gap, signal)
          controller.enqueue(events.piece(piece))
        }
        controller.enqueue(events.finish)
        if (events.usage) controller.enqueue(events.usage)
        controller.enqueue(encoder.encode('data: [DONE]\n\n'))
        controller.close()
      } catch (err) {
        controller.error(err)
      }
    },
  })
  return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } })
}

const MID_STREAM_ERROR = { message: 'The fake upstream failed mid-stream', type: 'server_error', code: 502 }

/** A mid-stream error that quotes the key; a 4xx, so the gateway relays its message (5xx ones it replaces). */
const echoStreamError = (key: string) => ({ message: keyEchoMessage(key), type: 'invalid_request_error', code: 400, param: key })

type MidStreamError = typeof MID_STREAM_ERROR | ReturnType<typeof echoStreamError>

/** The `reasoning` option's thoughts, one piece a word. */
const thoughtsFor = (body: FakeBody): string[] => {
  const lastUser = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user')
  const said = textOf(lastUser?.content).replace(DIRECTIVE, '').trim()
  return `Thinking about: ${said || '(nothing)'}`.split(/\s+/).map((w, i) => (i === 0 ? w : ` ${w}`))
}

const chat = async (body: FakeBody, options: FakeOptions, faulty: boolean, signal: AbortSignal, midStreamError: MidStreamError): Promise<Response> => {
  const reply = planReply(body, options)
  const thoughts = options.reasoning ? thoughtsFor(body) : []
  const prompt = countPromptTokens(body.messages ?? [])
  const completion = (reply.toolCall ? Math.ceil(reply.toolCall.arguments.length / 4) : reply.pieces.length) + thoughts.length
  const usage = {
    prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
    ...(thoughts.length ? { completion_tokens_details: { reasoning_tokens: thoughts.length } } : {}),
  }
  const id = nextId()
  const created = Math.floor(Date.now() / 1000)
  const base = { id, created, model: String(body.model), system_fingerprint: 'fp_fake' }

  if (!body.stream) {
    const message = reply.toolCall
      ? { role: 'assistant', content: null, tool_calls: [{ id: reply.toolCall.id, type: 'function', function: { name: reply.toolCall.name, arguments: reply.toolCall.arguments } }] }
      : { role: 'assistant', content: reply.pieces.join('') }
    if (thoughts.length) Object.assign(message, { reasoning_content: thoughts.join('') })
    return json({
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message, finish_reason: reply.finish, logprobs: null }],
      ...(options.no_usage ? {} : { usage }),
    })
  }

  const chunk = (delta: unknown, finish: string | null = null) => event({
    ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  })
  const head = [chunk({ role: 'assistant', content: '' }), ...thoughts.map((t) => chunk({ reasoning_content: t }))]
  if (reply.toolCall) {
    const { id: callId, name, arguments: args } = reply.toolCall
    head.push(chunk({ tool_calls: [{ index: 0, id: callId, type: 'function', function: { name, arguments: '' } }] }))
    const half = Math.ceil(args.length / 2)
    for (const part of [args.slice(0, half), args.slice(half)]) head.push(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }))
  }
  const includeUsage = body.stream_options?.include_usage === true && !options.no_usage
  return sse(reply.pieces, {
    head,
    piece: (content) => chunk({ content }),
    finish: chunk({}, reply.finish),
    usage: includeUsage ? event({ ...base, object: 'chat.completion.chunk', choices: [], usage }) : null,
    error: event({ ...base, object: 'chat.completion.chunk', choices: [], error: midStreamError }),
  }, options, faulty, signal)
}

/**
 * Legacy /completions: the prompt is echoed like a user message ("You said: …"), one
 * token per word; prompt tokens are about four characters each, with no message overhead.
 */
const textCompletion = async (body: FakeBody, options: FakeOptions, faulty: boolean, signal: AbortSignal, midStreamError: MidStreamError): Promise<Response> => {
  const prompt = textOf(body.prompt)
  const reply = planReply({ ...body, messages: [{ role: 'user', content: prompt }], tools: [] }, options)
  const promptTokens = Math.ceil(prompt.replace(DIRECTIVE, '').length / 4)
  const usage = { prompt_tokens: promptTokens, completion_tokens: reply.pieces.length, total_tokens: promptTokens + reply.pieces.length }
  const base = { id: nextId('cmpl'), object: 'text_completion', created: Math.floor(Date.now() / 1000), model: String(body.model), system_fingerprint: 'fp_fake' }
  const choice = (text: string, finish: string | null = null) => ({ text, index: 0, logprobs: null, finish_reason: finish })
  if (!body.stream) return json({ ...base, choices: [choice(reply.pieces.join(''), reply.finish)], ...(options.no_usage ? {} : { usage }) })
  const includeUsage = body.stream_options?.include_usage === true && !options.no_usage
  return sse(reply.pieces, {
    head: [],
    piece: (text) => event({ ...base, choices: [choice(text)] }),
    finish: event({ ...base, choices: [choice('', reply.finish)] }),
    usage: includeUsage ? event({ ...base, choices: [], usage }) : null,
    error: event({ ...base, choices: [], error: midStreamError }),
  }, options, faulty, signal)
}

/** A fetch-compatible fake OpenAI-style server. `defaults` set options for every request (benchmarks). */
export const createFakeUpstream = (defaults: Partial<FakeOptions> = {}) =>
  async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    if (request.method !== 'POST') return json({ error: { message: 'Not found', type: 'invalid_request_error' } }, 404)
    let body: FakeBody
    try {
      body = (await request.json()) as FakeBody
    } catch {
      return json({ error: { message: 'Invalid JSON body', type: 'invalid_request_error' } }, 400)
    }
    const options = fakeOptions(body, defaults)
    const faulty = options.on === '' || options.on === url.hostname.split('.')[0]
    await sleep(options.latency_ms, request.signal)
    if (faulty && options.reset) throw new TypeError('fake upstream: connection reset')
    if (faulty && options.hang) {
      // Hold the request open until the caller aborts it (bounded, so nothing leaks forever).
      await sleep(options.hang_ms, request.signal)
    }
    const echoedKey = options.echo_key ? credentialOf(request) : undefined
    if (faulty && options.status >= 400) return errorFor(options.status, options.retry_after, echoedKey)
    const midStreamError = echoedKey !== undefined ? echoStreamError(echoedKey) : MID_STREAM_ERROR
    if (url.pathname.endsWith('/chat/completions')) return chat(body, options, faulty, request.signal, midStreamError)
    if (url.pathname.endsWith('/completions')) return textCompletion(body, options, faulty, request.signal, midStreamError)
    if (url.pathname.endsWith('/embeddings')) return fakeEmbeddings(body)
    return json({ error: { message: `No route for ${url.pathname}`, type: 'invalid_request_error' } }, 404)
  }

export const fakeUpstream = createFakeUpstream()
