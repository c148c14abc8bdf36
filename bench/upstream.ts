// The fake upstream for the benchmark: a Node `http` server (keep-alive) that
// adapts node req/res to web Request/Response and answers with the project's own
// fake OpenAI-compatible upstream (src/providers/fake.ts), so direct, bare and
// gateway all hit the exact same server.
//
// Run as its own process (`node bench/upstream.ts`) so its event loop never
// shares a thread with the load client's timers; it prints `{"port":N}` on stdout.
//
// Knobs (env): LATENCY_MS (non-stream delay, 20), TTFT_MS (stream delay before the
// first token, 50), CHUNKS (content chunks per stream, 20), CHUNK_GAP_MS (10).
// A `[[fake latency_ms=0]]` directive in a message (as the max req/s scenario
// sends) overrides these per request, through every target alike.
//
// Only the streaming scenario's requests (marked PACED) get the paced `story` stream. The
// gateway streams non-streaming requests from the upstream too (src/routing/attempt.ts),
// so any other stream request is the JSON scenario's: it is answered like a JSON one,
// after LATENCY_MS, with the same short reply, as one quick stream.
import http from 'node:http'
import { createFakeUpstream } from '../src/providers/fake.ts'

/** In a message, marks the streaming scenario's requests (an unknown fake option: ignored, then stripped from the echo). */
export const PACED = '[[fake paced]]'

export interface UpstreamConfig {
  latencyMs: number
  ttftMs: number
  chunks: number
  chunkGapMs: number
}

const num = (name: string, fallback: number): number => {
  const raw = process.env[name]
  const value = raw === undefined || raw === '' ? fallback : Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`)
  return value
}

export const upstreamConfigFromEnv = (): UpstreamConfig => ({
  latencyMs: num('LATENCY_MS', 20),
  ttftMs: num('TTFT_MS', 50),
  chunks: num('CHUNKS', 20),
  chunkGapMs: num('CHUNK_GAP_MS', 10),
})

export const createUpstreamServer = (config: UpstreamConfig): http.Server => {
  // Non-stream answers wait latency_ms; streams start at once, wait ttft_ms, then
  // send `chunks` words `chunkGapMs` apart (the fake paces by tokens per second).
  const json = createFakeUpstream({ latency_ms: config.latencyMs })
  const stream = createFakeUpstream({
    latency_ms: 0,
    ttft_ms: config.ttftMs,
    tps: config.chunkGapMs > 0 ? 1000 / config.chunkGapMs : 0,
    tokens: config.chunks,
  })

  const server = http.createServer(async (req, res) => {
    try {
      const parts: Buffer[] = []
      for await (const part of req) parts.push(part as Buffer)
      let raw = Buffer.concat(parts).toString('utf8')
      let handler = json
      if (req.method === 'POST' && raw.includes('"stream":true') && raw.includes(PACED)) {
        // Whatever model the caller names, a stream is the `story` model, so its
        // length is CHUNKS words for direct, bare and gateway alike.
        const body = JSON.parse(raw) as { model?: string; stream?: boolean }
        if (body.stream === true) {
          body.model = 'story'
          raw = JSON.stringify(body)
          handler = stream
        }
      }
      const controller = new AbortController()
      res.on('close', () => { if (!res.writableFinished) controller.abort(new Error('client went away')) })
      const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') },
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : raw,
        signal: controller.signal,
      })
      const response = await handler(request)
      const headers = Object.fromEntries(response.headers)
      if (!response.body || !headers['content-type']?.startsWith('text/event-stream')) {
        const buf = Buffer.from(await response.arrayBuffer())
        res.writeHead(response.status, { ...headers, 'content-length': String(buf.length) })
        res.end(buf)
        return
      }
      // Stream: headers now, then one write per chunk the fake enqueues (no buffering).
      res.writeHead(response.status, headers)
      res.flushHeaders()
      const reader = response.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        res.write(value)
      }
      res.end()
    } catch (err) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { message: String(err), type: 'server_error' } }))
      } else {
        res.destroy()
      }
    }
  })
  server.keepAliveTimeout = 120_000
  server.headersTimeout = 125_000
  server.requestTimeout = 0
  return server
}

export const listen = (server: http.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address && typeof address === 'object') resolve(address.port)
      else reject(new Error('upstream: no port'))
    })
  })

// As a child process: start, report the port, exit when the parent goes away.
if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createUpstreamServer(upstreamConfigFromEnv())
  const port = await listen(server)
  process.stdout.write(`${JSON.stringify({ port })}\n`)
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
}
