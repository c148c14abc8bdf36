// `npm run admin -- <command>`: the operator's command line. It speaks HTTP to the
// operator API (/api/v1/admin, src/api/admin.ts) of a local or deployed gateway, so
// the same commands bootstrap `npm start` and production. See docs/operations.md.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { exportGenerations } from './admin-export.ts'
import { runningGateways, type RunningGateway } from './running.ts'

const HELP = `Usage: npm run admin -- <command> [options]

Commands:
  accounts create --name <name> [--credit <usd>] [--reason <text>]
  accounts show --account <id>
  accounts suspend --account <id>
  accounts reactivate --account <id>
  keys create --account <id> [--management] [--name <name>] [--limit <usd>] [--limit-reset daily|weekly|monthly] [--expires-at <ISO date>]
  keys disable --hash <sha256>      keys enable --hash <sha256>
  credits grant --account <id> --amount <usd> --reason <text> [--id <unique id>]
  credits adjust --account <id> --amount <usd, may be negative> --reason <text> [--id <unique id>]
  export --account <id> --from <ISO date> --to <ISO date> [--format jsonl|csv] [--out <file>]
                       the account's generations (charge and details) from..to (to excluded), oldest first
  retention run        one retention pass now (deletes generations older than RETENTION_DAYS)
  recorders            each recorder's backlog: generations it holds for D1 and R2, and its last write

Options:
  --url <url>          the gateway (default $SWITCHBOARD_URL, else the gateway npm start runs
                       from this directory, whatever its port, else http://localhost:8787)
  --token <token>      the ADMIN_TOKEN (default $SWITCHBOARD_ADMIN_TOKEN; for a local URL,
                       the one npm start keeps in <persist-to>/switchboard-dev.json)
  --persist-to <dir>   npm start's state directory (default: the one the running npm start at
                       --url was given, else .wrangler/state)
  --json               print the raw JSON response
`

const argv: string[] = []
for (const arg of process.argv.slice(2)) {
  const prev = argv.at(-1)
  // `--amount -2` would parse as two options: glue a negative number to the option before it.
  if (/^-\d/.test(arg) && prev?.startsWith('--') && !prev.includes('=')) argv[argv.length - 1] = `${prev}=${arg}`
  else argv.push(arg)
}

