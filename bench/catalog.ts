// The catalog's cost (issue 11): the Worker's gzipped bundle against Cloudflare's limits, the
// per-isolate cold-start work the catalog adds, and /models on the real catalog.
//
// - Bundle: `wrangler deploy --dry-run --outdir <tmp>` (what `npm run check` builds), every output file
//   gzipped as Cloudflare counts it: 3 MB on the free plan, 10 MB on paid. The catalog's JSON share too.
// - Cold start, in fresh Node processes (same V8 as workerd): importing the catalog modules (what
//   evaluating the bundle's JSON costs), zod's CatalogSchema.parse (left to the tests: the Worker does not
//   run it), and what the first request does once per isolate: trustedCatalog + buildIndex; then the
//   first /models (rows built and serialized). Medians over fresh processes.
// - /models per request (warm, Node): the plain listing (a precomputed string) and a filtered one
//   (`?supported_parameters=tools`); then in workerd, npm start's gateway: its isolate's first /models and warm ones.
// `node bench/catalog.ts` runs it alone and prints JSON.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { freePort, spawnStart } from '../scripts/spawn-start.ts'

const root = new URL('../', import.meta.url).pathname
const MB = 1024 * 1024

export interface CatalogBench {
  models: number
  endpoints: number
  providers: number
  bundle: { raw_bytes: number; gzip_bytes: number; free_limit_bytes: number; paid_limit_bytes: number; catalog_json_gzip_bytes: number }
  cold: { import_ms: number; parse_ms: number; index_ms: number; first_models_ms: number; samples: number }
  models_route_us: { plain: number; filtered: number }
  /** In workerd, the gateway started as npm start starts it: the isolate's first /models (catalog indexed, rows built), then warm. */
  workerd: { first_models_ms: number; warm_models_ms: number; models_body_bytes: number }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]))

