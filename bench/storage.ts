// `npm run bench:storage`: bytes per generation, measured. Starts the gateway as `npm start`
// does (the deploy bundle in workerd through Miniflare, state persisted to a fresh
// directory on disk), sends STORAGE_N chat requests through the bench's fake upstream
// with the headers real clients send (user agent, referer, title), waits until the
// account gate has flushed them all to D1, stops the runtime, and reads the SQLite files:
// D1's (every table and index, by dbstat) and the account gate's. See bench/README.md
// ("Storage") and docs/storage.md for the figures and the projection built on them.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalGateway } from '../scripts/local-gateway.ts'
import { closePools, post } from './load.ts'
import { machineInfo } from './report.ts'
import { bytesOf, measureFile, sqliteFiles, type FileBytes } from './storage-measure.ts'
import { buildGateway, ROOT, seedGateway, startUpstream } from './targets.ts'

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`)
  return v
}
const N = num('STORAGE_N', 5000)
const CONNECTIONS = num('STORAGE_CONNECTIONS', 16)
const FLUSH_WAIT_MS = num('STORAGE_FLUSH_WAIT_MS', 120_000)

/** D1 tables whose size does not grow with generations: the accounts, keys, credit ledger and bookkeeping. */
const D1_FIXED = new Set(['accounts', 'api_keys', 'credit_events', 'd1_migrations', 'sqlite_schema', 'sqlite_sequence'])
/** Gate tables that do not grow with generations (limits, holds, credits, idempotency replays: each its own bound). */
const GATE_FIXED = new Set(['meta', 'holds', 'credits', 'requests', 'key_usage', 'key_state', 'idempotency', 'sqlite_schema', 'names'])
/** A recorder's tables that do not grow with generations: its name and numbering, the accounts it took batches from, the names it learned. */
const RECORDER_FIXED = new Set(['meta', 'accepted', 'names', 'sqlite_schema'])
const internal = (t: string) => t.startsWith('_cf_') || t.startsWith('_mf_')

/** What real clients send along: SDK user agents, a site and a title on most, an end-user id on some. */
const CLIENTS = [
  { 'user-agent': 'OpenAI/JS 5.23.1', 'http-referer': 'https://chat.example.com/', 'x-title': 'Example Chat' },
  { 'user-agent': 'OpenAI/Python 1.109.1', 'http-referer': 'https://docs.example.org/assistant', 'x-title': 'Docs Assistant' },
  { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' },
]

const log = (msg: string) => console.error(`[bench:storage ${new Date().toISOString().slice(11, 19)}] ${msg}`)

const persistTo = mkdtempSync(join(tmpdir(), 'switchboard-storage-'))
const upstream = await startUpstream({ LATENCY_MS: '0' })
let gateway: Awaited<ReturnType<typeof startLocalGateway>> | undefined
try {
  log('building the bundle')
  const scriptPath = buildGateway()
  gateway = await startLocalGateway({
    script: { path: scriptPath },
    port: 0,
    persistTo,
    vars: { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `http://127.0.0.1:${upstream.port}/v1` },
  })
  const key = await seedGateway(gateway.mf)
  const db = await gateway.mf.getD1Database('DB')
  log(`sending ${N} requests (${CONNECTIONS} at a time) to ${gateway.origin}`)
  let next = 0
  let failed = 0
  const origin = gateway.origin
  const worker = async () => {
    while (next < N) {
      const i = next++
      const client = CLIENTS[i % CLIENTS.length] as Record<string, string>
      const body = { model: 'openai/gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: `hello ${i}` }], ...(i % 4 === 0 ? { user: `user-${i % 97}` } : {}) }
      const res = await post(origin, '/api/v1/chat/completions', { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...client }, JSON.stringify(body))
      if (res.status !== 200) {
        failed++
        if (failed === 1) log(`first failure: HTTP ${res.status} ${res.text.slice(0, 200)}`)
      }
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, worker))
  if (failed) throw new Error(`${failed} of ${N} requests failed`)
  log('waiting for the account gate and its recorder to write every generation to D1')
  const deadline = Date.now() + FLUSH_WAIT_MS
  for (;;) {
    const n = Number((await db.prepare('SELECT COUNT(*) AS n FROM generations').first<{ n: number }>())?.n ?? 0)
    if (n >= N) break
    if (Date.now() > deadline) throw new Error(`only ${n} of ${N} generations reached D1`)
    await new Promise((r) => setTimeout(r, 250))
  }
  // Objects in R2 (the generation details), when the build has a bucket.
  let r2 = null as null | { objects: number; bytes: number }
  const buckets = await gateway.mf.getR2Bucket('DETAILS').catch(() => null)
  if (buckets) {
    r2 = { objects: 0, bytes: 0 }
    let cursor: string | undefined
    do {
      const page = await buckets.list({ limit: 1000, ...(cursor ? { cursor } : {}) })
      for (const o of page.objects) { r2.objects++; r2.bytes += o.size }
      cursor = page.truncated ? page.cursor : undefined
    } while (cursor)
  }
  await closePools()
  await gateway.mf.dispose()
  gateway = undefined

  const d1File = sqliteFiles(join(persistTo, 'v3', 'd1', 'miniflare-D1DatabaseObject'))[0]
  const gateFile = sqliteFiles(join(persistTo, 'v3', 'do', 'switchboard-AccountGate'))[0]
  // One account: its records went through one recorder.
  const recorderFile = sqliteFiles(join(persistTo, 'v3', 'do', 'switchboard-Recorder'))[0]
  if (!d1File || !gateFile || !recorderFile) throw new Error(`no SQLite files under ${persistTo}/v3`)
  const d1 = measureFile(d1File)
  const gate = measureFile(gateFile)
  const recorder = measureFile(recorderFile)
  const perGen = (f: FileBytes, fixed: Set<string>) => {
    const { bytes, payload } = bytesOf(f, (t) => !fixed.has(t) && !internal(t))
    return { bytes, payload, bytesPerGeneration: bytes / N, payloadPerGeneration: payload / N }
  }
  const result = {
    machine: machineInfo(),
    n: N,
    d1: { ...perGen(d1, D1_FIXED), fileBytes: d1.fileBytes, objects: d1.objects },
    gate: { ...perGen(gate, GATE_FIXED), fileBytes: gate.fileBytes, objects: gate.objects },
    recorder: { ...perGen(recorder, RECORDER_FIXED), fileBytes: recorder.fileBytes, objects: recorder.objects },
    r2: r2 && { ...r2, bytesPerGeneration: r2.bytes / N },
  }
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`
  console.log(`\nStorage after ${N} generations (one account, one key, one model)`)
  for (const [label, part] of [['D1', result.d1], ['account gate', result.gate], ['recorder', result.recorder]] as const) {
    console.log(`\n${label}: ${part.bytesPerGeneration.toFixed(1)} bytes/generation on disk (${part.payloadPerGeneration.toFixed(1)} of content); file ${kb(part.fileBytes)}`)
    for (const o of part.objects) console.log(`  ${o.name.padEnd(36)} ${String(o.bytes).padStart(10)} B  ${(o.bytes / N).toFixed(1).padStart(7)} B/gen  rows ${o.rows ?? '–'}`)
  }
  if (result.r2) console.log(`\nR2: ${result.r2.objects} objects, ${result.r2.bytes} B, ${result.r2.bytesPerGeneration.toFixed(1)} bytes/generation`)
  const dir = join(ROOT, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')
  const file = join(dir, `storage-${stamp}-${result.machine.commit}.json`)
  writeFileSync(file, `${JSON.stringify(result, (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v), 2)}\n`)
  log(`results: ${file}`)
} finally {
  await closePools()
  await gateway?.mf.dispose().catch(() => {})
  upstream.child.kill('SIGTERM')
  if (process.env.STORAGE_KEEP !== '1') rmSync(persistTo, { recursive: true, force: true })
}
