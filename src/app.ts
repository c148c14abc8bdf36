// The Hono app: middleware order and route mounting. Every failure renders in
// the one error envelope (errors.ts).
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { timing } from 'hono/timing'
import { account } from './api/account.ts'
import { credits } from './api/credits.ts'
import { admin } from './api/admin.ts'
import { adminAccounts } from './api/admin-accounts.ts'
import { keys } from './api/keys.ts'
import { generations } from './api/generations.ts'
import { models } from './api/models.ts'
import { webhooks } from './api/webhooks.ts'
import { dashboard } from './dashboard/index.ts'
import { configOf, type AppEnv } from './env.ts'
import { GatewayError, errorResponse, handleError } from './errors.ts'
import { inference } from './skins/routes.ts'

/** Browser clients send these; answer their preflights. */
const CORS_HEADERS = [
  'Authorization', 'Content-Type', 'HTTP-Referer', 'X-OpenRouter-Title', 'X-Title', 'X-OpenRouter-Categories',
  'X-OpenRouter-Metadata', 'X-Provider-Region', 'X-Provider-Region-Only', 'Idempotency-Key', 'X-Session-Id',
  // The Anthropic SDKs' (Messages skin).
  'X-Api-Key', 'Anthropic-Version', 'Anthropic-Beta',
]

let limit: ReturnType<typeof bodyLimit> | undefined
const limitBody = (maxSize: number) =>
  (limit ??= bodyLimit({
    maxSize,
    onError: (c) => errorResponse(c, new GatewayError('payload_too_large', `Request body is larger than ${maxSize} bytes`)),
  }))

export const createApp = () => {
  const app = new Hono<AppEnv>()
  app.use('*', requestId(), secureHeaders(), timing({ totalDescription: 'total' }))
  app.use('/api/*', cors({ origin: '*', allowHeaders: CORS_HEADERS, exposeHeaders: ['X-Generation-Id', 'Server-Timing', 'X-Provider', 'X-Provider-Region', 'Retry-After'], maxAge: 86400 }))
  app.use('/api/*', (c, next) => limitBody(configOf(c.env).MAX_BODY_BYTES)(c, next))

  app.get('/healthz', (c) => c.json({ ok: true }))
  app.route('/api/v1', inference)
  app.route('/api/v1', models)
  app.route('/api/v1', account)
  app.route('/api/v1', credits)
  app.route('/api/v1', generations)
  app.route('/api/v1', keys)
  app.route('/api/v1', webhooks)
  app.route('/api/v1', admin)
  app.route('/api/v1', adminAccounts)
  // The dashboard's pages (its scripts and styles are static assets, served before the Worker runs).
  app.route('/', dashboard)

  app.notFound((c) => errorResponse(c, new GatewayError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`)))
  app.onError(handleError)
  return app
}
