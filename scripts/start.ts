// `npm start`: apply local D1 migrations, seed a dev account with an inference key and
// a management key (idempotently), then run the gateway in workerd with `wrangler dev`,
// and print where it is. A local ADMIN_TOKEN is made once, for `npm run admin`.
// Everything is local: no Cloudflare account, no network.
//
//   npm start -- [--port 8787] [--persist-to .wrangler/state]
//
// Provider secrets come from .dev.vars and from the shell environment
// (e.g. `OPENAI_API_KEY=… npm start`); see docs/configuration.md.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs, parseEnv } from 'node:util'
import { ConfigSchema } from '../src/config.ts'
import { generateKey, hashKey, keyLabel } from '../src/auth/keys.ts'
import { randomHex } from '../src/lib/crypto.ts'
import { accountId as newAccountId } from '../src/lib/ids.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8787' },
    'persist-to': { type: 'string', default: '.wrangler/state' },
  },
})
const port = values.port
const persistTo = resolve(values['persist-to'])
/** Starting credit of the dev account, in microdollars ($100). */
const DEV_CREDIT_MICRO = 100_000_000

const wranglerBin = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js')
const childEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  // Offline: don't fetch Cloudflare's request.cf data (it only prints a warning when it can't).
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

const wrangler = (args: string[]) => {
  const result = spawnSync(process.execPath, [wranglerBin, ...args], { env: { ...childEnv, CI: 'true' }, encoding: 'utf8' })
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr)
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed`)
  }
}

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

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`

const seed = async (identity: DevIdentity) => {
  const now = Date.now()
  const hash = await hashKey(identity.apiKey)
  const managementHash = await hashKey(identity.managementKey)
  // INSERT OR IGNORE throughout: running start again changes nothing. The credit is a
  // ledger entry with a fixed id, which the account gate reads when it first wakes.
  const sql = [
    `INSERT OR IGNORE INTO accounts (id, name, status, created_at) VALUES (${sqlString(identity.accountId)}, 'Local development', 'active', ${now});`,
    `INSERT OR IGNORE INTO api_keys (hash, account_id, name, label, kind, disabled, created_at) VALUES (${sqlString(hash)}, ${sqlString(identity.accountId)}, 'dev key', ${sqlString(keyLabel(identity.apiKey))}, 'inference', 0, ${now});`,
    `INSERT OR IGNORE INTO api_keys (hash, account_id, name, label, kind, disabled, created_at) VALUES (${sqlString(managementHash)}, ${sqlString(identity.accountId)}, 'dev management key', ${sqlString(keyLabel(identity.managementKey))}, 'management', 0, ${now});`,
    `INSERT OR IGNORE INTO credit_events (id, account_id, amount_micro, kind, reason, created_at) VALUES (${sqlString(`dev-seed-${identity.accountId}`)}, ${sqlString(identity.accountId)}, ${DEV_CREDIT_MICRO}, 'grant', 'npm start dev credit', ${now});`,
  ].join('\n')
  const file = join(tmpdir(), `switchboard-seed-${process.pid}.sql`)
  writeFileSync(file, sql)
  wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persistTo, '--file', file])
}

/** Settings the gateway reads: provider keys and base URLs, webhook secrets, and every ConfigSchema var. */
const isGatewaySetting = (name: string) =>
  /^[A-Z0-9_]+_(API_KEY|BASE_URL|WEBHOOK_SECRET)$/.test(name) || name in ConfigSchema.shape

/**
 * One env file for `wrangler dev`: .dev.vars, overridden by matching variables from
 * the shell, so `OPENAI_API_KEY=… npm start` works without editing files. ADMIN_TOKEN
 * defaults to the generated local one.
 */
const writeEnvFile = (identity: DevIdentity): string => {
  const vars: Record<string, string> = existsSync('.dev.vars') ? parseEnv(readFileSync('.dev.vars', 'utf8')) as Record<string, string> : {}
  for (const [name, value] of Object.entries(process.env)) if (value && isGatewaySetting(name)) vars[name] = value
  vars.ADMIN_TOKEN ||= identity.adminToken
  const file = join(persistTo, 'switchboard-dev.env')
  writeFileSync(file, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n', { mode: 0o600 })
  return file
}

const waitForHealth = async (url: string) => {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`the gateway did not answer at ${url}`)
}

const main = async () => {
  console.log('Applying local D1 migrations…')
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo])
  const identity = devIdentity()
  console.log('Seeding the dev account…')
  await seed(identity)

  const devArgs = [
    'dev', '--ip', '127.0.0.1', '--port', port, '--persist-to', persistTo,
    '--show-interactive-dev-session=false', '--env-file', writeEnvFile(identity),
  ]
  const child = spawn(process.execPath, [wranglerBin, ...devArgs], { env: childEnv, stdio: ['ignore', 'inherit', 'inherit'] })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
  child.on('exit', (code) => process.exit(code ?? 0))

  await waitForHealth(`http://127.0.0.1:${port}/healthz`)
  console.log(
    [
      '',
      `Switchboard is running at http://localhost:${port}/api/v1`,
      `Account:        ${identity.accountId}`,
      `API key:        ${identity.apiKey}`,
      `Management key: ${identity.managementKey}`,
      '',
    ].join('\n'),
  )
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
