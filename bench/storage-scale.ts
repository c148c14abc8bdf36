// `npm run bench:storage:scale`: do the views stay fast as storage grows? Seeds a local D1
// (as `npm start` keeps it) with STORAGE_SIZES generations (10,000, then 1,000,000) over the
// last 30 days, with their rollups, flush markers and R2 details objects (bench/storage-seed.ts),
// and at each size times, through the gateway (the deploy bundle in workerd, as npm start
// runs it): /activity (30 days of rollups), a Logs page (the operator API's newest 50,
// without and with details), /generation?id= (D1 row + an R2 object no cache holds), and the
// account gate's flush of a batch (100 requests at once; R2 put + the D1 transaction with rows
// and rollups, timed by the gate and shown by the operator API's account view). Figures and the 2× bar in bench/README.md ("Storage at scale").
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startLocalGateway, type LocalGateway } from '../scripts/local-gateway.ts'
import { recorderName } from '../src/objects/recorder-name.ts'
import { closePools, percentile } from './load.ts'
import { machineInfo } from './report.ts'
import { measureFile, sqliteFiles, type ObjectBytes } from './storage-measure.ts'
import { newPopulation, seedGenerations } from './storage-seed.ts'
import { buildGateway, ROOT, seedGateway } from './targets.ts'

const sizes = (process.env.STORAGE_SIZES ?? '10000,1000000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b)
const RUNS = Number(process.env.STORAGE_RUNS ?? 60)
const FLUSH_RUNS = Number(process.env.STORAGE_FLUSH_RUNS ?? 30)
const ADMIN_TOKEN = 'bench_admin_token_0123456789'
const base = process.env.BENCH_TMPDIR ?? (existsSync('/dev/shm') ? '/dev/shm' : undefined)
const persistTo = mkdtempSync(join(base ?? ROOT, 'switchboard-scale-'))
const log = (msg: string) => console.error(`[bench:storage:scale ${new Date().toISOString().slice(11, 19)}] ${msg}`)

const scriptPath = buildGateway()
const start = () => startLocalGateway({ script: { path: scriptPath }, port: 0, persistTo, vars: { ADMIN_TOKEN, FLUSH_DELAY_MS: '300' } })

/** ms of `RUNS` sequential calls: p50 and p90. */
const time = async (fn: (i: number) => Promise<void>, runs = RUNS) => {
  for (let i = 0; i < 5; i++) await fn(i) // warm the isolate and the page cache
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn(i + 5)
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  return { p50: percentile(ms, 50), p90: percentile(ms, 90) }
}

const get = async (url: string, auth: string) => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${auth}` } })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text.slice(0, 200)}`)
  return text
}

const putAll = async (g: LocalGateway, objects: Map<string, Uint8Array>) => {
  const bucket = await g.mf.getR2Bucket('DETAILS')
  const entries = [...objects]
  let next = 0
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < entries.length) {
      const [key, body] = entries[next++] as [string, Uint8Array]
      await bucket.put(key, body)
    }
  }))
}

type Figures = Awaited<ReturnType<typeof time>>
const results: { size: number; d1Bytes: number; r2Objects: number; r2Bytes: number; tables: Record<string, { bytes: number; rows: number; bytesPerRow: number }>; figures: Record<string, Figures> }[] = []

