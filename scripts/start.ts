// `npm start`: the gateway on this machine. Checks the port is free, builds the bundle
// `wrangler deploy` would upload, runs it in workerd through Miniflare's API
// (scripts/local-gateway.ts), applies local D1 migrations, seeds a dev account with an
// inference key and a management key (idempotently), and prints where it is. A local
// ADMIN_TOKEN is made once, for `npm run admin`. Everything is local: no Cloudflare
// account, no network. Nothing but workerd is on the request path, so a load test
// measures the gateway, not the dev tooling.
//
//   npm start -- [--port 8787] [--persist-to .wrangler/state]
//   npm run dev -- [same options]   the same under `wrangler dev`: reloads on every change, logs each request
//
// Provider secrets come from .dev.vars and from the shell environment
// (e.g. `OPENAI_API_KEY=… npm start`); see docs/configuration.md.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { parseArgs, parseEnv } from 'node:util'
import { ConfigSchema } from '../src/config.ts'
import { generateKey, hashKey, keyLabel } from '../src/auth/keys.ts'
import { randomHex } from '../src/lib/crypto.ts'
import { accountId as newAccountId } from '../src/lib/ids.ts'
import { formatBanner } from './banner.ts'
import { applyMigrations, buildGateway, startLocalGateway, WRANGLER_BIN, WRANGLER_ENV, type LocalD1 } from './local-gateway.ts'
import { recordRunning } from './running.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8787' },
    'persist-to': { type: 'string', default: '.wrangler/state' },
    watch: { type: 'boolean', default: false },
  },
})
const port = Number(values.port)
const persistTo = resolve(values['persist-to'])
/** Starting credit of the dev account, in microdollars ($100). */
const DEV_CREDIT_MICRO = 100_000_000
/** How long the gateway may take to answer once started: wrangler dev on a loaded 2-core machine needs tens of seconds. */
const HEALTH_WAIT_MS = 60_000

class StartError extends Error {}

interface DevIdentity {
  accountId: string
  apiKey: string
  managementKey: string
  /** The local operator token; `npm run admin` reads it from this file (scripts/admin.ts). */
  adminToken: string
}

/**
 * The dev account, keys and admin token live in the local state directory, so restarts
 * print the same ones. A file from an older start gains the fields it lacks.
 */
const devIdentity = (): DevIdentity => {
  const file = join(persistTo, 'switchboard-dev.json')
  const saved: Partial<DevIdentity> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Partial<DevIdentity> : {}
  const identity: DevIdentity = {
    accountId: saved.accountId ?? newAccountId(),
    apiKey: saved.apiKey ?? generateKey(),
    managementKey: saved.managementKey ?? generateKey(),
    adminToken: saved.adminToken ?? `sb_admin_${randomHex(24)}`,
  }
  if (JSON.stringify(identity) !== JSON.stringify(saved)) {
    mkdirSync(persistTo, { recursive: true })
    writeFileSync(file, JSON.stringify(identity, null, 2), { mode: 0o600 })
  }
  return identity
}

/** Migrations, then the dev account: INSERT OR IGNORE throughout, so running start again changes nothing. */
const prepareState = async (db: LocalD1, identity: DevIdentity) => {
  const applied = await applyMigrations(db)
  if (applied.length > 0) console.log(`Applied local D1 migrations: ${applied.join(', ')}`)
  const now = Date.now()
  const insertKey = db.prepare(
    'INSERT OR IGNORE INTO api_keys (hash, account_id, name, label, kind, disabled, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
  )
  // The credit is a ledger entry with a fixed id, which the account gate reads when it first wakes.
  await db.batch([
    db.prepare("INSERT OR IGNORE INTO accounts (id, name, status, created_at) VALUES (?, 'Local development', 'active', ?)").bind(identity.accountId, now),
    insertKey.bind(await hashKey(identity.apiKey), identity.accountId, 'dev key', keyLabel(identity.apiKey), 'inference', now),
    insertKey.bind(await hashKey(identity.managementKey), identity.accountId, 'dev management key', keyLabel(identity.managementKey), 'management', now),
    db.prepare("INSERT OR IGNORE INTO credit_events (id, account_id, amount_micro, kind, reason, created_at) VALUES (?, ?, ?, 'grant', 'npm start dev credit', ?)")
      .bind(`dev-seed-${identity.accountId}`, identity.accountId, DEV_CREDIT_MICRO, now),
  ])
}

/** Settings the gateway reads: provider keys and base URLs, webhook secrets, and every ConfigSchema var. */
const isGatewaySetting = (name: string) =>
  /^[A-Z0-9_]+_(API_KEY|BASE_URL|WEBHOOK_SECRET)$/.test(name) || name in ConfigSchema.shape

/**
 * The gateway's settings: .dev.vars, overridden by matching variables from the shell,
 * so `OPENAI_API_KEY=… npm start` works without editing files. ADMIN_TOKEN defaults to
 * the generated local one.
 */
const gatewayVars = (identity: DevIdentity): Record<string, string> => {
  const vars: Record<string, string> = existsSync('.dev.vars') ? parseEnv(readFileSync('.dev.vars', 'utf8')) as Record<string, string> : {}
  for (const [name, value] of Object.entries(process.env)) if (value && isGatewaySetting(name)) vars[name] = value
  vars.ADMIN_TOKEN ||= identity.adminToken
  return vars
}

