// Starts the gateway exactly as `npm start` does (scripts/start.ts: bundle, workerd,
// migrations, seed), on a free port with a throwaway state directory, and hands its
// base URL, dev keys, state directory and webhook secrets to the tests.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import chromium from '@sparticuz/chromium'
import type { TestProject } from 'vitest/node'
import { freePort, spawnStart, type StartedProcess } from '../../scripts/spawn-start.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
    /** The dev account npm start seeds. */
    accountId: string
    apiKey: string
    managementKey: string
    /** npm start's state directory: `npm run admin -- --persist-to <it>` finds the admin token there. */
    stateDir: string
    stripeWebhookSecret: string
    topupWebhookSecret: string
  }
}

let gateway: StartedProcess | undefined
let state: string | undefined

/** Test-only webhook secrets, passed to the gateway the way an operator would: through the environment. */
const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_switchboard'
const TOPUP_WEBHOOK_SECRET = 'topup_e2e_secret_switchboard'

export async function setup(project: TestProject) {
  const port = await freePort()
  state = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'))
  gateway = spawnStart(['--port', String(port), '--persist-to', state], { env: { ...process.env, STRIPE_WEBHOOK_SECRET, TOPUP_WEBHOOK_SECRET } })
  const { baseURL, accountId, apiKey, managementKey } = await gateway.ready.catch(async (err: unknown) => {
    await gateway?.stop()
    throw err
  })
  // The dashboard tests' Chromium, unpacked once here rather than raced for by test files in parallel.
  await chromium.executablePath()
  project.provide('baseURL', baseURL)
  project.provide('accountId', accountId)
  project.provide('apiKey', apiKey)
  project.provide('managementKey', managementKey)
  project.provide('stateDir', state)
  project.provide('stripeWebhookSecret', STRIPE_WEBHOOK_SECRET)
  project.provide('topupWebhookSecret', TOPUP_WEBHOOK_SECRET)
}

export async function teardown() {
  if (gateway) await Promise.race([gateway.stop(), new Promise((r) => setTimeout(r, 10_000))])
  if (state) rmSync(state, { recursive: true, force: true })
}
