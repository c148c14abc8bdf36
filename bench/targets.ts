// The systems under test: the fake upstream itself ("direct"), the bare
// pass-through Worker ("bare") and the gateway ("gateway"), the last two each in
// its own Miniflare instance on the same workerd, with wrangler.toml's
// compatibility date and flags. Also: the gateway bundle, D1 migrations and seed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Miniflare, convertV4MiniflareOptions, type V4WorkerOptions } from 'miniflare'
import { applyMigrations, buildGateway as buildBundle } from '../scripts/local-gateway.ts'
import { workerdPids } from './cpu.ts'
import { PACED } from './upstream.ts'

export const ROOT = join(import.meta.dirname, '..')
const BUILD_DIR = join(ROOT, 'bench', '.build')

export type TargetName = 'direct' | 'bare' | 'gateway'
export type BodyKind = 'json' | 'max' | 'stream'

/** What the load client needs: where to send, with what headers, which body per scenario. */
export interface Target {
  name: TargetName
  origin: string
  path: string
  headers: Record<string, string>
  bodies: Record<BodyKind, string>
  /** How its stream shows a content delta and its end; chat's (`"content":"…"`, `[DONE]`) when absent. */
  sse?: { content: RegExp; end: string }
}

/** compatibility_date and compatibility_flags from wrangler.toml, so bare and gateway run alike. */
export const compat = () => {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
  const date = toml.match(/^compatibility_date\s*=\s*"([^"]+)"/m)?.[1]
  const flags = toml.match(/^compatibility_flags\s*=\s*\[([^\]]*)\]/m)?.[1]
  if (!date) throw new Error('wrangler.toml: no compatibility_date')
  return { compatibilityDate: date, compatibilityFlags: [...(flags ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1] as string) }
}

/** The same bundle `wrangler deploy` would upload, as npm start builds it (scripts/local-gateway.ts). */
export const buildGateway = (): string => buildBundle(BUILD_DIR)

/** Starts bench/upstream.ts as a child process; resolves with its port. */
export const startUpstream = async (env: Record<string, string>): Promise<{ port: number; child: ChildProcess }> => {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'upstream.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    rl.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`upstream exited with ${code} before reporting its port`)))
  })
  return { port: (JSON.parse(line) as { port: number }).port, child }
}

// Miniflare's HTTP entry runs an extra proxy Worker in front of ours; a direct
// socket serves the Worker itself, as raw workerd would (BENCH_ENTRY=1 for the entry).
const useEntry = process.env.BENCH_ENTRY === '1'

export interface Instance {
  mf: Miniflare
  origin: string
  /** This instance's workerd process(es), for CPU accounting. */
  pids: number[]
}

const start = async (options: V4WorkerOptions): Promise<Instance> => {
  const before = new Set(workerdPids())
  const mf = new Miniflare(convertV4MiniflareOptions({
    host: '127.0.0.1',
    port: 0,
    cf: false, // no fetch of Cloudflare's cf data (no internet)
    enableDevRegistry: false,
    ...compat(),
    ...(useEntry ? {} : { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] }),
    ...options,
  }))
  const entry = await mf.ready
  const url = useEntry ? entry : await mf.unsafeGetDirectURL()
  return { mf, origin: url.origin, pids: workerdPids().filter((pid) => !before.has(pid)) }
}

export const startBare = (upstreamPort: number) =>
  start({
    modules: true,
    scriptPath: join(import.meta.dirname, 'passthrough.js'),
    bindings: { UPSTREAM: `http://127.0.0.1:${upstreamPort}` },
  })

/**
 * The gateway's Durable Objects, as wrangler.toml binds them. A bundle from before recorders
 * (BENCH_BUNDLES, an A/B against an older commit) has no Recorder class to bind.
 */
export const gatewayObjects = (scriptPath: string) => ({
  ACCOUNT_GATE: { className: 'AccountGate', useSQLite: true },
  PROVIDER_HEALTH: { className: 'ProviderHealth', useSQLite: true },
  ...(/export\s*\{[^}]*\bRecorder\b/.test(readFileSync(scriptPath, 'utf8')) ? { RECORDER: { className: 'Recorder', useSQLite: true } } : {}),
})

export const startGateway = (scriptPath: string, upstreamPort: number, extraBindings: Record<string, string> = {}) =>
  start({
    modules: true,
    scriptPath,
    bindings: {
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
      ...extraBindings,
    },
    d1Databases: ['DB'],
    r2Buckets: ['DETAILS'],
    durableObjects: gatewayObjects(scriptPath),
  })

/**
 * The failover instance's extra bindings (bench/failover.ts): Groq and Together both
 * reach the one fake upstream, under two host labels (`localhost` and `127`) so that a
 * `[[fake … on=localhost]]` fault hits Groq only; a short first-byte timeout for the hangs,
 * and a total one far above it, so a hang that waited for the total would show.
 */
export const failoverBindings = (upstreamPort: number, timeoutMs: number, totalMs: number): Record<string, string> => ({
  GROQ_API_KEY: 'gsk-bench',
  GROQ_BASE_URL: `http://localhost:${upstreamPort}/v1`,
  TOGETHER_API_KEY: 'tg-bench',
  TOGETHER_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
  UPSTREAM_TTFB_TIMEOUT_MS: String(timeoutMs),
  UPSTREAM_TIMEOUT_MS: String(totalMs),
})

