// A fake Gemini API (gemini.test) speaking the real wire format: POST
// /v1beta/models/{model}:generateContent (JSON), :streamGenerateContent?alt=sse
// (CRLF-framed `data:` events, no [DONE]) and :batchEmbedContents. It echoes the last user text, calls a
// function when functionCallingConfig mode ANY asks for one, and takes the same
// `[[fake …]]` fault directives as the OpenAI-wire fake, answered with Gemini error
// bodies ({error: {code, message, status}}).
// @see https://ai.google.dev/api/generate-content
import { unitVector } from '../../src/providers/fake-embeddings.ts'
import { credentialOf, fakeOptions, keyEchoMessage, sleep, type FakeOptions } from '../../src/providers/fake.ts'

const API_KEY = 'goog-test'
/** Hangs are bounded so no timer outlives the test run. */
const HANG_MS = 5_000
const HOST_LABEL = 'gemini'

interface Part {
  text?: string
  thought?: boolean
  inlineData?: { mimeType?: string; data?: string }
  fileData?: { mimeType?: string; fileUri?: string }
  functionCall?: { name?: string; args?: unknown }
  functionResponse?: { name?: string; response?: unknown }
}
interface Content { role?: string; parts?: Part[] }
interface Body {
  contents?: Content[]
  systemInstruction?: { parts?: Part[] }
  tools?: { functionDeclarations?: { name?: string }[] }[]
  toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } }
  generationConfig?: { maxOutputTokens?: number; thinkingConfig?: { thinkingBudget?: number; includeThoughts?: boolean } }
}