try {
  // The measured account and its key, as npm start seeds one; migrations applied.
  let g = await start()
  const key = await seedGateway(g.mf)
  const db0 = await g.mf.getD1Database('DB')
  const { account_id: accountId, hash } = (await db0.prepare('SELECT account_id, hash FROM api_keys LIMIT 1').first<{ account_id: string; hash: string }>())!
  await g.mf.dispose()
  const population = newPopulation(accountId, [hash, `${hash.slice(0, 60)}beef`])
  const d1File = () => sqliteFiles(join(persistTo, 'v3', 'd1', 'miniflare-D1DatabaseObject'))[0] as string
  let seeded = 0
  let r2Objects = 0
  let r2Bytes = 0
  for (const size of sizes) {
    log(`seeding ${size - seeded} generations (to ${size}) into ${d1File()}`)
    const objects = seedGenerations(d1File(), population, size - seeded, Date.now())
    seeded = size
    g = await start()
    log(`putting ${objects.size} details objects into local R2`)
    await putAll(g, objects)
    r2Objects += objects.size
    for (const body of objects.values()) r2Bytes += body.byteLength
    const api = `${g.origin}/api/v1`
    log(`measuring at ${size}`)
    const samples = population.sampleIds
    const figures: Record<string, Figures> = {
      activity: await time(async () => { await get(`${api}/activity`, key) }),
      // The dashboard's Logs page (GET /generations: an API key's newest 50) and the operator API's page.
      logs: await time(async () => { await get(`${api}/generations?limit=50`, key) }),
      logsAdmin: await time(async () => { await get(`${api}/admin/accounts/${accountId}/generations?limit=50&details=false`, ADMIN_TOKEN) }),
      logsDetails: await time(async () => { await get(`${api}/admin/accounts/${accountId}/generations?limit=50`, ADMIN_TOKEN) }),
      // Ids from distinct objects, stepping through more than the isolate's cache holds: each read misses it.
      generation: await time(async (i) => { await get(`${api}/generation?id=${samples[(i * 7919) % samples.length]}`, key) }),
    }
    // The flush as it runs: 100 requests at once (fake/echo), settled by the account's gate and
    // handed to its recorder, which writes them FLUSH_DELAY_MS (300) after the first as one batch
    // and times the batch's writes (R2 put, then the D1 transaction with rows and rollups); the
    // operator API shows it (GET /admin/recorders).
    const recorder = recorderName(accountId, 4) // RECORDERS' default
    const flushMs: number[] = []
    let lastAt = ''
    const ask = JSON.stringify({ model: 'fake/echo', max_tokens: 8, messages: [{ role: 'user', content: 'flush me' }] })
    for (let i = 0; i < FLUSH_RUNS + 2; i++) {
      await Promise.all(Array.from({ length: 100 }, () =>
        fetch(`${api}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: ask }).then((r) => r.text())))
      const deadline = Date.now() + 30_000
      for (;;) {
        const gate = JSON.parse(await get(`${api}/admin/accounts/${accountId}`, ADMIN_TOKEN)) as { data: { unflushed: number } }
        const all = JSON.parse(await get(`${api}/admin/recorders`, ADMIN_TOKEN)) as { data: { name: string; unflushed: number; last_flush: { at: string; rows: number; ms: number } | null }[] }
        const view = all.data.find((r) => r.name === recorder)
        const last = view?.last_flush
        if (gate.data.unflushed === 0 && view?.unflushed === 0 && last && last.at !== lastAt) {
          lastAt = last.at
          if (i >= 2) flushMs.push(last.ms) // the first ones learn the names
          break
        }
        if (Date.now() > deadline) throw new Error(`the recorder did not write: ${JSON.stringify({ gate: gate.data.unflushed, recorder: view })}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    flushMs.sort((a, b) => a - b)
    figures.flush = { p50: percentile(flushMs, 50), p90: percentile(flushMs, 90) }
    await closePools()
    await g.mf.dispose()
    const d1Bytes = statSync(d1File()).size
    // Bytes per row of each table with its indexes, at this size (the flushes above added a few).
    const objectsByTable = new Map<string, ObjectBytes[]>()
    for (const o of measureFile(d1File()).objects) objectsByTable.set(o.table, [...(objectsByTable.get(o.table) ?? []), o])
    const tables = Object.fromEntries([...objectsByTable].flatMap(([table, objs]) => {
      const rows = objs.find((o) => o.rows !== null)?.rows ?? 0
      const bytes = objs.reduce((s, o) => s + o.bytes, 0)
      return rows > 0 ? [[table, { bytes, rows, bytesPerRow: bytes / rows }]] : []
    }))
    results.push({ size, d1Bytes, r2Objects, r2Bytes, tables, figures })
    log(`${size}: ${JSON.stringify(figures)}`)
  }

  const [small, large] = [results[0], results.at(-1)]
  console.log(`\nStorage at scale: ms per call, p50 (p90); ${RUNS} sequential calls each after 5 warm-ups`)
  console.log(['operation', ...results.map((r) => `${r.size.toLocaleString('en')} rows`), 'ratio p50'].join(' | '))
  for (const op of Object.keys(small?.figures ?? {})) {
    const cells = results.map((r) => `${r.figures[op]!.p50.toFixed(2)} (${r.figures[op]!.p90.toFixed(2)})`)
    const ratio = small && large ? (large.figures[op]!.p50 / small.figures[op]!.p50).toFixed(2) : '–'
    console.log([op, ...cells, ratio].join(' | '))
  }
  for (const r of results) {
    console.log(`\n${r.size} rows: D1 file ${(r.d1Bytes / 1e6).toFixed(1)} MB; R2 ${r.r2Objects} objects, ${(r.r2Bytes / 1e6).toFixed(1)} MB (${(r.r2Bytes / r.size).toFixed(1)} B a generation)`)
    for (const [table, t] of Object.entries(r.tables)) console.log(`  ${table.padEnd(20)} ${String(t.rows).padStart(9)} rows  ${(t.bytes / 1e6).toFixed(2).padStart(8)} MB  ${t.bytesPerRow.toFixed(1)} B/row (indexes included)`)
  }
  const dir = join(ROOT, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')
  const file = join(dir, `storage-scale-${stamp}-${machineInfo().commit}.json`)
  writeFileSync(file, `${JSON.stringify({ machine: machineInfo(), runs: RUNS, results }, (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 2)}\n`)
  log(`results: ${file}`)
} finally {
  await closePools()
  if (process.env.STORAGE_KEEP !== '1') rmSync(persistTo, { recursive: true, force: true })
  else log(`state kept in ${persistTo}`)
}
