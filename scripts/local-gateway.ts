// The gateway in workerd through Miniflare's API, the way `npm start` and `npm run bench`
// serve it: the bundle `wrangler deploy` would upload, wrangler.toml's bindings, and local
// D1 and Durable Objects kept where `wrangler dev --persist-to` keeps them, so both share
// one state directory. Requests reach the Worker on a direct socket: no proxy Worker and
// no Node process on the request path.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Miniflare, convertV4MiniflareOptions, type V4WorkerOptionsShape } from 'miniflare'
import { unstable_getMiniflareWorkerOptions, unstable_readConfig, unstable_splitSqlQuery } from 'wrangler'

export const ROOT = join(import.meta.dirname, '..')
export const WRANGLER_BIN = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
/** Environment for wrangler child processes: no metrics, and no fetch of Cloudflare's request.cf data (offline). */
export const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }

/** Builds the bundle `wrangler deploy` would upload (entry src/index.ts, JSON imports inlined) into outDir; returns its entry. */
export const buildGateway = (outDir: string): string => {
  // Run wrangler with this Node (22), not whatever `node` is first on PATH.
  execFileSync(process.execPath, [WRANGLER_BIN, 'deploy', '--dry-run', '--outdir', outDir], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...WRANGLER_ENV, CI: '1' },
  })
  return join(outDir, 'index.js')
}

/** The table `wrangler d1 migrations apply` records applied migrations in (its default name and shape). */
const MIGRATIONS_TABLE = 'd1_migrations'

export type LocalD1 = Awaited<ReturnType<Miniflare['getD1Database']>>

/**
 * Applies migrations/*.sql not yet applied, in order, each with its record in the same
 * batch (one transaction), exactly as `wrangler d1 migrations apply --local` would, so
 * either may run on the same state later. Returns the names applied.
 */
export const applyMigrations = async (db: LocalD1): Promise<string[]> => {
  await db.prepare(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}(
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`).run()
  const applied = new Set((await db.prepare(`SELECT name FROM ${MIGRATIONS_TABLE}`).all<{ name: string }>()).results.map((r) => r.name))
  const dir = join(ROOT, 'migrations')
  const pending = readdirSync(dir).filter((f) => f.endsWith('.sql') && !applied.has(f)).sort()
  for (const name of pending) {
    const statements = unstable_splitSqlQuery(readFileSync(join(dir, name), 'utf8')).map((sql) => db.prepare(sql))
    await db.batch([...statements, db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES (?)`).bind(name)])
  }
  return pending
}

type WranglerFields = 'compatibilityDate' | 'compatibilityFlags' | 'bindings' | 'd1Databases' | 'durableObjects' | 'r2Buckets' | 'assets'

/** wrangler.toml as Miniflare options: the Worker's name, compatibility, [vars], D1 and Durable Object bindings, static assets. */
export const wranglerWorkerOptions = (): Pick<V4WorkerOptionsShape, 'name' | WranglerFields> => {
  const config = unstable_readConfig({ config: join(ROOT, 'wrangler.toml') })
  // wrangler's own type for these options loses their field types (an Omit over Miniflare's union).
  const w = unstable_getMiniflareWorkerOptions(config).workerOptions as Pick<V4WorkerOptionsShape, WranglerFields>
  return {
    name: String(config.name),
    compatibilityDate: w.compatibilityDate,
    compatibilityFlags: w.compatibilityFlags,
    bindings: w.bindings,
    d1Databases: w.d1Databases,
    durableObjects: w.durableObjects,
    // Generation details: Miniflare's local R2, kept under the same state directory.
    r2Buckets: w.r2Buckets,
    // The dashboard's static files ([assets]); requests that match none go on to the Worker.
    ...(w.assets ? { assets: { ...w.assets, routerConfig: { ...w.assets.routerConfig, has_user_worker: true } } } : {}),
  }
}

export interface LocalGatewayOptions {
  /** The bundle (buildGateway), or a stand-in Worker's source (Miniflare's `script`). */
  script: { path: string } | { source: string }
  /** Where the Worker listens (127.0.0.1); 0 = any free port. */
  port: number
  /** The state directory, as `wrangler dev --persist-to` takes it. */
  persistTo: string
  /** Strings added to wrangler.toml's [vars]: provider keys, operator settings. */
  vars: Record<string, string>
}

export interface LocalGateway {
  mf: Miniflare
  /** The Worker's own socket, e.g. http://127.0.0.1:8787. */
  origin: string
}

/** Starts workerd with the gateway; rejects if the runtime cannot start (e.g. the port is taken). */
export const startLocalGateway = async (options: LocalGatewayOptions): Promise<LocalGateway> => {
  const worker = wranglerWorkerOptions()
  const mf = new Miniflare(convertV4MiniflareOptions({
    // Miniflare's own entry (used for getD1Database) on any free port; the Worker on the asked one.
    host: '127.0.0.1',
    port: 0,
    cf: false, // no fetch of Cloudflare's cf data (no internet)
    // wrangler dev keeps D1 and Durable Objects under <persist-to>/v3.
    resourcePersistencePath: join(options.persistTo, 'v3'),
    resourceTmpPath: join(options.persistTo, 'tmp'),
    ...worker,
    modules: true,
    // modulesRoot: module names are paths under it, and the bundle may live outside the repo (--persist-to /tmp/…).
    ...('path' in options.script ? { scriptPath: options.script.path, modulesRoot: dirname(options.script.path) } : { script: options.script.source }),
    bindings: { ...worker.bindings, ...options.vars },
    unsafeDirectSockets: [{ host: '127.0.0.1', port: options.port }],
  }))
  try {
    await mf.ready
    return { mf, origin: (await mf.unsafeGetDirectURL()).origin }
  } catch (err) {
    await mf.dispose().catch(() => {})
    throw err
  }
}