/** google.rpc.Code names for the HTTP statuses tests ask for. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 500: 'INTERNAL', 501: 'UNIMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=UTF-8', ...headers } })

const googleError = (code: number, message: string, details?: unknown[], headers: Record<string, string> = {}) =>
  json({ error: { code, message, status: STATUS_NAMES[code] ?? (code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'), ...(details ? { details } : {}) } }, code, headers)

/** `echo_key`: the key quoted in the message and in an ErrorInfo's metadata, as a provider that echoes it would. */
const faultError = (status: number, retryAfter: number, echoedKey?: string) => {
  if (echoedKey !== undefined) {
    return googleError(status, keyEchoMessage(echoedKey), [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { key: echoedKey } },
    ])
  }
  const message = status === 429 ? 'Resource has been exhausted (e.g. check quota).'
    : status >= 500 ? `The fake Gemini upstream failed with HTTP ${status}`
    : `The fake Gemini upstream rejected the request with HTTP ${status}`
  const details = status === 429 && retryAfter > 0
    ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` }]
    : undefined
  return googleError(status, message, details, retryAfter > 0 ? { 'retry-after': String(retryAfter) } : {})
}

const DIRECTIVE = /\[\[fake[^\]]*\]\]/g
const textOf = (parts: Part[] = []) => parts.map((p) => (p.thought ? '' : p.text ?? '')).filter(Boolean).join(' ')

/** Directives are read from every text part, system instruction included (the openai fake's reader, on Gemini turns). */
const optionsOf = (body: Body): FakeOptions => {
  const turns = [...(body.systemInstruction ? [{ role: 'system', parts: body.systemInstruction.parts }] : []), ...(body.contents ?? [])]
  return fakeOptions({ messages: turns.map((c) => ({ role: c.role, content: [{ type: 'text', text: textOf(c.parts) }] })) }, { hang_ms: HANG_MS })
}

/** About four characters a token, plus four per turn: the openai fake's rule. */
const promptTokens = (body: Body) =>
  [body.systemInstruction ?? { parts: [] }, ...(body.contents ?? [])]
    .filter((c) => c.parts?.length)
    .reduce((sum, c) => sum + 4 + Math.ceil(textOf(c.parts).replace(DIRECTIVE, '').length / 4), 0)

interface Reply {
  thought: string | null
  pieces: string[]
  functionCall?: { name: string; args: Record<string, unknown> }
  finishReason: 'STOP' | 'MAX_TOKENS'
  thoughtsTokenCount: number
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).map((w, i) => (i === 0 ? w : ` ${w}`))

const planReply = (body: Body): Reply => {
  const contents = body.contents ?? []
  const last = contents[contents.length - 1]
  const lastUser = [...contents].reverse().find((c) => c.role === 'user' && c.parts?.some((p) => p.text !== undefined || p.inlineData || p.fileData))
  const said = textOf(lastUser?.parts).replace(DIRECTIVE, '').trim()
  const attachments = (lastUser?.parts ?? []).flatMap((p) =>
    p.inlineData ? [`[inlineData ${p.inlineData.mimeType}]`] : p.fileData ? [`[fileData ${p.fileData.mimeType} ${p.fileData.fileUri}]`] : [])
  const thinking = body.generationConfig?.thinkingConfig
  const thoughtText = (thinking?.thinkingBudget ?? 0) > 0 ? `Thinking about: ${said || '(nothing)'}` : null
  const thought = thinking?.includeThoughts ? thoughtText : null
  const thoughtsTokenCount = thoughtText ? words(thoughtText).length : 0

  const declared = (body.tools ?? []).flatMap((t) => t.functionDeclarations ?? []).map((d) => d.name ?? 'function')
  const calling = body.toolConfig?.functionCallingConfig
  const toolResult = last?.parts?.find((p) => p.functionResponse)?.functionResponse
  if (declared.length && calling?.mode === 'ANY' && !toolResult) {
    const name = calling.allowedFunctionNames?.[0] ?? declared[0]!
    return { thought, pieces: [], functionCall: { name, args: { text: said } }, finishReason: 'STOP', thoughtsTokenCount }
  }
  const reply = toolResult
    ? `The tool returned: ${JSON.stringify(toolResult.response)}`
    : [`You said: ${said || '(nothing)'}`, ...attachments].join(' ')
  const all = words(reply)
  const limit = body.generationConfig?.maxOutputTokens ?? Infinity
  return { thought, pieces: all.slice(0, limit), finishReason: all.length > limit ? 'MAX_TOKENS' : 'STOP', thoughtsTokenCount }
}

let counter = 0
const nextResponseId = () => `fakeGemini${(counter++).toString(36).padStart(6, '0')}`

const usageOf = (body: Body, reply: Reply) => {
  const prompt = promptTokens(body)
  const candidates = reply.functionCall ? Math.ceil(JSON.stringify(reply.functionCall.args).length / 4) : reply.pieces.length
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + reply.thoughtsTokenCount,
    ...(reply.thoughtsTokenCount ? { thoughtsTokenCount: reply.thoughtsTokenCount } : {}),
  }
}

const generate = (model: string, body: Body, reply: Reply, options: FakeOptions): Response => {
  const parts = [
    ...(reply.thought ? [{ text: reply.thought, thought: true }] : []),
    ...(reply.pieces.length ? [{ text: reply.pieces.join('') }] : []),
    ...(reply.functionCall ? [{ functionCall: reply.functionCall }] : []),
  ]
  return json({
    candidates: [{ content: { parts, role: 'model' }, finishReason: reply.finishReason, index: 0 }],
    ...(options.no_usage ? {} : { usageMetadata: usageOf(body, reply) }),
    modelVersion: model,
    responseId: nextResponseId(),
  })
}

const stream = (model: string, body: Body, reply: Reply, options: FakeOptions, faulty: boolean, signal: AbortSignal, echoedKey?: string): Response => {
  const encoder = new TextEncoder()
  const responseId = nextResponseId()
  const usage = usageOf(body, reply)
  const running = { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount }
  // Every event is a whole GenerateContentResponse; only the last has finishReason and the final counts.
  const event = (parts: unknown[], final: boolean) => encoder.encode(`data: ${JSON.stringify({
    candidates: [{ content: { parts, role: 'model' }, ...(final ? { finishReason: reply.finishReason } : {}), index: 0 }],
    ...(options.no_usage ? {} : { usageMetadata: final ? usage : running }),
    modelVersion: model,
    responseId,
  })}\r\n\r\n`)
  const gap = options.tps > 0 ? 1000 / options.tps : 0

  async function* events(): AsyncGenerator<Uint8Array> {
    await sleep(options.ttft_ms, signal)
    if (reply.thought) yield event([{ text: reply.thought, thought: true }], false)
    if (reply.functionCall) yield event([{ functionCall: reply.functionCall }], true)
    for (const [i, piece] of reply.pieces.entries()) {
      if (faulty && i === options.break_after) throw new Error('fake gemini upstream: connection reset')
      if (faulty && i === options.error_after) {
        const error = echoedKey !== undefined
          ? { code: 400, message: keyEchoMessage(echoedKey), status: 'INVALID_ARGUMENT' }
          : { code: 500, message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting', status: 'INTERNAL' }
        yield encoder.encode(`data: ${JSON.stringify({ error })}\r\n\r\n`)
        return
      }
      if (i > 0) await sleep(gap, signal)
      yield event([{ text: piece }], i === reply.pieces.length - 1)
    }
  }
  // Pulled one event at a time, so a break happens after the earlier events were delivered
  // (erroring a stream discards whatever is still queued in it).
  const source = events()
  return new Response(new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await source.next()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      } catch (err) {
        controller.error(err)
      }
    },
    async cancel() {
      await source.return(undefined)
    },
  }, { highWaterMark: 0 }), { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } })
}

const ROUTE = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/

interface EmbedBody { requests?: { model?: string; content?: { parts?: Part[] }; outputDimensionality?: number }[] }

/**
 * batchEmbedContents: one unit vector per request (3072 dimensions unless
 * outputDimensionality says otherwise) and, like the real API, no usage.
 * @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
 */
const batchEmbed = async (model: string, body: EmbedBody, signal: AbortSignal): Promise<Response> => {
  const requests = body.requests ?? []
  if (!requests.length) return googleError(400, '* BatchEmbedContentsRequest.requests: requests is not specified')
  const wrong = requests.find((r) => r.model !== `models/${model}`)
  if (wrong) return googleError(400, `Model name in request (${wrong.model}) does not match the model in the URL (models/${model}).`)
  const texts = requests.map((r) => textOf(r.content?.parts))
  const options = fakeOptions({ messages: texts.map((text) => ({ role: 'user', content: text })) }, { hang_ms: HANG_MS })
  const faulty = options.on === '' || options.on === HOST_LABEL
  await sleep(options.latency_ms, signal)
  if (faulty && options.hang) await sleep(options.hang_ms, signal)
  if (faulty && options.status >= 400) return faultError(options.status, options.retry_after)
  const embeddings = requests.map((r, i) => ({ values: unitVector(texts[i] ?? '', r.outputDimensionality ?? 3072) }))
  return json({ embeddings })
}

export const geminiUpstream = async (request: Request): Promise<Response> => {
  const url = new URL(request.url)
  const route = ROUTE.exec(url.pathname)
  if (request.method !== 'POST' || !route) return googleError(404, `Method not found: ${request.method} ${url.pathname}`)
  const key = request.headers.get('x-goog-api-key')
  if (!key) {
    return googleError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
  }
  if (key !== API_KEY) {
    return googleError(400, 'API key not valid. Please pass a valid API key.', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
    ])
  }
  if (route[2] === 'batchEmbedContents') {
    let embedBody: EmbedBody
    try {
      embedBody = (await request.json()) as EmbedBody
    } catch {
      return googleError(400, 'Invalid JSON payload received.')
    }
    return batchEmbed(route[1]!, embedBody, request.signal)
  }
  const streaming = route[2] === 'streamGenerateContent'
  if (streaming && url.searchParams.get('alt') !== 'sse') return googleError(400, 'This fake only streams with alt=sse')
  let body: Body
  try {
    body = (await request.json()) as Body
  } catch {
    return googleError(400, 'Invalid JSON payload received.')
  }
  if (!body.contents?.length) return googleError(400, '* GenerateContentRequest.contents: contents is not specified')

  const options = optionsOf(body)
  const faulty = options.on === '' || options.on === HOST_LABEL
  await sleep(options.latency_ms, request.signal)
  if (faulty && options.hang) await sleep(options.hang_ms, request.signal)
  const echoedKey = options.echo_key ? credentialOf(request) : undefined
  if (faulty && options.status >= 400) return faultError(options.status, options.retry_after, echoedKey)

  const model = route[1]!
  const reply = planReply(body)
  return streaming ? stream(model, body, reply, options, faulty, request.signal, echoedKey) : generate(model, body, reply, options)
}
