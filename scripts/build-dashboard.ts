// Bundles the dashboard's browser code (src/dashboard/client) with esbuild into the Worker's
// static assets (src/dashboard/public/static/build). wrangler runs this as its custom build
// ([build] in wrangler.toml) before `wrangler deploy` and `wrangler dev`, so `npm start` and a
// deploy always serve a fresh bundle with no separate step. Chart.js and the other browser
// dependencies come from node_modules: nothing is fetched from a CDN.
//
//   node scripts/build-dashboard.ts [--watch]
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { build, context, type BuildOptions } from 'esbuild'

const ROOT = join(import.meta.dirname, '..')
const { values } = parseArgs({ options: { watch: { type: 'boolean', default: false } } })

const options: BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: ['src/dashboard/client/main.tsx'],
  outdir: 'src/dashboard/public/static/build',
  entryNames: 'app',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx/dom',
  tsconfig: 'src/dashboard/client/tsconfig.json',
  logLevel: 'warning',
}

if (values.watch) {
  await (await context(options)).watch()
} else {
  await build(options)
}