const { values: opts, positionals } = parseArgs({
  args: argv,
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    'persist-to': { type: 'string' },
    json: { type: 'boolean', default: false },
    name: { type: 'string' },
    credit: { type: 'string' },
    reason: { type: 'string' },
    account: { type: 'string' },
    management: { type: 'boolean', default: false },
    limit: { type: 'string' },
    'limit-reset': { type: 'string' },
    'expires-at': { type: 'string' },
    hash: { type: 'string' },
    amount: { type: 'string' },
    id: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string', default: 'jsonl' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

class UsageError extends Error {}

const need = (name: keyof typeof opts): string => {
  const value = opts[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

const usd = (name: 'credit' | 'amount' | 'limit', value: string): number => {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number of US dollars, e.g. 5 or 12.50`)
  return n
}

const apiBase = (url: string) => {
  const trimmed = url.replace(/\/+$/, '')
  return trimmed.endsWith('/api/v1') ? trimmed : `${trimmed}/api/v1`
}

const isLocal = (url: string) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(url)
const DEFAULT_URL = 'http://localhost:8787'
const running = runningGateways()
const stateDirOption = opts['persist-to'] === undefined ? undefined : resolve(opts['persist-to'])
const list = (gateways: RunningGateway[]) => gateways.map((g) => `${g.origin} (--persist-to ${g.persistTo})`).join(', ')

/**
 * --url, else $SWITCHBOARD_URL, else the gateway npm start runs from here (on the state
 * of --persist-to, if given), else the default. Several and none on the default port: ask.
 */
const gatewayUrl = (): string => {
  const chosen = opts.url ?? process.env.SWITCHBOARD_URL
  if (chosen) return chosen
  const candidates = stateDirOption ? running.filter((g) => g.persistTo === stateDirOption) : running
  if (candidates.length === 1 && candidates[0]) return candidates[0].origin
  if (candidates.length > 1 && !candidates.some((g) => g.origin === DEFAULT_URL)) {
    throw new UsageError(`npm start runs several gateways here: ${list(candidates)}; pass --url (and --persist-to) of one`)
  }
  return DEFAULT_URL
}
let url = DEFAULT_URL

/** The running npm start that serves a local URL's port. */
const runningAt = (target: string): RunningGateway | undefined => {
  if (!isLocal(target)) return undefined
  const parsed = new URL(target)
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80))
  return running.find((g) => g.port === port)
}

/** Where the token came from, for the hint when the gateway refuses it. */
let tokenFile: string | undefined

/** --token, else the environment, else (local only) the token npm start generated in the state directory of the gateway at the URL. */
const adminToken = (): string => {
  const token = opts.token ?? process.env.SWITCHBOARD_ADMIN_TOKEN
  if (token) return token
  if (!isLocal(url)) throw new UsageError('no admin token: pass --token or set SWITCHBOARD_ADMIN_TOKEN')
  const file = join(stateDirOption ?? runningAt(url)?.persistTo ?? resolve('.wrangler/state'), 'switchboard-dev.json')
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as { adminToken?: string } : {}
  if (saved.adminToken) {
    tokenFile = file
    return saved.adminToken
  }
  const elsewhere = runningAt(url) ? '' : running.length > 0 ? ` (npm start runs here: ${list(running)})` : ''
  throw new UsageError(
    `no admin token in ${file}. Pass --persist-to <dir>, the state directory npm start was given ` +
      `(npm start -- --persist-to <dir>), or --token <ADMIN_TOKEN>${elsewhere}`,
  )
}

/** Why a local gateway refused the token npm start left in a state directory, and the option that fixes it. */
const refusedTokenHint = (): string => {
  const served = runningAt(url)
  const exact = served && `${served.persistTo}/switchboard-dev.json` !== tokenFile ? ` It runs on --persist-to ${served.persistTo}: pass that.` : ''
  return (
    `\nThe gateway at ${url} did not take the admin token in ${tokenFile}.${exact}` +
    `${exact ? '' : ' If it was started with npm start -- --persist-to <dir>, pass the same --persist-to <dir> here.'}` +
    ' If ADMIN_TOKEN was set in .dev.vars or the shell, pass it with --token.'
  )
}

/** fetch, with what to do when nothing answers. */
const call = async (target: string, init: RequestInit): Promise<Response> => {
  try {
    return await fetch(target, init)
  } catch (err) {
    const others = running.filter((g) => g.origin !== url)
    const hint = others.length > 0 ? ` npm start runs here: ${list(others)}; pass --url (and --persist-to).` : ' Start it with npm start, or pass --url.'
    throw new Error(`nothing answers at ${url} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}).${hint}`)
  }
}

const request = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
  const res = await call(`${apiBase(url)}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  let json: Record<string, unknown>
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new Error(`${res.status} from ${url}: not a Switchboard answer`)
  }
  const error = json.error as { message?: string } | undefined
  if (res.status === 401 && tokenFile) throw new Error(`${res.status} ${error?.message ?? text}${refusedTokenHint()}`)
  if (!res.ok) throw new Error(`${res.status} ${error?.message ?? text}`)
  return json
}

type Data = Record<string, unknown>
const money = (n: unknown) => (Number(n) < 0 ? `-$${-Number(n)}` : `$${Number(n)}`)
const dataOf = (json: Record<string, unknown>) => json.data as Data

const printAccount = (a: Data) => {
  console.log(`Account:  ${a.id}  (${a.name}, ${a.status})`)
  console.log(`Balance:  ${money(a.balance)}  (credits ${money(a.total_credits)}, usage ${money(a.total_usage)}, held ${money(a.held)})`)
  const keys = a.keys as Data[]
  for (const k of keys) console.log(`  ${k.kind === 'management' ? 'management' : 'inference '}  ${k.label}  ${k.hash}  ${k.name}${k.disabled ? '  (disabled)' : ''}`)
  if (keys.length === 0) console.log('  (no keys)')
}

const printKey = (k: Data) => console.log(`${k.kind} key ${k.label}  hash ${k.hash}  ${k.disabled ? 'disabled' : 'enabled'}`)

const commands: Record<string, () => Promise<Record<string, unknown>>> = {
  'accounts create': async () => {
    const json = await request('POST', '/accounts', {
      name: need('name'),
      ...(opts.credit !== undefined ? { credit_usd: usd('credit', opts.credit) } : {}),
      ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    })
    if (!opts.json) printAccount(dataOf(json))
    return json
  },
  'accounts show': async () => {
    const json = await request('GET', `/accounts/${encodeURIComponent(need('account'))}`)
    if (!opts.json) printAccount(dataOf(json))
    return json
  },
  'accounts suspend': async () => {
    const json = await request('POST', `/accounts/${encodeURIComponent(need('account'))}/suspend`)
    if (!opts.json) printAccount(dataOf(json))
    return json
  },
  'accounts reactivate': async () => {
    const json = await request('POST', `/accounts/${encodeURIComponent(need('account'))}/reactivate`)
    if (!opts.json) printAccount(dataOf(json))
    return json
  },
  'keys create': async () => {
    const json = await request('POST', `/accounts/${encodeURIComponent(need('account'))}/keys`, {
      kind: opts.management ? 'management' : 'inference',
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.limit !== undefined ? { limit: usd('limit', opts.limit) } : {}),
      ...(opts['limit-reset'] !== undefined ? { limit_reset: opts['limit-reset'] } : {}),
      ...(opts['expires-at'] !== undefined ? { expires_at: opts['expires-at'] } : {}),
    })
    if (!opts.json) {
      printKey(dataOf(json))
      console.log(`Key:      ${String(json.key)}   (shown once: store it now)`)
    }
    return json
  },
  'keys disable': async () => setDisabled(true),
  'keys enable': async () => setDisabled(false),
  'credits grant': async () => credit('grant'),
  'credits adjust': async () => credit('adjustment'),
  export: async () => {
    const format = opts.format
    if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv')
    const n = await exportGenerations((path) => request('GET', path), {
      account: need('account'), from: need('from'), to: need('to'), format, ...(opts.out ? { out: opts.out } : {}),
    })
    console.error(`Exported ${n} generation${n === 1 ? '' : 's'}${opts.out ? ` to ${opts.out}` : ''}.`)
    return { exported: n }
  },
  recorders: async () => {
    const json = await request('GET', '/recorders')
    if (!opts.json) {
      for (const r of json.data as { name: string; unflushed: number; last_flush: { at: string; rows: number; ms: number } | null }[]) {
        const last = r.last_flush ? `last write ${r.last_flush.at}: ${r.last_flush.rows} generations in ${r.last_flush.ms.toFixed(1)} ms` : 'no write since it started'
        console.log(`${r.name}: ${r.unflushed} waiting; ${last}`)
      }
    }
    return json
  },
  'retention run': async () => {
    const json = await request('POST', '/retention')
    if (!opts.json) {
      const d = dataOf(json)
      console.log(d.cutoff === null ? 'RETENTION_DAYS is 0: generations are kept forever.' : `Deleted what started before ${d.cutoff}:`)
      console.log(`  ${d.rows} generation rows, ${d.legacyRows} legacy rows, ${d.objects} R2 objects, ${d.markers} flush markers${d.done ? '' : ' (more left: run again)'}`)
    }
    return json
  },
}