/** Applies migrations/*.sql as npm start does, then seeds one account with $1,000,000 and one inference key. */
export const seedGateway = async (mf: Miniflare): Promise<string> => {
  const db = await mf.getD1Database('DB')
  await applyMigrations(db)
  const key = `sk-sb-v1-${randomBytes(32).toString('hex')}`
  const hash = createHash('sha256').update(key).digest('hex')
  const accountId = `acct_bench${randomBytes(8).toString('hex')}`
  const now = Date.now()
  await db.batch([
    db.prepare('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)').bind(accountId, 'bench', now),
    db.prepare('INSERT INTO api_keys (hash, account_id, name, label, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(hash, accountId, 'bench key', `${key.slice(0, 12)}...${key.slice(-4)}`, 'inference', now),
    db.prepare('INSERT INTO credit_events (id, account_id, amount_micro, kind, created_at) VALUES (?, ?, ?, ?, ?)')
      .bind(`seed-${accountId}`, accountId, 1_000_000_000_000, 'grant', now),
  ])
  return key
}

const MESSAGES = [{ role: 'user', content: 'hello' }]
/** The streaming scenario's: marked so the upstream paces it (bench/upstream.ts). */
const STREAM_MESSAGES = [{ role: 'user', content: `hello ${PACED}` }]
// The max req/s scenario asks the fake for no delay, through every target alike.
const MAX_MESSAGES = [{ role: 'user', content: `hello [[fake latency_ms=${process.env.MAX_LATENCY_MS ?? 0}]]` }]

/** The upstream body the gateway's openai adapter produces, which direct and bare send as is. */
const upstreamBodies = (): Record<BodyKind, string> => {
  const base = { model: 'gpt-4o-mini', max_completion_tokens: 50 }
  return {
    json: JSON.stringify({ ...base, messages: MESSAGES }),
    max: JSON.stringify({ ...base, messages: MAX_MESSAGES }),
    stream: JSON.stringify({ ...base, messages: STREAM_MESSAGES, stream: true, stream_options: { include_usage: true } }),
  }
}

export const directTarget = (port: number): Target => ({
  name: 'direct', origin: `http://127.0.0.1:${port}`, path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, bodies: upstreamBodies(),
})

export const bareTarget = (origin: string): Target => ({
  name: 'bare', origin, path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, bodies: upstreamBodies(),
})

export const gatewayTarget = (origin: string, key: string): Target => {
  const base = { model: 'openai/gpt-4o-mini', max_tokens: 50 }
  return {
    name: 'gateway', origin, path: '/api/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    bodies: {
      json: JSON.stringify({ ...base, messages: MESSAGES }),
      max: JSON.stringify({ ...base, messages: MAX_MESSAGES }),
      stream: JSON.stringify({ ...base, messages: STREAM_MESSAGES, stream: true }),
    },
  }
}

/** The gateway's inference skins the skins arm compares (bench/skins.ts). */
export const SKINS = ['chat', 'messages', 'responses'] as const
export type Skin = (typeof SKINS)[number]
export type SkinTarget = Omit<Target, 'name'> & { name: Skin }

/** Each scenario's one user message, as chat sends it, for the other skins to say the same. */
const prompt = (kind: BodyKind): string => {
  const messages = { json: MESSAGES, max: MAX_MESSAGES, stream: STREAM_MESSAGES }[kind]
  return messages[0]!.content
}

/**
 * The gateway target's requests through another skin: the same model, one user message and
 * output cap, so the canonical request, the upstream's work and its answer are chat's, and
 * what differs is the skin's decoding and encoding. Its stream's content deltas are Anthropic's
 * `text_delta`s or Responses' `response.output_text.delta`s.
 */
export const skinTarget = (origin: string, key: string, skin: Skin): SkinTarget => {
  if (skin === 'chat') return { ...gatewayTarget(origin, key), name: 'chat' }
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` }
  const bodies = (body: (text: string) => Record<string, unknown>): Record<BodyKind, string> => ({
    json: JSON.stringify(body(prompt('json'))),
    max: JSON.stringify(body(prompt('max'))),
    stream: JSON.stringify({ ...body(prompt('stream')), stream: true }),
  })
  return skin === 'messages'
    ? {
        name: skin, origin, path: '/api/v1/messages', headers: { ...headers, 'anthropic-version': '2023-06-01' },
        bodies: bodies((text) => ({ model: 'openai/gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: text }] })),
        sse: { content: /"text_delta","text":"[^"]/g, end: 'event: message_stop' },
      }
    : {
        name: skin, origin, path: '/api/v1/responses', headers,
        bodies: bodies((text) => ({ model: 'openai/gpt-4o-mini', max_output_tokens: 50, input: text })),
        sse: { content: /"type":"response\.output_text\.delta"[^\n]*?"delta":"[^"]/g, end: 'event: response.completed' },
      }
}

/**
 * Pins the workerd processes (the systems under test) to CPU 1 and this process
 * (the load client) and the upstream to CPU 0, when there are 2+ CPUs and taskset
 * exists. Returns a note for the report.
 */
export const pinCpus = (workerd: number[], upstreamPid: number | undefined): string => {
  if (process.env.BENCH_PIN === '0') return 'off (BENCH_PIN=0)'
  try {
    const cpus = execFileSync('nproc', { encoding: 'utf8' }).trim()
    if (Number(cpus) < 2) return `off (nproc=${cpus})`
    if (workerd.length === 0) return 'off (no workerd process found)'
    for (const pid of workerd) execFileSync('taskset', ['-a', '-p', '-c', '1', String(pid)], { stdio: 'ignore' })
    for (const pid of [process.pid, upstreamPid]) {
      if (pid) execFileSync('taskset', ['-a', '-p', '-c', '0', String(pid)], { stdio: 'ignore' })
    }
    return `workerd (${workerd.length} processes) on CPU 1; load client and upstream on CPU 0`
  } catch (err) {
    return `off (${(err as Error).message.split('\n')[0]})`
  }
}
