// Worker entry: the app, the scheduled retention pass (cron trigger in wrangler.toml) and
// the Durable Object classes.
import { createApp } from './app.ts'
import { configOf } from './env.ts'
import { runRetention } from './storage/retention.ts'

export { AccountGate } from './objects/account-gate.ts'
export { Recorder } from './objects/recorder.ts'
export { ProviderHealth } from './objects/provider-health.ts'

const app = createApp()

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runRetention({ DB: env.DB, DETAILS: env.DETAILS, config: configOf(env) }, controller.scheduledTime))
  },
} satisfies ExportedHandler<Env>