/** The same settings as one env file for `wrangler dev` (mode 600: it holds secrets). */
const writeEnvFile = (vars: Record<string, string>): string => {
  const file = join(persistTo, 'switchboard-dev.env')
  writeFileSync(file, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n', { mode: 0o600 })
  return file
}

/** Whether something already listens on host:port (a bind fails); a host this machine lacks (no IPv6) counts as free. */
const listening = (host: string) =>
  new Promise<boolean>((done, fail) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') done(true)
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT') done(false)
      else fail(err)
    })
    server.listen({ host, port, exclusive: true }, () => server.close(() => done(false)))
  })

const busyPort = () =>
  new StartError(
    `Port ${port} is already in use (another npm start?), so the gateway cannot listen there.\n` +
      `Stop what is using it, or start on another port: npm start -- --port ${port + 1}`,
  )

/**
 * Before anything else, so no key is printed for a gateway that cannot listen. Both
 * loopbacks: `localhost` in the printed URL may resolve to either.
 */
const checkPort = async () => {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new StartError(`--port must be a port number (1–65535), not "${values.port}"`)
  for (const host of ['127.0.0.1', '::1']) if (await listening(host)) throw busyPort()
}

/** Polls /healthz until it answers 200; `gone()` says why to stop early (the server process died). */
const waitForHealth = async (origin: string, gone: () => string | undefined) => {
  const url = `${origin}/healthz`
  console.log(`Waiting for the gateway to answer at ${url} (up to ${HEALTH_WAIT_MS / 1000} s)…`)
  const deadline = Date.now() + HEALTH_WAIT_MS
  while (Date.now() < deadline) {
    const why = gone()
    if (why) throw new StartError(why)
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(5_000) })).ok) return
    } catch {
      // not listening yet, or too busy to answer
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new StartError(`the gateway did not answer at ${url} within ${HEALTH_WAIT_MS / 1000} s (is the machine overloaded?)`)
}

/** A Worker with the gateway's bindings and nothing else, to prepare the state before `wrangler dev` takes it. */
const STAND_IN = `import { DurableObject } from 'cloudflare:workers'
export class AccountGate extends DurableObject {}
export class ProviderHealth extends DurableObject {}
export class Recorder extends DurableObject {}
export default { fetch: () => new Response(null, { status: 404 }) }`

/** What stops the running gateway (workerd, or wrangler dev and its workerd); set as soon as one is started. */
let stopGateway: (() => Promise<void>) | undefined
let forgetRunning = () => {}
let stopping = false
// From the start, so that a Ctrl-C or SIGTERM during start-up leaves no workerd behind either.
// The exit status is the shell's for a signal, 128 + its number, as Miniflare's own exit hook
// (which also stops workerd, and may exit first) gives it.
for (const [signal, number] of [['SIGHUP', 1], ['SIGINT', 2], ['SIGTERM', 15]] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    forgetRunning()
    void (stopGateway?.() ?? Promise.resolve()).finally(() => process.exit(128 + number))
  })
}

/** Runs the gateway until it answers; resolves with its origin. */
const run = async (identity: DevIdentity): Promise<string> => {
  const vars = gatewayVars(identity)
  if (values.watch) {
    const prep = await startLocalGateway({ script: { source: STAND_IN }, port: 0, persistTo, vars: {} })
    try {
      await prepareState(await prep.mf.getD1Database('DB'), identity)
    } finally {
      await prep.mf.dispose()
    }
    const devArgs = [
      'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistTo,
      '--show-interactive-dev-session=false', '--env-file', writeEnvFile(vars),
    ]
    const child = spawn(process.execPath, [WRANGLER_BIN, ...devArgs], { env: { ...process.env, ...WRANGLER_ENV }, stdio: ['ignore', 'inherit', 'inherit'] })
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    stopGateway = async () => {
      child.kill('SIGTERM')
      await exited
    }
    child.once('exit', (code) => {
      if (!stopping) process.exit(code ?? 1)
    })
    const origin = `http://127.0.0.1:${port}`
    await waitForHealth(origin, () => (child.exitCode !== null || child.signalCode !== null ? `wrangler dev exited (${child.exitCode ?? child.signalCode}) before the gateway answered` : undefined))
    return origin
  }

  console.log('Building the gateway (wrangler deploy --dry-run)…')
  const script = buildGateway(join(persistTo, 'build'))
  console.log('Starting workerd…')
  const gateway = await startLocalGateway({ script: { path: script }, port, persistTo, vars }).catch(async (err: unknown) => {
    throw (await listening('127.0.0.1')) ? busyPort() : err
  })
  stopGateway = () => gateway.mf.dispose()
  await prepareState(await gateway.mf.getD1Database('DB'), identity)
  await waitForHealth(gateway.origin, () => undefined)
  return gateway.origin
}

const main = async () => {
  await checkPort()
  mkdirSync(persistTo, { recursive: true })
  const identity = devIdentity()
  await run(identity)
  forgetRunning = recordRunning({ origin: `http://localhost:${port}`, port, persistTo, pid: process.pid })
  process.once('exit', () => forgetRunning())
  console.log(formatBanner({ baseURL: `http://localhost:${port}/api/v1`, ...identity }))
}

main().catch(async (err: unknown) => {
  console.error(err instanceof StartError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err)
  await stopGateway?.().catch(() => {})
  process.exit(1)
})
