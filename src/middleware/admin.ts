// The operator API's guard: `Authorization: Bearer <ADMIN_TOKEN>`, compared in
// constant time. Without ADMIN_TOKEN the operator routes do not exist (404).
import { createMiddleware } from 'hono/factory'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { timingSafeEqualText } from '../lib/crypto.ts'

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = configOf(c.env).ADMIN_TOKEN
  if (!expected) throw new GatewayError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`)
  const token = c.req.header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim()
  if (!token || !(await timingSafeEqualText(token, expected))) throw new GatewayError('unauthorized', 'Invalid or missing admin token')
  await next()
})
