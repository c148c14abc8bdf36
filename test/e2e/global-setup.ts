// Starts the gateway exactly as `npm start` does (scripts/start.ts: migrations,
// seed, wrangler dev in workerd), on a free port with a throwaway state directory,
// and hands its base URL, dev keys, state directory and webhook secrets to the tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
    apiKey: string
    managementKey: string
    /** npm start's state directory: `npm run admin -- --persist-to <it>` finds the admin token there. */
    stateDir: string
    stripeWebhookSecret: string
    topupWebhookSecret: string
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })

let child: ChildProcess | undefined
let state: string | undefined

/** Test-only webhook secrets, passed to the gateway the way an operator would: through the environment. */
const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_switchboard'
const TOPUP_WEBHOOK_SECRET = 'topup_e2e_secret_switchboard'

export async function setup(project: TestProject) {
  const port = await freePort()
  state = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'))
  child = spawn(process.execPath, ['scripts/start.ts', '--port', String(port), '--persist-to', state], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', STRIPE_WEBHOOK_SECRET, TOPUP_WEBHOOK_SECRET },
  })
  let output = ''
  const started = new Promise<{ baseURL: string; apiKey: string; managementKey: string }>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString()
      const base = output.match(/Switchboard is running at (\S+)/)?.[1]
      const key = output.match(/API key:\s+(sk-sb-v1-[0-9a-f]{64})/)?.[1]
      const managementKey = output.match(/Management key:\s+(sk-sb-v1-[0-9a-f]{64})/)?.[1]
      if (base && key && managementKey) resolve({ baseURL: base, apiKey: key, managementKey })
    }
    child?.stdout?.on('data', onData)
    child?.stderr?.on('data', onData)
    child?.on('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)))
  })
  const { baseURL, apiKey, managementKey } = await started
  project.provide('baseURL', baseURL)
  project.provide('apiKey', apiKey)
  project.provide('managementKey', managementKey)
  project.provide('stateDir', state)
  project.provide('stripeWebhookSecret', STRIPE_WEBHOOK_SECRET)
  project.provide('topupWebhookSecret', TOPUP_WEBHOOK_SECRET)
}

export async function teardown() {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.on('exit', r))
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
  }
  if (state) rmSync(state, { recursive: true, force: true })
}
