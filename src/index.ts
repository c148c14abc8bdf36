// Worker entry: the app and the Durable Object classes.
import { createApp } from './app.ts'

export { AccountGate } from './objects/account-gate.ts'
export { ProviderHealth } from './objects/provider-health.ts'

const app = createApp()

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>
