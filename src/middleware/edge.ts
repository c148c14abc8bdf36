// The one middleware every request passes: request id, Server-Timing, body limit and
// CORS on /api/*, security headers. It replaces Hono's requestId, timing, cors,
// bodyLimit and secureHeaders, which together cost more per request than the rest of
// the routing: cors touched `c.res` before the handler, so Hono built a placeholder
// Response and then copied it into the real one. Here nothing touches the response
// until the handler has made it, then each header is set once.
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { endTime, startTime } from 'hono/timing'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError, errorResponse } from '../errors.ts'
import { envelopeOfPath } from '../skins/routes.ts'

/** Browser clients send these; answer their preflights. */
const CORS_ALLOW_HEADERS = [
  'Authorization', 'Content-Type', 'HTTP-Referer', 'X-OpenRouter-Title', 'X-Title', 'X-OpenRouter-Categories',
  'X-OpenRouter-Metadata', 'X-Provider-Region', 'X-Provider-Region-Only', 'Idempotency-Key', 'X-Session-Id',
  // Content logging for one request (docs/storage.md#content-logging).
  'X-Switchboard-Log-Content',
  // The Anthropic SDKs' (Messages skin).
  'X-Api-Key', 'Anthropic-Version', 'Anthropic-Beta',
].join(',')
const CORS_EXPOSE_HEADERS = ['X-Generation-Id', 'Server-Timing', 'X-Provider', 'X-Provider-Region', 'Retry-After'].join(',')
const CORS_ALLOW_METHODS = 'GET,HEAD,PUT,POST,DELETE,PATCH,QUERY'
const CORS_MAX_AGE = '86400'

/** Hono's secureHeaders() defaults, on every response. */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
]

/** A client's own id is kept when it is short and plain; otherwise a fresh one. */
const REQUEST_ID_MAX = 255
const PLAIN_ID = /^[\w\-=]+$/
export const requestIdOf = (given: string | undefined): string =>
  given && given.length <= REQUEST_ID_MAX && PLAIN_ID.test(given) ? given : crypto.randomUUID()

/** The 413 in the envelope of the route it was meant for: a skin's own (Anthropic's, OpenAI's) on its route. */
const tooLarge = (c: Context<AppEnv>, max: number): Response =>
  errorResponse(c, new GatewayError('payload_too_large', `Request body is larger than ${max} bytes`), envelopeOfPath(c.req.path))

/** A body without a Content-Length (chunked) is counted as it is read, by Hono's bodyLimit. */
let chunkedLimit: { max: number; handler: MiddlewareHandler<AppEnv> } | undefined
const limitChunked = (max: number): MiddlewareHandler<AppEnv> => {
  if (chunkedLimit?.max !== max) {
    chunkedLimit = {
      max,
      handler: bodyLimit({ maxSize: max, onError: (c) => tooLarge(c, max) }),
    }
  }
  return chunkedLimit.handler
}

const isApi = (path: string) => path.startsWith('/api/')

export const edge: MiddlewareHandler<AppEnv> = async (c, next) => {
  const metric = { headers: [] as string[], timers: new Map<string, { description?: string; start: number }>() }
  c.set('metric', metric)
  startTime(c, 'total', 'total')
  const id = requestIdOf(c.req.header('x-request-id'))
  c.set('requestId', id)
  const api = isApi(c.req.path)

  if (api && c.req.method === 'OPTIONS') {
    c.res = new Response(null, {
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS, 'Access-Control-Max-Age': CORS_MAX_AGE,
        'Access-Control-Allow-Methods': CORS_ALLOW_METHODS, 'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS, Vary: 'Access-Control-Request-Headers',
      },
    })
  } else if (api && c.req.raw.body) {
    const max = configOf(c.env).MAX_BODY_BYTES
    const length = c.req.raw.headers.get('content-length')
    if (length === null || c.req.raw.headers.has('transfer-encoding')) {
      const refused = await limitChunked(max)(c, next)
      if (refused instanceof Response) c.res = refused // next() resolves to the context, not a Response
    }
    else if (Number.parseInt(length, 10) > max) c.res = tooLarge(c, max)
    else await next()
  } else {
    await next()
  }

  const headers = c.res.headers
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value)
  headers.delete('X-Powered-By')
  headers.set('X-Request-Id', id)
  if (api) {
    headers.set('Access-Control-Allow-Origin', '*')
    headers.set('Access-Control-Expose-Headers', CORS_EXPOSE_HEADERS)
  }
  endTime(c, 'total')
  for (const name of [...metric.timers.keys()]) endTime(c, name)
  headers.append('Server-Timing', metric.headers.join(','))
}
