// The Hono app: middleware order and route mounting. Every failure renders in
// the one error envelope (errors.ts).
import { Hono } from 'hono'
import { account } from './api/account.ts'
import { content } from './api/content.ts'
import { activityMetrics } from './api/activity-metrics.ts'
import { rankings } from './api/rankings.ts'
import { credits } from './api/credits.ts'
import { admin } from './api/admin.ts'
import { adminAccounts } from './api/admin-accounts.ts'
import { keys } from './api/keys.ts'
import { generations } from './api/generations.ts'
import { models } from './api/models.ts'
import { webhooks } from './api/webhooks.ts'
import { dashboard } from './dashboard/index.ts'
import type { AppEnv } from './env.ts'
import { GatewayError, errorResponse, handleError } from './errors.ts'
import { inference } from './skins/routes.ts'
import { edge } from './middleware/edge.ts'

export const createApp = () => {
  const app = new Hono<AppEnv>()
  // Request id, Server-Timing, security headers; CORS and the body limit on /api/* (middleware/edge.ts).
  app.use('*', edge)

  app.get('/healthz', (c) => c.json({ ok: true }))
  app.route('/api/v1', inference)
  app.route('/api/v1', models)
  app.route('/api/v1', account)
  app.route('/api/v1', content)
  app.route('/api/v1', activityMetrics)
  app.route('/api/v1', rankings)
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