const setDisabled = async (disabled: boolean) => {
  const json = await request('PATCH', `/keys/${encodeURIComponent(need('hash'))}`, { disabled })
  if (!opts.json) printKey(dataOf(json))
  return json
}

const credit = async (kind: 'grant' | 'adjustment') => {
  // The id is made here, so running the same command again with --id cannot credit twice.
  const id = opts.id ?? `${kind}_cli_${randomBytes(10).toString('hex')}`
  const json = await request('POST', `/accounts/${encodeURIComponent(need('account'))}/credits`, {
    amount_usd: usd('amount', need('amount')), reason: need('reason'), kind, id,
  })
  if (!opts.json) {
    const d = dataOf(json)
    console.log(d.credited ? `Applied ${d.kind} of ${money(d.amount)} (id ${d.id}).` : `Already applied (id ${d.id}); nothing changed.`)
    console.log(`Balance:  ${money(d.balance)}`)
  }
  return json
}

const main = async () => {
  const name = positionals.slice(0, 2).join(' ')
  const run = commands[name]
  if (opts.help || !run) {
    process.stdout.write(HELP)
    process.exit(opts.help || positionals.length === 0 ? 0 : 2)
  }
  url = gatewayUrl()
  const json = await run()
  if (opts.json && name !== 'export') console.log(JSON.stringify(json, null, 2))
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`)
  if (err instanceof UsageError) process.stderr.write(`\n${HELP}`)
  process.exit(1)
})