/** The deployable bundle, gzipped file by file (Cloudflare's measure). */
const bundleSize = () => {
  const out = mkdtempSync(join(tmpdir(), 'switchboard-bundle-'))
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out], { cwd: root, stdio: 'pipe' })
    const built = files(out).filter((f) => !f.endsWith('.map'))
    let raw = 0
    let gzip = 0
    for (const f of built) {
      const bytes = readFileSync(f)
      raw += bytes.length
      gzip += gzipSync(bytes, { level: 9 }).length
    }
    const catalog = ['providers.json', 'models.json', 'models/fake.json'].map((f) => readFileSync(join(root, 'src/catalog/data', f)))
    return { raw_bytes: raw, gzip_bytes: gzip, free_limit_bytes: 3 * MB, paid_limit_bytes: 10 * MB, catalog_json_gzip_bytes: catalog.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

/** One fresh process: the catalog's cold-start steps, timed. */
const COLD = `
const t0 = performance.now()
const { catalogData } = await import('./src/catalog/data/index.ts')
const t1 = performance.now()
const { CatalogSchema } = await import('./src/catalog/schema.ts')
const { buildIndex, trustedCatalog } = await import('./src/catalog/lookup.ts')
const { models } = await import('./src/api/models.ts')
const t2 = performance.now()
CatalogSchema.parse(catalogData) // what the Worker no longer does (the catalog test does it instead)
const t3 = performance.now()
buildIndex(trustedCatalog(catalogData)) // what the first routed request does once per isolate
const t4 = performance.now()
await (await models.request('http://x/models', undefined, {})).text()
const t5 = performance.now()
console.log(JSON.stringify({ import_ms: t1 - t0, parse_ms: t3 - t2, index_ms: t4 - t3, first_models_ms: t5 - t4 }))
`

/** Runs a module snippet in a fresh Node (src/errors.ts needs type transforms, not just stripping) and parses its JSON. */
const fresh = (code: string): Record<string, number> =>
  JSON.parse(execFileSync(process.execPath, ['--experimental-transform-types', '--no-warnings', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' })) as Record<string, number>

const coldStart = (samples: number) => {
  const runs = Array.from({ length: samples }, () => fresh(COLD))
  const pick = (k: string) => median(runs.map((r) => r[k]!))
  return { import_ms: pick('import_ms'), parse_ms: pick('parse_ms'), index_ms: pick('index_ms'), first_models_ms: pick('first_models_ms'), samples }
}

/** µs per warm /models request (median of 15 batches of 20, after 20 to warm up), in a fresh process. */
const ROUTE = `
const { models } = await import('./src/api/models.ts')
const env = {} // one isolate's env: its provider configuration, and so the precomputed rows, are reused
const time = async (url) => {
  for (let i = 0; i < 20; i++) await (await models.request(url, undefined, env)).text()
  const batches = []
  for (let b = 0; b < 15; b++) {
    const t = performance.now()
    for (let i = 0; i < 20; i++) await (await models.request(url, undefined, env)).text()
    batches.push(((performance.now() - t) / 20) * 1000)
  }
  return batches.sort((a, b) => a - b)[7]
}
console.log(JSON.stringify({ plain: await time('http://x/models'), filtered: await time('http://x/models?supported_parameters=tools') }))
`

/** npm start on a free port with throwaway state; the first GET /api/v1/models is the isolate's first catalog use. */
const workerdModels = async () => {
  const state = mkdtempSync(join(tmpdir(), 'switchboard-catalog-bench-'))
  const gateway = spawnStart(['--port', String(await freePort()), '--persist-to', state])
  try {
    const { baseURL } = await gateway.ready
    const get = async () => {
      const t = performance.now()
      const body = await (await fetch(`${baseURL}/models`)).text()
      return { ms: performance.now() - t, bytes: body.length }
    }
    const first = await get()
    const warm: number[] = []
    for (let i = 0; i < 30; i++) warm.push((await get()).ms)
    return { first_models_ms: first.ms, warm_models_ms: median(warm), models_body_bytes: first.bytes }
  } finally {
    await gateway.stop()
    rmSync(state, { recursive: true, force: true })
  }
}

export const runCatalogBench = async (samples = 5): Promise<CatalogBench> => {
  const { catalogData } = await import('../src/catalog/data/index.ts')
  return {
    models: catalogData.models.length,
    endpoints: catalogData.models.reduce((n, m) => n + m.endpoints.length, 0),
    providers: catalogData.providers.length,
    bundle: bundleSize(),
    cold: coldStart(samples),
    models_route_us: fresh(ROUTE) as CatalogBench['models_route_us'],
    workerd: await workerdModels(),
  }
}

export const printCatalog = (c: CatalogBench) => {
  const mb = (b: number) => `${(b / MB).toFixed(2)} MB`
  console.log([
    `\nCatalog: ${c.models} models, ${c.endpoints} endpoints, ${c.providers} providers`,
    `bundle: ${mb(c.bundle.raw_bytes)} raw, ${mb(c.bundle.gzip_bytes)} gzipped (limits: ${mb(c.bundle.free_limit_bytes)} free, ${mb(c.bundle.paid_limit_bytes)} paid); the catalog's JSON is ${mb(c.bundle.catalog_json_gzip_bytes)} of it gzipped`,
    `cold start (median of ${c.cold.samples} fresh processes): import ${c.cold.import_ms.toFixed(1)} ms, CatalogSchema.parse ${c.cold.parse_ms.toFixed(1)} ms (tests only), index ${c.cold.index_ms.toFixed(2)} ms, first /models ${c.cold.first_models_ms.toFixed(1)} ms`,
    `/models warm in Node: plain ${c.models_route_us.plain.toFixed(0)} µs (precomputed), ?supported_parameters=tools ${c.models_route_us.filtered.toFixed(0)} µs`,
    `/models in workerd (npm start, client side): the isolate's first ${c.workerd.first_models_ms.toFixed(1)} ms, then ${c.workerd.warm_models_ms.toFixed(1)} ms (${(c.workerd.models_body_bytes / 1024).toFixed(0)} KiB)`,
  ].join('\n'))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runCatalogBench()
  printCatalog(result)
  console.log(JSON.stringify(result, null, 2))
}
