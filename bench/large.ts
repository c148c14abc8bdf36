// The large-response arm's pieces (bench/cpu-arm.ts): an upstream that answers a chat
// completion of a requested size, and a heap sampler for a workerd isolate through
// its inspector (Chrome DevTools Protocol, `Runtime.getHeapUsage`).
//
// The size rides in the user message as `[[big bytes=N]]`, so bare and gateway ask for
// the same answer. A JSON request gets one JSON body with N bytes of content; a stream
// request (the gateway asks for one even for a JSON client: src/routing/attempt.ts) gets
// the same content as SSE events of PIECE characters each, as a provider streams tokens.
import http from 'node:http'
import { connectInspector } from './inspector.ts'

export const BIG = (bytes: number) => `[[big bytes=${bytes}]]`
const BIG_RE = /\[\[big bytes=(\d+)\]\]/
/** Characters of content per stream event (a few tokens, as providers send them). */
const PIECE = 64
const WORDS = 'the quick brown fox jumps over a lazy dog while seven bright stars hum softly above quiet hills '

const contentOf = (bytes: number): string => WORDS.repeat(Math.ceil(bytes / WORDS.length)).slice(0, bytes)

const completion = (id: string, model: string, content: string, usage: object) => JSON.stringify({
  id, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model, system_fingerprint: 'fp_big',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }], usage,
})

/** SSE body of `content` in PIECE-sized deltas, chat.completion.chunk events, usage last. */
const events = (id: string, model: string, content: string, usage: object): string => {
  const base = `{"id":"${id}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(model)},"choices":`
  const parts = [`data: ${base}[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n`]
  for (let i = 0; i < content.length; i += PIECE) {
    parts.push(`data: ${base}[{"index":0,"delta":{"content":${JSON.stringify(content.slice(i, i + PIECE))}},"finish_reason":null}]}\n\n`)
  }
  parts.push(`data: ${base}[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`)
  parts.push(`data: ${base}[],"usage":${JSON.stringify(usage)}}\n\n`, 'data: [DONE]\n\n')
  return parts.join('')
}

/** Bodies are built once per size and kind, so the upstream's own CPU stays small and alike for both targets. */
const cache = new Map<string, Buffer>()

export const startLargeUpstream = async (): Promise<{ server: http.Server; port: number }> => {
  let n = 0
  const server = http.createServer(async (req, res) => {
    const parts: Buffer[] = []
    for await (const part of req) parts.push(part as Buffer)
    const raw = Buffer.concat(parts).toString('utf8')
    const bytes = Number(raw.match(BIG_RE)?.[1] ?? 16)
    const stream = raw.includes('"stream":true')
    const model = (JSON.parse(raw) as { model?: string }).model ?? 'big'
    const key = `${bytes}:${stream}:${model}`
    let body = cache.get(key)
    if (!body) {
      const content = contentOf(bytes)
      const usage = { prompt_tokens: 10, completion_tokens: Math.ceil(bytes / 4), total_tokens: 10 + Math.ceil(bytes / 4) }
      body = Buffer.from(stream ? events('chatcmpl-big', model, content, usage) : completion('chatcmpl-big', model, content, usage))
      cache.set(key, body)
    }
    n++
    res.writeHead(200, {
      'content-type': stream ? 'text/event-stream' : 'application/json',
      'content-length': String(body.length),
    })
    res.end(body)
  })
  server.keepAliveTimeout = 120_000
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const a = server.address()
      if (a && typeof a === 'object') resolve(a.port)
      else reject(new Error('large upstream: no port'))
    })
  })
  return { server, port }
}

/**
 * A CDP session on a workerd isolate, through Miniflare's inspector port. Samples
 * `Runtime.getHeapUsage` (used JS heap) every few ms while `during` runs: the peak,
 * after a forced GC as the baseline.
 */
export const heapSampler = async (inspectorPort: number, nudge: () => Promise<unknown>) => {
  const { call, close } = await connectInspector(inspectorPort, nudge)
  const used = async () => (await call<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize
  return {
    /**
     * The used heap after a GC before `during` runs, and its peak while it runs, in bytes. With
     * `live`, each sample forces a GC first, so the peak is of what requests hold (live
     * objects), not of garbage a collection has yet to free: GC timing makes the plain peak
     * grow with how long a request allocates, whether or not it holds anything.
     */
    measure: async (during: () => Promise<unknown>, { live = false } = {}): Promise<{ baseline: number; peak: number }> => {
      await call('HeapProfiler.collectGarbage')
      const baseline = await used()
      let peak = baseline
      let running = true
      const poll = (async () => {
        while (running) {
          if (live) await call('HeapProfiler.collectGarbage')
          peak = Math.max(peak, await used())
          await new Promise((r) => setTimeout(r, live ? 10 : 2))
        }
      })()
      try {
        await during()
      } finally {
        running = false
        await poll
      }
      return { baseline, peak }
    },
    close,
  }
}
